"""Every setting an operator can make is written down where they will look for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[1]


def _setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    listed = set(re.findall(r"^([A-Z_]+)=", (REPO / ".env.example").read_text(), re.MULTILINE))
    assert listed == _setting_names()


def test_the_readme_settings_table_lists_every_setting() -> None:
    readme = (REPO / "README.md").read_text()
    first_cells = re.findall(r"^\| (`[A-Z_]+`.*?) \|", readme, re.MULTILINE)
    in_table = {name for cell in first_cells for name in re.findall(r"`([A-Z_]+)`", cell)}
    assert _setting_names() <= in_table


def test_min_set_seconds_above_two_is_refused_in_one_line() -> None:
    """At most 2 s, so that no real set is ever refused as a double tap."""
    with pytest.raises(SettingsError, match=r"^Setting MIN_SET_SECONDS: .*less than or equal to 2"):
        load_settings(min_set_seconds=3, _env_file=None)
    assert load_settings(min_set_seconds=0, _env_file=None).min_set_seconds == 0
