"""CSV import (dry-run preview, all or nothing, bad uploads) and export (round trip)."""

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, delete, func, select

from factories import csrf_from, login
from vr_booking.i18n import current_language
from vr_booking.models import Job, Sector, Video, VideoJob
from vr_booking.paths import DATA_DIR
from vr_booking.services.catalogue import edits, queries
from vr_booking.services.catalogue.csv_columns import COLUMNS, OPTIONAL_COLUMNS
from vr_booking.services.catalogue.csv_export import export_catalogue
from vr_booking.services.catalogue.csv_import import (
    MAX_FILE_BYTES,
    import_catalogue,
    read_catalogue_csv,
)
from vr_booking.services.demo import load_demo_data

HEADER = ",".join(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)  # a file of before *_en
INDUSTRY = "industrie,Industrie"
SOUDEUR = "soudeur,Soudeur / Soudeuse,H2913,soudure métal,Il assemble des pièces."
CHAUDRONNIER = "chaudronnier,Chaudronnier / Chaudronnière,H2902,tôlerie,Il façonne les tôles."
ATELIER = "atelier,Dans un atelier,Découpe et soudure.,450,fr,16,non,CC BY,Démo"
GOOD = "\n".join([HEADER, f"{INDUSTRY},{SOUDEUR},{ATELIER}",
                  f"{INDUSTRY},{CHAUDRONNIER},{ATELIER}"]) + "\n"
TABLES = (Sector, Job, Video, VideoJob)


@pytest.fixture
def manager(client: TestClient, make_centre, make_staff) -> TestClient:
    make_centre("marseille")
    make_staff("mia@example.org", role="manager", centres=("marseille",),
               can_edit_catalogue=True)
    login(client, "mia@example.org")
    client.cookies.set("lang", "en")
    return client


def _counts(db: Session) -> list[int]:
    """Rows in each catalogue table. Committing first ends the test's read transaction (SQLite
    would keep showing its old snapshot) and would reveal any write left pending."""
    db.commit()
    return [db.exec(select(func.count()).select_from(t)).one() for t in TABLES]


def _snapshot(db: Session) -> list[list[dict]]:
    """Every catalogue row, to prove that something changed nothing."""
    db.expire_all()
    return [[row.model_dump() for row in db.exec(select(t))] for t in TABLES]


def _upload(client: TestClient, content: bytes, name: str = "catalogue.csv"):
    token = csrf_from(client, "/staff/catalogue/import")
    return client.post("/staff/catalogue/import", data={"csrftoken": token},
                       files={"file": (name, content, "text/csv")})


def _carried_text(page: str) -> str:
    """The CSV the preview page sends back with "Import now" (as a browser would)."""
    value = re.search(r'name="csv_text" value="([^"]*)"', page, re.S).group(1)
    return (value.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages built outside a request use the default language (French): check English."""
    token = current_language.set("en")
    yield
    current_language.reset(token)


def test_dry_run_lists_every_problem_with_its_row(db: Session):
    text = "\n".join([
        HEADER,
        f"{INDUSTRY},{SOUDEUR},{ATELIER}",                                     # row 2: fine
        f"{INDUSTRY},{CHAUDRONNIER.replace('H2902', 'Z9999')},{ATELIER}",      # bad code
        f"nowhere,,plieur,Plieur,H2903,,,{ATELIER}",                           # unknown sector
        f"{INDUSTRY},{SOUDEUR},{ATELIER}",                                     # duplicate
        f"{INDUSTRY},{SOUDEUR},{ATELIER.replace('atelier,', 'usine,').replace('450', '0')}",
        f"{INDUSTRY},{SOUDEUR.replace('Soudeur / Soudeuse', 'Soudeur')},"      # inconsistent
        f"{ATELIER.replace('atelier,', 'chantier,')}",
    ])
    report = import_catalogue(db, text, dry_run=True)
    assert [(p.row, p.message) for p in report.problems] == [
        (3, "rome_code “Z9999”: A ROME code is a capital letter from A to N and four digits, "
            "e.g. H2913."),
        (4, "unknown sector “nowhere”: give its sector_name to create it"),
        (5, "duplicate of row 2"),
        (6, "duration_seconds “0”: Give the length in seconds: a whole number from 1 to 86400 "
            "(7 minutes = 420)."),
        (7, "“soudeur” differs from row 2 in job_title"),
    ]
    assert str(report.problems[0]).startswith("Row 3: rome_code")
    assert _counts(db) == [0, 0, 0, 0]


def test_leading_comment_lines_count_in_row_numbers():
    report = read_catalogue_csv(f"# source: demo\n{HEADER}\n{INDUSTRY},{SOUDEUR},x,,,,,,,,\n")
    assert {p.row for p in report.problems} == {3}


def test_a_file_with_one_bad_row_writes_nothing(db: Session):
    bad = GOOD + f"{INDUSTRY},{SOUDEUR.replace('soudeur', 'Soudeur Chef')},{ATELIER}\n"
    report = import_catalogue(db, bad)
    assert not report.ok
    assert [p.row for p in report.problems] == [4]
    db.commit()
    assert _counts(db) == [0, 0, 0, 0]


def test_dry_run_reports_what_the_import_would_do_and_writes_nothing(db: Session):
    preview = import_catalogue(db, GOOD, dry_run=True)
    assert preview.ok
    assert preview.created == 6  # 1 sector, 2 jobs, 1 video, 2 links
    db.commit()
    assert _counts(db) == [0, 0, 0, 0]
    done = import_catalogue(db, GOOD)
    db.commit()
    assert [(c.kind, c.slug) for c in done.changes] == [(c.kind, c.slug) for c in preview.changes]
    assert _counts(db) == [1, 2, 1, 2]
    assert import_catalogue(db, GOOD).changes == []  # twice changes nothing


def test_sector_name_may_be_left_out_for_an_existing_sector(db: Session):
    import_catalogue(db, GOOD)
    report = import_catalogue(db, f"{HEADER}\nindustrie,,{SOUDEUR.replace('H2913', 'H2914')}"
                                  f",,,,,,,,,\n")
    assert report.ok, report.problems
    assert [(c.kind, c.slug, c.is_new) for c in report.changes] == [("job", "soudeur", False)]
    assert db.exec(select(Sector.name)).one() == "Industrie"


def test_a_renamed_sector_refreshes_the_search_text_of_all_its_jobs(db: Session):
    import_catalogue(db, GOOD)
    import_catalogue(db, f"{HEADER}\nindustrie,Métallurgie,,,,,,,,,,,,,,\n")
    assert {j.slug for j in queries.search_jobs(db, q="metallurgie").items} == {
        "soudeur", "chaudronnier"}


@pytest.mark.parametrize(("text", "expected"), [
    ("", "Missing columns"),
    ("sector_slug;sector_name\n", "Missing columns"),
    (f"{HEADER}\n{INDUSTRY},{SOUDEUR},{ATELIER},extra\n", "more cells than columns"),
    (f'{HEADER}\n{INDUSTRY},{SOUDEUR},"{"x" * 200_000}"\n', "not valid CSV"),
])
def test_files_that_are_not_our_csv_are_explained(db: Session, text: str, expected: str):
    report = import_catalogue(db, text, dry_run=True)
    assert expected in str(report.problems[0])


def test_preview_page_then_import(manager: TestClient, db: Session):
    preview = _upload(manager, GOOD.encode())
    assert preview.status_code == 200
    assert "Nothing is written yet" in preview.text
    assert "<code>soudeur</code>" in preview.text
    assert _counts(db) == [0, 0, 0, 0]

    done = manager.post("/staff/catalogue/import/confirm", data={
        "csrftoken": manager.cookies["csrftoken"], "filename": "catalogue.csv",
        "csv_text": _carried_text(preview.text).replace("\n", "\r\n")})
    assert done.status_code == 200
    assert "is imported: 6 added, 0 changed" in done.text
    assert _counts(db) == [1, 2, 1, 2]


def test_preview_page_lists_the_problems_and_offers_no_import(manager: TestClient, db: Session):
    page = _upload(manager, (GOOD + f"nowhere,,{SOUDEUR},,,,,,,,,\n").encode())
    assert page.status_code == 422
    assert "Nothing was imported" in page.text
    assert re.search(r'<td data-label="Row">4</td><td data-label="Problem">unknown sector '
                     r'“nowhere”', page.text)
    assert "csv_text" not in page.text
    assert _counts(db) == [0, 0, 0, 0]


def test_confirm_checks_the_file_again(manager: TestClient, db: Session):
    """The carried file comes back from the browser: a changed one is checked again."""
    response = manager.post("/staff/catalogue/import/confirm", data={
        "csrftoken": csrf_from(manager, "/staff/catalogue/import"), "filename": "x.csv",
        "csv_text": GOOD + f"{INDUSTRY},{SOUDEUR},{ATELIER.replace('fr', 'français')}\n"})
    assert response.status_code == 422
    assert _counts(db) == [0, 0, 0, 0]


@pytest.mark.parametrize(("content", "message"), [
    (GOOD.encode("cp1252"), "not UTF-8"),
    (b"x" * (MAX_FILE_BYTES + 1), "larger than 2 MB"),
    (b"", "Choose a CSV file"),
])
def test_bad_uploads_get_a_clear_message(manager: TestClient, db: Session, content: bytes,
                                         message: str):
    response = _upload(manager, content)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true" aria-describedby="file-error"' in response.text
    assert _counts(db) == [0, 0, 0, 0]


def test_upload_needs_the_csrf_token(manager: TestClient, db: Session):
    token = csrf_from(manager, "/staff/catalogue/import")
    no_token = manager.post("/staff/catalogue/import",
                            files={"file": ("c.csv", GOOD.encode(), "text/csv")})
    assert no_token.status_code == 403
    forged = manager.post("/staff/catalogue/import", data={"csrftoken": token + "x"},
                          files={"file": ("c.csv", GOOD.encode(), "text/csv")})
    assert forged.status_code == 403
    after_the_file = manager.post("/staff/catalogue/import",
                                  files=[("file", ("c.csv", GOOD.encode(), "text/csv")),
                                         ("csrftoken", (None, token))])
    assert after_the_file.status_code == 200  # a dry run: still nothing written
    assert _counts(db) == [0, 0, 0, 0]


def test_facilitators_cannot_import(client: TestClient, make_centre, make_staff, db: Session):
    make_centre("marseille")
    make_staff("fred@example.org", centres=("marseille",))
    login(client, "fred@example.org")
    assert _upload(client, GOOD.encode()).status_code == 403
    assert _counts(db) == [0, 0, 0, 0]


def test_export_then_import_changes_nothing(manager: TestClient, demo: Session):
    export = manager.get("/staff/catalogue/export.csv")
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert f"catalogue-{date.today().isoformat()}.csv" in export.headers["content-disposition"]
    assert export.content.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    before = _snapshot(demo)

    preview = _upload(manager, export.content)
    assert preview.status_code == 200
    assert "importing it changes nothing" in preview.text
    report = import_catalogue(demo, export.content.decode())
    demo.commit()
    assert report.ok
    assert report.changes == []
    assert _snapshot(demo) == before


def test_demo_file_and_its_export_describe_the_same_catalogue(demo: Session):
    text = export_catalogue(demo)
    demo_file = read_catalogue_csv((DATA_DIR / "catalogue.csv").read_text(encoding="utf-8"))
    exported = read_catalogue_csv(text)
    assert exported.ok
    assert (exported.sectors, exported.jobs, exported.pairs) == (
        demo_file.sectors, demo_file.jobs, demo_file.pairs)
    assert {slug: v.model_dump(exclude={"jobs"}) for slug, v in exported.videos.items()} == {
        slug: v.model_dump(exclude={"jobs"}) for slug, v in demo_file.videos.items()}


def test_export_round_trips_through_an_empty_catalogue(manager: TestClient, db: Session):
    """Everything public survives: multi-line text, a job without video, a sector without job;
    retired items are left out."""
    import_catalogue(db, GOOD)
    edits.create_sector(db, {"slug": "numerique", "name": "Numérique"})
    edits.create_sector(db, {"slug": "sante", "name": "Santé"})
    edits.create_job(db, {"slug": "developpeur", "title": "Développeur, développeuse",
                        "rome_code": "M1805", "sector": "numerique",
                        "description": "Il code.\r\n\r\nElle \"teste\" aussi."})
    edits.set_active(db, Job, "chaudronnier", active=False)
    db.commit()
    first = manager.get("/staff/catalogue/export.csv").content.decode("utf-8-sig")
    assert "chaudronnier" not in first

    db.exec(delete(VideoJob))
    for table in (Video, Job, Sector):
        db.exec(delete(table))
    db.commit()
    assert import_catalogue(db, first).ok
    db.commit()
    assert export_catalogue(db) == first
    assert db.exec(select(Job.description).where(Job.slug == "developpeur")).one() == (
        "Il code.\n\nElle \"teste\" aussi.")


def test_a_second_database_learns_the_demo_catalogue_from_an_export(db: Session):
    """Demo data is imported with the same importer, so its file is a valid import too."""
    load_demo_data(db, date.today())
    db.commit()
    assert all(isinstance(t, type) and issubclass(t, SQLModel) for t in TABLES)
    assert import_catalogue(db, export_catalogue(db), dry_run=True).changes == []
