"""The rotation planner's arithmetic: rounds, remainders, who is in each, the end, warnings."""

from datetime import UTC, datetime, timedelta

import pytest

from vr_booking.models import Participant, VRSession
from vr_booking.services.groups.rotation import Limits, plan_rotation, round_sizes

pytestmark = pytest.mark.usefixtures("english")
START = datetime(2026, 12, 9, 8, 30, tzinfo=UTC)


def group(size: int, headsets: int, minutes: int = 120, briefing: int = 5, video: int = 15,
          cleaning: int = 2) -> VRSession:
    return VRSession(centre_id=1, kind="group_visit", starts_at=START,
                     ends_at=START + timedelta(minutes=minutes), group_size=size,
                     headsets_reserved=headsets, briefing_minutes=briefing,
                     video_minutes=video, cleaning_minutes=cleaning)


def people(*bands: str) -> list[Participant]:
    return [Participant(id=n, session_id=1, display_name=f"P{n}", age_band=band)
            for n, band in enumerate(bands, 1)]


def codes(rotation) -> list[str]:
    return [w.code for w in rotation.warnings]


@pytest.mark.parametrize(("size", "headsets", "sizes"), [
    (28, 10, [10, 9, 9]),  # remainder spread: no round of 8 left over
    (30, 10, [10, 10, 10]),
    (31, 10, [8, 8, 8, 7]),
    (7, 10, [7]),
    (10, 1, [1] * 10),
    (0, 10, []),
    (12, 0, []),
])
def test_rounds_are_ceil_of_people_over_headsets_and_as_even_as_they_can_be(size, headsets,
                                                                            sizes):
    assert round_sizes(size, headsets) == sizes
    assert len(sizes) == (-(-size // headsets) if headsets and size else 0)


def test_a_class_of_28_on_10_headsets_takes_three_rounds_of_22_minutes():
    rotation = plan_rotation(group(28, 10))
    assert (len(rotation.rounds), rotation.per_round, rotation.round_minutes) == (3, 10, 22)
    assert [r.starts_at - START for r in rotation.rounds] == [
        timedelta(0), timedelta(minutes=22), timedelta(minutes=44)]
    assert rotation.ends_at == START + timedelta(minutes=66)
    assert rotation.has_waiting
    assert rotation.warnings == []


def test_everyone_fits_in_one_round_and_nobody_waits():
    rotation = plan_rotation(group(8, 10))
    assert rotation.sizes == [8]
    assert not rotation.has_waiting


def test_a_window_too_short_for_the_rounds_is_warned():
    rotation = plan_rotation(group(28, 4, minutes=120))  # 7 rounds × 22 = 154 min
    assert "window_too_short" in codes(rotation)
    assert "154 min" in rotation.warnings[0].message
    assert "window_too_short" not in codes(plan_rotation(group(28, 4, minutes=154)))


def test_continuous_use_past_a_charge_is_warned():
    assert "battery" in codes(plan_rotation(group(60, 10, minutes=180)))  # 6 × 22 = 132
    assert "battery" not in codes(plan_rotation(group(50, 10, minutes=180)))  # 110
    assert "battery" not in codes(plan_rotation(group(60, 10, minutes=180),
                                                limits=Limits(battery_minutes=200)))
    assert "battery" in codes(plan_rotation(group(50, 10, minutes=180),
                                            limits=Limits(battery_minutes=100)))


def test_a_first_immersion_longer_than_20_minutes_is_warned():
    assert "first_timer" in codes(plan_rotation(group(10, 10, video=25)))
    assert "first_timer" not in codes(plan_rotation(group(10, 10, video=20)))


def test_no_headset_for_a_group_is_warned():
    rotation = plan_rotation(group(12, 0))
    assert rotation.rounds == []
    assert codes(rotation) == ["no_headsets"]


def test_the_roster_fills_the_rounds_in_the_order_it_was_made():
    roster = people(*["13-17"] * 5)
    rotation = plan_rotation(group(5, 2), list(reversed(roster)))
    assert [[p.display_name for p in r.people] for r in rotation.rounds] == [
        ["P1", "P2"], ["P3", "P4"], ["P5"]]


def test_children_under_13_are_left_out_of_the_rounds():
    roster = people("13-17", "0-12", "13-17", "13-17", "0-12")
    rotation = plan_rotation(group(5, 2), roster)
    assert rotation.wearers == 3
    assert [p.display_name for r in rotation.rounds for p in r.people] == ["P1", "P3", "P4"]
    assert [p.display_name for p in rotation.children] == ["P2", "P5"]
    assert "under_13" in codes(rotation)
    assert "2 participants are under 13" in rotation.warnings[-1].message


def test_an_incomplete_roster_keeps_places_for_the_expected_group():
    rotation = plan_rotation(group(28, 10), people("13-17", "13-17"))
    assert rotation.sizes == [10, 9, 9]
    assert [r.unnamed for r in rotation.rounds] == [8, 9, 9]
