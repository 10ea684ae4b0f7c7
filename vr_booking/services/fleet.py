"""The headset fleet: inventory, history, edits, service states, cleaning, charge, content.

Where a headset is comes from :mod:`location` (loans), whether it needs cleaning from its
uses and cleanings, its charge from :mod:`charge`: nothing here stores a derived fact.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Annotated

from babel.dates import format_datetime
from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import false
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from vr_booking.i18n import _, current_language
from vr_booking.labels import label
from vr_booking.models import (
    Allocation,
    Booking,
    BookingJob,
    BookingStatus,
    Centre,
    Cleaning,
    CleaningMethod,
    FaceCover,
    Headset,
    HeadsetStateChange,
    HeadsetUse,
    Incident,
    InstalledVideo,
    Job,
    Loan,
    LoanHeadset,
    LoanStatus,
    Role,
    ServiceState,
    SessionStatus,
    StaffUser,
    Video,
    VideoJob,
    VRSession,
    utcnow,
)
from vr_booking.services import capacity, waitlist
from vr_booking.services.auth import can_manage, require_centre, visible_centre_ids
from vr_booking.services.booking_mail import notify_booking_change
from vr_booking.services.capacity import SlotLoad
from vr_booking.services.charge import Battery, ChargeEstimate, estimate_charge
from vr_booking.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from vr_booking.services.location import EFFECTIVE_LOAN_STATES, current_centre_id, headsets_at
from vr_booking.services.timeutil import local_to_utc, to_local

ASSET_TAG_RE = re.compile(r"^[A-Z]{2,5}-VR-[0-9]{2,4}$")
MANAGING_ROLES = (Role.manager, Role.admin)


# --- who may see and change a headset -------------------------------------------------------

def find_headset(session: Session, asset_tag: str) -> Headset:
    headset = session.exec(
        select(Headset).where(Headset.asset_tag == asset_tag.strip().upper())).first()
    if headset is None:
        raise NotFound("unknown_headset", _("There is no headset with this asset tag."))
    return headset


def can_see(session: Session, staff: StaffUser, headset: Headset, now: datetime) -> bool:
    """Staff see the headsets based at, or now at, one of their centres."""
    ids = visible_centre_ids(session, staff)
    return headset.home_centre_id in ids or current_centre_id(session, headset, now) in ids


def require_headset(session: Session, staff: StaffUser, asset_tag: str,
                    now: datetime) -> Headset:
    """The headset if this staff member may see it; 404 when unknown, 403 when not theirs."""
    headset = find_headset(session, asset_tag)
    if not can_see(session, staff, headset, now):
        raise Forbidden("not_your_headset", _("This headset belongs to another centre."))
    return headset


def require_manager(session: Session, staff: StaffUser, centre_id: int) -> None:
    """Managers change the headsets based at their centres; admins change all."""
    if not can_manage(session, staff, centre_id):
        raise Forbidden("managers_only", _("Only the centre's managers can do this."))


def managed_centres(session: Session, staff: StaffUser) -> list[Centre]:
    """The centres whose headsets this staff member manages; refused when there are none."""
    centres = [] if staff.role not in MANAGING_ROLES else list(session.exec(
        select(Centre).where(col(Centre.id).in_(visible_centre_ids(session, staff)))
        .order_by(Centre.name)))
    if not centres:
        raise Forbidden("managers_only", _("Only the centre's managers can do this."))
    return centres


def current_centre(session: Session, headset: Headset, now: datetime) -> Centre:
    return session.get(Centre, current_centre_id(session, headset, now))


# --- inventory ------------------------------------------------------------------------------

@dataclass
class HeadsetRow:
    """A headset with the facts derived for the inventory and the API."""

    headset: Headset
    home_centre: Centre
    current_centre: Centre
    in_use: bool
    last_cleaned_at: datetime | None
    to_clean: bool
    charge: ChargeEstimate
    installed_count: int
    next_allocation: Allocation | None = None
    next_session: VRSession | None = None

    @property
    def next_use_fits(self) -> bool:
        """Whether the estimated charge covers the next allocation (and its margin)."""
        if self.next_allocation is None:
            return True
        minutes = (self.next_allocation.ends_at - self.next_allocation.starts_at).total_seconds()
        return self.charge.fits(round(minutes / 60))


def list_headsets(session: Session, staff: StaffUser, now: datetime, battery: Battery, *,
                  centre_slug: str | None = None, model: str | None = None,
                  state: str | None = None) -> list[HeadsetRow]:
    """Visible headsets, optionally only those now at a centre, of a model, in a state."""
    if state and state not in set(ServiceState):
        message = _("Unknown service state.")
        raise InvalidInput("bad_state", message, {"state": message})
    if centre_slug:
        centre = require_centre(session, staff, centre_slug)
        located = {h.id: (h, centre.id) for h in headsets_at(session, centre, now, now)}
    else:
        located = _visible_headsets(session, visible_centre_ids(session, staff), now)
    pairs = [(h, at) for h, at in located.values()
             if (not model or h.model == model) and (not state or h.service_state == state)]
    pairs.sort(key=lambda pair: pair[0].asset_tag)
    return summarise(session, pairs, now, battery)


def _visible_headsets(session: Session, centre_ids: set[int],
                      now: datetime) -> dict[int, tuple[Headset, int]]:
    """Headset id → (headset, centre it is at now), for headsets based at or now at these."""
    located: dict[int, tuple[Headset, int]] = {}
    for centre in session.exec(select(Centre).where(col(Centre.id).in_(centre_ids))):
        located.update((h.id, (h, centre.id)) for h in headsets_at(session, centre, now, now))
    lent_away = session.exec(select(Headset).where(
        col(Headset.home_centre_id).in_(centre_ids), col(Headset.id).not_in(list(located))))
    for headset in lent_away:
        located[headset.id] = (headset, current_centre_id(session, headset, now))
    return located


def headset_models(session: Session, staff: StaffUser) -> list[str]:
    """The models of the headsets based at this staff member's centres (for the filter)."""
    ids = visible_centre_ids(session, staff)
    return list(session.exec(select(Headset.model).distinct()
                             .where(col(Headset.home_centre_id).in_(ids)).order_by(Headset.model)))


def summarise(session: Session, pairs: list[tuple[Headset, int]], now: datetime,
              battery: Battery) -> list[HeadsetRow]:
    """Derive the inventory facts for (headset, current centre id) pairs in a few queries."""
    ids = [h.id for h, _at in pairs]
    centre_ids = {h.home_centre_id for h, _at in pairs} | {at for _h, at in pairs}
    centres = {c.id: c for c in session.exec(select(Centre).where(col(Centre.id).in_(centre_ids)))}
    cleaned = _latest(session, Cleaning.headset_id, Cleaning.cleaned_at, ids)
    returned = _latest(session, HeadsetUse.headset_id, HeadsetUse.returned_at, ids)
    uses = _uses_since_records(session, [h for h, _at in pairs])
    installed = dict(session.exec(
        select(InstalledVideo.headset_id, func.count()).where(
            col(InstalledVideo.headset_id).in_(ids)).group_by(InstalledVideo.headset_id)).all())
    upcoming = _next_allocations(session, ids, now)
    rows = []
    for headset, at in pairs:
        own_uses = uses.get(headset.id, [])
        in_use = any(returned_at is None for _start, returned_at in own_uses)
        last_return, last_clean = returned.get(headset.id), cleaned.get(headset.id)
        rows.append(HeadsetRow(
            headset=headset, home_centre=centres[headset.home_centre_id],
            current_centre=centres[at], in_use=in_use, last_cleaned_at=last_clean,
            to_clean=needs_cleaning(in_use, last_return, last_clean),
            charge=estimate_charge(headset.charge_percent, headset.charge_recorded_at,
                                   own_uses, now, battery),
            installed_count=installed.get(headset.id, 0),
            **upcoming.get(headset.id, {}),
        ))
    return rows


def needs_cleaning(in_use: bool, last_return: datetime | None,
                   last_clean: datetime | None) -> bool:
    """Returned by a user and not cleaned since (rule 5); a headset being worn is not."""
    if in_use or last_return is None:
        return False
    return last_clean is None or last_clean < last_return


def _latest(session: Session, key: object, instant: object, ids: list[int]) -> dict:
    return dict(session.exec(
        select(key, func.max(instant)).where(col(key).in_(ids)).group_by(key)).all())


def _uses_since_records(session: Session, headsets: list[Headset]) -> dict[int, list]:
    """Per headset, (started_at, returned_at) of uses still running or ended after the
    earliest charge record (enough for the charge estimate and to see who wears one)."""
    records = [h.charge_recorded_at for h in headsets if h.charge_recorded_at]
    query = select(HeadsetUse.headset_id, HeadsetUse.started_at, HeadsetUse.returned_at).where(
        col(HeadsetUse.headset_id).in_([h.id for h in headsets]))
    ended_since = HeadsetUse.returned_at > min(records) if records else false()
    uses: dict[int, list] = {}
    for headset_id, started_at, returned_at in session.exec(
            query.where(or_(col(HeadsetUse.returned_at).is_(None), ended_since))):
        uses.setdefault(headset_id, []).append((started_at, returned_at))
    return uses


def _next_allocations(session: Session, ids: list[int], now: datetime) -> dict[int, dict]:
    rows = session.exec(
        select(Allocation, VRSession).join(VRSession, col(VRSession.id) == Allocation.session_id)
        .where(col(Allocation.headset_id).in_(ids), Allocation.ends_at > now,
               VRSession.status != SessionStatus.cancelled)
        .order_by(col(Allocation.starts_at).desc()))
    # Latest first, so that the earliest one is written last.
    return {a.headset_id: {"next_allocation": a, "next_session": s} for a, s in rows}


# --- one headset: details and history -------------------------------------------------------

@dataclass
class HistoryEntry:
    """One line of a headset's history; ``kind`` picks how the page shows ``row``."""

    at: datetime
    kind: str
    row: object
    who: str | None = None
    session: VRSession | None = None
    centres: tuple[Centre, Centre] | None = None


@dataclass
class HeadsetDetail:
    summary: HeadsetRow
    installed_videos: list[Video]
    upcoming: list[tuple[Allocation, VRSession]]
    history: list[HistoryEntry]


def headset_summary(session: Session, headset: Headset, now: datetime,
                    battery: Battery) -> HeadsetRow:
    return summarise(session, [(headset, current_centre_id(session, headset, now))],
                     now, battery)[0]


def headset_detail(session: Session, headset: Headset, now: datetime,
                   battery: Battery) -> HeadsetDetail:
    summary = headset_summary(session, headset, now, battery)
    videos = session.exec(
        select(Video).join(InstalledVideo, col(InstalledVideo.video_id) == Video.id)
        .where(InstalledVideo.headset_id == headset.id).order_by(Video.title)).all()
    allocations = session.exec(
        select(Allocation, VRSession).join(VRSession, col(VRSession.id) == Allocation.session_id)
        .where(Allocation.headset_id == headset.id, VRSession.status != SessionStatus.cancelled)
        .order_by(Allocation.starts_at)).all()
    upcoming = [(a, s) for a, s in allocations if a.ends_at > now]
    past = [(a, s) for a, s in allocations if a.ends_at <= now]
    return HeadsetDetail(summary, list(videos), upcoming, history(session, headset, past))


def history(session: Session, headset: Headset,
            past_allocations: list[tuple[Allocation, VRSession]]) -> list[HistoryEntry]:
    """Everything that happened to a headset, newest first, with who did it."""
    names = dict(session.exec(select(StaffUser.id, StaffUser.name)).all())
    entries = [HistoryEntry(a.starts_at, "allocation", a, names.get(s.facilitator_id), s)
               for a, s in past_allocations]
    uses = session.exec(
        select(HeadsetUse, VRSession).join(VRSession, col(VRSession.id) == HeadsetUse.session_id)
        .where(HeadsetUse.headset_id == headset.id))
    entries += [HistoryEntry(u.started_at, "use", u, names.get(u.handed_out_by_id), s)
                for u, s in uses]
    entries += [HistoryEntry(c.cleaned_at, "cleaning", c, names.get(c.staff_id)) for c in
                session.exec(select(Cleaning).where(Cleaning.headset_id == headset.id))]
    entries += [HistoryEntry(i.occurred_at, "incident", i, names.get(i.reported_by_id)) for i in
                session.exec(select(Incident).where(Incident.headset_id == headset.id))]
    entries += [HistoryEntry(c.changed_at, "state", c, names.get(c.staff_id)) for c in
                session.exec(select(HeadsetStateChange)
                             .where(HeadsetStateChange.headset_id == headset.id))]
    entries += _loan_entries(session, headset, names)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def _loan_entries(session: Session, headset: Headset, names: dict) -> list[HistoryEntry]:
    loans = session.exec(select(Loan).join(LoanHeadset, col(LoanHeadset.loan_id) == Loan.id)
                         .where(LoanHeadset.headset_id == headset.id)).all()
    centres = {c.id: c for c in session.exec(select(Centre))} if loans else {}
    entries = []
    for loan in loans:
        lender = centres[loan.from_centre_id]
        entries.append(HistoryEntry(
            local_to_utc(loan.start_date, time(0), lender.timezone), "loan", loan,
            names.get(loan.created_by_id), centres=(lender, centres[loan.to_centre_id])))
    return entries


# --- creating and editing -------------------------------------------------------------------

class HeadsetForm(BaseModel):
    """What a manager may type about a headset (table models skip validation)."""

    asset_tag: str
    serial: Annotated[str | None, Field(max_length=64)] = None
    model: Annotated[str, Field(min_length=1, max_length=80)]
    face_cover: FaceCover
    notes: Annotated[str, Field(max_length=2000)] = ""

    @field_validator("asset_tag", mode="before")
    @classmethod
    def _tag(cls, value: object) -> str:
        tag = str(value or "").strip().upper()
        if not ASSET_TAG_RE.match(tag):
            raise ValueError("bad asset tag")
        return tag

    @field_validator("serial", "model", "notes", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("serial")
    @classmethod
    def _empty_serial(cls, value: str | None) -> str | None:
        return value or None


def _field_messages() -> dict[str, str]:
    return {
        "asset_tag": _("Use 2 to 5 capital letters, “-VR-” and 2 to 4 digits, e.g. MRS-VR-07."),
        "serial": _("The serial number has at most 64 characters."),
        "model": _("Give the headset's model."),
        "face_cover": _("Choose a face cover from the list."),
        "notes": _("Notes are limited to 2000 characters."),
    }


def parse_headset_form(data: dict[str, str]) -> HeadsetForm:
    """Validate a submitted headset form; errors name each field in people's words."""
    try:
        return HeadsetForm.model_validate(data)
    except ValidationError as exc:
        messages = _field_messages()
        fields = {str(e["loc"][0]): messages[str(e["loc"][0])] for e in exc.errors()}
        raise InvalidInput("invalid_headset", _("Please correct the marked fields."),
                           fields) from exc


def create_headset(session: Session, home_centre: Centre, form: HeadsetForm) -> Headset:
    return _save(session, Headset(home_centre_id=home_centre.id), form)


def update_headset(session: Session, headset: Headset, form: HeadsetForm,
                   now: datetime) -> Headset:
    """Apply a validated form. Fitting a foam cover takes the headset out of open access, so
    it is refused (lock, change, verify) when confirmed bookings would lose their seat."""
    to_foam = (form.face_cover == FaceCover.foam != headset.face_cover
               and headset.service_state == ServiceState.in_service)
    if not to_foam:
        return _save(session, headset, form)
    centre_ids = _centres_concerned(session, headset, now)
    capacity.lock_centres(session, centre_ids)
    _save(session, headset, form)
    overbooked = capacity.overbooked_slots(session, centre_ids, now)
    if overbooked:
        raise StrandingConflict(overbooked, [], _centres(session, [o.slot for o in overbooked]))
    return headset


def _save(session: Session, headset: Headset, form: HeadsetForm) -> Headset:
    """Write the form; asset tag and serial must be unused by any other headset."""
    fields = {}
    if _taken(session, Headset.asset_tag, form.asset_tag, headset.id):
        fields["asset_tag"] = _("Another headset already has this asset tag.")
    if form.serial and _taken(session, Headset.serial, form.serial, headset.id):
        fields["serial"] = _("Another headset already has this serial number.")
    if fields:
        raise InvalidInput("duplicate_headset", _("Please correct the marked fields."), fields)
    for name, value in form.model_dump().items():
        setattr(headset, name, value)
    session.add(headset)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent edit took the tag or serial meanwhile
        raise InvalidInput("duplicate_headset", _("Another headset was saved with the same "
                                                  "asset tag or serial; try again.")) from exc
    return headset


def _taken(session: Session, column: object, value: str, own_id: int | None) -> bool:
    query = select(Headset.id).where(column == value)
    if own_id is not None:
        query = query.where(Headset.id != own_id)
    return session.exec(query).first() is not None


# --- service state --------------------------------------------------------------------------

class StrandingConflict(Conflict):
    """Taking the headset out of service would strand bookings or group sessions."""

    def __init__(self, slots: list[SlotLoad], allocations: list[tuple[Allocation, VRSession]],
                 centres: dict[int, Centre]) -> None:
        self.slots, self.allocations, self.centres = slots, allocations, centres
        lines = [_("This change would strand confirmed bookings or group sessions:")]
        lines += [_("open access on {when} at {centre}: {confirmed} confirmed for {capacity} "
                    "seats").format(when=_when(load.slot, centres), centre=_centre_name(
                        load.slot, centres), confirmed=load.confirmed, capacity=load.capacity)
                  for load in slots]
        lines += [_("{kind} “{title}” on {when} at {centre}").format(
            kind=label(s.kind), title=s.title, when=_when(s, centres),
            centre=_centre_name(s, centres)) for _a, s in allocations]
        super().__init__("would_strand", "\n".join(lines))


def _when(vr_session: VRSession, centres: dict[int, Centre]) -> str:
    local = to_local(vr_session.starts_at, centres[vr_session.centre_id].timezone)
    return format_datetime(local, "short", locale=current_language.get())


def _centre_name(vr_session: VRSession, centres: dict[int, Centre]) -> str:
    return centres[vr_session.centre_id].name


@dataclass
class StateChangeResult:
    change: HeadsetStateChange
    waitlisted: list[Booking]
    freed: list[tuple[Allocation, VRSession]]


def change_state(session: Session, headset: Headset, to_state: str, reason: str,
                 staff: StaffUser, now: datetime, *, confirmed: bool = False,
                 notify: waitlist.Notify = notify_booking_change) -> StateChangeResult:
    """Change a headset's service state: lock, change, verify.

    Leaving service lowers open-access capacity wherever the headset is or will be, and
    strands its future allocations. Unless the manager ``confirmed``, any slot then holding
    more confirmed bookings than seats (or any such allocation) refuses the change; with
    confirmation the newest bookings go back to the waiting list and the allocations are
    freed. The caller's transaction rolls back on refusal, so nothing changes.
    """
    reason = _check_state_change(headset, to_state, reason)
    centre_ids = _centres_concerned(session, headset, now)
    capacity.lock_centres(session, centre_ids)
    change = HeadsetStateChange(headset_id=headset.id, from_state=headset.service_state,
                                to_state=to_state, reason=reason, staff_id=staff.id,
                                changed_at=now)
    leaves_service = headset.service_state == ServiceState.in_service
    headset.service_state = to_state
    session.add_all([headset, change])
    session.flush()
    result = StateChangeResult(change, [], [])
    if not leaves_service:
        return result
    overbooked = capacity.overbooked_slots(session, centre_ids, now)
    allocations = _future_allocations(session, headset, now)
    if (overbooked or allocations) and not confirmed:
        raise StrandingConflict(overbooked, allocations, _centres(
            session, [s for _a, s in allocations] + [load.slot for load in overbooked]))
    for load in overbooked:
        result.waitlisted += waitlist.rebalance(session, load, now, notify)
    for allocation, _s in allocations:
        session.delete(allocation)
    result.freed = allocations
    session.flush()
    return result


def _check_state_change(headset: Headset, to_state: str, reason: str) -> str:
    fields = {}
    if to_state not in set(ServiceState):
        fields["to_state"] = _("Choose a service state from the list.")
    elif to_state == headset.service_state:
        fields["to_state"] = _("The headset is already in this state.")
    reason = reason.strip()
    if not reason:
        fields["reason"] = _("Say why the state changes.")
    elif len(reason) > 500:
        fields["reason"] = _("The reason is limited to 500 characters.")
    if fields:
        raise InvalidInput("invalid_state_change", _("Please correct the marked fields."), fields)
    return reason


def _centres_concerned(session: Session, headset: Headset, now: datetime) -> set[int]:
    """The home centre and every centre the headset is or will be lent to."""
    today = to_local(now, session.get(Centre, headset.home_centre_id).timezone).date()
    lent_to = session.exec(
        select(Loan.to_centre_id).join(LoanHeadset, col(LoanHeadset.loan_id) == Loan.id)
        .where(LoanHeadset.headset_id == headset.id, col(Loan.status).in_(EFFECTIVE_LOAN_STATES),
               or_(Loan.end_date >= today, Loan.status == LoanStatus.overdue))).all()
    return {headset.home_centre_id, *lent_to}


def _future_allocations(session: Session, headset: Headset,
                        now: datetime) -> list[tuple[Allocation, VRSession]]:
    """Allocations still running or to come, in sessions that are not cancelled."""
    return list(session.exec(
        select(Allocation, VRSession).join(VRSession, col(VRSession.id) == Allocation.session_id)
        .where(Allocation.headset_id == headset.id, Allocation.ends_at > now,
               VRSession.status != SessionStatus.cancelled)
        .order_by(Allocation.starts_at)).all())


def _centres(session: Session, sessions: Iterable[VRSession]) -> dict[int, Centre]:
    ids = {s.centre_id for s in sessions}
    return {c.id: c for c in session.exec(select(Centre).where(col(Centre.id).in_(ids)))}


# --- cleaning and charge --------------------------------------------------------------------

def log_cleaning(session: Session, headset: Headset, method: str, staff: StaffUser,
                 now: datetime) -> Cleaning:
    if method not in set(CleaningMethod):
        raise InvalidInput("bad_method", _("Choose how the headset was cleaned."),
                           {"method": _("Choose how the headset was cleaned.")})
    cleaning = Cleaning(headset_id=headset.id, method=method, staff_id=staff.id, cleaned_at=now)
    session.add(cleaning)
    session.flush()
    return cleaning


def record_charge(session: Session, headset: Headset, percent: int, at: datetime) -> None:
    headset.charge_percent, headset.charge_recorded_at = percent, at
    session.add(headset)
    session.flush()


# --- installed content ----------------------------------------------------------------------

def active_videos(session: Session) -> list[Video]:
    return list(session.exec(select(Video).where(col(Video.is_active)).order_by(Video.title)))


def installed_video_ids(session: Session, headset_ids: list[int]) -> dict[int, int]:
    """Video id → on how many of these headsets it is installed."""
    return dict(session.exec(
        select(InstalledVideo.video_id, func.count())
        .where(col(InstalledVideo.headset_id).in_(headset_ids))
        .group_by(InstalledVideo.video_id)).all())


def set_installed_videos(session: Session, headset_ids: list[int], video_ids: set[int],
                         now: datetime) -> None:
    """Make exactly these active videos installed on each headset (kept ones keep their date)."""
    known = {v.id for v in active_videos(session)}
    if not video_ids <= known:
        raise InvalidInput("unknown_video", _("Some of the chosen videos are not in the "
                                              "catalogue."))
    rows = session.exec(select(InstalledVideo)
                        .where(col(InstalledVideo.headset_id).in_(headset_ids))).all()
    have = {(r.headset_id, r.video_id) for r in rows}
    for row in rows:
        if row.video_id not in video_ids:
            session.delete(row)
    session.add_all(InstalledVideo(headset_id=h, video_id=v, installed_at=now)
                    for h in headset_ids for v in video_ids if (h, v) not in have)
    session.flush()


def based_headset_ids(session: Session, centre: Centre) -> list[int]:
    return list(session.exec(select(Headset.id).where(Headset.home_centre_id == centre.id)
                             .order_by(Headset.asset_tag)))


def missing_videos_for_jobs(session: Session, centre: Centre, job_ids: Iterable[int],
                            at: datetime | None = None) -> list[Job]:
    """Jobs none of whose videos is installed on any in-service headset at the centre."""
    at = at or utcnow()
    headset_ids = [h.id for h in headsets_at(session, centre, at, at)
                   if h.service_state == ServiceState.in_service]
    shown = select(VideoJob.job_id).join(
        InstalledVideo, col(InstalledVideo.video_id) == VideoJob.video_id
    ).where(col(InstalledVideo.headset_id).in_(headset_ids))
    return list(session.exec(select(Job).where(col(Job.id).in_(list(job_ids)),
                                               col(Job.id).not_in(shown)).order_by(Job.title)))


def booked_jobs_missing_videos(session: Session, centre: Centre,
                               now: datetime) -> list[tuple[Job, int]]:
    """Jobs chosen in upcoming bookings at the centre that no headset there can show,
    with how many bookings chose each."""
    counts = dict(session.exec(
        select(BookingJob.job_id, func.count())
        .join(Booking, col(Booking.id) == BookingJob.booking_id)
        .join(VRSession, col(VRSession.id) == Booking.session_id)
        .where(VRSession.centre_id == centre.id, VRSession.starts_at >= now,
               VRSession.status == SessionStatus.planned,
               col(Booking.status).in_([BookingStatus.confirmed, BookingStatus.waitlisted]))
        .group_by(BookingJob.job_id)).all())
    return [(job, counts[job.id]) for job in
            missing_videos_for_jobs(session, centre, counts, now)]
