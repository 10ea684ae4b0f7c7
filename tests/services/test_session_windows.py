"""Sessions meeting a window (the desk's day, the group list) are found by a search bounded
below by the longest a session may last (72 hours): the same sessions as without the bound,
including the longest one begun just before the window, and none that ended before it."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from factories import centre_today, local_at
from vr_booking.models import LONGEST_SESSION, SessionKind, VRSession
from vr_booking.services.desk.day import desk_day
from vr_booking.services.groups.queries import list_groups
from vr_booking.services.timeutil import day_bounds


def _forum(db: Session, centre, starts_at, length: timedelta, title: str) -> VRSession:
    forum = VRSession(centre_id=centre.id, kind=SessionKind.external_forum, title=title,
                      starts_at=starts_at, ends_at=starts_at + length, group_size=20,
                      headsets_reserved=2, location="Parc Chanot")
    db.add(forum)
    db.commit()
    return forum


@pytest.fixture
def forums(db: Session, make_centre):
    """Forums at Marseille around today's midnight: the longest one, begun a minute less
    than 72 hours before, still running; one that ended a minute before midnight."""
    centre = make_centre("marseille", kind="hub")
    midnight, _end = day_bounds(centre_today(centre), centre.timezone)
    _forum(db, centre, midnight - LONGEST_SESSION + timedelta(minutes=1), LONGEST_SESSION,
           "Longest")
    _forum(db, centre, midnight - timedelta(days=2), timedelta(days=2) - timedelta(minutes=1),
           "Ended")
    _forum(db, centre, local_at(centre, 0, "10:00"), timedelta(hours=2), "Today")
    return centre


def test_the_desk_day_finds_the_longest_session_begun_before_the_day(db, forums):
    midnight, _end = day_bounds(centre_today(forums), forums.timezone)
    day = desk_day(db, forums, midnight + timedelta(hours=9))
    assert sorted(d.session.title for d in day.groups) == ["Longest", "Today"]


def test_the_group_list_finds_it_too(db, forums):
    midnight, end = day_bounds(centre_today(forums), forums.timezone)
    rows, total = list_groups(db, {forums.id}, midnight, end, limit=10, offset=0)
    assert (sorted(r.title for r in rows), total) == (["Longest", "Today"], 2)
