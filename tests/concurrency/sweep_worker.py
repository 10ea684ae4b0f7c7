"""A test-only worker: runs every periodic job once, starting when told (the two-process
exactly-once test).

Run as ``python sweep_worker.py --ready FILE --go FILE [--no-claim]`` with the usual
``VR_BOOKING_*`` variables. It connects, touches ``--ready``, waits for ``--go`` to exist
(so that two workers start their sweeps at the same moment), then runs
:func:`vr_booking.jobs.run_all_once`. ``--no-claim`` replaces the send-once claim
(:func:`vr_booking.services.notify.notices.claim_notice`) by "always yes" wherever a module
holds it: the control showing that without it the same two workers send duplicates. Never
part of the package.
"""

import argparse
import importlib
import logging
import pkgutil
import sys
import time
from pathlib import Path

import vr_booking.services
from vr_booking.config import get_settings
from vr_booking.db import get_engine
from vr_booking.jobs import run_all_once
from vr_booking.services.notify import notices

GO_TIMEOUT_S = 120


def always_claimed(*_args: object, **_kwargs: object) -> bool:
    """The claim's answer without the claim: every notice looks unsent."""
    return True


def unclaim_everywhere() -> list[str]:
    for module in pkgutil.walk_packages(vr_booking.services.__path__, "vr_booking.services."):
        importlib.import_module(module.name)
    original, patched = notices.claim_notice, []
    for name, module in list(sys.modules.items()):
        if name.startswith("vr_booking"):
            for attribute, value in list(vars(module).items()):
                if value is original:
                    setattr(module, attribute, always_claimed)
                    patched.append(f"{name}.{attribute}")
    return sorted(patched)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready", type=Path, required=True)
    parser.add_argument("--go", type=Path, required=True)
    parser.add_argument("--no-claim", action="store_true")
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    if options.no_claim:
        print(f"claims disabled in {', '.join(unclaim_everywhere())}", flush=True)
    engine, settings = get_engine(), get_settings()
    engine.connect().close()
    options.ready.touch()
    deadline = time.monotonic() + GO_TIMEOUT_S
    while not options.go.exists():
        if time.monotonic() > deadline:
            sys.exit("never told to go")
        time.sleep(0.005)
    print(run_all_once(engine, settings), flush=True)


if __name__ == "__main__":
    main()
