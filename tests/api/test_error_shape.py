"""One documented shape for every API error (issue 9, item 12): a 422 from FastAPI's request
validation and one from a service's InvalidInput are the same schema; 400, 404 and 429 are
documented on the operations that answer them."""

from fastapi.testclient import TestClient

from vr_booking.web.api.responses import ErrorBody, ValidationErrorBody

BOOKING = {"name": "Ana", "age_confirmed": True, "health_ack": True}


def test_request_validation_and_domain_422_share_one_shape(client: TestClient,
                                                           make_open_access):
    slot = make_open_access().slots[0]
    by_fastapi = client.post("/api/v1/bookings", json={**BOOKING, "slot_id": "x"})
    by_service = client.post("/api/v1/bookings", json={**BOOKING, "slot_id": slot.id,
                                                        "name": " "})
    for answer, code in ((by_fastapi, "invalid_request"), (by_service, "invalid_booking")):
        assert answer.status_code == 422
        body = ValidationErrorBody.model_validate(answer.json())
        assert set(answer.json()) == {"detail", "code", "fields", "errors"}
        assert body.code == code
    assert "slot_id" in by_fastapi.json()["fields"]
    assert by_fastapi.json()["errors"][0]["loc"] == ["body", "slot_id"]
    assert "name" in by_service.json()["fields"]
    assert by_service.json()["errors"][0]["loc"] == ["name"]


def test_a_body_that_is_not_json_is_a_400(client: TestClient):
    answer = client.post("/api/v1/bookings", content=b"{not json",
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert ErrorBody.model_validate(answer.json()).code == "invalid_json"


def test_other_errors_carry_detail_and_code(client: TestClient, make_staff, make_token):
    answers = {
        404: client.get("/api/v1/bookings/no-such-token"),
        401: client.get("/api/v1/me"),
    }
    assert {status: a.status_code for status, a in answers.items()} == {404: 404, 401: 401}
    assert answers[404].json()["code"] == "unknown_booking"
    assert answers[401].json()["code"] == "unauthorized"


def test_429_answers_the_documented_shape(client: TestClient, app, make_open_access):
    slot = make_open_access().slots[0]
    app.state.settings.booking_rate_limit_per_minute = 1
    client.post("/api/v1/bookings", json={**BOOKING, "slot_id": slot.id})
    limited = client.post("/api/v1/bookings", json={**BOOKING, "slot_id": slot.id})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert ErrorBody.model_validate(limited.json()).code == "rate_limited"


def _responses(client: TestClient, method: str, path: str) -> dict:
    return client.get("/api/v1/openapi.json").json()["paths"][path][method]["responses"]


def test_openapi_documents_the_errors_where_they_happen(client: TestClient):
    spec = client.get("/api/v1/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    booking = _responses(client, "post", "/api/v1/bookings")
    assert {"400", "409", "422", "429"} <= set(booking)
    assert booking["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ValidationErrorBody")
    assert booking["429"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody")
    assert "404" in _responses(client, "get", "/api/v1/bookings/{token}")
    assert "404" in _responses(client, "post", "/api/v1/bookings/{token}/cancel")
    assert "404" in _responses(client, "get", "/api/v1/jobs/{slug}")
    assert "401" in _responses(client, "get", "/api/v1/headsets")
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status == "422":
                    assert response["content"]["application/json"]["schema"]["$ref"].endswith(
                        "/ValidationErrorBody"), (method, path)
