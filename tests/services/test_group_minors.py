"""Minors' rules (field rule 1): nobody under 13 wears a headset; a group with minors names
its accompanying adult and who holds the parental authorisations."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from factories import (
    FACILITATOR,
    charge,
    group_fields,
    local_at,
    make_world,
    plan_group,
)
from vr_booking.models import Participant, StaffUser
from vr_booking.services.desk.checkin import check_in_group
from vr_booking.services.desk.handout import hand_out
from vr_booking.services.desk.rounds import hand_out_round
from vr_booking.services.errors import Conflict, InvalidInput
from vr_booking.services.groups.inputs import parse_plan
from vr_booking.services.groups.roster import add_participants

pytestmark = pytest.mark.usefixtures("english")
ADULT = {"accompanying_adult": "M. Dupont", "minors_authorisation_holder": "Le collège"}


@pytest.fixture
def world(db: Session, make_centre, make_staff):
    return make_world(db, make_centre, make_staff)


def staff(db: Session, email: str = FACILITATOR) -> StaffUser:
    return db.exec(select(StaffUser).where(StaffUser.email == email)).one()


def test_a_group_whose_oldest_is_under_13_cannot_be_planned(world):
    with pytest.raises(InvalidInput) as refused:
        parse_plan(group_fields(world.marseille, min_age=10, max_age=12, **ADULT))
    assert refused.value.code == "under_13"
    assert "Nobody under 13" in refused.value.message
    assert set(refused.value.fields) == {"max_age"}


def test_a_group_with_minors_needs_a_named_adult_and_the_authorisations_holder(world):
    with pytest.raises(InvalidInput) as refused:
        parse_plan(group_fields(world.marseille, min_age=14, max_age=15))
    assert set(refused.value.fields) == {"accompanying_adult", "minors_authorisation_holder"}
    assert parse_plan(group_fields(world.marseille, min_age=14, max_age=15, **ADULT))


def test_a_group_of_adults_needs_neither(world):
    assert parse_plan(group_fields(world.marseille, min_age=18, max_age=60))
    assert parse_plan(group_fields(world.marseille, min_age=None, max_age=None))


def test_a_mixed_class_with_some_under_13_can_be_planned(world):
    assert parse_plan(group_fields(world.marseille, min_age=12, max_age=14, **ADULT))


def test_minors_cannot_join_a_roster_without_the_adult_and_the_holder(db, world):
    group = plan_group(db, world.marseille, min_age=None, max_age=None).group
    with pytest.raises(InvalidInput, match="This roster has minors"):
        add_participants(db, staff(db), group, [{"name": "Ana", "age_band": "13-17"}])
    db.rollback()
    added = add_participants(db, staff(db), group, [{"name": "Marc", "age_band": "25-54"}])
    assert [p.display_name for p in added] == ["Marc"]


def test_a_child_under_13_on_the_roster_is_never_handed_a_headset(db, world):
    day_start = local_at(world.marseille, 3, "09:30")
    group = plan_group(db, world.marseille, min_age=11, max_age=14, group_size=2,
                       **ADULT).group
    add_participants(db, staff(db), group, [{"name": "Léo", "age_band": "0-12"},
                                            {"name": "Ana", "age_band": "13-17"}])
    db.commit()
    now = day_start + timedelta(minutes=5)
    charge(db, world.headsets, 100, now - timedelta(hours=1))
    check_in_group(db, staff(db), group.id, now)
    db.commit()
    leo, ana = db.exec(select(Participant).order_by(Participant.id)).all()
    with pytest.raises(Conflict) as refused:
        hand_out(db, staff(db), now, "MRS-VR-01", participant_id=leo.id)
    assert refused.value.code == "under_13"
    db.rollback()
    done = hand_out_round(db, staff(db), now, group.id, 1)
    assert [h.holder.name for h in done.given] == ["Ana"]  # Léo is not in any round
    assert done.round.people == [ana]
