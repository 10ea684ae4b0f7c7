"""The slots this worker process found full a moment ago: a hint, never an answer.

A booking of such a slot first asks, without locks, whether it would be refused (see
:func:`vr_booking.services.open_access.booking.create_booking`); any other booking goes
straight to its locks. Both ways give the same answer: the hint only saves the unlocked
questions (a second SQLite connection and three reads) when they are unlikely to refuse,
and the wait for the locks when they are likely to. Kept per process, in memory, for a
minute; a slot found with room is forgotten at once.
"""

import time

REMEMBERED_SECONDS = 60.0
MOST_REMEMBERED = 10_000  # slots; past it the hints start again from none

_found_full: dict[int, float] = {}  # slot id → when (monotonic) it was last found full


def seems_full(slot_id: int) -> bool:
    """Whether this process found the slot full less than a minute ago."""
    found = _found_full.get(slot_id)
    return found is not None and time.monotonic() - found < REMEMBERED_SECONDS


def found_full(slot_id: int) -> None:
    if len(_found_full) >= MOST_REMEMBERED:
        _found_full.clear()
    _found_full[slot_id] = time.monotonic()


def found_room(slot_id: int) -> None:
    _found_full.pop(slot_id, None)
