"""Who may see and change a headset: staff see those based at, or now at, their centres;
managers change those based at the centres they manage."""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from vr_booking.config import settings_for
from vr_booking.i18n import _
from vr_booking.models import Centre, Headset, StaffUser
from vr_booking.services.access import is_manager, visible_centre_ids
from vr_booking.services.errors import Forbidden, InvalidInput, NotFound
from vr_booking.services.fleet.location import current_centre_id

HEADSET_PATH = "/h/{asset_tag}"  # what a headset's printed QR label leads to


def headset_url(session: Session, headset: Headset) -> str:
    """The public address a headset's QR label encodes."""
    return settings_for(session).base_url + HEADSET_PATH.format(asset_tag=headset.asset_tag)


def find_headset(session: Session, asset_tag: str) -> Headset:
    headset = session.exec(
        select(Headset).where(Headset.asset_tag == asset_tag.strip().upper())).first()
    if headset is None:
        raise NotFound("unknown_headset", _("There is no headset with this asset tag."))
    return headset


def headsets_by_tag(session: Session, tags: Iterable[str]) -> list[Headset]:
    """The headsets of these asset tags (typed or scanned: trimmed, upper-cased, blanks and
    repeats dropped) in the order given; InvalidInput naming the unknown ones."""
    wanted = list(dict.fromkeys(t.strip().upper() for t in tags if t.strip()))
    found = {h.asset_tag: h for h in session.exec(
        select(Headset).where(col(Headset.asset_tag).in_(wanted)))}
    unknown = [t for t in wanted if t not in found]
    if unknown:
        message = _("Unknown asset tags: {tags}.").format(tags=", ".join(unknown))
        raise InvalidInput("unknown_headset", message, {"headset_tags": message})
    return [found[t] for t in wanted]


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


def managed_centres(session: Session, staff: StaffUser) -> list[Centre]:
    """The centres whose headsets this staff member manages; refused when there are none."""
    centres = [] if not is_manager(staff) else list(session.exec(
        select(Centre).where(col(Centre.id).in_(visible_centre_ids(session, staff)))
        .order_by(Centre.name)))
    if not centres:
        raise Forbidden("managers_only", _("Only the centre's managers can do this."))
    return centres


def home_centre(session: Session, headset: Headset) -> Centre:
    return session.get(Centre, headset.home_centre_id)


def current_centre(session: Session, headset: Headset, now: datetime) -> Centre:
    return session.get(Centre, current_centre_id(session, headset, now))
