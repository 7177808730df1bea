"""Settings from the environment or `.env`, validated once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{DATA_DIR / 'warmup-coach.db'}"
DEFAULT_SANDBOX_DATABASE_URL = f"sqlite+aiosqlite:///{DATA_DIR / 'sandbox.db'}"
# Telegram's broadcast limit without paying: about 30 messages a second for the bot token.
FREE_MESSAGES_PER_SECOND = 30


class SettingsError(ValueError):
    """A setting that stops start-up; the message is one line naming the setting."""


class Settings(BaseSettings):
    """Everything an operator can set. Every field is listed in `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str = DEFAULT_DATABASE_URL
    routine_file: Path = DATA_DIR / "routine.toml"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    # Webhook mode instead of long polling when set: Telegram POSTs updates to this HTTPS URL
    # (its path is the one served). Several processes behind one URL must share the secret; the
    # default is derived from the token, so they do.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(
        default=8443, ge=1, le=65535, validation_alias=AliasChoices("WEBHOOK_PORT", "PORT")
    )
    # The flood guard: a burst of this many updates per user, refilled at this rate per second.
    flood_burst: int = Field(default=10, ge=1, le=10_000)
    flood_rate: float = Field(default=3.0, gt=0)
    # Moving demonstrations on the warm-up card (each runner can switch them off in /settings);
    # off: text cards for everyone, for a bot on slow or costly links.
    demonstrations: bool = True
    # A ✅ Done set this soon after the last one counts nothing: a gloved double tap lands on the
    # redrawn card. At most 2 s, so that no real set (8 reps take well over ten) is refused;
    # 0 turns the guard off.
    min_set_seconds: float = Field(default=2.0, ge=0, le=2)
    # Per-user concurrency: updates of one user run in order, different users in parallel.
    # Enough to overlap the network waits; more only makes httpx's connection pool do more work
    # per request (64 cost the bot a third more CPU per update with 100 runners, and the p99
    # went from 0.9 to 3 s: bench/throughput.py).
    max_concurrent_updates: int = Field(default=16, ge=1, le=1024)
    # The offline sandbox's web chat and Bot API (no token): 127.0.0.1 only; 0 picks a free port.
    sandbox_port: int = Field(default=8080, ge=0, le=65535)
    # The offline sandbox's own database: its demo runners never land in the real bot's.
    sandbox_database_url: str = DEFAULT_SANDBOX_DATABASE_URL
    # Telegram's limit for the bot token, shared by every process (bot/telegram/dispatching.py):
    # 30/s is the free rate; above it every limited send pays for allow_paid_broadcast.
    telegram_messages_per_second: int = Field(default=30, ge=1, le=1000)
    # A reminder may go this much before its instant, so that a peak larger than the limit
    # can absorb is spread ahead of time instead of arriving late (0: never early).
    reminder_early_minutes: int = Field(default=10, ge=0, le=60)
    # Polling mode: serve /metrics on this port (0: off). Webhook mode serves it on its port.
    metrics_port: int = Field(default=0, ge=0, le=65535)
    # Telegram user ids allowed to /broadcast, comma-separated.
    admin_user_ids: Annotated[tuple[int, ...], NoDecode] = ()

    @field_validator("telegram_bot_token", "webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _user_ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise ValueError(f"must be Telegram user ids separated by commas, not {value!r}")
        return tuple(int(part) for part in parts)

    @field_validator("telegram_api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"must be an http(s) URL such as https://api.telegram.org/bot, not {value!r}"
            )
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"must be the public URL Telegram posts to, such as "
                f"https://coach.example.com/telegram, not {value!r}"
            )
        return value

    @field_validator("database_url", "sandbox_database_url")
    @classmethod
    def _sqlalchemy_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                f"must be a SQLAlchemy URL such as sqlite+aiosqlite:///data/warmup-coach.db, "
                f"not {value!r}"
            ) from None
        try:
            url.get_dialect()
        except NoSuchModuleError:
            raise ValueError(f"unknown database kind {url.drivername!r} in {value!r}") from None
        if url.get_backend_name() == "sqlite" and url.drivername != "sqlite+aiosqlite":
            url = url.set(drivername="sqlite+aiosqlite")
        elif url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+asyncpg")
        return url.render_as_string(hide_password=False)

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad one raises SettingsError with one line naming it."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        reason = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"Setting {name}: {reason}") from None
