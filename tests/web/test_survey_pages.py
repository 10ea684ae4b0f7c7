"""The exit survey through HTTP: from the ticket page after the session, from a centre's
poster (rate-limited, with an optional participant code), and its QR code."""

import secrets
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from factories import csrf_from, decode_qr, needs_zbarimg
from vr_booking.config import Settings
from vr_booking.models import Booking, Centre, Feedback, Participant, VRSession, utcnow
from vr_booking.web.app import create_app

ANSWERS = {"learned": "yes", "go_further": "no", "discomfort": "no", "rating": "7",
           "comment": "Très bien"}


@pytest.fixture
def visit(db):
    """Marseille; Ana checked in to a slot that began 30 minutes ago, Ben booked for
    tomorrow, and a workshop participant coded W-01."""
    centre = Centre(slug="marseille", name="Marseille", kind="hub")
    db.add(centre)
    db.flush()
    start = utcnow() - timedelta(minutes=30)
    slot, later, group = (
        VRSession(centre_id=centre.id, kind=kind, starts_at=at, ends_at=at + timedelta(hours=1))
        for kind, at in (("open_access", start), ("open_access", start + timedelta(days=1)),
                         ("workshop", start)))
    db.add_all([slot, later, group])
    db.flush()
    ana = Booking(session_id=slot.id, token=secrets.token_urlsafe(16), short_code="ANA00001",
                  name="Ana", status="checked_in")
    ben = Booking(session_id=later.id, token=secrets.token_urlsafe(16), short_code="BEN00001",
                  name="Ben", status="confirmed")
    participant = Participant(session_id=group.id, code="W-01", checked_in_at=start)
    db.add_all([ana, ben, participant])
    db.commit()
    return {"ana": ana, "ben": ben, "participant": participant, "centre": centre}


def _post(client: TestClient, url: str, data: dict, **kwargs):
    token = csrf_from(client, url)
    return client.post(url, data={"csrftoken": token, **data}, follow_redirects=False,
                       **kwargs)


def _answers(db) -> list[Feedback]:
    db.commit()
    return list(db.exec(select(Feedback)))


def test_the_ticket_page_links_to_the_survey_once_the_session_began(client, visit):
    ana, ben = visit["ana"], visit["ben"]
    assert f'/b/{ana.token}/survey"' in client.get(f"/b/{ana.token}?lang=en").text
    assert "/survey" not in client.get(f"/b/{ben.token}?lang=en").text


def test_a_visitor_answers_from_the_ticket_once(client, db, visit):
    url = f"/b/{visit['ana'].token}/survey?lang=en"
    form = client.get(url)
    assert form.status_code == 200
    assert "I learned something about the job(s) I watched" in form.text
    done = _post(client, url, {**ANSWERS, "job_ids": ["", ""]})
    assert done.status_code == 303
    assert "done=1" in done.headers["location"]
    assert "Your answers are recorded" in client.get(done.headers["location"] + "&lang=en").text
    [answer] = _answers(db)
    assert (answer.booking_id, answer.learned, answer.go_further, answer.rating,
            answer.comment) == (visit["ana"].id, True, False, 7, "Très bien")
    again = _post(client, url, ANSWERS)
    assert again.status_code == 409
    assert "already answered" in again.text
    assert "already answered" in client.get(url).text
    assert len(_answers(db)) == 1
    assert "Thank you for answering the survey" in client.get(
        f"/b/{visit['ana'].token}?lang=en").text


def test_missing_answers_are_named_next_to_their_questions(client, db, visit):
    url = f"/b/{visit['ana'].token}/survey?lang=en"
    refused = _post(client, url, {"learned": "yes", "rating": "11", "comment": "ok"})
    assert refused.status_code == 422
    assert 'id="go_further-error"' in refused.text
    assert 'href="#discomfort"' in refused.text
    assert ">ok</textarea>" in refused.text  # what was typed stays
    assert _answers(db) == []


def test_odd_job_ids_and_ratings_are_ignored_not_a_server_error(client, db, visit):
    url = f"/b/{visit['ana'].token}/survey?lang=en"
    sent = _post(client, url, {**ANSWERS, "rating": "²", "job_ids": ["²", "-1", "abc"]})
    assert sent.status_code == 303
    [answer] = _answers(db)
    assert answer.rating is None


def test_a_ticket_that_did_not_come_gets_an_explanation(client, db, visit):
    url = f"/b/{visit['ben'].token}/survey?lang=en"
    page = client.get(url)
    assert page.status_code == 200
    assert "this ticket was not checked in" in page.text
    assert _post(client, url, ANSWERS).status_code == 409
    assert client.get("/b/unknown-token/survey?lang=en").status_code == 404
    assert _answers(db) == []


def test_the_poster_takes_anonymous_answers_and_participant_codes(client, db, visit):
    url = "/survey/marseille?lang=en"
    assert "The code next to your name" in client.get(url).text
    assert _post(client, url, ANSWERS).status_code == 303
    assert _post(client, url, {**ANSWERS, "participant_code": "w-01"}).status_code == 303
    unknown = _post(client, url, {**ANSWERS, "participant_code": "W-99"})
    assert unknown.status_code == 422
    assert 'id="participant_code-error"' in unknown.text
    twice = _post(client, url, {**ANSWERS, "participant_code": "W-01"})
    assert twice.status_code == 409
    answers = _answers(db)
    assert [a.participant_id for a in answers] == [None, visit["participant"].id]
    assert all(a.centre_id == visit["centre"].id for a in answers)
    assert client.get("/survey/nowhere").status_code == 404


def test_the_poster_path_is_rate_limited(db, visit, settings, engine):
    limited = Settings(**{**settings.model_dump(), "survey_poster_rate_limit_per_minute": 2})
    with TestClient(create_app(limited, engine)) as client:
        codes = [_post(client, "/survey/marseille?lang=en", ANSWERS).status_code
                 for _ in range(3)]
    assert codes == [303, 303, 429]
    assert len(_answers(db)) == 2


@needs_zbarimg
def test_the_poster_qr_code_leads_to_the_survey(client, visit, tmp_path):
    image = tmp_path / "poster.png"
    image.write_bytes(client.get("/survey/marseille/qr.png").content)
    assert decode_qr(image) == "http://testserver/survey/marseille"
    assert client.get("/survey/marseille/qr.svg").headers["content-type"].startswith(
        "image/svg+xml")
