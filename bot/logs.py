"""Logging: one line per event, text or JSON, with the bot token scrubbed from every line."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote

REDACTED = "<redacted>"


class _OneLineFormatter(logging.Formatter):
    """Formats a record (traceback included) as one line, with secrets replaced."""

    def __init__(self, secrets: Iterable[str], as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        # The token can appear raw (URLs, exception texts) or URL-encoded (the ':' as %3A).
        self._secrets = sorted(
            {form for secret in secrets if secret for form in (secret, quote(secret, safe=""))},
            key=len,
            reverse=True,
        )
        self._as_json = as_json

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        error = self.formatException(record.exc_info) if record.exc_info else None
        if self._as_json:
            event: dict[str, object] = {
                "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname,
                "logger": record.name,
                "message": message,
            }
            if error:
                event["error"] = error
            return self.scrub(json.dumps(event, ensure_ascii=False))
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
        if error:
            line = f"{line} | {error}"
        return self.scrub(line.replace("\r", "").replace("\n", " | "))


def configure_logging(level: str, log_format: str, secrets: Iterable[str] = ()) -> None:
    """Send every log line to stderr, one line per event, never showing a secret."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter(secrets, as_json=log_format == "json"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """The same redaction for text that is printed rather than logged."""
    return _OneLineFormatter(secrets, as_json=False).scrub(text)
