"""The garbage collector of a server's worker, set for a process that lives for days.

A worker holds some 300,000 objects from start-up (FastAPI, Pydantic, SQLAlchemy, Babel, the
routes and templates) that live as long as the process. CPython's collector walked all of
them at every full collection: 90–160 ms each at 40 hubs, the p95 of every page
(``bench/routes.py``). Frozen after start-up, they are left out of every collection (they
are never garbage); a higher first threshold lets a request's short-lived objects die by
reference counting before a collection looks at them.
"""

import gc

THRESHOLDS = (20_000, 20, 20)
"""Allocations before a young collection, and young (then middle) collections before the
next older one. CPython's defaults are (700, 10, 10), sized for small scripts."""


def settle_after_start_up() -> None:
    """Collect start-up's garbage, freeze what remains and raise the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
