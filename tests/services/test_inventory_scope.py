"""An administrator's inventory asks the database for its page and places only the page's
headsets; everyone else's places every visible headset first. Both must list the same
headsets at the same centres, with the same filters, counts and pages."""


import pytest
from sqlmodel import Session, select

from factories import add_headsets, loan_of
from vr_booking.models import Centre, StaffUser
from vr_booking.models.base import utcnow
from vr_booking.services.fleet.charge import Battery
from vr_booking.services.fleet.inventory import _visible_headsets, list_headsets

BATTERY = Battery()


@pytest.fixture
def admin(db: Session, make_centre, make_staff) -> StaffUser:
    """Three centres (one in another time zone) lending to each other today in every loan
    state, with two models and headsets out of service."""
    marseille = make_centre("marseille", kind="hub")
    gap = make_centre("gap", hub_id=marseille.id)
    noumea = make_centre("noumea", hub_id=marseille.id, timezone="Pacific/Noumea")
    mrs = add_headsets(db, marseille, 8)
    gap_headsets = add_headsets(db, gap, 4, prefix="GAP-VR-", model="Pico 4")
    nou = add_headsets(db, noumea, 3, prefix="NOU-VR-")
    loan_of(db, mrs[0], marseille, gap, "active", -1, 2)
    loan_of(db, mrs[1], marseille, gap, "planned", 0, 0)
    loan_of(db, mrs[2], marseille, noumea, "overdue", -6, -2)
    loan_of(db, mrs[3], marseille, gap, "returned", -1, 3)
    loan_of(db, mrs[4], marseille, gap, "cancelled", 0, 3)
    loan_of(db, mrs[5], marseille, gap, "planned", 1, 4)
    loan_of(db, gap_headsets[0], gap, marseille, "in_transit", 0, 5)
    loan_of(db, nou[0], noumea, marseille, "active", -3, 3)
    mrs[6].service_state, gap_headsets[1].service_state = "maintenance", "retired"
    db.add_all([mrs[6], gap_headsets[1]])
    db.commit()
    return make_staff("admin@example.org", role="admin")


def _placed(rows) -> list[tuple[str, str, str]]:
    return [(r.headset.asset_tag, r.current_centre.slug, r.home_centre.slug) for r in rows]


def test_the_network_page_places_headsets_as_the_general_path_does(db: Session, admin):
    now = utcnow()
    everywhere = _visible_headsets(db, set(db.exec(select(Centre.id))), now)
    expected = sorted((h.asset_tag, at) for h, at in everywhere.values())
    found = list_headsets(db, admin, now, BATTERY)
    assert [(r.headset.asset_tag, r.current_centre.id) for r in found.rows] == expected
    assert found.total == len(expected) == 15


def test_the_network_page_follows_the_loans_of_today(db: Session, admin):
    """Known answers: lent today (active, planned for today, overdue, in transit) is away;
    returned, cancelled and a loan starting tomorrow are not."""
    placed = {tag: at for tag, at, _home in _placed(list_headsets(db, admin, utcnow(),
                                                                  BATTERY).rows)}
    assert [placed[f"MRS-VR-0{n}"] for n in range(1, 8)] == [
        "gap", "gap", "noumea", "marseille", "marseille", "marseille", "marseille"]
    assert placed["GAP-VR-01"] == "marseille"
    assert placed["NOU-VR-01"] == "marseille"


@pytest.mark.parametrize("filters", [{"model": "Pico 4"}, {"state": "maintenance"},
                                     {"model": "Meta Quest 3", "state": "in_service"}])
def test_the_network_page_filters_in_the_database(db: Session, admin, filters):
    now = utcnow()
    every = list_headsets(db, admin, now, BATTERY).rows
    found = list_headsets(db, admin, now, BATTERY, **filters)
    expected = [r for r in every
                if all(getattr(r.headset, "service_state" if key == "state" else key) == value
                       for key, value in filters.items())]
    assert _placed(found.rows) == _placed(expected)
    assert found.total == len(expected) > 0


def test_the_network_pages_follow_each_other(db: Session, admin):
    now = utcnow()
    every = _placed(list_headsets(db, admin, now, BATTERY).rows)
    pages = [list_headsets(db, admin, now, BATTERY, limit=4, offset=offset)
             for offset in range(0, 16, 4)]
    assert [row for page in pages for row in _placed(page.rows)] == every
    assert {page.total for page in pages} == {15}
    assert [len(page.rows) for page in pages] == [4, 4, 4, 3]

