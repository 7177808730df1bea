"""The languages the bot speaks, and which of them a Telegram user's language_code means.

Adding a language: its catalogue (bot/locales/<code>/LC_MESSAGES/messages.po, see the README)
and one line below.
"""

from __future__ import annotations

DEFAULT_LOCALE = "en"

# Locale code (Babel's and the catalogue folder's name) -> the language's name in itself.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "es": "Español",
    "de": "Deutsch",
    "pt_BR": "Português (Brasil)",
}


def negotiate(language_code: str | None) -> str:
    """The locale for Telegram's `User.language_code` ("pt-br", "es-MX", "ru"): the exact one,
    else the first of the same language (pt -> pt_BR, es-MX -> es), else English."""
    if not language_code:
        return DEFAULT_LOCALE
    wanted = language_code.replace("-", "_").lower()
    by_lower = {code.lower(): code for code in LANGUAGES}
    if wanted in by_lower:
        return by_lower[wanted]
    language = wanted.split("_", 1)[0]
    for code in LANGUAGES:
        if code.split("_", 1)[0].lower() == language:
            return code
    return DEFAULT_LOCALE


def telegram_language_code(locale: str) -> str:
    """The two-letter ISO 639-1 code Telegram's setMyCommands and friends take ("pt_BR" -> "pt")."""
    return locale.split("_", 1)[0]
