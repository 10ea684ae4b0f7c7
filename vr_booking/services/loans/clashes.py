"""Why headsets cannot be lent for some days, and which others could go instead.

A headset clashes with a loan's days when it is out of service, when another loan holds it
on one of those days (or it has not come back from a late one), or when it is reserved for a
group session anywhere but at the borrowing centre. Open-access slots at the lender whose
confirmed bookings would no longer fit are found by ``open_access.pool`` once the loan is
written; :func:`stranding_clashes` turns them into clashes of the same shape.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date, format_datetime
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from vr_booking.i18n import _, current_language
from vr_booking.labels import label
from vr_booking.models import Centre, Headset, Loan, LoanHeadset, LoanStatus, ServiceState
from vr_booking.services.errors import Conflict
from vr_booking.services.fleet.location import loans_in_effect
from vr_booking.services.fleet.reservations import reservations
from vr_booking.services.open_access.pool import StrandingConflict, centres_by_id
from vr_booking.services.timeutil import day_bounds, to_local

OUT_STATES = (LoanStatus.in_transit, LoanStatus.active, LoanStatus.overdue)


@dataclass
class Clash:
    """One reason a loan cannot go ahead; ``detail`` says it in people's words."""

    kind: str  # "out_of_service", "loan", "group_session" or "open_access"
    detail: str
    asset_tag: str | None = None
    loan_id: int | None = None
    session_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class HeadsetsBusy(Conflict):
    """Some headsets are not free for the loan's days; ``alternatives`` are free ones."""

    def __init__(self, clashes: list[Clash], alternatives: list[str]) -> None:
        self.clashes, self.alternatives = clashes, alternatives
        lines = [_("Some headsets are not free for these days:"), *[c.detail for c in clashes]]
        if alternatives:
            lines.append(_("Free instead: {tags}.").format(tags=", ".join(alternatives)))
        super().__init__("headsets_busy", "\n".join(lines))


def loan_period(lender: Centre, first: date, last: date) -> tuple[datetime, datetime]:
    """The instants a loan's days cover, from the lender's midnight to midnight."""
    return day_bounds(first, lender.timezone)[0], day_bounds(last, lender.timezone)[1]


def is_late(loan: Loan, today: date) -> bool:
    """Out (not yet back) after its end date, whether or not the overdue sweep has run."""
    return loan.status in OUT_STATES and loan.end_date < today


def find_clashes(session: Session, lender: Centre, borrower_id: int,
                 headsets: list[Headset], first: date, last: date, today: date, *,
                 loan_id: int | None = None) -> list[Clash]:
    """Every clash of these headsets with a loan over [first, last] (``loan_id``: ignore
    that loan, when it is the one changing)."""
    clashes = [Clash("out_of_service", _("{tag} is not in service ({state}).").format(
        tag=h.asset_tag, state=label(h.service_state)), asset_tag=h.asset_tag)
        for h in headsets if h.service_state != ServiceState.in_service]
    clashes += _loan_clashes(session, headsets, first, last, today, loan_id)
    clashes += _session_clashes(session, lender, borrower_id, headsets, first, last)
    return clashes


def _loan_clashes(session: Session, headsets: list[Headset], first: date, last: date,
                  today: date, loan_id: int | None) -> list[Clash]:
    tags = {h.id: h.asset_tag for h in headsets}
    late = and_(col(Loan.status).in_(OUT_STATES), Loan.end_date < today,
                Loan.start_date <= last)
    query = (select(LoanHeadset.headset_id, Loan)
             .join(Loan, col(Loan.id) == LoanHeadset.loan_id)
             .where(col(LoanHeadset.headset_id).in_(list(tags)),
                    or_(loans_in_effect(first, last), late))
             .order_by(Loan.start_date))
    if loan_id is not None:
        query = query.where(Loan.id != loan_id)
    rows = session.exec(query).all()
    centres = _centres(session, {loan.to_centre_id for _h, loan in rows})
    return [Clash("loan", _loan_line(tags[hid], loan, centres[loan.to_centre_id], today),
                  asset_tag=tags[hid], loan_id=loan.id) for hid, loan in rows]


def _loan_line(tag: str, loan: Loan, borrower: Centre, today: date) -> str:
    language = current_language.get()
    if is_late(loan, today):
        return _("{tag} has not come back from {centre} (loan due back on {end}).").format(
            tag=tag, centre=borrower.name, end=format_date(loan.end_date, locale=language))
    return _("{tag} is lent to {centre} from {start} to {end}.").format(
        tag=tag, centre=borrower.name, start=format_date(loan.start_date, locale=language),
        end=format_date(loan.end_date, locale=language))


def _session_clashes(session: Session, lender: Centre, borrower_id: int,
                     headsets: list[Headset], first: date, last: date) -> list[Clash]:
    """Group sessions holding these headsets during the days, except the borrower's own."""
    tags = {h.id: h.asset_tag for h in headsets}
    found = [(a, s) for a, s in reservations(session, *loan_period(lender, first, last),
                                             headset_ids=list(tags))
             if s.centre_id != borrower_id]
    centres = centres_by_id(session, [s for _a, s in found])
    return [Clash("group_session", _("{tag} is reserved for {session} on {when} at {centre}.")
                  .format(tag=tags[a.headset_id], session=s.title or label(s.kind),
                          when=_when(a.starts_at, centres[s.centre_id]),
                          centre=centres[s.centre_id].name),
                  asset_tag=tags[a.headset_id], session_id=s.id, starts_at=a.starts_at,
                  ends_at=a.ends_at) for a, s in found]


def stranding_clashes(error: StrandingConflict) -> list[Clash]:
    """The open-access slots a flushed loan would overbook, as clashes."""
    return [Clash("open_access", line, session_id=load.slot.id,
                  starts_at=load.slot.starts_at, ends_at=load.slot.ends_at)
            for load, line in zip(error.slots, error.clashes, strict=False)]


def free_headsets(session: Session, lender: Centre, borrower_id: int, first: date,
                  last: date, today: date, leave_out: Iterable[int]) -> list[str]:
    """Asset tags of the lender's other headsets that could go for these days."""
    skip = set(leave_out)
    candidates = [h for h in session.exec(
        select(Headset).where(Headset.home_centre_id == lender.id,
                              Headset.service_state == ServiceState.in_service)
        .order_by(Headset.asset_tag)) if h.id not in skip]
    busy = {c.asset_tag for c in find_clashes(session, lender, borrower_id, candidates,
                                              first, last, today)}
    return [h.asset_tag for h in candidates if h.asset_tag not in busy]


def _centres(session: Session, ids: set[int]) -> dict[int, Centre]:
    return {c.id: c for c in session.exec(select(Centre).where(col(Centre.id).in_(ids)))}


def _when(instant: datetime, centre: Centre) -> str:
    return format_datetime(to_local(instant, centre.timezone), "short",
                           locale=current_language.get())
