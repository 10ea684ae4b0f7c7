"""The API root, centres, the OpenAPI document and its docs page, JSON 404 and 422."""

from fastapi.testclient import TestClient


def test_api_root_and_centres(client: TestClient, demo):
    root = client.get("/api/v1")
    assert root.status_code == 200
    assert root.json()["docs"] == "/docs"
    centres = client.get("/api/v1/centres", params={"limit": 2, "offset": 1}).json()
    assert centres["total"] >= 8
    assert len(centres["items"]) == 2
    everything = client.get("/api/v1/centres").json()["items"]
    gap = next(c for c in everything if c["slug"] == "gap")
    assert gap["hub"] == "marseille"


def test_openapi_and_docs_are_served_without_a_cdn(client: TestClient):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/centres" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_api_404_and_422_are_json(client: TestClient):
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found", "code": "not_found"}
    invalid = client.get("/api/v1/centres", params={"limit": "many"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["loc"] == ["query", "limit"]
