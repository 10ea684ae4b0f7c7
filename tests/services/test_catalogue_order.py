"""Catalogue lists sort accents in their alphabetical place, in the reader's language, on
both databases (SQLite compares bytes: "É" came after "Z")."""

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from vr_booking.i18n import current_language
from vr_booking.models import Job, Sector, Video, VideoJob
from vr_booking.services.catalogue import queries
from vr_booking.services.catalogue.edits import update_job

TITLES = ("Plombier", "Électronicien", "Zingueur", "Électricien", "ébéniste", "Boulanger")


@pytest.fixture
def catalogue(db: Session) -> Session:
    energy = Sector(slug="energie", name="Énergie", name_en="Energy")
    building = Sector(slug="batiment", name="Bâtiment", name_en="Construction")
    crafts = Sector(slug="artisanat", name="Artisanat", name_en="Crafts")
    db.add_all([energy, building, crafts])
    db.flush()
    english = {"Électricien": "Electrician", "Plombier": "Plumber", "Boulanger": "Baker"}
    for n, title in enumerate(TITLES):
        job = Job(slug=f"job-{n}", title=title, title_en=english.get(title),
                  rome_code=f"F{1600 + n}", sector_id=building.id, search_text=title.lower())
        video = Video(slug=f"video-{n}", title=f"Chez {title}", duration_seconds=60)
        db.add_all([job, video])
        db.flush()
        db.add(VideoJob(video_id=video.id, job_id=job.id))
    db.commit()
    return db


@pytest.fixture
def in_english() -> Iterator[None]:
    token = current_language.set("en")
    yield
    current_language.reset(token)


def test_french_lists_put_accented_titles_in_place(catalogue: Session):
    titles = [j.title for j in queries.search_jobs(catalogue).items]
    assert titles == ["Boulanger", "ébéniste", "Électricien", "Électronicien", "Plombier",
                      "Zingueur"]
    [(_sector, jobs)] = [(s, j) for s, j in queries.public_jobs_by_sector(catalogue) if j]
    assert [j.title for j in jobs] == titles  # the booking form's order
    assert [s.name for s in queries.list_sectors(catalogue).items] == [
        "Artisanat", "Bâtiment", "Énergie"]


def test_pages_and_limits_follow_the_same_order(catalogue: Session):
    page = queries.search_jobs(catalogue, limit=2, offset=2)
    assert ([j.title for j in page.items], page.total) == (["Électricien", "Électronicien"], 6)


def test_english_lists_sort_by_the_english_titles(catalogue: Session, in_english):
    shown = [j.title_en or j.title for j in queries.search_jobs(catalogue).items]
    assert shown == ["Baker", "ébéniste", "Electrician", "Électronicien", "Plumber", "Zingueur"]
    assert [s.name_en for s in queries.list_sectors(catalogue).items] == [
        "Construction", "Crafts", "Energy"]


def test_english_words_find_jobs(catalogue: Session, in_english):
    update_job(catalogue, "job-0", {"title": "Plombier", "title_en": "Plumber",
                                    "rome_code": "F1600", "sector": "batiment"})
    catalogue.commit()
    assert [j.slug for j in queries.search_jobs(catalogue, q="plumber").items] == ["job-0"]
