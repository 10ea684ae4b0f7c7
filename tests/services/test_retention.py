"""Personal data that expires: visitors' and participants' names and e-mail addresses are
erased a set time after their session (longer for ESF-reported sessions), and a visitor can
erase their own at any time. Afterwards no text column of any table holds them, and the
anonymous counts are what they were."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from factories import Transactions, text_columns_containing
from vr_booking import jobs
from vr_booking.jobs import erase_expired_data, remind_visitors
from vr_booking.models import (
    AuditEvent,
    Booking,
    BookingJob,
    Job,
    Participant,
    Sector,
    SessionKind,
    VRSession,
    utcnow,
)
from vr_booking.services.notify.privacy import booking_data, erase_booking
from vr_booking.services.notify.retention import (
    erase_expired_bookings,
    erase_expired_rest,
    expired_booking_ids,
    expired_participant_ids,
)
from vr_booking.services.open_access.booking import BookingInput, browser_key_hash, create_booking

SESSION_DAY = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # bookings made on Monday 12 Jan 2026
NAME, EMAIL, BROWSER = "Zéphyrine Quasimodo", "zephyrine.q@example.org", "browser-of-zephyrine"
OTHER = ("Octave Lambda", "octave.l@example.org")
PARTICIPANT, ESF_PARTICIPANT = "Ulysse Participant", "Esther Fondsocial"
NEEDLES = [NAME, EMAIL, browser_key_hash(BROWSER)]


def counts(db: Session) -> dict:
    """The anonymous counts: bookings by session and status, jobs chosen, participants by
    session and category."""
    db.commit()
    return {
        "bookings": sorted(db.exec(select(Booking.session_id, Booking.status, func.count())
                                   .group_by(Booking.session_id, Booking.status)).all()),
        "jobs": sorted(db.exec(select(BookingJob.job_id, func.count())
                               .group_by(BookingJob.job_id)).all()),
        "participants": sorted(db.exec(select(Participant.session_id, Participant.age_band,
                                              Participant.gender, func.count())
                                       .group_by(Participant.session_id, Participant.age_band,
                                                 Participant.gender)).all()),
    }


def group(db: Session, centre_id: int, starts_at: datetime, name: str, esf: bool) -> None:
    vr_session = VRSession(centre_id=centre_id, kind=SessionKind.workshop, title="Atelier",
                           starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                           esf_reported=esf)
    db.add(vr_session)
    db.flush()
    db.add(Participant(session_id=vr_session.id, display_name=name, code=name[:3].upper(),
                       age_band="18-24", gender="female", labour_status="job_seeker"))
    db.commit()


@pytest.fixture
def history(db, settings, engine, make_open_access, time_machine):
    """January 2026: Zéphyrine and Octave book a Wednesday slot (with e-mail, a job, a
    reminder sent), a workshop and an ESF-reported workshop each have a participant."""
    time_machine.move_to(SESSION_DAY, tick=False)
    db.info["settings"] = settings
    hub = make_open_access(headsets=3)
    slot = hub.slots[0]
    sector = Sector(slug="industrie", name="Industrie")
    db.add(sector)
    db.flush()
    job = Job(slug="soudeur", title="Soudeur", rome_code="H2913", sector_id=sector.id)
    db.add(job)
    db.commit()
    tokens = []
    for (name, email), key in (((NAME, EMAIL), BROWSER), (OTHER, "other-browser")):
        tokens.append(create_booking(db, BookingInput(
            slot_id=slot.id, name=name, email=email, age_confirmed=True, health_ack=True,
            job_ids=[job.id], language="en"), utcnow(), key).booking.token)
        db.commit()
    time_machine.move_to(slot.starts_at - timedelta(hours=20), tick=False)
    assert remind_visitors(engine, settings) == 2
    group(db, hub.centre.id, slot.starts_at + timedelta(hours=3), PARTICIPANT, esf=False)
    group(db, hub.centre.id, slot.starts_at + timedelta(hours=3), ESF_PARTICIPANT, esf=True)
    assert set(text_columns_containing(db, NEEDLES)) == {
        "booking.name", "booking.email", "booking.browser_key", "outbox_message.to_address",
        "outbox_message.body_text"}
    return slot, tokens


def test_personal_data_is_erased_twelve_months_after_the_session(db, engine, settings,
                                                                 history, time_machine):
    slot, _tokens = history
    before = counts(db)
    time_machine.move_to(slot.ends_at + timedelta(days=364), tick=False)  # not a year yet
    assert erase_expired_data(engine, settings) == 0
    assert text_columns_containing(db, NEEDLES) != []
    time_machine.move_to(slot.ends_at + timedelta(days=366), tick=False)
    assert erase_expired_data(engine, settings) > 0
    assert erase_expired_data(engine, settings) == 0  # run twice: nothing more to erase
    assert text_columns_containing(db, [*NEEDLES, *OTHER, PARTICIPANT]) == []
    assert counts(db) == before  # anonymous counts unchanged
    erased = db.exec(select(Booking)).all()
    assert {(b.name, b.email, b.browser_key) for b in erased} == {("", None, None)}
    assert all(b.erased_at is not None for b in erased)
    # The ESF-reported session keeps its participant for as long as the funding requires.
    assert text_columns_containing(db, [ESF_PARTICIPANT]) == ["participant.display_name"]


def test_a_backlog_is_erased_a_batch_a_transaction(db, engine, settings, history,
                                                   time_machine, monkeypatch):
    slot, _tokens = history
    monkeypatch.setattr(jobs, "RETENTION_BATCH", 1)  # two bookings: two batches, then none
    time_machine.move_to(slot.ends_at + timedelta(days=366), tick=False)
    with Transactions(engine) as watched:
        assert erase_expired_data(engine, settings) == 3  # two bookings, one participant
    writes = [words for _reads, words in watched.recorded if "UPDATE" in words]
    assert len(writes) == 3  # a booking each, then the participants
    assert all("SELECT" not in t for t in writes)  # what to erase was read before, apart
    assert text_columns_containing(db, [*NEEDLES, *OTHER, PARTICIPANT]) == []
    assert db.exec(select(AuditEvent.summary).where(AuditEvent.action == "retention.erased")
                   .order_by(AuditEvent.id)).all() == [
        "personal data erased: 1 booking(s), 0 participant(s)",
        "personal data erased: 1 booking(s), 0 participant(s)",
        "personal data erased: 0 booking(s), 1 participant(s)"]


def test_what_was_found_expired_is_asked_again_when_erased(db, engine, settings, history,
                                                           time_machine):
    """Between the search and the erasing, the session is flagged for the European Social
    Fund (its people are kept longer): nothing of it is erased."""
    slot, _tokens = history
    time_machine.move_to(slot.ends_at + timedelta(days=366), tick=False)
    db.info["settings"] = settings
    found = expired_booking_ids(db, utcnow(), 10)
    participants = expired_participant_ids(db, utcnow())
    assert len(found) == 2
    assert len(participants) == 1
    vr_session = db.get(VRSession, slot.id)
    vr_session.esf_reported = True
    workshop = db.exec(select(VRSession).where(VRSession.id == db.get(
        Participant, participants[0]).session_id)).one()
    workshop.esf_reported = True
    db.commit()
    assert erase_expired_bookings(db, found, utcnow()) == 0
    assert erase_expired_rest(db, participants, utcnow()) == 0
    db.commit()
    assert set(text_columns_containing(db, [NAME, EMAIL, OTHER[0], PARTICIPANT])) == {
        "booking.name", "booking.email", "participant.display_name",
        "outbox_message.to_address", "outbox_message.body_text"}


def test_esf_participants_are_erased_after_the_esf_period(db, engine, settings, history,
                                                          time_machine):
    slot, _tokens = history
    settings.esf_retention_months = 36
    before = counts(db)
    time_machine.move_to(slot.ends_at + timedelta(days=365 * 3 - 2), tick=False)
    erase_expired_data(engine, settings)
    assert text_columns_containing(db, [ESF_PARTICIPANT]) == ["participant.display_name"]
    time_machine.move_to(slot.ends_at + timedelta(days=365 * 3 + 2), tick=False)
    assert erase_expired_data(engine, settings) == 1
    assert text_columns_containing(db, [ESF_PARTICIPANT]) == []
    assert counts(db) == before  # the ESF breakdown (age band, gender) is kept


def test_a_visitor_erases_their_own_booking_at_any_time(db, history):
    _slot, (token, _other_token) = history
    before = counts(db)
    erase_booking(db, token, utcnow())
    db.commit()
    assert text_columns_containing(db, NEEDLES) == []
    assert text_columns_containing(db, list(OTHER)) != []  # someone else's booking stays
    assert counts(db) == before
    stored = booking_data(db, token)
    assert (stored.booking.name, stored.booking.email, stored.emails) == ("", None, [])
    assert stored.booking.status == "confirmed"  # the ticket is still valid
    assert stored.jobs_chosen == ["Soudeur"]  # an anonymous count
    erase_booking(db, token, utcnow() + timedelta(hours=1))  # twice: harmless
    db.commit()
    assert booking_data(db, token).booking.erased_at == stored.booking.erased_at


def test_what_is_stored_can_be_downloaded_before(db, history):
    _slot, (token, _other) = history
    stored = booking_data(db, token)
    assert (stored.booking.name, stored.booking.email) == (NAME, EMAIL)
    assert stored.booking.has_browser_key
    assert [e.subject for e in stored.emails] == ["Your VR session is booked",
                                                 "Reminder: your VR session is tomorrow"]
    assert stored.jobs_chosen == ["Soudeur"]
    assert stored.session.centre == "hub"
