"""SQL that SQLite and PostgreSQL spell differently, behind one expression."""

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Dialect, Float, Integer, String, Subquery, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from vr_booking.models import UTCDateTime

Range = tuple[int, int, datetime, datetime]  # key, centre id, start, end
RANGES_SQL = {
    "sqlite": "SELECT json_extract(value, '$.k') AS k, json_extract(value, '$.c') AS c, "
              "json_extract(value, '$.a') AS a, json_extract(value, '$.b') AS b "
              "FROM json_each(:ranges)",
    "postgresql": "SELECT k, c, a, b FROM jsonb_to_recordset(CAST(:ranges AS jsonb)) "
                  "AS r(k integer, c integer, a timestamptz, b timestamptz)",
}


class seconds_between(FunctionElement[float]):
    """Seconds from the first instant to the second (``UTCDateTime`` columns)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(seconds_between)
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite stores UTC instants as text; julianday() reads them (days, as a float).
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


class id_list(FunctionElement[str]):
    """The group's integer ids as one text, "3,17,42" (an aggregate): a few rows of lists
    instead of a row an id, each costing more in Python than in SQL."""

    type = String()
    inherit_cache = True
    name = "id_list"


@compiles(id_list, "postgresql")
def _id_list_postgresql(element: id_list, compiler: SQLCompiler, **kw: Any) -> str:
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


@compiles(id_list)
def _id_list_sqlite(element: id_list, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


def ids_of(text: str | None) -> list[int]:
    """The ids of an :class:`id_list`."""
    return [int(part) for part in text.split(",")] if text else []


def ranges_table(dialect: Dialect, ranges: list[Range]) -> Subquery:
    """The table ``ranges(k, c, a, b)`` of ``ranges``, sent as one JSON parameter.

    A VALUES list is compiled again at each request (SQLAlchemy caches no VALUES data), at
    some 20 µs a parameter: 8-10 ms for a network's 40 loans. One parameter keeps the
    statement's shape, so it is compiled once. Instants are written as the column stores
    them (SQLite compares them as text)."""
    store = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)

    def instant(value: datetime) -> str:
        stored = store(value) if store else value
        return stored if isinstance(stored, str) else stored.isoformat()

    data = json.dumps([{"k": k, "c": c, "a": instant(a), "b": instant(b)}
                       for k, c, a, b in ranges])
    return (text(RANGES_SQL[dialect.name]).bindparams(ranges=data)
            .columns(k=Integer, c=Integer, a=UTCDateTime, b=UTCDateTime).subquery("ranges"))
