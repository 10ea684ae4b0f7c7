"""Two real worker processes run every sweep at the same moment on the same database:
each reminder, digest and overdue notice leaves once, and each e-mail reaches the SMTP
server (aiosmtpd) once. The control runs the same two workers with the send-once claim
turned off and sees duplicates: the test can fail.

Runs on whichever database the suite uses; on PostgreSQL the two workers' transactions
really overlap (on SQLite ``BEGIN IMMEDIATE`` queues them).
"""

import os
import subprocess
import sys
import time as clock
from collections import Counter
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from factories import add_headsets, slot_at, visitor
from vr_booking.models import Loan, LoanHeadset, SentNotice, SessionKind, VRSession, utcnow
from vr_booking.services.timeutil import local_date, local_to_utc

WORKER = Path(__file__).resolve().parent / "sweep_worker.py"
VISITORS = 30
EXPECTED = VISITORS + 1 + 2  # reminders, one digest, the overdue loan to two managers
START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 180


@pytest.fixture
def due(db: Session, make_centre, make_staff):
    """Everything due now on the real clock (reminders and digests at 00:00): 30 visitors
    booked for tomorrow, a workshop tomorrow, a loan that ended three days ago."""
    hub = make_centre("hub", kind="hub")
    gap = make_centre("gap", hub_id=hub.id)
    make_staff("facilitator@example.org", centres=("hub",))
    make_staff("hub.manager@example.org", role="manager", centres=("hub",))
    make_staff("gap.manager@example.org", role="manager", centres=("gap",))
    today = local_date(utcnow(), hub.timezone)
    tomorrow_noon = local_to_utc(today + timedelta(days=1), time(12, 0), hub.timezone)
    slot = slot_at(db, hub, tomorrow_noon)
    for n in range(VISITORS):
        visitor(db, slot, f"Visitor {n}", f"visitor{n}@example.org",
                created_at=utcnow() - timedelta(days=3))
    db.add(VRSession(centre_id=hub.id, kind=SessionKind.workshop, title="Atelier",
                     starts_at=tomorrow_noon + timedelta(hours=2),
                     ends_at=tomorrow_noon + timedelta(hours=4)))
    [headset] = add_headsets(db, hub, 1)
    loan = Loan(from_centre_id=hub.id, to_centre_id=gap.id, status="active",
                start_date=today - timedelta(days=10), end_date=today - timedelta(days=3),
                created_at=utcnow() - timedelta(days=10))
    db.add(loan)
    db.flush()
    db.add(LoanHeadset.of(loan, headset.id))
    db.commit()


def run_two_workers(db_url: str, tmp_path: Path, smtp_port: int, *flags: str) -> None:
    env = {**os.environ, "VR_BOOKING_DATABASE_URL": db_url,
           "VR_BOOKING_DATA_DIR": str(tmp_path / "data"), "VR_BOOKING_SECRET_KEY": "test",
           "VR_BOOKING_BASE_URL": "http://vr.example.org", "VR_BOOKING_SMTP_HOST": "127.0.0.1",
           "VR_BOOKING_SMTP_PORT": str(smtp_port), "VR_BOOKING_REMINDER_TIME": "00:00",
           "VR_BOOKING_DIGEST_TIME": "00:00"}
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{n}" for n in range(2)]
    logs = [(tmp_path / f"worker-{n}.log").open("w") for n in range(2)]
    workers = [subprocess.Popen(  # cwd: import the installed package, not the working tree
        [sys.executable, str(WORKER), "--ready", str(ready[n]), "--go", str(go), *flags],
        env=env, cwd=tmp_path, stdout=logs[n], stderr=subprocess.STDOUT) for n in range(2)]
    try:
        deadline = clock.monotonic() + START_TIMEOUT_S
        while not all(path.exists() for path in ready):
            if clock.monotonic() > deadline or any(w.poll() is not None for w in workers):
                pytest.fail("a worker did not start:\n" + "\n".join(
                    (tmp_path / f"worker-{n}.log").read_text() for n in range(2)))
            clock.sleep(0.05)
        go.touch()  # both start their sweeps now
        for worker in workers:
            assert worker.wait(timeout=RUN_TIMEOUT_S) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        for log in logs:
            log.close()


def test_two_workers_at_once_send_each_email_once(db, db_url, tmp_path, due, smtp_inbox,
                                                  settings):
    run_two_workers(db_url, tmp_path, settings.smtp_port)
    received = Counter(m["To"] for m in smtp_inbox.messages)
    assert len(received) == EXPECTED
    assert set(received.values()) == {1}
    db.commit()
    notices = Counter(db.exec(select(SentNotice.kind)).all())
    assert notices == {"reminder": VISITORS, "digest": 2}  # one a centre, sent or not
    assert db.exec(select(Loan.status)).one() == "overdue"


def test_control_without_the_claim_the_same_workers_send_duplicates(
        db, db_url, tmp_path, due, smtp_inbox, settings):
    run_two_workers(db_url, tmp_path, settings.smtp_port, "--no-claim")
    received = Counter(m["To"] for m in smtp_inbox.messages)
    assert received["visitor0@example.org"] == 2
    assert sum(received.values()) > EXPECTED
