"""The notifications and privacy API: a booking's stored data and its erasure, taking or
declining a waiting-list offer, and the periodic jobs for administrators."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import text_columns_containing, visitor
from vr_booking.jobs import run_all_once
from vr_booking.models import Booking
from vr_booking.services.notify.schedule import PERIODIC_JOBS


def book(client: TestClient, slot_id: int, name: str) -> dict:
    answer = client.post("/api/v1/bookings", json={
        "slot_id": slot_id, "name": name, "email": f"{name.lower()}@example.org",
        "age_confirmed": True, "health_ack": True, "language": "en"})
    assert answer.status_code == 201
    return answer.json()


def test_a_holder_reads_then_erases_their_booking_data(client, db, make_open_access):
    slot = make_open_access().slots[0]
    ana = book(client, slot.id, "Zephyrine")
    data = client.get(f"/api/v1/bookings/{ana['token']}/data")
    assert data.status_code == 200
    body = data.json()
    assert (body["booking"]["name"], body["booking"]["email"]) == (
        "Zephyrine", "zephyrine@example.org")
    assert [e["subject"] for e in body["emails"]] == ["Your VR session is booked"]
    erased = client.post(f"/api/v1/bookings/{ana['token']}/erase")
    assert erased.status_code == 200
    after = erased.json()
    assert (after["booking"]["name"], after["booking"]["email"], after["emails"]) == (
        "", None, [])
    assert after["booking"]["erased_at"] is not None
    assert after["booking"]["status"] == "confirmed"
    assert text_columns_containing(db, ["Zephyrine"]) == []
    again = client.post(f"/api/v1/bookings/{ana['token']}/erase")  # idempotent
    assert again.json()["booking"]["erased_at"] == after["booking"]["erased_at"]
    assert client.get("/api/v1/bookings/nope/data").status_code == 404
    assert client.post("/api/v1/bookings/nope/erase").json()["code"] == "unknown_booking"


def _offer(db: Session, client: TestClient, make_open_access) -> tuple[dict, dict]:
    slot = make_open_access(headsets=1).slots[0]
    bea = book(client, slot.id, "Bea")
    carl = book(client, slot.id, "Carl")
    booking = db.exec(select(Booking).where(Booking.token == bea["token"])).one()
    booking.status, booking.offer_expires_at = "offered", slot.starts_at - timedelta(hours=1)
    db.add(booking)  # Bea's seat is offered, not yet taken
    db.commit()
    return bea, carl


def test_taking_an_offer(client, db, make_open_access):
    bea, carl = _offer(db, client, make_open_access)
    taken = client.post(f"/api/v1/bookings/{bea['token']}/accept-offer")
    assert (taken.status_code, taken.json()["status"]) == (200, "confirmed")
    assert client.post(f"/api/v1/bookings/{bea['token']}/accept-offer").status_code == 200
    refused = client.post(f"/api/v1/bookings/{carl['token']}/accept-offer")
    assert (refused.status_code, refused.json()["code"]) == (409, "no_offer")


def test_declining_an_offer_passes_the_seat_on(client, db, make_open_access):
    bea, carl = _offer(db, client, make_open_access)
    declined = client.post(f"/api/v1/bookings/{bea['token']}/decline-offer")
    assert (declined.status_code, declined.json()["status"]) == (200, "cancelled")
    assert client.post(f"/api/v1/bookings/{bea['token']}/decline-offer").status_code == 200
    assert client.get(f"/api/v1/bookings/{carl['token']}").json()["status"] == "confirmed"
    refused = client.post(f"/api/v1/bookings/{carl['token']}/decline-offer")
    assert (refused.status_code, refused.json()["code"]) == (409, "no_offer")
    assert client.post("/api/v1/bookings/nope/decline-offer").status_code == 404


def test_periodic_jobs_for_administrators_only(client, engine, settings, make_staff,
                                               make_token, make_centre):
    make_centre("hub")
    make_staff("admin@example.org", role="admin")
    make_staff("manager@example.org", role="manager", centres=("hub",))
    assert client.get("/api/v1/periodic-jobs").status_code == 401
    manager = {"Authorization": f"Bearer {make_token('manager@example.org')}"}
    refused = client.get("/api/v1/periodic-jobs", headers=manager)
    assert (refused.status_code, refused.json()["code"]) == (403, "admins_only")
    admin = {"Authorization": f"Bearer {make_token('admin@example.org')}"}
    never = client.get("/api/v1/periodic-jobs", headers=admin).json()
    assert never["total"] == len(PERIODIC_JOBS)
    assert never["items"][0]["last_started_at"] is None
    run_all_once(engine, settings)
    jobs = client.get("/api/v1/periodic-jobs", headers=admin).json()
    reminders = next(j for j in jobs["items"] if j["id"] == "reminders")
    assert reminders["every_seconds"] == 60
    assert reminders["last_ok"] is True
    assert reminders["rows_handled"] == 0
    assert reminders["next_run_at"] > reminders["last_started_at"]
    last = len(PERIODIC_JOBS) - 1
    page = client.get("/api/v1/periodic-jobs", headers=admin, params={"limit": 2,
                                                                       "offset": last})
    assert (page.json()["total"], len(page.json()["items"])) == (len(PERIODIC_JOBS), 1)


def test_the_new_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "409" in paths["/api/v1/bookings/{token}/decline-offer"]["post"]["responses"]
    assert "409" in paths["/api/v1/bookings/{token}/accept-offer"]["post"]["responses"]
    assert set(paths["/api/v1/bookings/{token}/erase"]) == {"post"}
    assert set(paths["/api/v1/bookings/{token}/data"]) == {"get"}
    assert "403" in paths["/api/v1/periodic-jobs"]["get"]["responses"]


def test_an_erased_booking_keeps_its_place_in_the_counts(client, db, make_open_access):
    slot = make_open_access(headsets=2).slots[0]
    ana = visitor(db, slot, "Ana", "ana@example.org")
    before = client.get("/api/v1/slots", params={"centre": "hub"}).json()["items"][0]
    client.post(f"/api/v1/bookings/{ana.token}/erase")
    after = client.get("/api/v1/slots", params={"centre": "hub"}).json()["items"][0]
    assert after == before
