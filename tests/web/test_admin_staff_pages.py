"""Staff account pages for every role: who sees, creates, edits, deactivates whom; the audit
row written with each change and absent when refused; deactivation signs out at once."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import (
    ADMIN,
    GAP_FACILITATOR,
    GAP_MANAGER,
    HUB_FACILITATOR,
    HUB_MANAGER,
    LYON_FACILITATOR,
    bearer,
    login,
    post_form,
    reread,
)
from vr_booking.models import AuditEvent, OutboxMessage, StaffCentre, StaffUser


def _actions(db: Session) -> list[str]:
    db.commit()
    return list(db.exec(select(AuditEvent.action).order_by(AuditEvent.id)))


def _new(client: TestClient, email: str, role: str, centres: list[str]):
    return post_form(client, "/staff/admin/staff/new", {
        "email": email, "name": "New Person", "role": role, "centres": centres},
        follow_redirects=False)


@pytest.mark.parametrize(("viewer", "seen", "hidden"), [
    (ADMIN, [LYON_FACILITATOR, GAP_FACILITATOR, HUB_MANAGER], []),
    (HUB_MANAGER, [GAP_FACILITATOR, HUB_FACILITATOR, GAP_MANAGER], [LYON_FACILITATOR]),
    (GAP_MANAGER, [GAP_FACILITATOR], [HUB_FACILITATOR, LYON_FACILITATOR]),
])
def test_the_list_shows_the_staff_each_manager_manages(client, network, viewer, seen, hidden):
    login(client, viewer)
    page = client.get("/staff/admin/staff")
    assert page.status_code == 200
    for email in seen:
        assert email in page.text
    for email in hidden:
        assert email not in page.text


def test_the_list_filters_by_centre_role_and_state(client, db, network):
    login(client, ADMIN)
    gap = client.get("/staff/admin/staff", params={"centre": "gap"}).text
    assert GAP_FACILITATOR in gap
    assert GAP_MANAGER in gap
    assert HUB_MANAGER not in gap
    managers = client.get("/staff/admin/staff", params={"role": "manager"}).text
    assert HUB_MANAGER in managers
    assert GAP_FACILITATOR not in managers
    lea = network.staff[GAP_FACILITATOR]
    lea.is_active = False
    db.add(lea)
    db.commit()
    assert GAP_FACILITATOR not in client.get("/staff/admin/staff").text
    assert GAP_FACILITATOR in client.get("/staff/admin/staff", params={"active": "no"}).text


def test_a_facilitator_manages_nobody(client, db, network):
    login(client, HUB_FACILITATOR)
    assert client.get("/staff/admin").status_code == 403
    assert client.get("/staff/admin/staff").status_code == 403
    assert client.get("/staff/admin/staff/new").status_code == 403
    assert _new(client, "x@example.org", "facilitator", ["marseille"]).status_code == 403
    target = network.staff[GAP_FACILITATOR].id
    assert post_form(client, f"/staff/admin/staff/{target}/deactivate").status_code == 403
    assert "/staff/admin" not in client.get("/staff").text.split("<main")[0]
    assert _actions(db) == []


def test_an_admin_creates_any_account_and_an_invitation_is_queued(client, db, network):
    login(client, ADMIN)
    done = _new(client, "New@Example.org", "admin", [])
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert 'role="status"' in page.text
    user = db.exec(select(StaffUser).where(StaffUser.email == "new@example.org")).one()
    assert user.role == "admin"
    assert user.password_hash == ""
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "new@example.org")).one()
    assert "/staff/password/" in mail.body_text
    assert _actions(db) == ["staff.created"]


def test_a_hub_manager_creates_staff_for_an_associated_centre(client, db, network):
    login(client, HUB_MANAGER)
    assert _new(client, "new@example.org", "manager", ["gap"]).status_code == 303
    assert db.exec(select(StaffCentre.centre_id).join(
        StaffUser, StaffUser.id == StaffCentre.staff_id).where(
        StaffUser.email == "new@example.org")).all() == [network.gap.id]


@pytest.mark.parametrize(("viewer", "role", "centres", "field"), [
    (HUB_MANAGER, "admin", ["marseille"], "role"),
    (HUB_MANAGER, "facilitator", ["lyon"], "centres"),
    (GAP_MANAGER, "facilitator", ["marseille"], "centres"),
    (ADMIN, "facilitator", [], "centres"),
    (ADMIN, "wizard", ["gap"], "role"),
])
def test_refused_creations_say_why_and_write_nothing(client, db, network, viewer, role,
                                                     centres, field):
    login(client, viewer)
    refused = _new(client, "new@example.org", role, centres)
    assert refused.status_code == 422
    assert f'id="{field}-error"' in refused.text
    assert db.exec(select(StaffUser).where(StaffUser.email == "new@example.org")).first() is None
    assert db.exec(select(OutboxMessage)).all() == []
    assert _actions(db) == []


def test_a_duplicate_email_is_refused(client, network):
    login(client, ADMIN)
    refused = _new(client, GAP_FACILITATOR.upper(), "facilitator", ["gap"])
    assert refused.status_code == 422
    assert "already has an account" in refused.text or "a déjà un compte" in refused.text


def test_edit_role_and_centres_within_reach(client, db, network):
    login(client, HUB_MANAGER)
    lea = network.staff[GAP_FACILITATOR]
    done = post_form(client, f"/staff/admin/staff/{lea.id}", {
        "name": "Léa B.", "role": "manager", "centres": ["gap", "marseille"]},
        follow_redirects=False)
    assert done.status_code == 303
    lea = reread(db, lea)
    assert (lea.name, lea.role) == ("Léa B.", "manager")
    assert _actions(db) == ["staff.updated"]
    summary = db.exec(select(AuditEvent.summary)).one()
    assert "role facilitator → manager" in summary


def test_a_manager_cannot_promote_to_admin_nor_touch_other_networks(client, db, network):
    login(client, HUB_MANAGER)
    lea = network.staff[GAP_FACILITATOR]
    above = post_form(client, f"/staff/admin/staff/{lea.id}",
                      {"name": "Lea", "role": "admin", "centres": ["gap"]})
    assert above.status_code == 422
    tom = network.staff[LYON_FACILITATOR]
    assert client.get(f"/staff/admin/staff/{tom.id}").status_code == 403
    other = post_form(client, f"/staff/admin/staff/{tom.id}",
                      {"name": "Tom", "role": "facilitator", "centres": ["lyon"]})
    assert other.status_code == 403
    assert reread(db, lea).role == "facilitator"
    assert _actions(db) == []


def test_an_associated_centre_manager_cannot_manage_the_hub_staff(client, db, network):
    login(client, GAP_MANAGER)
    sami = network.staff[HUB_FACILITATOR]
    assert client.get(f"/staff/admin/staff/{sami.id}").status_code == 403
    assert post_form(client, f"/staff/admin/staff/{sami.id}/deactivate").status_code == 403
    lea = network.staff[GAP_FACILITATOR]
    assert post_form(client, f"/staff/admin/staff/{lea.id}/deactivate",
                     follow_redirects=False).status_code == 303
    assert _actions(db) == ["staff.deactivated"]


def test_nobody_changes_their_own_role_or_deactivates_themselves(client, db, network):
    login(client, ADMIN)
    root = network.staff[ADMIN]
    own = post_form(client, f"/staff/admin/staff/{root.id}/deactivate")
    assert own.status_code == 403
    assert 'role="alert"' in own.text
    demoted = post_form(client, f"/staff/admin/staff/{root.id}",
                        {"name": "Root", "role": "facilitator", "centres": ["gap"]})
    assert demoted.status_code == 403
    assert reread(db, root).is_active
    assert root.role == "admin"
    assert _actions(db) == []


def test_deactivation_stops_live_sessions_and_tokens_at_once(app, client, db, network,
                                                             make_token):
    lea = network.staff[GAP_FACILITATOR]
    token = make_token(GAP_FACILITATOR)
    with TestClient(app) as lea_browser:
        login(lea_browser, GAP_FACILITATOR)
        assert lea_browser.get("/staff").status_code == 200
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        login(client, HUB_MANAGER)
        done = post_form(client, f"/staff/admin/staff/{lea.id}/deactivate",
                         follow_redirects=False)
        assert done.status_code == 303
        assert lea_browser.get("/staff", follow_redirects=False).status_code == 303
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
        assert login(lea_browser, GAP_FACILITATOR).status_code == 401
    assert "staff.deactivated" in _actions(db)


def test_reactivation_and_reset_links(client, db, network):
    login(client, ADMIN)
    lea = network.staff[GAP_FACILITATOR]
    post_form(client, f"/staff/admin/staff/{lea.id}/deactivate")
    refused = post_form(client, f"/staff/admin/staff/{lea.id}/send-link")
    assert refused.status_code == 409
    assert post_form(client, f"/staff/admin/staff/{lea.id}/reactivate",
                     follow_redirects=False).status_code == 303
    assert post_form(client, f"/staff/admin/staff/{lea.id}/send-link",
                     follow_redirects=False).status_code == 303
    assert reread(db, lea).is_active
    assert _actions(db) == ["staff.deactivated", "staff.reactivated", "staff.link_sent"]
    assert len(db.exec(select(OutboxMessage).where(
        OutboxMessage.to_address == GAP_FACILITATOR)).all()) == 1


def test_only_admins_give_and_withdraw_the_catalogue_right(client, db, network):
    lea = network.staff[GAP_FACILITATOR]
    login(client, HUB_MANAGER)
    assert 'name="can_edit_catalogue"' not in client.get(f"/staff/admin/staff/{lea.id}").text
    refused = client.patch(f"/api/v1/staff/{lea.id}", json={"can_edit_catalogue": True},
                           headers=bearer(_token(db, HUB_MANAGER)))
    assert refused.status_code == 422
    assert "can_edit_catalogue" in refused.json()["fields"]
    assert not reread(db, lea).can_edit_catalogue

    client.post("/staff/logout", data={"csrftoken": client.cookies["csrftoken"]})
    login(client, ADMIN)
    page = client.get(f"/staff/admin/staff/{lea.id}").text
    assert 'name="can_edit_catalogue"' in page
    done = post_form(client, f"/staff/admin/staff/{lea.id}", {
        "name": lea.name, "role": lea.role, "centres": ["gap"], "can_edit_catalogue": "1"},
        follow_redirects=False)
    assert done.status_code == 303
    assert reread(db, lea).can_edit_catalogue
    assert "catalogue right granted" in db.exec(select(AuditEvent.summary)).all()[-1]
    post_form(client, f"/staff/admin/staff/{lea.id}", {
        "name": lea.name, "role": lea.role, "centres": ["gap"]}, follow_redirects=False)
    assert not reread(db, lea).can_edit_catalogue


def _token(db: Session, email: str) -> str:
    from vr_booking.services.admin.tokens import issue_api_token

    token = issue_api_token(db, email)
    db.commit()
    return token
