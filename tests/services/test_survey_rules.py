"""The exit survey's rules: who may answer and when, one answer per ticket or participant, the
checks on each answer, the jobs offered, and the survey e-mail sweep (once, after the
session, with a real SMTP server)."""

import email
import secrets
from datetime import UTC, date, datetime, time, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from sqlmodel import select

from factories import fleet_catalogue, free_port
from vr_booking.config import Settings
from vr_booking.models import (
    LONGEST_SESSION,
    Booking,
    BookingJob,
    Centre,
    Feedback,
    FeedbackJob,
    Headset,
    HeadsetUse,
    OutboxMessage,
    Participant,
    VRSession,
    WatchedVideo,
    utcnow,
)
from vr_booking.services.errors import Conflict, InvalidInput, NotFound
from vr_booking.services.mail import deliver_outbox
from vr_booking.services.reports.invitations import LOOK_BACK, invite_to_survey
from vr_booking.services.reports.survey import (
    SurveyAnswer,
    participant_respondent,
    poster_respondent,
    record_answer,
    suggested_jobs,
    ticket_respondent,
    ticket_survey_state,
)

YES = SurveyAnswer(learned=True, go_further=False, discomfort=False)


@pytest.fixture
def past(db, english, time_machine):
    """A centre, a 20-minute slot that ended 40 minutes ago, Ana checked in (with an
    e-mail), Ben a no-show, and a workshop with a participant coded W-01. The clock runs
    from 13:00 Paris time, so that "an hour ago" is today whenever the tests run."""
    time_machine.move_to(datetime.combine(date.today(), time(12), tzinfo=UTC))
    centre = Centre(slug="hub", name="Hub", kind="hub")
    db.add(centre)
    db.flush()
    start = utcnow() - timedelta(hours=1)
    slot = VRSession(centre_id=centre.id, kind="open_access", starts_at=start,
                     ends_at=start + timedelta(minutes=20))
    group = VRSession(centre_id=centre.id, kind="workshop", starts_at=start,
                      ends_at=start + timedelta(hours=2))
    db.add_all([slot, group])
    db.flush()
    ana, ben = (Booking(session_id=slot.id, token=secrets.token_urlsafe(16),
                        short_code=secrets.token_hex(4).upper(), name=name, status=status,
                        email=mail, language="en")
                for name, status, mail in (("Ana", "checked_in", "ana@example.org"),
                                           ("Ben", "no_show", "ben@example.org")))
    participant = Participant(session_id=group.id, code="W-01", checked_in_at=start)
    db.add_all([ana, ben, participant])
    db.commit()
    return {"centre": centre, "slot": slot, "group": group, "ana": ana, "ben": ben,
            "participant": participant}


def _answers(db) -> list[Feedback]:
    db.commit()
    return list(db.exec(select(Feedback)))


def test_a_checked_in_visitor_answers_once(db, past):
    respondent = ticket_respondent(db, past["ana"].token, utcnow())
    feedback = record_answer(db, respondent, SurveyAnswer(
        learned=True, go_further=True, discomfort=False, rating=8, comment="  Super  "),
        utcnow())
    db.commit()
    assert (feedback.booking_id, feedback.centre_id, feedback.rating, feedback.comment) == (
        past["ana"].id, past["centre"].id, 8, "Super")
    with pytest.raises(Conflict) as refused:
        record_answer(db, ticket_respondent(db, past["ana"].token, utcnow()), YES, utcnow())
    assert refused.value.code == "already_answered"
    assert len(_answers(db)) == 1


def test_only_tickets_checked_in_once_the_session_began(db, past):
    with pytest.raises(Conflict) as no_show:
        ticket_respondent(db, past["ben"].token, utcnow())
    assert no_show.value.code == "survey_not_for_this_ticket"
    with pytest.raises(Conflict) as early:
        ticket_respondent(db, past["ana"].token, past["slot"].starts_at - timedelta(minutes=1))
    assert early.value.code == "survey_not_open"
    with pytest.raises(NotFound):
        ticket_respondent(db, "no-such-token", utcnow())


def test_the_ticket_page_offers_the_survey_then_thanks(db, past):
    ana, slot = past["ana"], past["slot"]
    assert ticket_survey_state(db, ana, slot, slot.starts_at - timedelta(minutes=1)) is None
    assert ticket_survey_state(db, past["ben"], slot, utcnow()) is None
    assert ticket_survey_state(db, ana, slot, utcnow()) == "open"
    record_answer(db, ticket_respondent(db, ana.token, utcnow()), YES, utcnow())
    assert ticket_survey_state(db, ana, slot, utcnow()) == "answered"


def test_a_participant_answers_with_their_code_once(db, past):
    respondent = participant_respondent(db, " w-01 ", utcnow())
    assert respondent.participant.id == past["participant"].id
    record_answer(db, respondent, YES, utcnow())
    db.commit()
    with pytest.raises(Conflict):
        record_answer(db, participant_respondent(db, "W-01", utcnow()), YES, utcnow())
    with pytest.raises(NotFound):
        participant_respondent(db, "W-02", utcnow())
    with pytest.raises(Conflict) as early:
        participant_respondent(db, "W-01", past["group"].starts_at - timedelta(seconds=1))
    assert early.value.code == "survey_not_open"


def test_the_poster_takes_many_anonymous_answers(db, past):
    for _ in range(3):
        record_answer(db, poster_respondent(db, "hub"), YES, utcnow())
    answers = _answers(db)
    assert len(answers) == 3
    assert all(a.booking_id is None and a.participant_id is None for a in answers)
    past["centre"].is_active = False
    db.add(past["centre"])
    db.commit()
    with pytest.raises(NotFound):
        poster_respondent(db, "hub")


def test_each_problem_is_named_by_field(db, past):
    catalogue = fleet_catalogue(db)
    with pytest.raises(InvalidInput) as refused:
        record_answer(db, poster_respondent(db, "hub"), SurveyAnswer(
            learned=True, rating=11, job_ids=[catalogue["jobs"][0].id, 999_999],
            comment="x" * 1001), utcnow())
    assert set(refused.value.fields) == {"go_further", "discomfort", "rating", "job_ids",
                                         "comment"}
    assert "I want to go further" in refused.value.fields["go_further"]
    with pytest.raises(InvalidInput) as too_many:
        record_answer(db, poster_respondent(db, "hub"), SurveyAnswer(
            learned=True, go_further=True, discomfort=True, job_ids=list(range(1, 12))),
            utcnow())
    assert set(too_many.value.fields) == {"job_ids"}
    assert _answers(db) == []


def test_jobs_and_control_characters(db, past):
    jobs = fleet_catalogue(db)["jobs"]
    feedback = record_answer(db, poster_respondent(db, "hub"), SurveyAnswer(
        learned=False, go_further=False, discomfort=True, rating=0,
        job_ids=[jobs[0].id, jobs[0].id, jobs[1].id], comment="bien\x00\x07\nmerci"),
        utcnow())
    db.commit()
    assert (feedback.comment, feedback.rating) == ("bien\nmerci", 0)
    assert sorted(db.exec(select(FeedbackJob.job_id))) == sorted([jobs[0].id, jobs[1].id])


def test_the_jobs_offered_are_those_chosen_or_watched(db, past):
    catalogue = fleet_catalogue(db)
    welder, _baker, nurse = catalogue["jobs"]
    ana, slot = past["ana"], past["slot"]
    headset = Headset(asset_tag="HUB-01", home_centre_id=past["centre"].id)
    db.add(headset)
    db.flush()
    use = HeadsetUse(headset_id=headset.id, session_id=slot.id, booking_id=ana.id,
                     started_at=slot.starts_at, returned_at=slot.ends_at)
    db.add_all([use, BookingJob(booking_id=ana.id, job_id=nurse.id)])
    db.flush()
    db.add(WatchedVideo(use_id=use.id, video_id=catalogue["videos"][1].id))  # the baker's
    db.commit()
    offered = suggested_jobs(db, ticket_respondent(db, ana.token, utcnow()), utcnow())
    assert [j.title for j in offered] == ["Boulanger", "Infirmier"]
    on_poster = suggested_jobs(db, poster_respondent(db, "hub"), utcnow())
    assert [j.title for j in on_poster] == ["Boulanger"]  # watched at the centre today
    assert welder not in on_poster


# --- the survey e-mail --------------------------------------------------------------------


def _invite(db, now=None) -> int:
    queued = invite_to_survey(db, now or utcnow())
    db.commit()
    return queued


def _outbox(db) -> list[OutboxMessage]:
    db.commit()
    return list(db.exec(select(OutboxMessage)))


@pytest.fixture
def base_url(db):
    db.info["settings"] = Settings(database_url="sqlite://", secret_key="x",
                                   base_url="https://vr.example.org")


def test_the_survey_email_goes_once_after_the_session(db, past, base_url):
    ended = past["slot"].ends_at
    assert _invite(db, ended + timedelta(minutes=29)) == 0  # the default delay is 30 min
    assert _invite(db) == 1
    assert _invite(db) == 0  # a second run finds nothing left to claim
    [message] = _outbox(db)
    assert message.to_address == "ana@example.org"  # not Ben, who did not come
    assert message.subject == "How was your VR session?"
    assert f"https://vr.example.org/b/{past['ana'].token}/survey" in message.body_text


def test_no_survey_email_once_answered_or_long_after(db, past, base_url):
    record_answer(db, ticket_respondent(db, past["ana"].token, utcnow()), YES, utcnow())
    db.commit()
    assert _invite(db) == 0
    feedback = db.exec(select(Feedback)).one()
    db.delete(feedback)
    db.commit()
    assert _invite(db, past["slot"].ends_at + LOOK_BACK + timedelta(minutes=1)) == 0
    past["ana"].email = None
    db.add(past["ana"])
    db.commit()
    assert _invite(db) == 0
    assert _outbox(db) == []


def test_a_session_as_long_as_any_may_last_is_found_up_to_the_look_back(db, past, base_url):
    """The sweep bounds the start by the look-back and the longest session; a session that
    long, ending just within the look-back, must still be found (and one ending just
    before it not)."""
    slot, now = past["slot"], utcnow()
    slot.ends_at = now - LOOK_BACK + timedelta(minutes=1)
    slot.starts_at = slot.ends_at - LONGEST_SESSION
    db.add(slot)
    db.commit()
    assert _invite(db, now + timedelta(minutes=1)) == 0  # ended LOOK_BACK ago: too late
    assert _invite(db, now) == 1


class Inbox(Sink):
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def test_the_survey_email_reaches_a_real_smtp_server(db, past, engine, settings):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        db.info["settings"] = settings
        assert _invite(db) == 1
        settings.smtp_host, settings.smtp_port = "127.0.0.1", port
        assert deliver_outbox(engine, settings, utcnow()) == 1
    finally:
        controller.stop()
    [message] = inbox.messages
    assert message["To"] == "ana@example.org"
    assert f"/b/{past['ana'].token}/survey" in message.get_content()
