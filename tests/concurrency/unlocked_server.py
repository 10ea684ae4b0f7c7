"""A test-only server whose locks do nothing: the race tests' control.

Run as ``python unlocked_server.py --port N`` with the usual ``VR_BOOKING_*`` variables (see
``factories.start_unlocked_server``). It imports the application and every service module,
replaces :func:`vr_booking.db.locking.lock_centres` (and the bookings' ``lock_slots`` and
``lock_people``) by a no-op wherever a module holds it
(it is imported by name into many modules), and serves the app with uvicorn in this very
process, with one worker, so that the patch is the code that answers. Never part of the
package: the lock's absence must only ever be demonstrated, not shipped.

``--unchecked-allocations`` also turns off the group planner's clash check (every headset
at the centre looks free), so that only the database's own rule stands between parallel
plans and a headset reserved twice (see ``test_allocation_concurrency.py``).
"""

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Iterable

import uvicorn
from sqlmodel import Session

import vr_booking.services
import vr_booking.web.app
from vr_booking.db import locking


def no_lock(session: Session, ids: Iterable) -> None:
    """The lock's signature, and nothing else: concurrent writers are not serialised."""


def unlock_everywhere() -> list[str]:
    """Replace every module attribute that *is* one of the real locks; their names."""
    for module in pkgutil.walk_packages(vr_booking.services.__path__, "vr_booking.services."):
        importlib.import_module(module.name)
    originals = (locking.lock_centres, locking.lock_slots, locking.lock_people)
    patched = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("vr_booking"):
            continue
        for attribute, value in list(vars(module).items()):
            if any(value is lock for lock in originals):
                setattr(module, attribute, no_lock)
                patched.append(f"{name}.{attribute}")
    return sorted(patched)


def uncheck_allocations() -> None:
    """The planner sees every headset at the centre (and every one asked for) as free."""
    from vr_booking.services.fleet.location import headsets_at
    from vr_booking.services.groups import allocation, planning

    def everything_free(session, centre, window, asked=(), exclude_session_id=None):
        here = headsets_at(session, centre, *window.blocked)
        return allocation.Availability([*here, *(h for h in asked if h not in here)], [])

    planning.availability = everything_free


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--unchecked-allocations", action="store_true")
    options = parser.parse_args()
    patched = unlock_everywhere()
    if options.unchecked_allocations:
        uncheck_allocations()
    from vr_booking.services.open_access import booking

    if booking.lock_slots is not no_lock:
        sys.exit("the booking service still holds the real lock_slots")
    print(f"locks disabled in {len(patched)} places: {', '.join(patched)}", flush=True)
    uvicorn.run(vr_booking.web.app.create_app(), host=options.host, port=options.port,
                workers=1, log_level="warning")


if __name__ == "__main__":
    main()
