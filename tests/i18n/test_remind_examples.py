"""Every `/remind` example the bot shows, in every language, is one the bot reads in that
language: translators may write the days and the city as their runners would."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.coach.schedule import RemindSet, parse_remind_args
from bot.i18n import LANGUAGES
from bot.i18n.catalogs import po_path
from bot.i18n.extract import source_catalog


def remind_examples(text: str) -> list[list[str]]:
    """The words of each "/remind <days> <time> ..." example in `text`, up to where the
    sentence goes on."""
    examples = []
    for tail in text.split("/remind ")[1:]:
        words: list[str] = []
        for word in tail.split():
            if word in ("—", "–", "·") or word.startswith("("):
                break
            ends_sentence = word[-1] in ".:;"
            words.append(word.rstrip(".:;"))
            if ends_sentence:
                break
        # An example has days and a time; "/remind to set them up" is the command's name.
        if len(words) >= 2 and re.fullmatch(r"\d{1,2}:\d{2}", words[1]) and "{" not in words[0]:
            examples.append(words)
    return examples


def shown_texts(locale: str) -> list[str]:
    if locale == "en":
        return [str(m.id) for m in source_catalog() if isinstance(m.id, str)]
    with po_path(locale).open("rb") as file:
        return [m.string for m in read_po(file, locale=locale) if isinstance(m.string, str)]


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_every_remind_example_parses_in_its_language(locale: str) -> None:
    examples = [words for text in shown_texts(locale) for words in remind_examples(text)]
    assert len(examples) >= 5, examples
    for words in examples:
        assert isinstance(parse_remind_args(words, locale=locale), RemindSet), words
