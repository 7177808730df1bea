"""Callback data: what a button is for, encoded in Telegram's 64 bytes and parsed back strictly."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coach.walkthrough import Action

MENU_WARMUP = "menu:warmup"

_TAP = re.compile(r"w:(\d{1,12}):(\d{1,9}):([dhse])")
_RESUME = re.compile(r"wr:(\d{1,12}):([rn])")


@dataclass(frozen=True)
class WarmupTap:
    """A button on a warm-up card, made for one session at one version."""

    warmup_id: int
    version: int
    action: Action

    def encode(self) -> str:
        return f"w:{self.warmup_id}:{self.version}:{self.action.value}"


@dataclass(frozen=True)
class ResumeChoice:
    """Resume (`r`) or start over (`n`) when /warmup finds one in progress."""

    warmup_id: int
    restart: bool

    def encode(self) -> str:
        return f"wr:{self.warmup_id}:{'n' if self.restart else 'r'}"


def parse_tap(data: str | None) -> WarmupTap | None:
    """None for anything we did not make (forged or malformed data is refused quietly)."""
    match = _TAP.fullmatch(data or "")
    if not match:
        return None
    return WarmupTap(int(match.group(1)), int(match.group(2)), Action(match.group(3)))


def parse_resume(data: str | None) -> ResumeChoice | None:
    match = _RESUME.fullmatch(data or "")
    if not match:
        return None
    return ResumeChoice(int(match.group(1)), match.group(2) == "n")


TAP_PATTERN = r"^w:"
RESUME_PATTERN = r"^wr:"
MENU_WARMUP_PATTERN = rf"^{MENU_WARMUP}$"
