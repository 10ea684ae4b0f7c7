"""Accent- and case-insensitive search text ("metiers" finds "métiers") on both databases.

SQLite has no ``unaccent``; rather than two code paths we store a folded copy of the
searchable text (``search_text`` columns) and fold the query the same way.
"""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse spaces: 'Métiers  d’Art' -> "metiers d'art"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
