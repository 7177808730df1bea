"""Callback data: what a button is for, encoded in Telegram's 64 bytes and parsed back strictly."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coach.walkthrough import Action

MENU_WARMUP = "menu:warmup"
SETUP_OPEN = "rs:open"

_TAP = re.compile(r"w:(\d{1,12}):(\d{1,9}):([dhse])")
_RESUME = re.compile(r"wr:(\d{1,12}):([rn])")
_REMINDER = re.compile(r"rm:(\d{1,12}):([zx])")
_SETUP = re.compile(r"rs:([a-z]{1,8})(?::([A-Za-z0-9_+\-/]{1,48}))?")


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


@dataclass(frozen=True)
class ReminderChoice:
    """⏰ Snooze (`z`) or 🛌 Not today (`x`) on a sent reminder."""

    reminder_id: int
    choice: str

    def encode(self) -> str:
        return f"rm:{self.reminder_id}:{self.choice}"


@dataclass(frozen=True)
class SetupTap:
    """A button of the guided /remind setup: an action and its argument."""

    action: str
    argument: str | None = None

    def encode(self) -> str:
        data = f"rs:{self.action}" if self.argument is None else f"rs:{self.action}:{self.argument}"
        assert len(data.encode()) <= 64, data
        return data


def parse_reminder_choice(data: str | None) -> ReminderChoice | None:
    match = _REMINDER.fullmatch(data or "")
    return ReminderChoice(int(match.group(1)), match.group(2)) if match else None


def parse_setup(data: str | None) -> SetupTap | None:
    match = _SETUP.fullmatch(data or "")
    return SetupTap(match.group(1), match.group(2)) if match else None


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
REMINDER_PATTERN = r"^rm:"
SETUP_PATTERN = r"^rs:"


_CHECKIN = re.compile(r"ci:(\d{1,12}):([fp])([1-5a-z])")
_SETTINGS = re.compile(r"st:c:(\d{1,3}|off)")
_DEMO_SETTING = re.compile(r"st:d:(on|off)")
FORGET_YES = "fg:y"
FORGET_NO = "fg:n"


@dataclass(frozen=True)
class CheckInTap:
    """An answer on an after-run check-in: the feel (`f`, 1-5) or the pain (`p`, a letter)."""

    checkin_id: int
    question: str
    answer: str

    def encode(self) -> str:
        return f"ci:{self.checkin_id}:{self.question}{self.answer}"


@dataclass(frozen=True)
class CheckInSetting:
    """A /settings button: ask this many minutes after a warm-up, or never (None)."""

    minutes: int | None

    def encode(self) -> str:
        return f"st:c:{'off' if self.minutes is None else self.minutes}"


@dataclass(frozen=True)
class DemonstrationsSetting:
    """A /settings button: moving demonstrations on the warm-up card, or text only."""

    on: bool

    def encode(self) -> str:
        return f"st:d:{'on' if self.on else 'off'}"


def parse_setting(data: str | None) -> CheckInSetting | DemonstrationsSetting | None:
    """Any /settings button."""
    demo = _DEMO_SETTING.fullmatch(data or "")
    if demo:
        return DemonstrationsSetting(demo.group(1) == "on")
    return parse_checkin_setting(data)


def parse_checkin(data: str | None) -> CheckInTap | None:
    match = _CHECKIN.fullmatch(data or "")
    return CheckInTap(int(match.group(1)), match.group(2), match.group(3)) if match else None


def parse_checkin_setting(data: str | None) -> CheckInSetting | None:
    match = _SETTINGS.fullmatch(data or "")
    if not match:
        return None
    return CheckInSetting(None if match.group(1) == "off" else int(match.group(1)))


CHECKIN_PATTERN = r"^ci:"
SETTINGS_PATTERN = r"^st:"
FORGET_PATTERN = r"^fg:"
