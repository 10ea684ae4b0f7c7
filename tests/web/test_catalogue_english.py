"""The catalogue in English (issue 9 items 7 and 8): English titles where entries have them,
French text marked lang="fr" where they do not, English texts in the manager forms and the
CSV file, and job and video pages that lead to the next sessions where a headset holds the
video."""

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from factories import csrf_from, login
from vr_booking.models import InstalledVideo, Job, Sector, SessionKind, Video, VRSession, utcnow
from vr_booking.services.catalogue.csv_columns import COLUMNS, OPTIONAL_COLUMNS
from vr_booking.services.catalogue.csv_export import export_catalogue
from vr_booking.services.catalogue.csv_import import import_catalogue

EN = {"lang": "en"}


def test_english_pages_show_english_titles_and_mark_french_text(client: TestClient, demo):
    demo.exec(select(Job).where(Job.slug == "soudeur")).one().title_en = None
    demo.commit()
    page = client.get("/catalogue", params={"q": "soud", **EN}).text
    assert re.search(r'href="[^"]*/catalogue/jobs/soudeur" lang="fr">Soudeur / Soudeuse</a>', page)
    assert '>Industry and maintenance</span>' in page
    booking = client.get(f"/book/{_a_slot(demo)}", params=EN).text
    assert 'lang="fr" >Soudeur / Soudeuse</option>' in booking
    assert '<optgroup label="Industry and maintenance">' in booking
    french = client.get("/catalogue/jobs/chaudronnier", params={"lang": "fr"}).text
    assert "<h1>Chaudronnier / Chaudronnière</h1>" in french
    assert 'lang="fr"' not in french.split("<main", 1)[1]  # nothing to mark on French pages


def test_job_and_video_pages_offer_the_next_sessions_holding_the_video(client: TestClient,
                                                                      demo):
    job = client.get("/catalogue/jobs/soudeur", params=EN).text
    section = job.split('id="next-sessions"', 1)[1]
    assert "Cité des métiers de Marseille" in section
    assert re.search(r'href="http://testserver/book/\d+"', section)
    video = client.get("/catalogue/videos/atelier-chaudronnerie", params=EN).text
    assert re.search(r'href="http://testserver/book/\d+"', video.split('id="next-sessions"')[1])


def test_without_a_headset_holding_it_the_page_says_so(client: TestClient, demo):
    for row in demo.exec(select(InstalledVideo)):
        demo.delete(row)
    demo.commit()
    page = client.get("/catalogue/jobs/soudeur", params=EN).text
    assert "No upcoming open-access session has a headset holding a video of this job" in page
    assert "/book/" not in page.split('id="next-sessions"', 1)[1]


def test_the_csv_carries_the_english_texts_both_ways(db: Session, demo):
    exported = export_catalogue(demo)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(rows[0]) == list(COLUMNS)
    welder = next(r for r in rows if r["job_slug"] == "soudeur")
    assert (welder["job_title_en"], welder["sector_name_en"]) == ("Welder",
                                                                  "Industry and maintenance")
    edited = exported.replace(",Welder,", ",Welder (steel),")
    assert import_catalogue(demo, edited).ok
    demo.commit()
    assert demo.exec(select(Job.title_en).where(Job.slug == "soudeur")).one() == "Welder (steel)"


def test_an_older_file_without_english_columns_keeps_the_english_texts(db: Session, demo):
    rows = list(csv.DictReader(io.StringIO(export_catalogue(demo))))
    old = io.StringIO()
    writer = csv.DictWriter(old, [c for c in COLUMNS if c not in OPTIONAL_COLUMNS],
                            extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    report = import_catalogue(demo, old.getvalue())
    assert (report.ok, report.changes) == (True, [])
    demo.commit()
    assert demo.exec(select(Sector.name_en).where(Sector.slug == "energie")).one() == "Energy"
    assert demo.exec(select(Video.title_en).where(Video.slug == "parc-eolien")).one()


def test_managers_edit_the_english_title(client: TestClient, demo, make_staff):
    make_staff("mia@example.org", role="admin")
    login(client, "mia@example.org")
    form = client.get("/staff/catalogue/jobs/soudeur/edit", params=EN).text
    assert re.search(r'id="title_en" name="title_en" type="text" value="Welder"', form)
    data = {"csrftoken": csrf_from(client, "/staff/catalogue"), "title": "Soudeur / Soudeuse",
            "title_en": "Welder and brazier", "rome_code": "H2913",
            "sector": "industrie-maintenance", "keywords": "", "description": "",
            "description_en": "Joins metal parts."}
    saved = client.post("/staff/catalogue/jobs/soudeur/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get("/catalogue/jobs/soudeur", params=EN).text
    assert "<h1>Welder and brazier</h1>" in page
    assert '<div class="description"><p>Joins metal parts.</p></div>' in page
    assert "welder" in client.get("/catalogue", params={"q": "brazier", **EN}).text.lower()


def _a_slot(db: Session) -> int:
    return db.exec(select(VRSession.id).where(VRSession.kind == SessionKind.open_access,
                                              VRSession.starts_at > utcnow())).first()
