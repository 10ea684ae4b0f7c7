"""API bearer tokens: they identify a staff user, wrong or revoked ones are 401, only their
hash is stored."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from vr_booking.models import ApiToken, utcnow


def test_bearer_token_identifies_staff(client: TestClient, make_centre, make_staff, make_token):
    make_centre("gap")
    make_staff("lea@example.org", role="manager", centres=("gap",))
    token = make_token("lea@example.org")
    assert token.startswith("vrb_")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"email": "lea@example.org", "name": "Lea", "role": "manager",
                               "centres": ["gap"]}


def test_missing_wrong_or_revoked_token_is_401(client, db: Session, make_centre, make_staff,
                                                make_token):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    token = make_token("lea@example.org")
    assert client.get("/api/v1/me").status_code == 401
    wrong = client.get("/api/v1/me", headers={"Authorization": "Bearer vrb_wrong"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"]
    row = db.exec(select(ApiToken)).one()
    row.revoked_at = utcnow()
    db.add(row)
    db.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_only_the_token_hash_is_stored(db: Session, make_centre, make_staff, make_token):
    make_centre("gap")
    make_staff("lea@example.org", centres=("gap",))
    token = make_token("lea@example.org")
    stored = db.exec(select(ApiToken.token_hash)).one()
    assert token not in stored
    assert len(stored) == 64


def test_a_request_that_writes_records_the_tokens_use(client: TestClient, db: Session,
                                                      make_open_access, make_slot_now,
                                                      make_staff, make_token):
    """Recorded by a write too (in its own short transaction on PostgreSQL, so that concurrent
    requests of one token never queue on its row: the desk's race controls show that)."""
    slot = make_slot_now(make_open_access("hub", headsets=3, reserve=1))
    make_staff("lea@example.org", centres=("hub",))
    token = make_token("lea@example.org")
    added = client.post("/api/v1/walk-ins", json={"slot_id": slot.id},
                        headers={"Authorization": f"Bearer {token}"})
    assert added.status_code == 201
    db.commit()
    assert db.exec(select(ApiToken.last_used_at)).one() is not None
