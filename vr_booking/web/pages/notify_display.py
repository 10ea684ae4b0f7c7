"""The "places left" screen of a centre, for the display at its entrance: public, no
sign-in, no personal data. htmx refreshes the board (static/js/places.js stops polling while
the page is hidden); without JavaScript the page reloads itself."""

from fastapi import Query, Request
from fastapi.responses import Response

from vr_booking.i18n import _
from vr_booking.models import utcnow
from vr_booking.services.access import centre_by_slug
from vr_booking.services.errors import NotFound
from vr_booking.services.notify.display import places_board
from vr_booking.services.open_access.slots import get_slot
from vr_booking.services.qr import qr_svg
from vr_booking.web.deps import SessionDep
from vr_booking.web.params import MAX_ID
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/centres/{slug}/places", name="places")
def places(request: Request, slug: str, session: SessionDep):
    centre = centre_by_slug(session, slug)
    now = utcnow()
    return render(request, "pages/places.html", {
        "board": places_board(session, centre, now), "centre": centre, "now": now,
        "refresh_seconds": request.app.state.settings.places_refresh_seconds,
    }, block_name="board")


@router.get("/centres/{slug}/places/qr.svg", name="places_qr")
def places_qr(request: Request, slug: str, session: SessionDep,
              slot: int | None = Query(default=None, ge=1, le=MAX_ID)) -> Response:
    """The QR code of the screen: the booking form of ``slot``, else the home page."""
    centre = centre_by_slug(session, slug)
    path = request.url_for("home").path
    if slot is not None:
        found = get_slot(session, slot)
        if found.centre_id != centre.id:
            raise NotFound("unknown_slot", _("This session does not exist."))
        path = request.url_for("book_form", slot_id=found.id).path
    target = request.app.state.settings.base_url + path  # the public address, as on tickets
    return Response(qr_svg(target), media_type="image/svg+xml",
                    headers={"Cache-Control": "max-age=300"})
