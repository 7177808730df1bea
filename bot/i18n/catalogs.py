"""The translation catalogues: bot/locales/<locale>/LC_MESSAGES/messages.po, compiled in memory
the first time a language is used (so no build step and no stale .mo file can ship)."""

from __future__ import annotations

import functools
import gettext as gettext_module
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n.languages import DEFAULT_LOCALE

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
DOMAIN = "messages"


def po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as file:
        return read_po(file, locale=locale, domain=DOMAIN)


@functools.cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The locale's translations; English (the source texts) and a locale without a catalogue
    translate to the text itself. An untranslated or fuzzy entry also falls back to English."""
    if locale == DEFAULT_LOCALE or not po_path(locale).is_file():
        return gettext_module.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(locale), use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def untranslated(locale: str, messages: list[str]) -> list[str]:
    """Those of `messages` the locale's catalogue does not translate (they are shown in English)."""
    if locale == DEFAULT_LOCALE:
        return []
    if not po_path(locale).is_file():
        return list(messages)
    catalog = read_catalog(locale)
    missing = []
    for message in messages:
        entry = catalog.get(message)
        if entry is None or entry.fuzzy or not entry.string:
            missing.append(message)
    return missing


def preload(locales: list[str]) -> None:
    """Compile every catalogue and load each language's CLDR data now, at start-up, rather than
    making the first runner of each language wait for it (tens of milliseconds each)."""
    from datetime import datetime

    from babel.dates import format_datetime, get_day_names
    from babel.units import format_unit

    for locale in locales:
        translations(locale)
        format_datetime(datetime(2026, 1, 1), "EEE, d MMM, HH:mm", locale=locale)
        get_day_names("abbreviated", context="stand-alone", locale=locale)
        format_unit(1, "duration-minute", length="short", locale=locale)
