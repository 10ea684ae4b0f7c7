"""The anonymous exit survey: three yes/no questions, an optional 0–10 rating, the jobs that
interested the person and a comment.

Three ways in: a ticket (after the visitor was checked in and the session began), a roster
participant's code (once the session began), or a centre's poster (walk-ins and groups, no
identity at all). One answer per ticket or participant: the database's unique columns keep
the first of two racing submissions, and the second gets a clear refusal.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from vr_booking.config import settings_for
from vr_booking.i18n import _
from vr_booking.labels import N_
from vr_booking.models import (
    Booking,
    BookingJob,
    BookingStatus,
    Centre,
    Feedback,
    FeedbackJob,
    HeadsetUse,
    Job,
    Participant,
    SessionStatus,
    SessionVideo,
    VideoJob,
    VRSession,
    WatchedVideo,
)
from vr_booking.services.errors import Conflict, InvalidInput, NotFound
from vr_booking.services.open_access.booking import get_booking
from vr_booking.services.open_access.tickets import ticket_url
from vr_booking.services.timeutil import day_bounds, local_date

SURVEY_SUFFIX = "/survey"  # under the ticket's address
POSTER_PATH = "/survey/{slug}"
MAX_JOBS = 10
COMMENT_MAX_LENGTH = 1000
QUESTIONS = {"learned": N_("I learned something about the job(s) I watched"),
             "go_further": N_("I want to go further (meet a professional or an adviser)"),
             "discomfort": N_("I felt discomfort (dizziness, nausea, eye strain…)")}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class SurveyAnswer(BaseModel):
    """What a person answers; checked by :func:`check_answer` so that each problem gets a
    message next to its field."""

    learned: bool | None = None
    go_further: bool | None = None
    discomfort: bool | None = None
    rating: int | None = None
    job_ids: list[int] = Field(default_factory=list, max_length=50)
    comment: str = Field(default="", max_length=5000)


@dataclass
class Respondent:
    """Who answers: a ticket, a participant, or nobody in particular at a centre."""

    centre: Centre
    booking: Booking | None = None
    participant: Participant | None = None


def check_answer(session: Session, data: SurveyAnswer) -> dict[str, str]:
    """Field → message for every problem (empty when the answer is fine)."""
    problems = {name: _("Please answer yes or no: “{question}”.").format(question=_(text))
                for name, text in QUESTIONS.items() if getattr(data, name) is None}
    if data.rating is not None and not 0 <= data.rating <= 10:
        problems["rating"] = _("The rating goes from 0 to 10.")
    if len(data.comment.strip()) > COMMENT_MAX_LENGTH:
        problems["comment"] = _("The comment is limited to {n} characters.").format(
            n=COMMENT_MAX_LENGTH)
    job_ids = set(data.job_ids)
    if len(job_ids) > MAX_JOBS:
        problems["job_ids"] = _("Choose at most {n} jobs.").format(n=MAX_JOBS)
    elif job_ids and len(session.exec(select(Job.id).where(
            col(Job.id).in_(job_ids), col(Job.is_active))).all()) != len(job_ids):
        problems["job_ids"] = _("One of the chosen jobs is not in the catalogue.")
    return problems


def ticket_respondent(session: Session, token: str, now: datetime) -> Respondent:
    """The ticket's holder, once they came and their session began; else a refusal."""
    found = get_booking(session, token)
    if found.booking.status != BookingStatus.checked_in:
        raise Conflict("survey_not_for_this_ticket", _(
            "The survey is for visitors who came to their session: this ticket was not "
            "checked in."))
    if now < found.slot.starts_at:
        raise Conflict("survey_not_open", _("The survey opens when your session begins."))
    return Respondent(found.centre, booking=found.booking)


def participant_respondent(session: Session, code: str, now: datetime) -> Respondent:
    """The roster participant with this code, once their session began."""
    participant = session.exec(select(Participant).where(
        func.upper(Participant.code) == code.strip().upper())).first() if code.strip() else None
    if participant is None:
        raise NotFound("unknown_participant", _("No participant has this code. Check the "
                                                "code on your group's list."))
    group = session.get(VRSession, participant.session_id)
    if group.status == SessionStatus.cancelled or now < group.starts_at:
        raise Conflict("survey_not_open", _("The survey opens when your session begins."))
    return Respondent(session.get(Centre, group.centre_id), participant=participant)


def poster_respondent(session: Session, slug: str) -> Respondent:
    """Anyone answering from a centre's poster (walk-ins, groups)."""
    centre = session.exec(select(Centre).where(Centre.slug == slug,
                                               col(Centre.is_active))).first()
    if centre is None:
        raise NotFound("unknown_centre", _("There is no survey at this address."))
    return Respondent(centre)


def ticket_survey_state(session: Session, booking: Booking, slot: VRSession,
                        now: datetime) -> str | None:
    """What the ticket page offers: "open" (a link to the survey), "answered", or None."""
    if booking.status != BookingStatus.checked_in or now < slot.starts_at:
        return None
    answered = _answer_exists(session, Feedback.booking_id == booking.id)
    return "answered" if answered else "open"


def has_answered(session: Session, respondent: Respondent) -> bool:
    if respondent.booking is not None:
        return _answer_exists(session, Feedback.booking_id == respondent.booking.id)
    if respondent.participant is not None:
        return _answer_exists(session, Feedback.participant_id == respondent.participant.id)
    return False


def _answer_exists(session: Session, condition) -> bool:
    return session.exec(select(Feedback.id).where(condition)).first() is not None


def already_answered() -> Conflict:
    return Conflict("already_answered", _("This survey was already answered. Thank you!"))


def record_answer(session: Session, respondent: Respondent, data: SurveyAnswer,
                  now: datetime) -> Feedback:
    """Store one anonymous answer; refuse bad input and a second answer for a ticket or
    participant (a concurrent one included: the unique columns catch it)."""
    problems = check_answer(session, data)
    if problems:
        raise InvalidInput("invalid_survey", " ".join(dict.fromkeys(problems.values())),
                           problems)
    if has_answered(session, respondent):
        raise already_answered()
    feedback = Feedback(
        centre_id=respondent.centre.id, learned=data.learned, go_further=data.go_further,
        discomfort=data.discomfort, rating=data.rating, created_at=now,
        comment=CONTROL_CHARACTERS.sub("", data.comment.strip()),
        booking_id=respondent.booking.id if respondent.booking else None,
        participant_id=respondent.participant.id if respondent.participant else None)
    try:
        with session.begin_nested():
            session.add(feedback)
    except IntegrityError:
        raise already_answered() from None
    session.add_all(FeedbackJob(feedback_id=feedback.id, job_id=job_id)
                    for job_id in set(data.job_ids))
    session.flush()
    return feedback


def suggested_jobs(session: Session, respondent: Respondent, now: datetime) -> list[Job]:
    """Jobs to offer first: those this person chose or watched; from the poster, those
    watched at the centre today."""
    videos = select(WatchedVideo.video_id).join(
        HeadsetUse, col(HeadsetUse.id) == WatchedVideo.use_id)
    if respondent.booking is not None:
        videos = videos.where(HeadsetUse.booking_id == respondent.booking.id)
        chosen = select(BookingJob.job_id).where(BookingJob.booking_id == respondent.booking.id)
    elif respondent.participant is not None:
        videos = select(SessionVideo.video_id).where(
            SessionVideo.session_id == respondent.participant.session_id)
        chosen = None
    else:
        start, end = day_bounds(local_date(now, respondent.centre.timezone),
                                respondent.centre.timezone)
        videos = videos.join(VRSession, col(VRSession.id) == HeadsetUse.session_id).where(
            VRSession.centre_id == respondent.centre.id, HeadsetUse.started_at >= start,
            HeadsetUse.started_at < end)
        chosen = None
    shown = select(VideoJob.job_id).where(col(VideoJob.video_id).in_(videos))
    condition = col(Job.id).in_(shown)
    if chosen is not None:
        condition = condition | col(Job.id).in_(chosen)
    return list(session.exec(select(Job).where(condition, col(Job.is_active))
                             .order_by(Job.title)).all())


def ticket_survey_url(session: Session, booking: Booking) -> str:
    """The survey address of a ticket (on the ticket page and in the survey e-mail)."""
    return ticket_url(session, booking) + SURVEY_SUFFIX


def poster_url(session: Session, centre: Centre) -> str:
    """The address a centre's survey poster holds in its QR code."""
    return settings_for(session).base_url + POSTER_PATH.format(slug=centre.slug)
