"""The ``vr-booking`` command, run as a real process on the test database."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from vr_booking.models import Centre, JobRun, StaffUser
from vr_booking.services.notify.schedule import JOBS_BY_ID


def run_cli(
    db_url: str, tmp_path: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "C.UTF-8", "VR_BOOKING_DATABASE_URL": db_url,
           "VR_BOOKING_DATA_DIR": str(tmp_path / "cli-data")}
    return subprocess.run([sys.executable, "-m", "vr_booking", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60, check=False,
                          cwd=tmp_path)


def test_create_staff_from_stdin_then_api_token(db_url, tmp_path, db: Session, make_centre,
                                                 client):
    make_centre("gap")
    created = run_cli(db_url, tmp_path, "create-staff", "--email", "Lea@Example.org",
                      "--name", "Léa", "--role", "facilitator", "--centre", "gap",
                      "--password-stdin", stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    user = db.exec(select(StaffUser)).one()
    assert (user.email, user.role) == ("lea@example.org", "facilitator")

    token = run_cli(db_url, tmp_path, "api-token", "--email", "lea@example.org")
    assert token.returncode == 0, token.stderr
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.stdout.strip()}"})
    assert me.json()["centres"] == ["gap"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role", "wizard", "--centre", "gap"), "Unknown role"),
        (("--role", "facilitator", "--centre", "nowhere"), "No centre"),
        (("--role", "manager"), "at least one centre"),
    ],
)
def test_create_staff_refuses_bad_input_and_writes_nothing(db_url, tmp_path, db: Session,
                                                            make_centre, args, message):
    make_centre("gap")
    result = run_cli(db_url, tmp_path, "create-staff", "--email", "x@example.org", "--name",
                     "X", *args, "--password-stdin", stdin="a long enough password\n")
    assert result.returncode == 2
    assert message in result.stderr
    assert db.exec(select(StaffUser)).all() == []


def test_short_password_is_refused(db_url, tmp_path, db: Session, make_centre):
    make_centre("gap")
    result = run_cli(db_url, tmp_path, "create-staff", "--email", "x@example.org", "--name",
                     "X", "--role", "admin", "--password-stdin", stdin="short\n")
    assert result.returncode == 2
    assert db.exec(select(StaffUser)).all() == []


def test_api_token_for_unknown_email_fails_cleanly(db_url, tmp_path):
    result = run_cli(db_url, tmp_path, "api-token", "--email", "ghost@example.org")
    assert result.returncode == 2
    assert "No staff account" in result.stderr


def test_db_current_and_demo_data_twice(db_url, tmp_path, db: Session):
    assert run_cli(db_url, tmp_path, "db", "current").returncode == 0
    for _ in range(2):
        result = run_cli(db_url, tmp_path, "demo-data")
        assert result.returncode == 0, result.stderr
    assert len(db.exec(select(Centre)).all()) >= 9


def test_serve_loads_demo_into_an_empty_database(tmp_path):
    """The README's first command: an empty default database gets migrated and demo data."""
    from factories import free_port

    port = free_port()
    data_dir = tmp_path / "fresh"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VR_BOOKING_")}
    env["VR_BOOKING_DATA_DIR"] = str(data_dir)
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "vr_booking", "serve", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        home = httpx.get(f"http://127.0.0.1:{port}/")
        assert "Cité des métiers de Marseille" in home.text
        assert (data_dir / "vr-booking.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
    output = (tmp_path / "serve.log").read_text()
    assert "manager.marseille@demo.invalid  password:" in output


def _wait_for(url: str, process: subprocess.Popen) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited early"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_create_staff_can_give_the_catalogue_right(db_url, tmp_path, db: Session, make_centre):
    make_centre("gap")
    for email, extra in (("ed@example.org", ["--can-edit-catalogue"]), ("mo@example.org", [])):
        done = run_cli(db_url, tmp_path, "create-staff", "--email", email, "--name", "X",
                       "--role", "manager", "--centre", "gap", *extra, "--password-stdin",
                       stdin="a long enough password\n")
        assert done.returncode == 0, done.stderr
    rights = dict(db.exec(select(StaffUser.email, StaffUser.can_edit_catalogue)).all())
    assert rights == {"ed@example.org": True, "mo@example.org": False}
def test_worker_once_runs_every_job_once_and_records_it(db_url, tmp_path, db: Session):
    result = run_cli(db_url, tmp_path, "worker", "--once")
    assert result.returncode == 0, result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()][-1] == "outbox"
    db.commit()
    assert {r.job_id: r.runs for r in db.exec(select(JobRun))} == dict.fromkeys(JOBS_BY_ID, 1)
