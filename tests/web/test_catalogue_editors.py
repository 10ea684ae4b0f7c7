"""The network-wide catalogue is edited by admins and by staff given the right explicitly; a
centre's manager still chooses what is installed on its own headsets (issue 9, item 18)."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import fleet_catalogue, login, post_form
from vr_booking.models import InstalledVideo, Sector

SECTOR = {"slug": "industrie", "name": "Industrie", "provider": ""}
CSV_HEADER = ("sector_slug,sector_name,job_slug,job_title,rome_code,job_keywords,"
              "job_description,video_slug,video_title,video_description,duration_seconds,"
              "languages,min_age,seated,licence,provider\n")


def test_a_centre_manager_may_not_change_the_catalogue(client: TestClient, db: Session,
                                                       make_open_access, make_staff):
    make_open_access()
    fleet_catalogue(db)
    make_staff("mia@example.org", role="manager", centres=("hub",))
    login(client, "mia@example.org")
    assert "/staff/catalogue" not in client.get("/staff").text
    assert client.get("/staff/catalogue").status_code == 403
    assert client.get("/staff/catalogue/export.csv").status_code == 403
    assert client.get("/staff/catalogue/import").status_code == 403
    assert post_form(client, "/staff/catalogue/sectors/new",
                     {**SECTOR, "slug": "autre"}).status_code == 403
    assert post_form(client, "/staff/catalogue/jobs/soudeur/retire").status_code == 403
    upload = client.post("/staff/catalogue/import",
                         data={"csrftoken": client.cookies["csrftoken"]},
                         files={"file": ("c.csv", CSV_HEADER.encode(), "text/csv")})
    assert upload.status_code == 403
    assert db.exec(select(Sector.slug)).all() == ["industrie"]


def test_the_manager_still_manages_what_its_headsets_hold(client: TestClient, db: Session,
                                                          make_open_access, make_staff):
    hub = make_open_access(headsets=2)
    videos = fleet_catalogue(db)["videos"]
    make_staff("mia@example.org", role="manager", centres=("hub",))
    login(client, "mia@example.org")
    chosen = [str(v.id) for v in videos[:2]]
    assert post_form(client, "/staff/centres/hub/videos", {"video": chosen},
                     follow_redirects=False).status_code == 303
    tag = hub.headsets[0].asset_tag
    assert post_form(client, f"/staff/headsets/{tag}/videos", {"video": chosen[:1]},
                     follow_redirects=False).status_code == 303
    db.commit()
    assert len(db.exec(select(InstalledVideo)).all()) == 3  # 2 on one headset, 1 on the other


def test_staff_given_the_right_and_admins_edit_it(client: TestClient, db: Session,
                                                   make_centre, make_staff):
    make_centre("hub")
    make_staff("ed@example.org", role="facilitator", centres=("hub",), can_edit_catalogue=True)
    make_staff("root@example.org", role="admin")
    for email, slug in (("ed@example.org", "industrie"), ("root@example.org", "sante")):
        login(client, email)
        assert "/staff/catalogue" in client.get("/staff").text
        answer = post_form(client, "/staff/catalogue/sectors/new", {**SECTOR, "slug": slug},
                           follow_redirects=False)
        assert answer.status_code == 303, email
        post_form(client, "/staff/logout")
    assert sorted(db.exec(select(Sector.slug)).all()) == ["industrie", "sante"]


def test_admins_see_who_holds_the_right(client: TestClient, make_centre, make_staff):
    make_centre("hub")
    make_staff("ed@example.org", role="manager", centres=("hub",), can_edit_catalogue=True)
    make_staff("mia@example.org", role="manager", centres=("hub",))
    make_staff("root@example.org", role="admin")
    login(client, "root@example.org")
    page = client.get("/staff/centres/hub?lang=en").text
    assert page.count("edits the catalogue") == 1
    post_form(client, "/staff/logout")
    login(client, "mia@example.org")
    assert "edits the catalogue" not in client.get("/staff/centres/hub?lang=en").text
