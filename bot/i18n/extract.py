"""Finding the texts to translate: pybabel's extractor for the routine's words, and the whole
source catalogue as `pybabel extract -F babel.cfg` makes it (for the catalogue check)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from bot.coach.routine import Routine, parse_routine

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": (1, 2)}  # pybabel: --no-default-keywords -k _ -k N_:1,2
COMMENT_TAG = "Translators:"


def routine_texts(routine: Routine) -> Iterator[tuple[str, str]]:
    """Every word of the routine a runner reads on the card, with a word for the translators:
    what the catalogues must hold (the extractor below, and the start-up check in bot/app.py)."""
    if routine.band_note:
        yield routine.band_note, "The band note."
    for exercise in routine.exercises:
        name = exercise.name
        yield (
            name,
            "An exercise's name. Keep the English name in brackets where runners know it by it.",
        )
        yield (
            exercise.short,
            f"{name}: its short name, on a button half a phone wide: 16 characters at most.",
        )
        for cue in exercise.cues:
            yield cue, f"How to do {name}: a cue."
        yield exercise.mistake, f"{name}: the common mistake."
        if exercise.no_band:
            yield exercise.no_band, f"{name}: how to do it without a band."


def extract_routine(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """pybabel extractor for data/routine.toml: `routine_texts`, each at its line."""
    text = fileobj.read().decode("utf-8")

    def line_of(value: str) -> int:
        index = text.find(f'"{value}"')  # as a TOML string, not inside a longer one
        index = index if index >= 0 else text.find(value)
        return text.count("\n", 0, index) + 1 if index >= 0 else 1

    for message, comment in routine_texts(parse_routine(text)):
        yield line_of(message), None, message, [comment]


def source_catalog(root: Path = PROJECT_ROOT) -> Catalog:
    """Every text the source marks for translation, as `pybabel extract` collects it."""
    with (root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(domain="messages")
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, keywords=KEYWORDS, comment_tags=(COMMENT_TAG,)
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog
