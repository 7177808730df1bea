"""The runner's language: which one (languages), its catalogue (catalogs), the one in force for
the update or job at hand (current), and texts that translate when used (text)."""

from bot.i18n.current import current_locale, gettext, ngettext, use
from bot.i18n.languages import DEFAULT_LOCALE, LANGUAGES, negotiate, telegram_language_code
from bot.i18n.text import N_, Plural, Text, _

__all__ = [
    "DEFAULT_LOCALE",
    "LANGUAGES",
    "N_",
    "Plural",
    "Text",
    "_",
    "current_locale",
    "gettext",
    "negotiate",
    "ngettext",
    "telegram_language_code",
    "use",
]
