"""The one definition of overlapping ranges (``vr_booking.db.ranges``): half-open time ranges
(touching ones do not overlap), inclusive day ranges, and SQL that agrees with Python on the
test database."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from vr_booking.db import days_overlap, overlaps, ranges_overlap
from vr_booking.models import Centre, Loan, SessionKind, VRSession


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 4, hour, minute, tzinfo=UTC)


BASE = (at(10), at(11))
CASES = [  # (start, end, overlaps [10:00, 11:00)?)
    (at(9), at(10), False),  # ends as the base starts: touching
    (at(11), at(12), False),  # starts as the base ends: touching
    (at(8), at(9), False),
    (at(12), at(13), False),
    (at(9, 30), at(10, 30), True),
    (at(10, 59), at(11, 30), True),
    (at(10, 15), at(10, 45), True),  # inside
    (at(9), at(12), True),  # around
    (at(10), at(11), True),  # the same range
]


@pytest.mark.parametrize(("start", "end", "expected"), CASES)
def test_overlaps_is_half_open_and_symmetric(start, end, expected):
    assert overlaps(*BASE, start, end) is expected
    assert overlaps(start, end, *BASE) is expected


@pytest.fixture
def centre(db: Session) -> Centre:
    centre = Centre(slug="hub", name="Hub")
    db.add(centre)
    db.commit()
    return centre


def test_ranges_overlap_in_sql_agrees_with_python(db: Session, centre: Centre):
    rows = [VRSession(centre_id=centre.id, kind=SessionKind.workshop, starts_at=start,
                      ends_at=end) for start, end, _expected in CASES]
    db.add_all(rows)
    db.commit()
    paris = ZoneInfo("Europe/Paris")
    for query_start, query_end in (BASE, (BASE[0].astimezone(paris), BASE[1].astimezone(paris))):
        found = set(db.exec(select(VRSession.id).where(
            ranges_overlap(VRSession.starts_at, VRSession.ends_at, query_start, query_end))))
        assert found == {row.id for row, (_s, _e, expected) in zip(rows, CASES, strict=True)
                         if expected}


def test_ranges_overlap_in_sql_is_symmetric(db: Session, centre: Centre):
    base = VRSession(centre_id=centre.id, kind=SessionKind.workshop, starts_at=BASE[0],
                     ends_at=BASE[1])
    db.add(base)
    db.commit()
    for start, end, expected in CASES:
        found = db.exec(select(VRSession.id).where(
            ranges_overlap(VRSession.starts_at, VRSession.ends_at, start, end))).all()
        assert (found == [base.id]) is expected, (start, end)


DAYS = (date(2026, 3, 2), date(2026, 3, 6))  # Monday to Friday, both included
DAY_CASES = [  # (first, last, meets Monday–Friday?)
    (date(2026, 2, 27), date(2026, 3, 1), False),  # Friday to Sunday before
    (date(2026, 3, 7), date(2026, 3, 8), False),  # the weekend after
    (date(2026, 2, 27), date(2026, 3, 2), True),  # ends on the Monday
    (date(2026, 3, 6), date(2026, 3, 9), True),  # starts on the Friday
    (date(2026, 3, 4), date(2026, 3, 4), True),  # one day inside
    (date(2026, 2, 1), date(2026, 4, 1), True),  # around
]


def test_days_overlap_in_sql_is_the_inclusive_twin_of_overlaps(db: Session, centre: Centre):
    other = Centre(slug="gap", name="Gap")
    db.add(other)
    db.commit()
    loans = [Loan(from_centre_id=centre.id, to_centre_id=other.id, start_date=first,
                  end_date=last) for first, last, _expected in DAY_CASES]
    db.add_all(loans)
    db.commit()
    found = set(db.exec(select(Loan.id).where(
        days_overlap(Loan.start_date, Loan.end_date, *DAYS))))
    assert found == {loan.id for loan, (_f, _l, expected) in zip(loans, DAY_CASES, strict=True)
                     if expected}
    day = timedelta(days=1)
    for first, last, expected in DAY_CASES:  # inclusive days = half-open [first, last + 1)
        assert overlaps(first, last + day, DAYS[0], DAYS[1] + day) is expected
