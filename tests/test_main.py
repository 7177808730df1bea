"""`python -m bot` with a bad setting: one line naming the setting, exit code 2, no traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.sandbox.server import BotApiSandbox

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:AAE-not-a-real-token"


async def run_bot(tmp_path: Path, **settings: str) -> tuple[int, list[str]]:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN",)},
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}",
        **settings,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,  # no .env here
        env={**environment, "PYTHONPATH": str(PROJECT_ROOT)},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, stderr.decode().strip().splitlines()


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("TELEGRAM_API_BASE_URL", "nope", "Setting TELEGRAM_API_BASE_URL: must be an http(s) URL"),
        ("DATABASE_URL", "foo://", "Setting DATABASE_URL: unknown database kind 'foo'"),
        ("DATABASE_URL", "not a url", "Setting DATABASE_URL: must be a SQLAlchemy URL"),
        ("ROUTINE_FILE", "/no/such/routine.toml", "Setting ROUTINE_FILE: cannot read"),
        ("LOG_FORMAT", "xml", "Setting LOG_FORMAT:"),
        ("WEBHOOK_URL", "ftp://x", "Setting WEBHOOK_URL: must be the public URL"),
        ("FLOOD_RATE", "-1", "Setting FLOOD_RATE:"),
    ],
)
async def test_a_bad_setting_is_one_clear_line(
    tmp_path: Path, setting: str, value: str, expected: str
) -> None:
    code, lines = await run_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, **{setting: value})
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(expected), lines


async def test_a_broken_routine_file_names_line_and_field(tmp_path: Path) -> None:
    routine = tmp_path / "routine.toml"
    text = (PROJECT_ROOT / "data" / "routine.toml").read_text()
    level = '  { sets = 2, reps = 15, band = "light", band_at = "knees" },'
    broken = text.replace(level, level.replace("reps = 15", 'reps = "fifteen"'), 1)
    routine.write_text(broken)
    line = broken.splitlines().index(level.replace("reps = 15", 'reps = "fifteen"')) + 1
    code, lines = await run_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, ROUTINE_FILE=str(routine))
    assert code == 2
    assert len(lines) == 1
    assert lines[0].startswith(f"Setting ROUTINE_FILE: routine.toml, line {line}, ")
    assert "exercises[3].levels[1].reps" in lines[0]


async def test_an_unreachable_bot_api_is_one_line_without_the_token(tmp_path: Path) -> None:
    code, lines = await run_bot(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot"
    )
    assert code == 2
    assert lines[-1].startswith(
        "Setting TELEGRAM_API_BASE_URL: cannot reach http://127.0.0.1:9/bot"
    )
    assert not any("Traceback" in line for line in lines)
    assert not any(TOKEN in line for line in lines)


async def test_a_rejected_token_is_one_line(tmp_path: Path) -> None:
    sandbox = BotApiSandbox()
    await sandbox.start()
    try:
        code, lines = await run_bot(
            tmp_path, TELEGRAM_BOT_TOKEN="999:wrong", TELEGRAM_API_BASE_URL=sandbox.base_url
        )
    finally:
        await sandbox.stop()
    assert code == 2
    assert lines == ["Setting TELEGRAM_BOT_TOKEN: Telegram rejected this token."]


async def test_a_band_exercise_whose_drawing_has_no_band_is_one_line(tmp_path: Path) -> None:
    """The cards ask for the clip with the band where the level puts it (wall-abs@knees here):
    a pose file that draws no band has none, and the bot says so at start-up instead of
    quietly showing text cards."""
    routine = tmp_path / "routine.toml"
    text = (PROJECT_ROOT / "data" / "routine.toml").read_text()
    plain = "  { sets = 2, reps = 10 },\n  { sets = 2, reps = 12 },\n  { sets = 2, reps = 15 },"
    banded = plain.replace(" },", ', band = "light", band_at = "knees" },')
    assert plain in text
    start = text.index('key = "wall-abs"')
    head, tail = text[:start], text[start:]
    with_band = 'band = true\nno_band = "Knee drives with no band."'
    tail = tail.replace("band = false", with_band, 1).replace(plain, banded, 1)
    routine.write_text(head + tail)
    sandbox = BotApiSandbox()
    await sandbox.start()
    try:
        code, lines = await run_bot(
            tmp_path,
            TELEGRAM_BOT_TOKEN=sandbox.token,
            TELEGRAM_API_BASE_URL=sandbox.base_url,
            ROUTINE_FILE=str(routine),
        )
    finally:
        await sandbox.stop()
    assert code == 2
    assert lines[-1].startswith("Setting ROUTINE_FILE: no demonstration 'wall-abs@knees'"), lines
