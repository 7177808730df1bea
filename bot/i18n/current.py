"""The language in force for the update or job being handled, and translating into it.

A context variable, so each update (handled in its own task) and each job has its own: set it
with `use(locale)` (jobs, per runner) or `set_locale` (the update's handlers, see
bot/telegram/language.py). Unset, it is English.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from bot.i18n.catalogs import translations
from bot.i18n.languages import DEFAULT_LOCALE

_LOCALE: ContextVar[str] = ContextVar("warmup_coach_locale", default=DEFAULT_LOCALE)


def current_locale() -> str:
    return _LOCALE.get()


def set_locale(locale: str) -> None:
    _LOCALE.set(locale)


@contextlib.contextmanager
def use(locale: str) -> Iterator[None]:
    token = _LOCALE.set(locale)
    try:
        yield
    finally:
        _LOCALE.reset(token)


def gettext(message: str) -> str:
    return translations(_LOCALE.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_LOCALE.get()).ngettext(singular, plural, n)
