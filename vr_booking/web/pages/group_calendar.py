"""Calendar pages: the week or month of one centre or of every centre you see (open access
and group sessions together), and a centre's ICS feeds (made and revoked by managers; the
feed itself answers at an unguessable address, without signing in)."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import Path, Query, Request
from fastapi.responses import Response

from vr_booking.models import Centre, utcnow
from vr_booking.services.access import (
    can_manage,
    require_centre,
    require_managed_centre,
    visible_centres,
)
from vr_booking.services.errors import InvalidInput
from vr_booking.services.groups.calendar import calendar_view
from vr_booking.services.groups.feed import centre_ics, centre_of_feed, create_feed, feeds_of
from vr_booking.services.groups.feed import revoke_feed as revoke
from vr_booking.services.timeutil import local_date
from vr_booking.web.deps import CurrentStaff, SessionDep, discard
from vr_booking.web.params import FormText, PathId
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)
Day = Annotated[date | None, Query(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
CENTRES_PER_PAGE = 20  # centres a page of the network calendar (a week of them is long on a phone)


@dataclass
class CentrePage:
    """The centres one page of the network calendar shows, by name."""

    number: int
    centres: list[Centre]
    total: int

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * CENTRES_PER_PAGE + 1

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.centres) - 1


def centre_page(centres: list[Centre], number: int) -> CentrePage:
    """Page ``number`` of ``centres`` (the last one when past it)."""
    number = min(number, max(1, -(-len(centres) // CENTRES_PER_PAGE)))
    start = (number - 1) * CENTRES_PER_PAGE
    return CentrePage(number, centres[start:start + CENTRES_PER_PAGE], len(centres))


@router.get("/staff/calendar", name="calendar")
def calendar_page(request: Request, session: SessionDep, staff: CurrentStaff,
                  centre: Annotated[str, Query(max_length=40)] = "",
                  view: Literal["week", "month"] = "week", day: Day = None,
                  page: Annotated[int, Query(ge=1, le=10_000)] = 1):
    """Every centre you see (the network) unless ``centre`` names one. The network is shown
    ``CENTRES_PER_PAGE`` centres a page (``page``), so that the page's cost does not grow
    with the network; the centre picker reaches any centre."""
    centres = visible_centres(session, staff)
    chosen = require_centre(session, staff, centre) if centre else None
    paged = centre_page(centres, page)
    shown = [chosen] if chosen else paged.centres
    zone = (chosen or (centres[0] if centres else None))
    today = local_date(utcnow(), zone.timezone if zone else "Europe/Paris")
    found = calendar_view(session, shown, view, day or today)
    return render(request, "pages/group_calendar.html", {
        "staff": staff, "centres": centres, "chosen": chosen, "calendar": found,
        "today": today, "network": chosen is None and len(centres) > 1,
        "paged": paged if chosen is None and paged.total > CENTRES_PER_PAGE else None,
        "page_size": CENTRES_PER_PAGE,
        "can_manage": chosen is not None and can_manage(session, staff, chosen.id)})


def _feeds_page(request, session, staff, centre, status_code: int = 200, **extra):
    return render(request, "pages/group_feeds.html", {
        "staff": staff, "centre": centre, "feeds": feeds_of(session, centre), "errors": {},
        **extra}, status_code=status_code)


@router.get("/staff/centres/{slug}/calendar-feeds", name="calendar_feeds")
def feeds_page(request: Request, slug: str, session: SessionDep, staff: CurrentStaff):
    return _feeds_page(request, session, staff, require_managed_centre(session, staff, slug))


@router.post("/staff/centres/{slug}/calendar-feeds")
def new_feed(request: Request, slug: str, session: SessionDep, staff: CurrentStaff,
             label: FormText = ""):
    centre = require_managed_centre(session, staff, slug)
    try:
        _feed, url = create_feed(session, staff, centre, label)
    except InvalidInput as error:
        discard(session)
        return _feeds_page(request, session, staff, centre, 422, errors=error.fields,
                           label=label)
    return _feeds_page(request, session, staff, centre, new_url=url)


@router.post("/staff/centres/{slug}/calendar-feeds/{feed_id}/revoke",
             name="calendar_feed_revoke")
def revoke_feed(request: Request, slug: str, feed_id: PathId, session: SessionDep,
                staff: CurrentStaff):
    centre = require_managed_centre(session, staff, slug)
    revoke(session, staff, centre, feed_id, utcnow())
    return _feeds_page(request, session, staff, centre, revoked=True)


@router.get("/calendar-feeds/{token}.ics", name="calendar_feed")
def feed(token: Annotated[str, Path(max_length=100)], session: SessionDep) -> Response:
    """A centre's calendar for staff calendar apps (no sign-in: the address is the key)."""
    centre = centre_of_feed(session, token)
    return Response(centre_ics(session, centre, utcnow()), media_type="text/calendar",
                    headers={"Cache-Control": "private, max-age=300"})
