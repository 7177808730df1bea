"""Callback data: what a button is for, encoded in Telegram's 64 bytes and parsed back strictly."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coach.level_rules import Rating
from bot.coach.walkthrough import Action

MENU_WARMUP = "menu:warmup"  # the full warm-up (reminders sent before levels carry it too)
MENU_QUICK = "menu:quick"
SETUP_OPEN = "rs:open"

_TAP = re.compile(r"w:(\d{1,12}):(\d{1,9}):([dhse])")
_RESUME = re.compile(r"wr:(\d{1,12}):([rnq])")
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
    """Resume (`r`) or start over (`n`, or `q` with the quick version) when /warmup finds one
    in progress."""

    warmup_id: int
    restart: bool
    quick: bool = False  # what starting over starts

    def encode(self) -> str:
        code = ("q" if self.quick else "n") if self.restart else "r"
        return f"wr:{self.warmup_id}:{code}"


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
    code = match.group(2)
    return ResumeChoice(int(match.group(1)), restart=code != "r", quick=code == "q")


TAP_PATTERN = r"^w:"
RESUME_PATTERN = r"^wr:"
MENU_WARMUP_PATTERN = rf"^({MENU_WARMUP}|{MENU_QUICK})$"
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


_RATING = re.compile(r"rt:(\d{1,12}):([erh])")
_RATING_CODES = {Rating.EASY: "e", Rating.RIGHT: "r", Rating.HARD: "h"}
_LEVEL = re.compile(r"lv:(\d{1,2}):([-+i]):(\d{1,2})")
_EASE_OFF = re.compile(r"ez:(\d{1,12})")


@dataclass(frozen=True)
class RatingTap:
    """😌 Easy, 👍 About right or 😓 Hard on a completed warm-up's summary."""

    warmup_id: int
    rating: Rating

    def encode(self) -> str:
        return f"rt:{self.warmup_id}:{_RATING_CODES[self.rating]}"


@dataclass(frozen=True)
class LevelTap:
    """A /levels button: one exercise (its place in the routine) down (`-`), up (`+`) or
    explained (`i`), made when its level was `level` (a tap on an older picture changes
    nothing)."""

    index: int
    move: str
    level: int

    def encode(self) -> str:
        return f"lv:{self.index}:{self.move}:{self.level}"


@dataclass(frozen=True)
class EaseOffTap:
    """⬇️ Go down a level, offered with a check-in's word about pain."""

    checkin_id: int

    def encode(self) -> str:
        return f"ez:{self.checkin_id}"


def parse_rating(data: str | None) -> RatingTap | None:
    match = _RATING.fullmatch(data or "")
    if not match:
        return None
    codes = {code: rating for rating, code in _RATING_CODES.items()}
    return RatingTap(int(match.group(1)), codes[match.group(2)])


def parse_level(data: str | None) -> LevelTap | None:
    match = _LEVEL.fullmatch(data or "")
    return LevelTap(int(match.group(1)), match.group(2), int(match.group(3))) if match else None


def parse_ease_off(data: str | None) -> EaseOffTap | None:
    match = _EASE_OFF.fullmatch(data or "")
    return EaseOffTap(int(match.group(1))) if match else None


RATING_PATTERN = r"^rt:"
LEVEL_PATTERN = r"^lv:"
EASE_OFF_PATTERN = r"^ez:"
