"""Managers create, edit, retire and restore sectors, jobs and videos; others may not."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, func, select

from factories import csrf_from, login
from vr_booking.models import Job, Sector, Video, VideoJob
from vr_booking.services.catalogue import edits, queries
from vr_booking.services.errors import InvalidInput
from vr_booking.services.search import fold

SECTOR = {"slug": "industrie", "name": "Industrie", "provider": "Démo"}
JOB = {"slug": "soudeur", "title": "Soudeur / Soudeuse", "rome_code": "h2913",
       "sector": "industrie", "keywords": "soudure métal", "description": "Il assemble."}
VIDEO = {"slug": "atelier-soudure", "title": "Dans un atelier de soudure", "description": "",
         "duration_seconds": "300", "languages": "fr, EN", "min_age": "16",
         "is_seated": "false", "licence": "CC BY", "provider": "Démo", "jobs": ["soudeur"]}


@pytest.fixture
def manager(client: TestClient, make_centre, make_staff) -> TestClient:
    """The client, signed in as a manager given the catalogue right (English pages)."""
    make_centre("marseille")
    make_staff("mia@example.org", role="manager", centres=("marseille",),
               can_edit_catalogue=True)
    login(client, "mia@example.org")
    client.cookies.set("lang", "en")
    return client


def _post(client: TestClient, path: str, data: dict) -> object:
    token = csrf_from(client, "/staff/catalogue")
    return client.post(path, data={"csrftoken": token, **data}, follow_redirects=False)


def _count(db: Session, model: type[SQLModel]) -> int:
    db.commit()  # a fresh snapshot; also reveals any write left pending
    return db.exec(select(func.count()).select_from(model)).one()


def _create_all(client: TestClient) -> None:
    for kind, data in (("sectors", SECTOR), ("jobs", JOB), ("videos", VIDEO)):
        response = _post(client, f"/staff/catalogue/{kind}/new", data)
        assert response.status_code == 303, response.text


def test_facilitator_is_refused(client: TestClient, db: Session, make_centre, make_staff):
    make_centre("marseille")
    make_staff("fred@example.org", role="facilitator", centres=("marseille",))
    login(client, "fred@example.org")
    assert client.get("/staff/catalogue").status_code == 403
    assert client.get("/staff/catalogue/jobs/new").status_code == 403
    assert client.get("/staff/catalogue/export.csv").status_code == 403
    assert _post(client, "/staff/catalogue/sectors/new", SECTOR).status_code == 403
    assert _count(db, Sector) == 0


def test_visitors_are_sent_to_sign_in(client: TestClient):
    response = client.get("/staff/catalogue", follow_redirects=False)
    assert response.status_code == 303
    assert "/staff/login" in response.headers["location"]


def test_admin_may_edit_the_catalogue(client: TestClient, make_staff):
    make_staff("root@example.org", role="admin")
    login(client, "root@example.org")
    assert client.get("/staff/catalogue").status_code == 200


def test_manager_creates_a_sector_a_job_and_a_video(manager: TestClient, db: Session):
    _create_all(manager)
    job = db.exec(select(Job)).one()
    assert job.rome_code == "H2913"
    assert job.search_text == fold("Soudeur / Soudeuse H2913 soudure métal Industrie")
    video = db.exec(select(Video)).one()
    assert (video.languages, video.is_seated, video.min_age) == ("fr,en", False, 16)
    assert db.exec(select(VideoJob)).one().job_id == job.id

    overview = manager.get("/staff/catalogue").text
    assert "Soudeur / Soudeuse" in overview
    assert "Dans un atelier de soudure" in overview
    public = manager.get("/catalogue/jobs/soudeur")
    assert public.status_code == 200
    assert "/catalogue/videos/atelier-soudure" in public.text
    assert "soudeur" in manager.get("/catalogue", params={"q": "metal"}).text


def test_bad_rome_code_is_shown_next_to_the_field_and_nothing_is_written(
    manager: TestClient, db: Session,
):
    _post(manager, "/staff/catalogue/sectors/new", SECTOR)
    for code in ("Z1234", "H291", "H29133", "2913H"):
        response = _post(manager, "/staff/catalogue/jobs/new", {**JOB, "rome_code": code})
        assert response.status_code == 422
        assert 'aria-invalid="true" aria-describedby="rome_code-error' in response.text
        assert 'id="rome_code-error"' in response.text
        assert "A ROME code is a capital letter from A to N" in response.text
        assert f'value="{code}"' in response.text  # what was typed is kept
    assert _count(db, Job) == 0


def test_every_bad_field_is_reported_at_once(manager: TestClient, db: Session):
    _create_all(manager)
    bad = {**VIDEO, "slug": "Atelier Soudure", "duration_seconds": "0", "languages": "français",
           "min_age": "treize", "jobs": ["nobody"]}
    response = _post(manager, "/staff/catalogue/videos/new", bad)
    assert response.status_code == 422
    for name in ("slug", "duration_seconds", "languages", "min_age", "jobs"):
        assert f'id="{name}-error"' in response.text, name
    assert 'role="alert"' in response.text
    assert _count(db, Video) == 1


@pytest.mark.parametrize(("kind", "data"), [("sectors", SECTOR), ("jobs", JOB),
                                            ("videos", VIDEO)])
def test_duplicate_slug_is_refused(manager: TestClient, db: Session, kind: str, data: dict):
    _create_all(manager)
    before = [_count(db, m) for m in (Sector, Job, Video, VideoJob)]
    response = _post(manager, f"/staff/catalogue/{kind}/new", {**data, "title": "Autre"})
    assert response.status_code == 422
    assert "This slug is already used" in response.text
    assert 'id="slug-error"' in response.text
    assert [_count(db, m) for m in (Sector, Job, Video, VideoJob)] == before


def test_stray_nul_characters_are_dropped(manager: TestClient, db: Session):
    response = _post(manager, "/staff/catalogue/sectors/new", {**SECTOR, "name": "Indus\x00trie"})
    assert response.status_code == 303
    assert db.exec(select(Sector.name)).one() == "Industrie"


def test_missing_csrf_token_is_refused_and_nothing_is_written(manager: TestClient, db: Session):
    manager.get("/staff/catalogue")
    response = manager.post("/staff/catalogue/sectors/new", data=SECTOR)
    assert response.status_code == 403
    assert _count(db, Sector) == 0


def test_editing_a_job_refreshes_its_search_text(manager: TestClient, db: Session):
    _create_all(manager)
    response = _post(manager, "/staff/catalogue/jobs/soudeur/edit",
                     {**JOB, "title": "Chaudronnier-soudeur", "rome_code": "H2902",
                      "slug": "ignored-the-slug-never-changes"})
    assert response.status_code == 303
    job = db.exec(select(Job)).one()
    db.refresh(job)
    assert (job.slug, job.title, job.rome_code) == ("soudeur", "Chaudronnier-soudeur", "H2902")
    assert "chaudronnier" in manager.get("/catalogue", params={"q": "chaudronnier"}).text


def test_renaming_a_sector_makes_its_jobs_findable_by_the_new_name(
    manager: TestClient, db: Session,
):
    _create_all(manager)
    _post(manager, "/staff/catalogue/sectors/industrie/edit",
          {**SECTOR, "name": "Métallurgie"})
    assert "soudeur" in queries.search_jobs(db, q="metallurgie").items[0].slug


def test_edit_form_shows_the_current_values(manager: TestClient):
    _create_all(manager)
    page = manager.get("/staff/catalogue/videos/atelier-soudure/edit")
    assert page.status_code == 200
    assert 'value="fr,en"' in page.text
    assert 'id="job-soudeur" name="jobs" type="checkbox" value="soudeur" checked' in page.text
    assert 'id="is_seated-false" name="is_seated" type="radio" value="false" checked' in page.text


def test_editing_a_video_replaces_its_jobs(manager: TestClient, db: Session):
    _create_all(manager)
    _post(manager, "/staff/catalogue/jobs/new", {**JOB, "slug": "chaudronnier",
                                                  "title": "Chaudronnier", "rome_code": "H2902"})
    response = _post(manager, "/staff/catalogue/videos/atelier-soudure/edit",
                     {**VIDEO, "jobs": ["chaudronnier"]})
    assert response.status_code == 303
    shown = db.exec(select(Job.slug).join(VideoJob, VideoJob.job_id == Job.id)).all()
    assert shown == ["chaudronnier"]


def test_a_refused_edit_changes_nothing(manager: TestClient, db: Session):
    _create_all(manager)
    response = _post(manager, "/staff/catalogue/videos/atelier-soudure/edit",
                     {**VIDEO, "title": "", "jobs": []})
    assert response.status_code == 422
    video = db.exec(select(Video)).one()
    db.refresh(video)
    assert video.title == "Dans un atelier de soudure"
    assert _count(db, VideoJob) == 1


def test_retire_then_restore(manager: TestClient, db: Session):
    _create_all(manager)
    assert _post(manager, "/staff/catalogue/jobs/soudeur/retire", {}).status_code == 303
    assert manager.get("/catalogue/jobs/soudeur").status_code == 404
    assert "Soudeur / Soudeuse" in manager.get("/staff/catalogue").text  # still listed
    assert _post(manager, "/staff/catalogue/jobs/soudeur/restore", {}).status_code == 303
    assert manager.get("/catalogue/jobs/soudeur").status_code == 200


def test_unknown_kind_or_item_is_404(manager: TestClient):
    assert manager.get("/staff/catalogue/centres/new").status_code == 404
    assert manager.get("/staff/catalogue/jobs/nobody/edit").status_code == 404
    assert _post(manager, "/staff/catalogue/videos/nothing/retire", {}).status_code == 404


def test_a_slug_taken_meanwhile_is_a_clear_refusal(db: Session):
    """Two managers racing for one slug: the unique constraint catches the second one."""
    edits.create_sector(db, SECTOR)
    db.commit()
    with pytest.raises(InvalidInput) as refused:
        edits._save(db, Sector(slug="industrie", name="Doublon"))
    assert "slug" in refused.value.fields
    assert db.exec(select(func.count()).select_from(Sector)).one() == 1  # session still usable
