"""The bookings API: slots, book, read, cancel; field errors, unknowns, the rate limit."""

from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient


def test_api_slots_book_read_cancel(client: TestClient, make_open_access):
    oa = make_open_access(headsets=2, reserve=1)
    day = oa.slots[0].starts_at.astimezone(ZoneInfo("Europe/Paris")).date()
    slots = client.get("/api/v1/slots", params={"centre": "hub", "from": str(day),
                                                 "to": str(day)}).json()
    assert slots["total"] == 5
    first = slots["items"][0]
    assert (first["capacity"], first["confirmed"], first["remaining"]) == (1, 0, 1)

    created = client.post("/api/v1/bookings", json={
        "slot_id": first["id"], "name": "Ana", "age_confirmed": True, "health_ack": True})
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "confirmed"
    assert body["ics_url"].endswith(f"/b/{body['token']}/ticket.ics")
    second = client.post("/api/v1/bookings", json={
        "slot_id": first["id"], "name": "Bo", "age_confirmed": True, "health_ack": True})
    assert second.json()["status"] == "waitlisted"

    assert client.get(f"/api/v1/bookings/{body['token']}").json()["name"] == "Ana"
    cancelled = client.post(f"/api/v1/bookings/{body['token']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    promoted = client.get(f"/api/v1/bookings/{second.json()['token']}").json()
    assert promoted["status"] == "confirmed"


def test_api_field_errors_and_unknowns(client: TestClient, make_open_access):
    slot = make_open_access().slots[0]
    bad = client.post("/api/v1/bookings", json={
        "slot_id": slot.id, "name": "", "age_confirmed": False, "health_ack": True})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"name", "age_confirmed"}
    missing = client.post("/api/v1/bookings", json={
        "slot_id": 424242, "name": "A", "age_confirmed": True, "health_ack": True})
    assert missing.status_code == 422
    assert "slot_id" in missing.json()["fields"]
    assert client.post("/api/v1/bookings", content=b"{not json",
                       headers={"content-type": "application/json"}).status_code == 400
    assert client.get("/api/v1/slots", params={"centre": "nowhere"}).status_code == 422
    assert client.get("/api/v1/bookings/nope").status_code == 404


def test_booking_endpoint_is_rate_limited(app, client: TestClient, make_open_access):
    app.state.settings.booking_rate_limit_per_minute = 3
    slot = make_open_access(headsets=5).slots[0]
    body = {"slot_id": slot.id, "name": "A", "age_confirmed": True, "health_ack": True}
    codes = [client.post("/api/v1/bookings", json=body).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
