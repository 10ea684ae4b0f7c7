"""French first, English second: the language of the current request lives in a ContextVar.

Message ids are English; ``locale/fr`` holds the French catalogue (compiled at build time by
``hatch_build.py``). Services and templates call :func:`gettext` and get the request's language.
"""

import gettext as _gettext
from contextvars import ContextVar
from functools import lru_cache

from vr_booking.paths import LOCALE_DIR

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@lru_cache
def translations(language: str) -> _gettext.NullTranslations:
    return _gettext.translation("messages", LOCALE_DIR, languages=[language], fallback=True)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def pick_language(requested: str | None, accept_language: str | None, default: str) -> str:
    """The explicit choice if we support it, else the browser's first supported one."""
    if requested in LANGUAGES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default


_ = gettext
