"""Bad input gets a clear answer and never a 500 — including what only PostgreSQL refuses."""

from fastapi.testclient import TestClient


def test_nul_bytes_anywhere_never_give_a_server_error(client: TestClient, make_open_access,
                                                       make_staff, make_token):
    slot = make_open_access().slots[0]
    make_staff("root@example.org", role="admin")
    auth = {"Authorization": f"Bearer {make_token('root@example.org')}"}
    answers = [
        client.post("/api/v1/checkins", json={"code": "AB\u0000CDEFG"}, headers=auth),
        client.post("/api/v1/bookings", json={"slot_id": slot.id, "name": "A\u0000",
                                              "age_confirmed": True, "health_ack": True}),
        client.get("/api/v1/jobs", params={"q": "sou\u0000deur"}),
        client.get("/api/v1/headsets/MRS%00", headers=auth),
        client.get("/api/v1/bookings/tok%00en"),
        client.get("/catalogue", params={"q": "\u0000"}),
        client.get("/b/tok%00en"),
    ]
    assert [a.status_code for a in answers if a.status_code >= 500] == []
    assert answers[0].status_code in (404, 422)
