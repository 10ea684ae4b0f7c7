"""Signing out ends the session on the server; "sign out everywhere" ends them all; bumping
the account's session version still ends every session (issue 9, item 15)."""

import base64
import json
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlmodel import Session, select, update

from factories import login, post_form
from vr_booking.models import StaffSession, StaffUser, utcnow


def _signed_in(app: FastAPI, email: str) -> TestClient:
    client = TestClient(app)
    assert login(client, email).status_code == 303
    return client


def _copy(app: FastAPI, client: TestClient) -> TestClient:
    """Another browser holding a copy of this one's cookies (a stolen or shared cookie)."""
    thief = TestClient(app)
    for name, value in client.cookies.items():
        thief.cookies.set(name, value)
    return thief


def _opens_staff_pages(client: TestClient) -> bool:
    return client.get("/staff", follow_redirects=False).status_code == 200


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, db: Session, make_staff):
    make_staff("lea@example.org", role="admin")
    browser = _signed_in(app, "lea@example.org")
    copy = _copy(app, browser)
    assert _opens_staff_pages(copy)
    post_form(browser, "/staff/logout")
    assert not _opens_staff_pages(browser)
    assert not _opens_staff_pages(copy)
    db.commit()
    assert db.exec(select(StaffSession.revoked_at)).one() is not None


def test_signing_out_ends_only_that_session(app, make_staff):
    make_staff("lea@example.org", role="admin")
    laptop, phone = _signed_in(app, "lea@example.org"), _signed_in(app, "lea@example.org")
    post_form(laptop, "/staff/logout")
    assert _opens_staff_pages(phone)


def test_sign_out_everywhere_ends_every_session(app, make_staff):
    make_staff("lea@example.org", role="admin")
    make_staff("sam@example.org", role="admin")
    laptop, phone = _signed_in(app, "lea@example.org"), _signed_in(app, "lea@example.org")
    colleague = _signed_in(app, "sam@example.org")
    copy = _copy(app, phone)
    assert "Sign out everywhere" in laptop.get("/staff?lang=en").text
    assert post_form(laptop, "/staff/logout-everywhere",
                     follow_redirects=False).status_code == 303
    assert [_opens_staff_pages(c) for c in (laptop, phone, copy)] == [False, False, False]
    assert _opens_staff_pages(colleague)
    assert _opens_staff_pages(_signed_in(app, "lea@example.org"))  # signing in again works


def test_bumping_the_session_version_still_ends_every_session(app, db: Session, make_staff):
    user = make_staff("lea@example.org", role="admin")
    browser = _signed_in(app, "lea@example.org")
    db.exec(update(StaffUser).where(StaffUser.id == user.id).values(session_version=2))
    db.commit()
    assert not _opens_staff_pages(browser)


def test_an_expired_session_opens_nothing(app, db: Session, make_staff):
    make_staff("lea@example.org", role="admin")
    browser = _signed_in(app, "lea@example.org")
    db.exec(update(StaffSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert not _opens_staff_pages(browser)


def test_a_signed_cookie_without_a_server_session_opens_nothing(app, settings, make_staff):
    """A cookie of the old kind (signed with the secret, naming the account and its version,
    but holding no session token) is not enough any more."""
    user = make_staff("lea@example.org", role="admin")
    data = json.dumps({"staff_id": user.id, "v": user.session_version}).encode()
    cookie = TimestampSigner(settings.secret_key).sign(base64.b64encode(data)).decode()
    forged = TestClient(app)
    forged.cookies.set("vrb_session", cookie)
    assert not _opens_staff_pages(forged)
