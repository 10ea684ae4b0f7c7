"""Rosters: CSV files checked first (a dry run writes nothing), then written all or nothing;
checking a group in at once."""

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from factories import FACILITATOR, local_at, make_world, plan_group, roster_csv
from vr_booking.models import Participant, StaffUser
from vr_booking.services.desk.checkin import check_in_group
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.groups.roster import add_participants, read_roster_csv

pytestmark = pytest.mark.usefixtures("english")
ADULT = {"accompanying_adult": "M. Dupont", "minors_authorisation_holder": "Le collège"}


@pytest.fixture
def world(db: Session, make_centre, make_staff):
    return make_world(db, make_centre, make_staff)


@pytest.fixture
def group(db: Session, world):
    return plan_group(db, world.marseille, kind="group_visit", min_age=12, max_age=15,
                      group_size=28, **ADULT).group


def staff(db: Session) -> StaffUser:
    return db.exec(select(StaffUser).where(StaffUser.email == FACILITATOR)).one()


def count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(Participant)).one()


def test_a_dry_run_shows_who_would_be_added_and_writes_nothing(db, group):
    report, rows, lines = read_roster_csv(db, group, roster_csv([
        ("Ana", "", "13-17"), ("", "3B-07", "13–17"), ("Léo", "", "<13")]))
    assert report.ok
    assert [(r.line, r.name, r.code, r.age_band) for r in report.rows] == [
        (2, "Ana", "", "13-17"), (3, "", "3B-07", "13-17"), (4, "Léo", "", "0-12")]
    assert report.children == 1
    assert count(db) == 0
    added = add_participants(db, staff(db), group, rows, lines)
    assert [p.display_name or p.code for p in added] == ["Ana", "3B-07", "Léo"]
    assert all(p.code for p in added)  # a code is given to those without one


def test_every_problem_of_a_file_is_listed_and_nothing_is_added(db, group):
    text = roster_csv([("ana@example.org", "", ""), ("Bo", "X 1", ""), ("Cy", "A1", ""),
                       ("Di", "A1", "teen"), ("", "", "")]) + ";;13-17\n"
    report, rows, lines = read_roster_csv(db, group, text)
    assert not report.ok
    assert report.problems == [
        "Line 2: no e-mail addresses on a roster: a first name or a code is enough.",
        "Line 3: a code has 1 to 12 letters, digits or hyphens.",
        "Line 5: the code A1 appears twice.",
        "Line 5: the age band is one of 0-12, 13-17, 18-24, 25-54, 55+, or empty.",
        "Line 7: give a first name or a code.",
    ]
    with pytest.raises(InvalidInput):
        add_participants(db, staff(db), group, rows, lines)
    db.rollback()
    assert count(db) == 0


def test_a_file_without_a_header_naming_its_columns_is_refused(db, group):
    report, _rows, _lines = read_roster_csv(db, group, "Ana\nBilal\n")
    assert report.problems == ["The first line must name the columns: name, code, age_band "
                               "(name or code at least)."]


def test_codes_already_used_are_refused(db, group):
    add_participants(db, staff(db), group, [{"code": "3B-07"}])
    report, _rows, _lines = read_roster_csv(db, group, roster_csv([("", "3b-07", "")]))
    assert report.problems == ["These codes are already used: 3B-07."]


def test_a_cancelled_session_keeps_its_roster(db, world, group):
    group.status = "cancelled"
    db.add(group)
    db.commit()
    with pytest.raises(Conflict):
        add_participants(db, staff(db), group, [{"name": "Ana"}])


def test_all_present_checks_in_everyone_not_yet_checked_in(db, world, group):
    add_participants(db, staff(db), group, [{"name": n, "age_band": "13-17"}
                                            for n in ("Ana", "Bo", "Cy")])
    db.commit()
    now = local_at(world.marseille, 3, "09:35")
    first = check_in_group(db, staff(db), group.id, now)
    again = check_in_group(db, staff(db), group.id, now + timedelta(minutes=1))
    assert (first.newly, first.present, again.newly, again.present) == (3, 3, 0, 3)


def test_a_group_without_a_roster_is_checked_in_by_its_number(db, world, group):
    now = local_at(world.marseille, 3, "09:35")
    with pytest.raises(InvalidInput):
        check_in_group(db, staff(db), group.id, now)
    db.rollback()
    done = check_in_group(db, staff(db), group.id, now, present=26)
    assert (done.newly, done.present) == (26, 26)
    assert db.exec(select(func.count()).select_from(Participant).where(
        Participant.checked_in_at == now)).one() == 26


def test_a_group_is_checked_in_on_its_day_only(db, world, group):
    with pytest.raises(Conflict) as refused:
        check_in_group(db, staff(db), group.id, local_at(world.marseille, 2, "09:35"),
                       present=3)
    assert refused.value.code == "wrong_day"
