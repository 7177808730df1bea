"""Finding the texts to translate: pybabel's extractor for the routine's words, and the whole
source catalogue as `pybabel extract -F babel.cfg` makes it (for the catalogue check)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": (1, 2)}  # pybabel: --no-default-keywords -k _ -k N_:1,2
COMMENT_TAG = "Translators:"


def extract_routine(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """pybabel extractor for data/routine.toml: every word a runner reads on the card."""
    raw = fileobj.read()
    text = raw.decode("utf-8")
    routine = tomllib.loads(text)

    def line_of(value: str) -> int:
        index = text.find(value)
        return text.count("\n", 0, index) + 1 if index >= 0 else 1

    if routine.get("band_note"):
        yield line_of(routine["band_note"]), None, routine["band_note"], ["The band note."]
    for exercise in routine.get("exercises", []):
        name = exercise["name"]
        yield (
            line_of(name),
            None,
            name,
            ["An exercise's name. Keep the English name in brackets where runners know it by it."],
        )
        if exercise.get("short"):
            yield (
                line_of(f'short = "{exercise["short"]}"'),
                None,
                exercise["short"],
                [f"{name}: its short name, on a button half a phone wide: 16 characters at most."],
            )
        for cue in exercise.get("cues", []):
            yield line_of(cue), None, cue, [f"How to do {name}: a cue."]
        if exercise.get("mistake"):
            yield (
                line_of(exercise["mistake"]),
                None,
                exercise["mistake"],
                [f"{name}: the common mistake."],
            )
        if exercise.get("no_band"):
            yield (
                line_of(exercise["no_band"]),
                None,
                exercise["no_band"],
                [f"{name}: how to do it without a band."],
            )


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
