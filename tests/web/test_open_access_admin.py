"""Managers edit weekly rules (slots regenerate, booked ones kept) and close days."""

from datetime import time, timedelta
from itertools import pairwise

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import csrf_from, login
from vr_booking.models import Booking, Closure, OutboxMessage, VRSession, utcnow
from vr_booking.services.open_access.booking import BookingInput, create_booking
from vr_booking.services.timeutil import to_local

RULE_FORM = {"weekday": "2", "start_time": "14:00", "end_time": "16:00", "seat_minutes": "20",
             "buffer_minutes": "2", "horizon_weeks": "2", "walk_in_reserve": "0",
             "is_active": "true"}


def _manager(client: TestClient, make_staff, role: str = "manager") -> None:
    make_staff("cam@example.org", role=role, centres=("hub",))
    login(client, "cam@example.org")


def _book(db: Session, slot: VRSession, email: str | None = None) -> Booking:
    booking = create_booking(db, BookingInput(slot_id=slot.id, name="Ana", email=email,
                                              age_confirmed=True, health_ack=True),
                             utcnow()).booking
    db.commit()
    return booking


def _planned(db: Session) -> list[VRSession]:
    db.commit()
    db.expire_all()  # SQLite reuses the ids of deleted slots: forget what we loaded
    return list(db.exec(select(VRSession).where(VRSession.status == "planned")
                        .order_by(VRSession.starts_at)))


def test_editing_a_rule_regenerates_slots_but_keeps_booked_ones(client, db, make_open_access,
                                                                 make_staff):
    oa = make_open_access()
    booked = _book(db, oa.slots[1])  # 14:22
    first_day = to_local(oa.slots[0].starts_at, "Europe/Paris").date()
    _manager(client, make_staff)
    form = {**RULE_FORM, "rule_id": str(oa.rule.id), "seat_minutes": "30",
            "csrftoken": csrf_from(client, "/staff/centres/hub/open-access")}
    page = client.post("/staff/centres/hub/open-access/rules?lang=en", data=form)
    assert page.status_code == 200
    assert "hold bookings and were kept" in page.text
    slots = _planned(db)
    db.refresh(booked)
    assert booked.session_id in {s.id for s in slots}
    starts = sorted(to_local(s.starts_at, "Europe/Paris").time() for s in slots
                    if to_local(s.starts_at, "Europe/Paris").date() == first_day)
    # The kept 14:22–14:42 slot blocks the new 14:00 and 14:32 seats that overlap it.
    assert starts == [time(14, 22), time(15, 4)]
    for a, b in pairwise(slots):
        assert a.ends_at <= b.starts_at  # nothing overlaps


def test_rule_errors_are_shown_and_nothing_changes(client, db, make_open_access, make_staff):
    oa = make_open_access()
    before = len(_planned(db))
    _manager(client, make_staff)
    form = {**RULE_FORM, "rule_id": str(oa.rule.id), "end_time": "13:00",
            "csrftoken": csrf_from(client, "/staff/centres/hub/open-access")}
    page = client.post("/staff/centres/hub/open-access/rules", data=form)
    assert page.status_code == 422
    assert 'id="end_time-error"' in page.text
    bad = {**form, "end_time": "16:00", "seat_minutes": "lots"}
    assert client.post("/staff/centres/hub/open-access/rules", data=bad).status_code == 422
    assert len(_planned(db)) == before


def test_overlapping_rules_are_refused(client, db, make_open_access, make_staff):
    make_open_access()
    _manager(client, make_staff)
    form = {**RULE_FORM, "start_time": "15:00", "end_time": "17:00",
            "csrftoken": csrf_from(client, "/staff/centres/hub/open-access")}
    page = client.post("/staff/centres/hub/open-access/rules", data=form)
    assert page.status_code == 422
    assert 'id="start_time-error"' in page.text


def test_facilitators_read_but_cannot_edit(client, db, make_open_access, make_staff):
    oa = make_open_access()
    _manager(client, make_staff, role="facilitator")
    assert client.get("/staff/centres/hub/open-access").status_code == 200
    form = {**RULE_FORM, "rule_id": str(oa.rule.id),
            "csrftoken": csrf_from(client, "/staff/centres/hub/open-access")}
    assert client.post("/staff/centres/hub/open-access/rules", data=form).status_code == 403


def test_closing_a_day_cancels_its_slots_and_tells_people(client, db, make_open_access,
                                                           make_staff):
    oa = make_open_access()
    booking = _book(db, oa.slots[0], email="ana@example.org")
    day = to_local(oa.slots[0].starts_at, "Europe/Paris").date()
    _manager(client, make_staff)
    token = csrf_from(client, "/staff/centres/hub/open-access")
    done = client.post("/staff/centres/hub/open-access/closures", follow_redirects=False,
                       data={"closed_date": day.isoformat(), "reason": "Jour férié",
                             "csrftoken": token})
    assert done.status_code == 303
    db.commit()
    db.refresh(booking)
    assert booking.status == "cancelled"
    assert all(to_local(s.starts_at, "Europe/Paris").date() != day for s in _planned(db))
    subjects = db.exec(select(OutboxMessage.subject)).all()
    assert len(subjects) == 2  # the confirmation, then the closure notice

    again = client.post("/staff/centres/hub/open-access/closures",
                        data={"closed_date": day.isoformat(), "csrftoken": token})
    assert again.status_code == 409

    closure = db.exec(select(Closure)).one()
    reopened = client.post(f"/staff/centres/hub/open-access/closures/{closure.id}/delete",
                           data={"csrftoken": token}, follow_redirects=False)
    assert reopened.status_code == 303
    assert sum(to_local(s.starts_at, "Europe/Paris").date() == day for s in _planned(db)) == 5


def test_closing_a_past_day_is_refused(client, db, make_open_access, make_staff):
    make_open_access()
    _manager(client, make_staff)
    page = client.post("/staff/centres/hub/open-access/closures", data={
        "closed_date": (utcnow() - timedelta(days=3)).date().isoformat(),
        "csrftoken": csrf_from(client, "/staff/centres/hub/open-access")})
    assert page.status_code == 422
    assert db.exec(select(Closure)).all() == []
