"""The one definition of "these time ranges overlap", in Python and in SQL.

Ranges are half-open, ``[start, end)``: a session ending at 14:20 and one starting at 14:20
do not overlap. Day ranges (a loan from Monday to Friday) are inclusive instead, which is how
people say them; :func:`days_overlap` is their twin. Every query that asks whether a
reservation, a slot or a loan meets another range uses one of them, so that the rule can never
differ between two screens.
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open ranges [a_start, a_end) and [b_start, b_end) share an instant."""
    return a_start < b_end and b_start < a_end


def ranges_overlap(start_column: Any, end_column: Any, start: datetime | date | Any,
                   end: datetime | date | Any,
                   longest: timedelta | None = None) -> ColumnElement[bool]:
    """SQL: the row's ``[start_column, end_column)`` shares an instant with ``[start, end)``.

    ``longest``: no row's range is longer, so the row started after ``start - longest``.
    The answer is the same; the added bound lets an index on the start skip every older
    row (without it, "started before the end" reads the whole history).
    """
    if longest is None:
        return and_(start_column < end, end_column > start)
    return and_(start_column < end, end_column > start, start_column > start - longest)


def days_overlap(first_column: Any, last_column: Any, first: date | Any,
                 last: date | Any) -> ColumnElement[bool]:
    """SQL: the row's inclusive days ``[first_column, last_column]`` meet ``[first, last]``."""
    return and_(first_column <= last, last_column >= first)
