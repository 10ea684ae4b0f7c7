"""Time the scheduler's periodic sweeps (vr_booking/jobs.py) on a synthetic network
(bench/network.py), and count their SQL statements.

    python bench/sweeps.py --db sqlite|postgres --size small|hubs40|large [--url URL]
                           [--repeat 20] [--slow MS]

Each sweep is called as the scheduler calls it, ``job(engine, settings)``, in the order of
``vr-booking worker --once`` (e-mail delivery last). The first run of each may do real
work on a network that no sweep has seen (old no-shows, expired personal data, the
e-mails that follow), so it is printed apart; then every sweep runs ``--repeat`` times
more: the steady state, nothing or little to do, which is what repeats every minute. It
prints p50/p95 ms, SQL statements a run, the rows the sweep reports (changed or queued)
and the sweep's period (vr_booking/services/notify/schedule.py). E-mail goes to a local
aiosmtpd server started here, which keeps nothing. ``--slow MS`` lists the steady-state
statements slower than MS with their duration, to find what to EXPLAIN.

The first runs change the database: a network given by ``--url`` shows its first-run
figures only once (copy it first to see them again).
It measures; it asserts nothing.
"""

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from measuring import counting, network_options, open_network, percentile

from factories import free_port
from vr_booking.config import Settings
from vr_booking.jobs import SWEEPS, Sweep
from vr_booking.services.notify.schedule import JOBS_BY_ID, PERIODIC_JOBS


class Discard:
    """An SMTP handler that accepts every message and keeps none (a count only)."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received += 1
        return "250 OK"


@dataclass
class Run:
    ms: float
    statements: int
    rows: int
    slow: list[tuple[float, str]]


def run_once(engine: Engine, settings: Settings, job: Sweep, slow_ms: float | None) -> Run:
    with counting(engine) as seen:
        started = time.perf_counter()
        rows = job(engine, settings)
        took = (time.perf_counter() - started) * 1000
    slow = [] if slow_ms is None else [(seconds * 1000, text) for text, seconds
                                       in seen.longest.items() if seconds * 1000 >= slow_ms]
    return Run(took, seen.count, rows, slow)


def _period(job_id: str) -> str:
    seconds = int(JOBS_BY_ID[job_id].every.total_seconds())
    return f"{seconds // 3600} h" if seconds >= 3600 else (
        f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s")


def job_order() -> list[str]:
    """As ``run_all_once``: every job, e-mail delivery last (it sends what the rest queued)."""
    return [job.id for job in PERIODIC_JOBS if job.id != "outbox"] + ["outbox"]


def measure(engine: Engine, settings: Settings, repeat: int,
            slow_ms: float | None) -> dict[str, tuple[Run, list[Run]]]:
    """Each job's first run, then every job ``repeat`` times in turn (the steady state)."""
    firsts = {job_id: run_once(engine, settings, SWEEPS[job_id], None)
              for job_id in job_order()}
    steady: dict[str, list[Run]] = {job_id: [] for job_id in firsts}
    for _ in range(repeat):
        for job_id in job_order():
            steady[job_id].append(run_once(engine, settings, SWEEPS[job_id], slow_ms))
    return {job_id: (firsts[job_id], steady[job_id]) for job_id in firsts}


def print_table(results: dict[str, tuple[Run, list[Run]]]) -> None:
    print(f"{'job':20} {'every':>6} | {'first ms':>9} {'stmts':>6} {'rows':>7} | "
          f"{'p50 ms':>7} {'p95 ms':>7} {'stmts':>6} {'rows':>5}")
    for job_id, (first, runs) in results.items():
        times = [run.ms for run in runs]
        statements = max(run.statements for run in runs)
        rows = sum(run.rows for run in runs)
        print(f"{job_id:20} {_period(job_id):>6} | {first.ms:9.1f} {first.statements:6d} "
              f"{first.rows:7d} | {percentile(times, 50):7.1f} {percentile(times, 95):7.1f} "
              f"{statements:6d} {rows:5d}")


def print_slow(results: dict[str, tuple[Run, list[Run]]], limit: int = 5) -> None:
    """The slowest distinct steady-state statements of each job."""
    for job_id, (_first, runs) in results.items():
        slowest: dict[str, float] = {}
        for run in runs:
            for took, statement in run.slow:
                slowest[statement] = max(took, slowest.get(statement, 0.0))
        for statement, took in sorted(slowest.items(), key=lambda kv: -kv[1])[:limit]:
            print(f"  {job_id}: {took:7.1f} ms  {statement[:600]}")


def _settings(url: str, smtp_port: int) -> Settings:
    return Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()),
                    secret_key=secrets.token_urlsafe(32), base_url="http://bench",
                    smtp_host="127.0.0.1", smtp_port=smtp_port)


def with_smtp(work: Callable[[int], None]) -> int:
    """Run ``work(port)`` with a discarding SMTP server listening; returns mails received."""
    handler = Discard()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        work(controller.port)
    finally:
        controller.stop()
    return handler.received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    network_options(parser, repeat=20)
    parser.add_argument("--slow", type=float, metavar="MS",
                        help="list steady-state statements slower than MS")
    args = parser.parse_args()
    url, engine = open_network(args)

    def work(port: int) -> None:
        results = measure(engine, _settings(url, port), args.repeat, args.slow)
        print(f"size={args.size} db={engine.dialect.name} repeat={args.repeat}")
        print_table(results)
        if args.slow is not None:
            print(f"steady-state statements over {args.slow} ms:")
            print_slow(results)

    received = with_smtp(work)
    print(f"e-mails received by the local SMTP server: {received}")
    engine.dispose()


if __name__ == "__main__":
    main()
