"""Log lines: one per event, JSON on request, and the bot token never shown."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import REDACTED, configure_logging

TOKEN = "123456:AAE-secret_Token"


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_no_token(restore_logging, capsys) -> None:
    configure_logging("INFO", "json", [TOKEN])
    log = logging.getLogger("bot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"token {TOKEN} and encoded 123456%3AAAE-secret_Token")
    except RuntimeError:
        log.exception("failed")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    events = [json.loads(line) for line in lines]
    assert events[0]["message"] == f"calling https://api.telegram.org/bot{REDACTED}/getMe"
    assert events[1]["level"] == "ERROR" and "RuntimeError" in events[1]["error"]
    assert TOKEN not in "".join(lines) and "123456%3AAAE" not in "".join(lines)


def test_text_lines_are_one_per_event(restore_logging, capsys) -> None:
    configure_logging("INFO", "text", [TOKEN])
    try:
        raise ValueError("boom\nsecond line " + TOKEN)
    except ValueError:
        logging.getLogger("bot.test").exception("it broke")
    output = capsys.readouterr().err
    assert output.count("\n") == 1
    assert "it broke | Traceback" in output and TOKEN not in output
