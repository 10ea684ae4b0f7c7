"""What the network benchmarks (routes.py, writes.py, sweeps.py) share: their command-line
options and the network they open, the statements an engine runs, and percentiles."""

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from network import SIZES, build, fresh_url
from sqlalchemy import Engine, event

from vr_booking.db import make_engine


def network_options(parser: argparse.ArgumentParser, repeat: int) -> None:
    """``--db``, ``--size``, ``--repeat`` (default ``repeat``) and ``--url``."""
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--url", help="an already generated network (skips generation)")


def open_network(args: argparse.Namespace) -> tuple[str, Engine]:
    """The network given by ``--url``, or a fresh one of ``--size`` on ``--db``."""
    url = args.url
    if url is None:
        url = fresh_url(args.db, args.size)
        build(url, args.size)
    return url, make_engine(url)


@dataclass
class Statements:
    """The statements an engine ran while counted: how many, and for each statement's text
    the seconds in all and its longest single run."""

    count: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    longest: dict[str, float] = field(default_factory=dict)


@contextmanager
def counting(engine: Engine, into: Statements | None = None) -> Iterator[Statements]:
    """Count the statements run on ``engine`` inside, adding them to ``into`` (a new
    :class:`Statements` by default)."""
    seen = into if into is not None else Statements()
    started: list[float] = []

    def before(_conn, _cursor, _statement, _parameters, _context, _many) -> None:
        seen.count += 1
        started.append(time.perf_counter())

    def after(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        took, text = time.perf_counter() - started.pop(), " ".join(statement.split())
        seen.seconds[text] += took
        seen.longest[text] = max(took, seen.longest.get(text, 0.0))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]
