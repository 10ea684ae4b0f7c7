"""Utilisation's open-access hours within instant ranges (a loan's days, or until its
return) against a plain Python reading of the sessions: range bounds to the microsecond,
cancelled slots, other kinds of session, centres in other time zones, sessions still to come."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from factories import REPORT_NOW, paris, report_data
from vr_booking.models import SessionKind, SessionStatus, VRSession
from vr_booking.services.reports.scope import Period, Scope
from vr_booking.services.reports.utilisation import _hours_in_ranges
from vr_booking.services.timeutil import day_bounds

MARCH = Period(datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date())


@pytest.fixture
def data(db):
    return report_data(db)


def _reference(db, scope: Scope, period: Period, ranges) -> dict[int, float]:
    """What the SQL must find, read session by session."""
    seconds: dict[int, float] = {}
    for row in db.exec(select(VRSession)).all():
        zone = scope.by_id[row.centre_id].timezone if row.centre_id in scope.by_id else None
        if (zone is None or row.kind != SessionKind.open_access
                or row.status == SessionStatus.cancelled or row.starts_at >= REPORT_NOW
                or not day_bounds(period.first, zone)[0] <= row.starts_at
                < day_bounds(period.last, zone)[1]):
            continue
        for key, centre, start, end in ranges:
            if centre == row.centre_id and start <= row.starts_at < end:
                seconds[key] = seconds.get(key, 0.0) + (row.ends_at - row.starts_at).total_seconds()
    return seconds


def _ranges(data) -> list[tuple[int, int, datetime, datetime]]:
    m, gap, noumea = data.marseille.id, data.gap.id, data.noumea.id
    slot = paris(3, 4, 14)  # Marseille's first slot; the second starts 20 minutes later
    micro = timedelta(microseconds=1)
    return [
        (0, m, slot, slot + timedelta(minutes=20)),  # starts with a slot, ends with the next
        (1, m, slot + micro, slot + timedelta(minutes=20, microseconds=1)),  # only the second
        (2, m, slot - micro, slot),  # ends where the slot starts: nothing
        (3, m, paris(3, 1, 0), paris(4, 1, 0)),  # the month: not the cancelled or later slot
        (4, gap, paris(3, 9, 0), datetime(2026, 3, 12, 10, tzinfo=UTC)),  # a returned loan
        (5, noumea, datetime(2026, 2, 27, tzinfo=UTC), datetime(2026, 4, 2, tzinfo=UTC)),
        (6, m, paris(3, 12, 9), paris(3, 13, 10)),  # group sessions only: nothing
    ]


def _noumea_slots(db, data) -> None:
    """Nouméa (UTC+11): one slot on its 1 March (28 February in UTC), one cancelled, one on
    its 1 April (still 31 March in UTC)."""
    for start, status in ((datetime(2026, 2, 28, 22, tzinfo=UTC), "planned"),
                          (datetime(2026, 3, 5, 22, tzinfo=UTC), "cancelled"),
                          (datetime(2026, 3, 31, 22, tzinfo=UTC), "planned")):
        db.add(VRSession(centre_id=data.noumea.id, kind="open_access", status=status,
                         starts_at=start, ends_at=start + timedelta(minutes=30)))
    db.commit()


def test_hours_in_ranges_match_the_sessions_read_one_by_one(db, data):
    _noumea_slots(db, data)
    scope = Scope([data.marseille, data.gap, data.noumea])
    ranges = _ranges(data)
    found = _hours_in_ranges(db, scope, MARCH, REPORT_NOW, ranges)
    expected = _reference(db, scope, MARCH, ranges)
    assert found == pytest.approx(expected, abs=1e-3)
    assert set(found) == {0, 1, 3, 4, 5}
    assert (found[0], found[1], found[3], found[5]) == pytest.approx((1200, 1200, 3600, 1800),
                                                                     abs=1e-3)


def test_hours_in_ranges_is_one_statement_whatever_the_number_of_ranges(db, data, engine):
    """The ranges travel as one parameter: SQLAlchemy compiles the statement once, however
    many loans a network has (a VALUES list was compiled again at every request)."""
    sent = []

    def keep(_conn, _cursor, statement, *_args) -> None:
        if not statement.startswith(("BEGIN", "SAVEPOINT")):
            sent.append(statement)

    scope = Scope([data.marseille, data.gap])
    ranges = _ranges(data)[:5]
    event.listen(engine, "before_cursor_execute", keep)
    try:
        few = _hours_in_ranges(db, scope, MARCH, REPORT_NOW, ranges[:1])
        many = _hours_in_ranges(db, scope, MARCH, REPORT_NOW, ranges * 20)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert len(sent) == 2
    assert sent[0] == sent[1]
    assert few == pytest.approx({0: 1200.0}, abs=1e-3)
    assert many == pytest.approx(_reference(db, scope, MARCH, ranges * 20), abs=1e-3)
