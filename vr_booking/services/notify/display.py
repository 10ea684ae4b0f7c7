"""The entrance screen of a centre: today's and the next open-access slots with the places
left, and where its QR code leads (book the next slot with a place, or join a waiting
list). Anonymous counts only: no name, no booking.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from vr_booking.config import settings_for
from vr_booking.models import Centre
from vr_booking.services.open_access.capacity import SlotLoad, slot_loads, upcoming_slots
from vr_booking.services.timeutil import local_date

NEXT_SLOTS = 12  # enough for a next opening day


@dataclass
class PlacesBoard:
    centre: Centre
    today: list[SlotLoad]  # today's slots still to start
    next_day: date | None  # the next day with open access after today
    next_slots: list[SlotLoad]
    target: SlotLoad | None  # where the QR code leads: a slot to book, or its waiting list

    @property
    def is_waiting_list(self) -> bool:
        return self.target is not None and self.target.remaining == 0


def _target(session: Session, loads: list[SlotLoad]) -> SlotLoad | None:
    """The first slot with a place, else the first whose waiting list has room."""
    room = settings_for(session).waitlist_size
    return (next((x for x in loads if x.remaining), None)
            or next((x for x in loads if x.waitlisted < room), None))


def places_board(session: Session, centre: Centre, now: datetime) -> PlacesBoard:
    """The centre's places left now, as the entrance screen shows them."""
    loads = slot_loads(session, upcoming_slots(session, [centre.id], now))
    today = local_date(now, centre.timezone)
    todays = [x for x in loads if local_date(x.slot.starts_at, centre.timezone) == today]
    later = [x for x in loads if local_date(x.slot.starts_at, centre.timezone) > today]
    next_day = local_date(later[0].slot.starts_at, centre.timezone) if later else None
    next_slots = [x for x in later
                  if local_date(x.slot.starts_at, centre.timezone) == next_day][:NEXT_SLOTS]
    return PlacesBoard(centre, todays, next_day, next_slots,
                       _target(session, todays + next_slots))
