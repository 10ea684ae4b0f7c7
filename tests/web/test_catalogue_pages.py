"""The public catalogue: accent-insensitive search, browsing, job and video pages, retired items."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from vr_booking.models import Job, Sector, Video
from vr_booking.services.catalogue.queries import search_jobs, search_videos
from vr_booking.services.errors import InvalidInput

EN = {"lang": "en"}


def _job_links(html: str) -> list[str]:
    return re.findall(r'href="http://testserver/catalogue/jobs/([a-z0-9-]+)"', html)


def _retire(db: Session, model: type[Sector | Job | Video], slug: str) -> None:
    item = db.exec(select(model).where(model.slug == slug)).one()
    item.is_active = False
    db.add(item)
    db.commit()


@pytest.mark.parametrize("query", ["metiers", "MÉTIERS", "  Métiers  "])
def test_search_ignores_accents_and_case(client: TestClient, demo, query: str):
    page = client.get("/catalogue", params={"q": query})
    assert page.status_code == 200
    assert {"macon", "commis-de-cuisine"} <= set(_job_links(page.text))


@pytest.mark.parametrize(("query", "expected"), [
    ("soudeur", {"soudeur"}),                          # title
    ("H2913", {"soudeur"}),                            # ROME code
    ("h2913", {"soudeur"}),
    ("pelleteuse", {"conducteur-engins-chantier"}),    # keyword
    ("soudure metal", {"soudeur"}),                    # every word must match
    ("electricien", {"electricien-batiment"}),         # "Électricien" without its accent
])
def test_search_by_title_rome_code_or_keyword(client: TestClient, demo, query: str,
                                              expected: set[str]):
    page = client.get("/catalogue", params={"q": query})
    assert set(_job_links(page.text)) == expected


def test_nul_characters_never_reach_the_database(client: TestClient, demo):
    """PostgreSQL refuses NUL in text: a stray one must not become a 500."""
    page = client.get("/catalogue", params={"q": "sou\x00deur"})
    assert page.status_code == 200
    assert _job_links(page.text) == ["soudeur"]
    assert client.get("/catalogue", params={"sector": "\x00"}).status_code == 422
    assert client.get("/api/v1/videos", params={"job": "\x00"}).status_code == 422


def test_like_wildcards_in_the_query_match_themselves(demo: Session):
    assert search_jobs(demo, q="%").total == 0
    assert search_jobs(demo, q="_").total == 0


def test_browse_by_sector_lists_exactly_its_jobs(client: TestClient, demo: Session):
    sector = demo.exec(select(Sector).where(Sector.slug == "industrie-maintenance")).one()
    expected = set(demo.exec(select(Job.slug).where(Job.sector_id == sector.id)))
    page = client.get("/catalogue", params={"sector": "industrie-maintenance"})
    assert page.status_code == 200
    assert set(_job_links(page.text)) == expected
    assert "soudeur" in expected


def test_browse_by_rome_domain_lists_exactly_its_jobs(client: TestClient, demo: Session):
    expected = set(demo.exec(select(Job.slug).where(col(Job.rome_code).startswith("H"))))
    page = client.get("/catalogue", params={"domain": "h"})
    assert set(_job_links(page.text)) == expected
    assert len(expected) >= 3


def test_landing_page_browses_sectors_and_named_domains(client: TestClient, demo):
    english = client.get("/catalogue", params=EN).text
    assert "H — Industry" in english
    assert "/catalogue?sector=industrie-maintenance" in english
    assert "/catalogue?domain=H" in english
    french = client.get("/catalogue", params={"lang": "fr"}).text
    assert "H — Industrie" in french
    assert "F — Construction, bâtiment et travaux publics" in french


def test_search_without_result_says_what_to_do(client: TestClient, demo):
    page = client.get("/catalogue", params={"q": "astronaute", **EN})
    assert page.status_code == 200
    assert 'class="empty"' in page.text
    assert "astronaute" in page.text
    assert _job_links(page.text) == []


def test_empty_catalogue_is_explained(client: TestClient):
    page = client.get("/catalogue")
    assert page.status_code == 200
    assert 'class="empty"' in page.text


def test_unknown_filters_are_refused_clearly(client: TestClient, demo):
    domain = client.get("/catalogue", params={"domain": "Z", **EN})
    assert domain.status_code == 422
    assert "“Z” is not a ROME domain" in domain.text
    sector = client.get("/catalogue", params={"sector": "nowhere", **EN})
    assert sector.status_code == 422
    assert "nowhere" in sector.text


def test_page_works_without_javascript_and_htmx_gets_only_the_results(client: TestClient, demo):
    full = client.get("/catalogue", params={"q": "soudeur"})
    assert '<form method="get" action="http://testserver/catalogue"' in full.text
    assert 'hx-trigger="input changed delay:300ms, search"' in full.text
    assert '<html' in full.text
    assert "HX-Request" in full.headers["vary"]

    fragment = client.get("/catalogue", params={"q": "soudeur"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert "<form" not in fragment.text
    assert _job_links(fragment.text) == ["soudeur"]


def test_history_restore_gets_the_whole_page(client: TestClient, demo):
    """After hx-push-url, going back may re-request the URL: it must not get a bare fragment."""
    page = client.get("/catalogue", params={"q": "soudeur"},
                      headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in page.text


def test_job_page_shows_code_domain_description_and_videos(client: TestClient, demo):
    page = client.get("/catalogue/jobs/soudeur", params=EN)
    assert page.status_code == 200
    assert "<h1>Welder</h1>" in page.text  # the demo catalogue gives English titles
    assert "H2913" in page.text
    assert "H — Industry" in page.text
    assert ">Industry and maintenance</a>" in page.text
    # no English description: the French one, marked as French for screen readers
    assert re.search(r'<div class="description" lang="fr"><p>[^<]*assemble des pièces '
                     r'métalliques', page.text)
    assert "/catalogue/videos/atelier-soudure-chantier-naval" in page.text
    assert "/catalogue/videos/atelier-chaudronnerie" in page.text


def test_video_page_shows_its_facts_and_jobs(client: TestClient, demo):
    page = client.get("/catalogue/videos/renovation-appartement", params=EN)
    assert page.status_code == 200
    text = page.text
    assert "<h1>In a flat being renovated</h1>" in text
    assert "8 min" in text                 # 480 seconds
    assert "French, English" in text       # languages "fr,en"
    assert "Watched standing" in text
    assert "13 years" in text
    assert "Démo — usage interne" in text
    assert {"electricien-batiment", "plombier-chauffagiste", "peintre-batiment"} <= set(
        _job_links(text))


def test_job_without_video_says_so(client: TestClient, db: Session):
    db.add(Sector(slug="numerique", name="Numérique"))
    db.commit()
    sector = db.exec(select(Sector)).one()
    db.add(Job(slug="data-analyste", title="Data analyste", rome_code="M1403",
               sector_id=sector.id, search_text="data analyste"))
    db.commit()
    page = client.get("/catalogue/jobs/data-analyste")
    assert page.status_code == 200
    assert 'class="empty"' in page.text


@pytest.mark.parametrize("path", ["/catalogue/jobs/nobody", "/catalogue/videos/nothing",
                                  "/catalogue/jobs/%00", "/catalogue/jobs/UPPER"])
def test_unknown_items_are_404(client: TestClient, demo, path: str):
    assert client.get(path).status_code == 404


def test_retired_job_is_hidden_everywhere(client: TestClient, demo: Session):
    _retire(demo, Job, "soudeur")
    assert client.get("/catalogue/jobs/soudeur").status_code == 404
    assert "soudeur" not in _job_links(client.get("/catalogue", params={"q": "H2913"}).text)
    video = client.get("/catalogue/videos/atelier-soudure-chantier-naval")
    assert video.status_code == 200
    assert "soudeur" not in _job_links(video.text)


def test_retired_sector_hides_its_jobs(client: TestClient, demo: Session):
    _retire(demo, Sector, "industrie-maintenance")
    assert client.get("/catalogue/jobs/soudeur").status_code == 404
    assert _job_links(client.get("/catalogue", params={"q": "soudeur"}).text) == []
    assert "industrie-maintenance" not in client.get("/catalogue").text
    assert client.get("/catalogue", params={"sector": "industrie-maintenance"}).status_code == 422


def test_retired_video_is_hidden_everywhere(client: TestClient, demo: Session):
    _retire(demo, Video, "atelier-soudure-chantier-naval")
    assert client.get("/catalogue/videos/atelier-soudure-chantier-naval").status_code == 404
    job = client.get("/catalogue/jobs/soudeur").text
    assert "atelier-soudure-chantier-naval" not in job
    assert "atelier-chaudronnerie" in job


def test_video_search_matches_the_jobs_it_shows(demo: Session):
    found = {v.slug for v in search_videos(demo, q="soudeur").items}
    assert found == {"atelier-soudure-chantier-naval", "atelier-chaudronnerie"}
    by_job = {v.slug for v in search_videos(demo, job="soudeur").items}
    assert by_job == found
    with pytest.raises(InvalidInput):
        search_videos(demo, job="nobody")


def test_search_results_come_twenty_a_page_with_next_and_previous_links(client: TestClient,
                                                                        db: Session):
    sector = Sector(slug="industrie", name="Industrie")
    db.add(sector)
    db.flush()
    db.add_all(Job(slug=f"technicien-{n:02d}", title=f"Technicien {n:02d}", rome_code="H1101",
                   sector_id=sector.id, search_text=f"technicien {n:02d}")
               for n in range(1, 26))
    db.commit()
    first = client.get("/catalogue", params={"q": "technicien"})
    assert _job_links(first.text) == [f"technicien-{n:02d}" for n in range(1, 21)]
    assert "25 métiers trouvés" in first.text
    [following] = re.findall(r'href="([^"]+)" rel="next"', first.text)
    assert 'rel="prev"' not in first.text
    second = client.get(following.replace("&amp;", "&"))
    assert _job_links(second.text) == [f"technicien-{n:02d}" for n in range(21, 26)]
    assert 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text
    assert client.get("/catalogue", params={"q": "technicien", "page": 0}).status_code == 422
