"""API tokens in the browser: everyone lists, creates (shown once) and revokes their own;
administrators revoke anyone's; last use is recorded; expired tokens stop working."""

from datetime import timedelta

import time_machine
from sqlmodel import Session, select

from factories import ADMIN, GAP_FACILITATOR, HUB_MANAGER, bearer, login, post_form, reread
from vr_booking.models import ApiToken, AuditEvent, utcnow


def _create(client, label="Import script", days="30"):
    return post_form(client, "/staff/tokens", {"label": label, "days": days})


def _shown(page) -> str:
    return page.text.split('id="token-value">')[1].split("<")[0]


def test_a_facilitator_creates_sees_once_and_revokes_a_token(client, db: Session, network):
    login(client, GAP_FACILITATOR)
    page = _create(client)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    token = _shown(page)
    assert token.startswith("vrb_")
    assert client.get("/api/v1/me", headers=bearer(token)).json()["email"] == GAP_FACILITATOR
    listing = client.get("/staff/tokens").text
    assert "Import script" in listing
    assert token not in listing
    row = db.exec(select(ApiToken)).one()
    assert row.last_used_at is not None  # the /me call above
    assert abs(row.expires_at - (row.created_at + timedelta(days=30))) < timedelta(seconds=5)
    done = post_form(client, f"/staff/tokens/{row.id}/revoke", follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    db.commit()
    assert list(db.exec(select(AuditEvent.action).order_by(AuditEvent.id))) == [
        "token.created", "token.revoked"]


def test_a_bad_label_is_refused(client, db, network):
    login(client, GAP_FACILITATOR)
    refused = _create(client, label="  ", days="9999")
    assert refused.status_code == 422
    assert 'id="label-error"' in refused.text
    assert 'id="days-error"' in refused.text
    assert db.exec(select(ApiToken)).all() == []


def test_only_admins_revoke_other_peoples_tokens(client, db, network, make_token):
    make_token(GAP_FACILITATOR)
    row = db.exec(select(ApiToken)).one()
    account = f"/staff/admin/staff/{network.staff[GAP_FACILITATOR].id}"
    login(client, HUB_MANAGER)
    assert post_form(client, f"/staff/tokens/{row.id}/revoke").status_code == 404
    assert "/revoke" not in client.get(account).text
    login(client, ADMIN)
    assert "command line" in client.get(account).text
    done = post_form(client, f"/staff/tokens/{row.id}/revoke", {"next": account},
                     follow_redirects=False)
    assert done.headers["location"].startswith(account)
    assert reread(db, row).revoked_at is not None


def test_an_expired_token_stops_working(client, network):
    login(client, GAP_FACILITATOR)
    token = _shown(_create(client, days="30"))
    with time_machine.travel(utcnow() + timedelta(days=31)):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
