"""The public catalogue API: lists, filters, pagination, details, 404 and 422."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from vr_booking.models import Job, Sector, Video


def _slugs(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["slug"] for item in response.json()["items"]}


def _retire(db: Session, model: type[Sector | Job | Video], slug: str) -> None:
    item = db.exec(select(model).where(model.slug == slug)).one()
    item.is_active = False
    db.add(item)
    db.commit()


def test_sectors_list_only_active_ones(client: TestClient, demo: Session):
    body = client.get("/api/v1/sectors").json()
    assert body["total"] == demo.exec(select(func.count()).select_from(Sector)).one()
    assert {"slug": "industrie-maintenance", "name": "Industrie et maintenance",
            "name_en": "Industry and maintenance", "provider": ""} in body["items"]
    _retire(demo, Sector, "industrie-maintenance")
    assert "industrie-maintenance" not in _slugs(client.get("/api/v1/sectors"))


def test_job_search_ignores_accents_and_finds_codes_and_keywords(client: TestClient, demo):
    assert {"macon", "commis-de-cuisine"} <= _slugs(client.get("/api/v1/jobs?q=metiers"))
    assert _slugs(client.get("/api/v1/jobs", params={"q": "h2913"})) == {"soudeur"}
    assert _slugs(client.get("/api/v1/jobs", params={"q": "Pelleteuse"})) == {
        "conducteur-engins-chantier"}


def test_job_items_carry_code_domain_and_sector(client: TestClient, demo):
    item = client.get("/api/v1/jobs", params={"q": "soudeur", "lang": "en"}).json()["items"][0]
    assert {k: item[k] for k in ("slug", "rome_code", "domain", "domain_name", "sector")} == {
        "slug": "soudeur", "rome_code": "H2913", "domain": "H", "domain_name": "Industry",
        "sector": "industrie-maintenance"}


def test_jobs_filter_by_sector_and_domain(client: TestClient, demo: Session):
    in_h = set(demo.exec(select(Job.slug).where(col(Job.rome_code).startswith("H"))))
    assert _slugs(client.get("/api/v1/jobs", params={"domain": "H", "limit": 500})) == in_h
    both = _slugs(client.get("/api/v1/jobs", params={"domain": "I",
                                                      "sector": "industrie-maintenance"}))
    assert both == {"technicien-maintenance-industrielle"}


def test_lists_page_with_limit_and_offset(client: TestClient, demo):
    everything = client.get("/api/v1/jobs", params={"limit": 500}).json()
    first = client.get("/api/v1/jobs", params={"limit": 5}).json()
    second = client.get("/api/v1/jobs", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == second["total"] == everything["total"] == len(everything["items"])
    assert [i["slug"] for i in first["items"] + second["items"]] == [
        i["slug"] for i in everything["items"][:10]]
    beyond = client.get("/api/v1/jobs", params={"offset": 10_000}).json()
    assert beyond == {"items": [], "total": everything["total"]}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}])
def test_bad_paging_is_422(client: TestClient, params: dict):
    response = client.get("/api/v1/jobs", params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][0] == "query"


@pytest.mark.parametrize(("path", "params", "word"), [
    ("/api/v1/jobs", {"domain": "Z"}, "ROME domain"),
    ("/api/v1/jobs", {"domain": "HH"}, "ROME domain"),
    ("/api/v1/jobs", {"sector": "nowhere"}, "nowhere"),
    ("/api/v1/videos", {"sector": "nowhere"}, "nowhere"),
    ("/api/v1/videos", {"job": "nobody"}, "nobody"),
])
def test_unknown_filters_are_422_with_a_message(client: TestClient, demo, path: str,
                                                params: dict, word: str):
    response = client.get(path, params={**params, "lang": "en"})
    assert response.status_code == 422
    assert word in response.json()["detail"]


def test_retired_sector_is_an_unknown_filter(client: TestClient, demo: Session):
    _retire(demo, Sector, "industrie-maintenance")
    assert client.get("/api/v1/jobs", params={"sector": "industrie-maintenance"}
                      ).status_code == 422


def test_job_detail_lists_its_active_videos(client: TestClient, demo: Session):
    job = client.get("/api/v1/jobs/soudeur").json()
    assert set(job["videos"]) == {"atelier-soudure-chantier-naval", "atelier-chaudronnerie"}
    _retire(demo, Video, "atelier-chaudronnerie")
    assert client.get("/api/v1/jobs/soudeur").json()["videos"] == [
        "atelier-soudure-chantier-naval"]


def test_videos_filter_by_words_of_their_jobs_sector_and_job(client: TestClient, demo):
    expected = {"atelier-soudure-chantier-naval", "atelier-chaudronnerie"}
    assert _slugs(client.get("/api/v1/videos", params={"q": "soudeur"})) == expected
    assert _slugs(client.get("/api/v1/videos", params={"job": "soudeur"})) == expected
    in_sector = _slugs(client.get("/api/v1/videos", params={"sector": "industrie-maintenance"}))
    assert expected <= in_sector
    assert "chantier-maison-individuelle" not in in_sector


def test_video_detail(client: TestClient, demo):
    video = client.get("/api/v1/videos/renovation-appartement").json()
    assert video["duration_seconds"] == 480
    assert video["languages"] == ["fr", "en"]
    assert video["is_seated"] is False
    assert video["min_age"] == 13
    assert set(video["jobs"]) == {"electricien-batiment", "plombier-chauffagiste",
                                  "peintre-batiment"}


@pytest.mark.parametrize("path", ["/api/v1/jobs/nobody", "/api/v1/videos/nothing",
                                  "/api/v1/jobs/%00"])
def test_unknown_slug_is_404_json(client: TestClient, demo, path: str):
    response = client.get(path)
    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)


def test_retired_items_are_404_and_left_out(client: TestClient, demo: Session):
    _retire(demo, Job, "soudeur")
    _retire(demo, Video, "atelier-chaudronnerie")
    assert client.get("/api/v1/jobs/soudeur").status_code == 404
    assert client.get("/api/v1/videos/atelier-chaudronnerie").status_code == 404
    assert "soudeur" not in _slugs(client.get("/api/v1/jobs", params={"limit": 500}))
    naval = client.get("/api/v1/videos/atelier-soudure-chantier-naval").json()
    assert naval["jobs"] == []


def test_openapi_documents_the_catalogue(client: TestClient):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/sectors", "/api/v1/jobs", "/api/v1/jobs/{slug}", "/api/v1/videos",
                 "/api/v1/videos/{slug}"):
        assert path in spec["paths"]
    assert {"JobList", "JobDetail", "VideoList", "VideoPublic", "SectorList"} <= set(
        spec["components"]["schemas"])
    jobs = spec["paths"]["/api/v1/jobs"]["get"]
    assert {p["name"] for p in jobs["parameters"]} == {"q", "sector", "domain", "limit",
                                                       "offset"}
