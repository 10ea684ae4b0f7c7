"""JSON API of notifications and privacy: a booking holder's data (download, erase), the
waiting-list offer (take it, decline it), and the periodic jobs (administrators)."""

from datetime import datetime

from pydantic import BaseModel

from vr_booking.models import utcnow
from vr_booking.services.access import require_admin
from vr_booking.services.notify.job_runs import job_statuses
from vr_booking.services.notify.offers import accept_offer, decline_offer
from vr_booking.services.notify.privacy import BookingData, booking_data, erase_booking
from vr_booking.web.api.open_access import BookingPublic
from vr_booking.web.api.open_access import _public as public_booking  # one booking shape
from vr_booking.web.deps import ApiStaff, SessionDep
from vr_booking.web.params import Limit, Offset
from vr_booking.web.routing import APIRouter

router = APIRouter(prefix="/api/v1")
ERROR = {"description": "refused: `detail` says why, `code` is stable",
         "content": {"application/json": {"example": {"detail": "…", "code": "no_offer"}}}}


class PeriodicJobPublic(BaseModel):
    id: str
    label: str
    every_seconds: int
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_ok: bool | None
    rows_handled: int | None
    last_error: str
    last_error_at: datetime | None
    next_run_at: datetime | None
    late: bool


class PeriodicJobList(BaseModel):
    items: list[PeriodicJobPublic]
    total: int


@router.get("/bookings/{token}/data", response_model=BookingData, tags=["bookings"],
            responses={404: ERROR},
            summary="Everything stored about a booking (for its holder)")
def read_booking_data(session: SessionDep, token: str) -> BookingData:
    return booking_data(session, token)


@router.post("/bookings/{token}/erase", response_model=BookingData, tags=["bookings"],
             responses={404: ERROR},
             summary="Erase a booking's personal data (idempotent); its count stays")
def post_erase(session: SessionDep, token: str) -> BookingData:
    erase_booking(session, token, utcnow())
    return booking_data(session, token)


@router.post("/bookings/{token}/accept-offer", response_model=BookingPublic,
             tags=["bookings"], responses={404: ERROR, 409: ERROR},
             summary="Take the seat offered from the waiting list (idempotent)")
def post_accept_offer(session: SessionDep, token: str) -> BookingPublic:
    return public_booking(session, accept_offer(session, token, utcnow()))


@router.post("/bookings/{token}/decline-offer", response_model=BookingPublic,
             tags=["bookings"], responses={404: ERROR, 409: ERROR},
             summary="Decline the seat offered: the booking is cancelled, the seat passes on "
                     "(idempotent)")
def post_decline_offer(session: SessionDep, token: str) -> BookingPublic:
    return public_booking(session, decline_offer(session, token, utcnow()))


@router.get("/periodic-jobs", response_model=PeriodicJobList, tags=["administration"],
            responses={401: ERROR, 403: ERROR},
            summary="Each periodic job's last run, next run, last error (administrators)")
def list_periodic_jobs(session: SessionDep, staff: ApiStaff,
                       limit: Limit = 100, offset: Offset = 0) -> PeriodicJobList:
    require_admin(staff)
    statuses = job_statuses(session, utcnow())
    items = [PeriodicJobPublic(
        id=s.job.id, label=s.job.label, every_seconds=int(s.job.every.total_seconds()),
        last_started_at=s.run and s.run.last_started_at,
        last_finished_at=s.run and s.run.last_finished_at,
        last_ok=s.run.last_ok if s.run else None,
        rows_handled=s.run.last_rows if s.run else None,
        last_error=s.run.last_error if s.run else "",
        last_error_at=s.run and s.run.last_error_at,
        next_run_at=s.next_run_at, late=s.is_late) for s in statuses]
    return PeriodicJobList(items=items[offset:offset + limit], total=len(items))
