"""The audit trail page: administrators read everything, managers their centres' rows,
facilitators nothing; filters by centre, person, kind and period; pages of 50."""

from datetime import timedelta

from sqlmodel import Session

from factories import ADMIN, GAP_MANAGER, HUB_FACILITATOR, HUB_MANAGER, login
from vr_booking.models import AuditEvent, utcnow


def _events(db: Session, network) -> None:
    now = utcnow()
    db.add_all([
        AuditEvent(action="staff.created", actor_label=ADMIN, centre_id=network.gap.id,
                   summary="lea created", at=now - timedelta(days=10)),
        AuditEvent(action="headset.state_changed", actor_label=HUB_MANAGER,
                   centre_id=network.marseille.id, summary="MRS-VR-01 repaired", at=now),
        AuditEvent(action="centre.updated", actor_label=ADMIN, centre_id=network.lyon.id,
                   summary="lyon renamed", at=now),
        AuditEvent(action="token.created", actor_label="system", summary="cli token", at=now),
    ])
    db.commit()


def test_an_admin_reads_and_filters_everything(client, db, network):
    _events(db, network)
    login(client, ADMIN)
    page = client.get("/staff/admin/audit").text
    for summary in ("lea created", "MRS-VR-01 repaired", "lyon renamed", "cli token"):
        assert summary in page
    by_kind = client.get("/staff/admin/audit", params={"kind": "staff"}).text
    assert "lea created" in by_kind
    assert "repaired" not in by_kind
    by_person = client.get("/staff/admin/audit", params={"person": HUB_MANAGER.upper()}).text
    assert "repaired" in by_person
    assert "lea created" not in by_person
    today = utcnow().date()
    recent = client.get("/staff/admin/audit", params={
        "from": (today - timedelta(days=2)).isoformat(), "to": today.isoformat()}).text
    assert "repaired" in recent
    assert "lea created" not in recent
    by_centre = client.get("/staff/admin/audit", params={"centre": "lyon"}).text
    assert "lyon renamed" in by_centre
    assert "repaired" not in by_centre


def test_a_hub_manager_reads_the_rows_of_the_centres_they_manage(client, db, network):
    _events(db, network)
    login(client, HUB_MANAGER)
    page = client.get("/staff/admin/audit").text
    assert "lea created" in page
    assert "repaired" in page
    assert "lyon renamed" not in page
    assert "cli token" not in page
    assert client.get("/staff/admin/audit", params={"centre": "lyon"}).status_code == 403


def test_an_associated_centre_manager_reads_their_centre_only(client, db, network):
    _events(db, network)
    login(client, GAP_MANAGER)
    page = client.get("/staff/admin/audit").text
    assert "lea created" in page
    assert "repaired" not in page


def test_facilitators_cannot_read_the_audit_trail(client, db, network):
    login(client, HUB_FACILITATOR)
    assert client.get("/staff/admin/audit").status_code == 403


def test_bad_periods_are_refused_on_the_page(client, network):
    login(client, ADMIN)
    bad = client.get("/staff/admin/audit", params={"from": "2026-13-40"})
    assert bad.status_code == 422
    assert 'id="from-error"' in bad.text
    backwards = client.get("/staff/admin/audit", params={"from": "2026-05-02",
                                                         "to": "2026-05-01"})
    assert backwards.status_code == 422
    assert client.get("/staff/admin/audit", params={"from": "1999-12-31"}).status_code == 422


def test_the_trail_is_paginated(client, db, network):
    db.add_all(AuditEvent(action="staff.updated", actor_label=ADMIN, summary=f"change {n:03}",
                          at=utcnow() - timedelta(minutes=n)) for n in range(55))
    db.commit()
    login(client, ADMIN)
    first = client.get("/staff/admin/audit").text
    assert "change 000" in first
    assert "change 054" not in first
    assert "page=2" in first
    second = client.get("/staff/admin/audit", params={"page": 2}).text
    assert "change 054" in second
    assert "change 000" not in second
