"""Russian and Ukrainian have three plural forms (1 and 21; 2-4 and 22; 5-20 and 25): the streak's
days and an exercise's reps take the right one for every count."""

from __future__ import annotations

import pytest

from bot.i18n import use
from bot.telegram import texts
from bot.telegram.broadcast_jobs import final_text

COUNTS = (1, 2, 5, 11, 21, 22, 25)

DAYS = {
    "ru": ["1 день", "2 дня", "5 дней", "11 дней", "21 день", "22 дня", "25 дней"],
    "uk": ["1 день", "2 дні", "5 днів", "11 днів", "21 день", "22 дні", "25 днів"],
}
# The reps on the card: "по 2 раза на каждую ногу" (2 times on each leg).
REPS = {
    "ru": [
        "по 1 разу",
        "по 2 раза",
        "по 5 раз",
        "по 11 раз",
        "по 21 разу",
        "по 22 раза",
        "по 25 раз",
    ],
    "uk": [
        "по 1 разу",
        "по 2 рази",
        "по 5 разів",
        "по 11 разів",
        "по 21 разу",
        "по 22 рази",
        "по 25 разів",
    ],
}


@pytest.mark.parametrize("locale", ["ru", "uk"])
def test_streak_days_take_the_right_plural_form(locale: str) -> None:
    with use(locale):
        assert [texts.DAYS.format(n) for n in COUNTS] == DAYS[locale]


@pytest.mark.parametrize("locale", ["ru", "uk"])
def test_the_cards_reps_take_the_right_plural_form(locale: str) -> None:
    with use(locale):
        shown = [texts.CARD_PROGRESS_PER_LEG.format(n, set_number=1, sets=2) for n in COUNTS]
    assert [line.split(" · ", 1)[1].rsplit(" на ", 1)[0] for line in shown] == REPS[locale]


@pytest.mark.parametrize(
    ("locale", "one", "six"),
    [
        ("en", "finished, 1 runner:", "finished, 6 runners:"),
        ("es", "terminada, 1 corredor:", "terminada, 6 corredores:"),
        ("pt_BR", "concluída, 1 corredor:", "concluída, 6 corredores:"),
    ],
)
def test_the_broadcasts_final_count_says_one_runner_in_the_singular(
    locale: str, one: str, six: str
) -> None:
    with use(locale):
        single = final_text({"sent": 1})
        several = final_text({"sent": 4, "blocked": 1, "failed": 1})
    assert one in single.splitlines()[0]
    assert six in several.splitlines()[0]
