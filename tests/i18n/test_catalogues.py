"""The translation catalogues: complete, consistent with the source, and formatting in every
language. A text added to the bot without its translations fails here (and so in CI)."""

from __future__ import annotations

import string
from collections.abc import Iterable

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from bot.i18n import DEFAULT_LOCALE, LANGUAGES
from bot.i18n.catalogs import LOCALES_DIR, read_catalog
from bot.i18n.extract import source_catalog

SHIPPED = [locale for locale in LANGUAGES if locale != DEFAULT_LOCALE]
SOURCE = source_catalog()
SAMPLE_COUNTS = (0, 1, 2, 3, 5, 11, 21, 22, 25, 101)


def _ids(catalog: Iterable[Message]) -> set[object]:
    return {message.id for message in catalog if message.id}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _source_fields(message: Message) -> set[str]:
    forms = message.id if isinstance(message.id, tuple) else (message.id,)
    return set().union(*(_fields(form) for form in forms))


def test_the_template_holds_exactly_the_texts_the_source_marks() -> None:
    """bot/locales/messages.pot is what `pybabel extract -F babel.cfg` makes today (README,
    "Languages", says how to update it)."""
    with (LOCALES_DIR / "messages.pot").open("rb") as file:
        template = read_po(file)
    assert _ids(template) == _ids(SOURCE), "run the README's pybabel extract and update"


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_catalogue_is_complete_with_nothing_fuzzy(locale: str) -> None:
    catalog = read_catalog(locale)
    missing = _ids(SOURCE) - _ids(catalog)
    assert not missing, (
        f"{locale}: not in the catalogue (pybabel update): {sorted(map(str, missing))[:5]}"
    )
    problems = []
    for message in SOURCE:
        if not message.id:
            continue
        translated = catalog[message.id]
        forms = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        if translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if isinstance(message.id, tuple) and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} plural forms, not {catalog.num_plurals}: {message.id!r}")
        if not all(form.strip() for form in forms):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{locale}: {len(problems)} problems, e.g. {problems[:5]}"


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_translation_has_exactly_the_placeholders_of_its_source(locale: str) -> None:
    catalog = read_catalog(locale)
    problems = []
    for message in SOURCE:
        if not message.id or message.id not in catalog:
            continue
        expected = _source_fields(message)
        translated = catalog[message.id].string
        for form in translated if isinstance(translated, tuple) else (translated,):
            if form and _fields(form) != expected:
                problems.append(f"{message.id!r}: {sorted(_fields(form))} != {sorted(expected)}")
    assert not problems, f"{locale}: {problems[:5]}"


@pytest.mark.parametrize("locale", [DEFAULT_LOCALE, *SHIPPED])
def test_every_template_formats_in_every_language_with_sample_values(locale: str) -> None:
    from bot.i18n import gettext, ngettext, use

    with use(locale):
        for message in SOURCE:
            if not message.id:
                continue
            samples = {name: "7" for name in _source_fields(message)}
            if isinstance(message.id, tuple):
                for n in SAMPLE_COUNTS:
                    text = ngettext(message.id[0], message.id[1], n).format(**{**samples, "n": n})
                    assert "{" not in text or "{" in message.id[1], text
            else:
                text = gettext(message.id).format(**samples)
                assert text.strip()
