"""Centre pages: administrators create and edit any centre, a centre's managers edit its
details and visitor notes, facilitators nothing; deactivation is refused with the list of
what the centre still holds; the visitor notes show on the public pages."""

from datetime import timedelta

from sqlmodel import Session, select

from factories import (
    ADMIN,
    GAP_MANAGER,
    HUB_FACILITATOR,
    HUB_MANAGER,
    confirmed_bookings,
    login,
    open_access_slot,
    post_form,
    reread,
    workshop,
)
from vr_booking.models import AuditEvent, Centre, Headset, OpenAccessRule, VRSession

NEW = {"slug": "briancon", "name": "Centre associé de Briançon", "kind": "associated",
       "hub": "marseille", "timezone": "", "city": "Briançon"}


def _actions(db: Session) -> list[str]:
    db.commit()
    return list(db.exec(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_admin_adds_an_associated_centre(client, db, network):
    login(client, ADMIN)
    assert client.get("/staff/admin/centres/new").status_code == 200
    done = post_form(client, "/staff/admin/centres/new", NEW, follow_redirects=False)
    assert done.status_code == 303
    centre = db.exec(select(Centre).where(Centre.slug == "briancon")).one()
    assert (centre.hub_id, centre.timezone) == (network.marseille.id, network.marseille.timezone)
    assert _actions(db) == ["centre.created"]


def test_a_hub_in_another_time_zone(client, db, network):
    login(client, ADMIN)
    post_form(client, "/staff/admin/centres/new", {
        "slug": "cayenne", "name": "Cité des métiers de Guyane", "kind": "hub",
        "timezone": "America/Cayenne"})
    assert db.exec(select(Centre.timezone).where(Centre.slug == "cayenne")).one() == \
        "America/Cayenne"


def test_bad_centres_are_refused_field_by_field(client, db, network):
    login(client, ADMIN)
    refused = post_form(client, "/staff/admin/centres/new", {
        **NEW, "slug": "Not a slug!", "timezone": "Mars/Olympus", "hub": "lyon-nope",
        "contact_email": "nope"})
    assert refused.status_code == 422
    for field in ("slug", "timezone", "hub", "contact_email"):
        assert f'id="{field}-error"' in refused.text
    taken = post_form(client, "/staff/admin/centres/new", {**NEW, "slug": "gap"})
    assert 'id="slug-error"' in taken.text
    assert _actions(db) == []


def test_managers_edit_their_centres_details_only(client, db, network):
    login(client, HUB_MANAGER)
    assert client.get("/staff/admin/centres/new").status_code == 403
    assert post_form(client, "/staff/admin/centres/new", NEW).status_code == 403
    page = client.get("/staff/admin/centres/gap")
    assert page.status_code == 200
    assert 'name="timezone"' not in page.text
    done = post_form(client, "/staff/admin/centres/gap", {
        "name": "Centre associé de Gap", "visitor_notes": "Entrée par la cour, 1er étage."},
        follow_redirects=False)
    assert done.status_code == 303
    assert reread(db, network.gap).visitor_notes == "Entrée par la cour, 1er étage."
    sneaky = post_form(client, "/staff/admin/centres/gap", {"timezone": "Asia/Tokyo"})
    assert sneaky.status_code == 403
    assert client.get("/staff/admin/centres/lyon").status_code == 403
    assert post_form(client, "/staff/admin/centres/gap/deactivate").status_code == 403
    assert _actions(db) == ["centre.updated"]


def test_an_associated_centre_manager_edits_only_their_centre(client, network):
    login(client, GAP_MANAGER)
    assert client.get("/staff/admin/centres/gap").status_code == 200
    assert client.get("/staff/admin/centres/marseille").status_code == 403
    assert post_form(client, "/staff/admin/centres/marseille", {"name": "X"}).status_code == 403


def test_facilitators_see_no_centre_administration(client, network):
    login(client, HUB_FACILITATOR)
    assert client.get("/staff/admin/centres").status_code == 403
    assert client.get("/staff/admin/centres/marseille").status_code == 403


def test_deactivation_is_refused_with_the_list_then_done(client, db, network):
    headset = Headset(asset_tag="MRS-VR-01", home_centre_id=network.marseille.id)
    db.add(headset)
    db.commit()
    session = workshop(db, network.marseille, headset, timedelta(days=3), title="Atelier BTP")
    login(client, ADMIN)
    refused = post_form(client, "/staff/admin/centres/marseille/deactivate")
    assert refused.status_code == 409
    assert "Atelier BTP" in refused.text
    assert "Gap" in refused.text  # the hub still leads an active associated centre
    assert reread(db, network.marseille).is_active
    assert _actions(db) == []
    session.status = "cancelled"
    db.add(session)
    db.commit()
    assert post_form(client, "/staff/admin/centres/gap/deactivate",
                     follow_redirects=False).status_code == 303
    assert post_form(client, "/staff/admin/centres/marseille/deactivate",
                     follow_redirects=False).status_code == 303
    assert not reread(db, network.marseille).is_active
    assert _actions(db) == ["centre.deactivated", "centre.deactivated"]
    assert post_form(client, "/staff/admin/centres/gap/reactivate").status_code == 409  # hub off


def test_a_future_booking_blocks_deactivation_and_its_rules_switch_off(client, db, network):
    booking = confirmed_bookings(db, open_access_slot(db, network.marseille), 1)[0]
    login(client, ADMIN)
    post_form(client, "/staff/admin/centres/gap/deactivate")
    refused = post_form(client, "/staff/admin/centres/marseille/deactivate")
    assert refused.status_code == 409
    assert "Open access" in refused.text or "Accès libre" in refused.text
    db.delete(reread(db, booking))
    db.commit()
    assert post_form(client, "/staff/admin/centres/marseille/deactivate",
                     follow_redirects=False).status_code == 303
    db.commit()
    assert not any(db.exec(select(OpenAccessRule.is_active)))
    assert {s.status for s in db.exec(select(VRSession))} == {"cancelled"}
    assert "marseille" not in [c["slug"] for c in client.get("/api/v1/centres").json()["items"]]


def test_visitor_notes_show_on_the_public_pages(client, db, make_open_access):
    hub = make_open_access("hub")
    hub.centre.visitor_notes = "Sonnez à l'interphone « VR »."
    db.add(hub.centre)
    db.commit()
    assert "Sonnez à l&#39;interphone" in client.get("/").text
    assert "Sonnez à l&#39;interphone" in client.get(f"/book/{hub.slots[0].id}").text
