"""Password rules and one-time password links: single use, expiry, superseded, retired on
deactivation, and "forgot password" sending at most one link every few minutes."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from factories import GAP_FACILITATOR, HUB_MANAGER
from vr_booking.models import LinkPurpose, OutboxMessage, PasswordLink, StaffUser, utcnow
from vr_booking.services.admin import links, passwords
from vr_booking.services.admin.accounts import authenticate
from vr_booking.services.admin.staff import deactivate_staff
from vr_booking.services.errors import InvalidInput, NotFound

GOOD = "velvet orbit lantern"


@pytest.mark.parametrize(("password", "reason"), [
    ("short", "at least 10"),
    ("x" * 201, "at most 200"),
    ("1234567890", "most common"),
    ("Password12", "most common"),
    ("qwertyuiop", "most common"),
    ("lea@example.org", "e-mail"),
])
def test_weak_passwords_are_refused_with_the_reason(english, password, reason):
    problem = passwords.password_problem(password, email="lea@example.org", name="Lea")
    assert problem is not None
    assert reason in problem


def test_the_shipped_list_is_the_real_one():
    common = passwords.common_passwords()
    assert len(common) > 19_000
    assert {"123456", "password", "iloveyou", "basketball"} <= common
    assert passwords.password_problem(GOOD) is None


def test_confirmation_must_match(english):
    with pytest.raises(InvalidInput) as refused:
        passwords.check_new_password(GOOD, GOOD + "!")
    assert refused.value.fields == {"password_again": "The two passwords differ."}


def _link(db: Session, user: StaffUser, purpose: str = LinkPurpose.reset, now=None) -> str:
    """Send a link and read its token back from the queued e-mail."""
    links.send_link(db, user, purpose, now or utcnow())
    db.commit()
    body = db.exec(select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc())).first()
    return body.split("/staff/password/")[1].split()[0]


def test_a_link_sets_the_password_once(db: Session, network):
    user = network.staff[GAP_FACILITATOR]
    token = _link(db, user)
    version = user.session_version
    links.set_password_with_link(db, token, GOOD, GOOD, utcnow())
    db.commit()
    assert authenticate(db, GAP_FACILITATOR, GOOD) is not None
    assert user.session_version == version + 1  # other sessions are signed out
    with pytest.raises(NotFound):
        links.set_password_with_link(db, token, "another fine phrase", "another fine phrase",
                                     utcnow())


def test_a_weak_password_leaves_the_link_usable(db: Session, network):
    token = _link(db, network.staff[GAP_FACILITATOR])
    with pytest.raises(InvalidInput):
        links.set_password_with_link(db, token, "1234567890", "1234567890", utcnow())
    db.rollback()
    links.find_link(db, token, utcnow())  # still there


def test_links_expire(db: Session, network):
    now = utcnow()
    reset = _link(db, network.staff[GAP_FACILITATOR], LinkPurpose.reset, now)
    links.find_link(db, reset, now + timedelta(minutes=59))
    with pytest.raises(NotFound):
        links.find_link(db, reset, now + timedelta(minutes=61))
    invitation = _link(db, network.staff[HUB_MANAGER], LinkPurpose.invitation, now)
    links.find_link(db, invitation, now + timedelta(hours=71))
    with pytest.raises(NotFound):
        links.set_password_with_link(db, invitation, GOOD, GOOD, now + timedelta(hours=73))


def test_a_new_link_retires_the_older_one(db: Session, network):
    user = network.staff[GAP_FACILITATOR]
    first = _link(db, user)
    second = _link(db, user)
    with pytest.raises(NotFound):
        links.find_link(db, first, utcnow())
    links.find_link(db, second, utcnow())


def test_deactivation_retires_links(db: Session, network):
    token = _link(db, network.staff[GAP_FACILITATOR])
    deactivate_staff(db, network.staff[HUB_MANAGER], network.staff[GAP_FACILITATOR].id, utcnow())
    db.commit()
    with pytest.raises(NotFound):
        links.find_link(db, token, utcnow())


def test_forgot_password_sends_at_most_one_link_every_few_minutes(db: Session, network):
    now = utcnow()
    links.request_reset(db, " LEA@example.org ", now)
    links.request_reset(db, GAP_FACILITATOR, now + timedelta(minutes=1))
    links.request_reset(db, "nobody@example.org", now)
    db.commit()
    assert len(db.exec(select(PasswordLink)).all()) == 1
    assert db.exec(select(OutboxMessage.to_address)).all() == [GAP_FACILITATOR]
    links.request_reset(db, GAP_FACILITATOR, now + timedelta(minutes=6))
    db.commit()
    assert len(db.exec(select(PasswordLink)).all()) == 2


def test_only_the_link_hash_is_stored(db: Session, network):
    token = _link(db, network.staff[GAP_FACILITATOR])
    stored = db.exec(select(PasswordLink.token_hash)).one()
    assert token not in stored
    assert len(stored) == 64
