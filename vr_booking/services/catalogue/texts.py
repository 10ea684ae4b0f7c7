"""Catalogue texts in the reader's language: English when an entry has it, else French.

Sectors, jobs and videos are written in French; each may carry an English name, title or
description (``name_en``, ``title_en``, ``description_en``). Pages in English show those,
and mark the French text they fall back on with ``lang="fr"`` (screen readers then read it
with a French voice). Lists sort by the text shown, accents in their alphabetical place
(“Électricien” beside “Électronicien”), the same on SQLite and PostgreSQL whatever the
database's collation.
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from vr_booking.i18n import current_language
from vr_booking.services.search import fold

CATALOGUE_LANGUAGE = "fr"  # the language entries are written in
T = TypeVar("T")


def shown_text(item: Any, field: str) -> str:
    """``item.<field>`` in the current language, falling back to the French text."""
    if current_language.get() != CATALOGUE_LANGUAGE:
        english = getattr(item, f"{field}_en", None)
        if english:
            return english
    return getattr(item, field)


def shown_language(item: Any, field: str) -> str:
    """The language of the text :func:`shown_text` returns."""
    if current_language.get() == CATALOGUE_LANGUAGE or not getattr(item, f"{field}_en", None):
        return CATALOGUE_LANGUAGE
    return current_language.get()


def sort_key(text: str) -> tuple[str, str]:
    """Alphabetical order that ignores accents and case, ties broken by the exact text."""
    return fold(text), text


def by_shown(items: Iterable[T], field: str = "title") -> list[T]:
    """The items sorted by the text shown for ``field`` in the current language."""
    return sorted(items, key=lambda item: sort_key(shown_text(item, field)))
