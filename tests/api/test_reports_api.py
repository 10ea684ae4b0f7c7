"""The feedback and reports API: ``POST /api/v1/feedback`` and ``GET /api/v1/reports/…``,
with the public field names, codes and statuses, on ``factories.report_data``."""

import csv
import io

import pytest

from factories import REPORT_NOW, report_data
from vr_booking.models import Booking, Participant

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
ANSWER = {"learned": True, "go_further": False, "discomfort": False, "rating": 9,
          "job_ids": [], "comment": "Bien"}


@pytest.fixture
def data(db, make_staff, make_token, time_machine):
    time_machine.move_to(REPORT_NOW, tick=False)
    found = report_data(db)
    make_staff("camille@example.org", role="manager", centres=("marseille",))
    found.auth = {"Authorization": f"Bearer {make_token('camille@example.org')}"}
    return found


def _activity(client, data, **params):
    return client.get("/api/v1/reports/activity", params={**MARCH, **params},
                      headers=data.auth)


def test_feedback_from_a_ticket_once(client, db, data):
    # A second checked-in ticket in Ana's slot (4 March, begun).
    ticket = Booking(session_id=data.ana.session_id, token="tok-api-1", short_code="APIAPI01",
                     name="Gil", status="checked_in")
    db.add(ticket)
    db.commit()
    body = {**ANSWER, "token": "tok-api-1", "job_ids": [data.jobs["soudeur"].id]}
    created = client.post("/api/v1/feedback", json=body)
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("centre", "learned", "rating", "job_ids")} == {
        "centre": "marseille", "learned": True, "rating": 9,
        "job_ids": [data.jobs["soudeur"].id]}
    again = client.post("/api/v1/feedback", json=body)
    assert (again.status_code, again.json()["code"]) == (409, "already_answered")


def test_feedback_refusals(client, data):
    post = client.post
    assert post("/api/v1/feedback", json=ANSWER).status_code == 422  # no token nor code
    assert post("/api/v1/feedback", json={**ANSWER, "token": "x", "participant_code": "y"}
                ).status_code == 422
    assert post("/api/v1/feedback", json={**ANSWER, "token": "x", "rating": 11}
                ).status_code == 422
    unknown = post("/api/v1/feedback", json={**ANSWER, "token": "no-such-ticket"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_booking")
    nobody = post("/api/v1/feedback", json={**ANSWER, "participant_code": "NOPE"})
    assert (nobody.status_code, nobody.json()["code"]) == (404, "unknown_participant")
    done = post("/api/v1/feedback", json={**ANSWER, "token": data.ana.token})
    assert (done.status_code, done.json()["code"]) == (409, "already_answered")
    bad_job = post("/api/v1/feedback", json={**ANSWER, "participant_code": "W1-ANA",
                                             "job_ids": [999_999]})
    assert (bad_job.status_code, bad_job.json()["code"]) == (422, "invalid_survey")
    assert "job_ids" in bad_job.json()["fields"]


def test_feedback_from_a_participant_code(client, db, data):
    other = Participant(session_id=data.participant.session_id, code="W1-NEW",
                        checked_in_at=REPORT_NOW)
    db.add(other)
    db.commit()
    created = client.post("/api/v1/feedback", json={**ANSWER, "participant_code": "w1-new"})
    assert created.status_code == 201
    assert client.post("/api/v1/feedback", json={**ANSWER, "participant_code": "W1-NEW"}
                       ).json()["code"] == "already_answered"


def test_activity_has_the_named_figures(client, data):
    report = _activity(client, data, centre="marseille").json()
    assert (report["centre"], report["from"], report["to"]) == (
        "marseille", "2026-03-01", "2026-03-31")
    assert report["people"] == {"booked": 6, "checked_in": 3, "no_show": 2, "walk_ins": 3,
                                "group_participants": 11, "served": 17, "no_show_pct": 40.0}
    assert report["survey"] == {"answers": 5, "learned_pct": 80.0, "go_further_pct": 40.0,
                                "discomfort_pct": 20.0, "average_rating": 8.0, "ratings": 3}
    assert report["sessions"]["open_access"] == 3
    assert report["sessions"]["total"] == 5
    assert report["utilisation"] == {"hours_used": 1.3, "hours_available": 4.7, "pct": 27.9}
    assert report["incidents"]["total"] == 2
    assert report["watched"]["by_domain"][0] == {"name": "H", "views": 3,
                                                 "group_screenings": 2}
    assert [h["asset_tag"] for h in report["headsets"]] == ["MRS-VR-01", "MRS-VR-02"]
    assert [c["centre"] for c in report["centres"]] == ["marseille"]


def test_activity_network_wide_is_every_centre_managed(client, data):
    report = _activity(client, data).json()
    assert report["centre"] is None
    assert sorted(c["centre"] for c in report["centres"]) == ["gap", "marseille"]
    assert report["people"]["booked"] == 7
    empty = _activity(client, data, **{"from": "2025-01-01", "to": "2025-01-31"}).json()
    assert empty["people"]["served"] == 0
    assert empty["survey"]["learned_pct"] is None


def test_activity_refusals(client, data, make_staff, make_token):
    assert client.get("/api/v1/reports/activity").status_code == 401
    make_staff("sami@example.org", centres=("marseille",))
    facilitator = {"Authorization": f"Bearer {make_token('sami@example.org')}"}
    refused = client.get("/api/v1/reports/activity", headers=facilitator)
    assert (refused.status_code, refused.json()["code"]) == (403, "managers_only")
    assert _activity(client, data, centre="noumea").status_code == 403
    assert _activity(client, data, centre="nowhere").json()["code"] == "unknown_centre"
    backwards = _activity(client, data, **{"from": "2026-03-31", "to": "2026-03-01"})
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_period")
    assert _activity(client, data, **{"from": "2026-13-01"}).status_code == 422


def test_activity_csv_parses_back(client, data):
    response = client.get("/api/v1/reports/activity.csv", params=MARCH, headers=data.auth)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    figures = {(r["centre"], r["figure"]): r["value"] for r in rows}
    assert figures["all", "people.booked"] == "7"
    assert figures["marseille", "people.walk_ins"] == "3"
    assert figures["marseille", "utilisation.pct"] == "27.9"
    assert figures["gap", "people.no_show_pct"] == "0.0"
    assert figures["gap", "survey.learned_pct"] == ""  # no answer: no rate


def test_esf_exact_in_json_and_hidden_small_counts_in_csv(client, data):
    report = client.get("/api/v1/reports/esf", params={**MARCH, "centre": "marseille"},
                        headers=data.auth).json()
    assert report["participants"] == 5
    assert report["age_boundaries"] == [25, 55]
    ages = {a["answer"]: a for a in report["questions"]["age"]}
    assert ages["25-54"] == {"answer": "25-54", "total": 2,
                             "by_gender": {"female": 1, "": 1}}
    text = client.get("/api/v1/reports/esf.csv", params={**MARCH, "centre": "marseille"},
                      headers=data.auth).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["total"] for r in rows} == {"<5", "5"}  # "Answered" to the age question: 5


def test_the_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/feedback"]["post"]["responses"]) >= {"201", "404", "409", "422"}
    activity = paths["/api/v1/reports/activity"]["get"]
    assert {p["name"] for p in activity["parameters"]} == {"centre", "from", "to"}
    assert "text/csv" in paths["/api/v1/reports/activity.csv"]["get"]["responses"]["200"][
        "content"]
    assert "/api/v1/reports/esf" in paths
