"""Texts that are translated when they are used, into the language in force then.

`_("...")` and `N_("...", "...")` mark the English source texts where they are defined (for
`pybabel extract`: keywords `_` and `N_:1,2`), once, at import time; the translation happens
when a text is turned into words, for whichever runner is being answered.
"""

from __future__ import annotations

from typing import Any

from bot.i18n.current import gettext, ngettext


class Text:
    """One sentence or label: `str(text)` or `text.format(...)` gives it in the current
    language. Compares equal to its translation, so tests can hold a reply against it."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return gettext(self.message)

    def format(self, *args: Any, **kwargs: Any) -> str:
        return str(self).format(*args, **kwargs)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self) == other
        if isinstance(other, Text):
            return self.message == other.message
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, str | Text):
            return str(self) < str(other)
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, str | Text):
            return str(self) > str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.message)

    def __repr__(self) -> str:
        return f"_({self.message!r})"


class Plural:
    """A text that depends on a count: `plural.format(n, ...)` picks the form the current
    language uses for `n` (Russian and Ukrainian have three) and fills `{n}` in."""

    __slots__ = ("plural", "singular")

    def __init__(self, singular: str, plural: str) -> None:
        self.singular, self.plural = singular, plural

    def format(self, n: int, **kwargs: Any) -> str:
        return ngettext(self.singular, self.plural, n).format(n=n, **kwargs)

    def __repr__(self) -> str:
        return f"N_({self.singular!r}, {self.plural!r})"


def _(message: str) -> Text:
    return Text(message)


def N_(singular: str, plural: str) -> Plural:
    return Plural(singular, plural)
