"""Many managers planning at once, for overlapping windows and the same headsets, against a
running server (SQLite or PostgreSQL, see conftest): no headset is ever held twice.

Three layers keep it so: the centre lock serialises planners, the planner checks clashes
after taking it, and the database refuses overlapping allocations (an exclusion constraint
on PostgreSQL, triggers on SQLite). The tests take them away one by one on a server whose
lock does nothing (``unlocked_server.py``): with the database rule alone nothing is held
twice either; with everything off, the same burst holds headsets twice (the controls, so
the assertion can fail); on PostgreSQL, the check without the lock races (the race control).
"""

import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import combinations

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from factories import (
    MANAGER,
    TEST_DB,
    UNLOCKED_SERVER,
    add_headsets,
    local_at,
    make_world,
    race_control,
    start_server,
    start_unlocked_server,
    stop_server,
)
from vr_booking.db import overlaps
from vr_booking.models import Allocation, Headset
from vr_booking.services.fleet.reservations import NO_DOUBLE_ALLOCATION

PLANNERS = 16
SETTINGS = {"lock_timeout_seconds": "30"}  # planners queue; none should give up
CONTROL_BURSTS = 5


@pytest.fixture
def world(db: Session, make_centre, make_staff, make_token):
    world = make_world(db, make_centre, make_staff)  # 3 headsets at Marseille
    world.headsets += add_headsets(db, world.marseille, 1, prefix="MRS-XR-")
    return world, {"Authorization": f"Bearer {make_token(MANAGER)}"}


@pytest.fixture
def without_database_rule(engine: Engine, db_url: str):
    """Drop the database's rule for this test (and put it back on PostgreSQL, whose test
    database outlives the test; each SQLite test has its own copy)."""
    with engine.begin() as conn:
        if TEST_DB == "postgres":
            conn.execute(text(f"ALTER TABLE allocation DROP CONSTRAINT {NO_DOUBLE_ALLOCATION}"))
        else:
            conn.execute(text("DROP TRIGGER allocation_no_overlap_insert"))
            conn.execute(text("DROP TRIGGER allocation_no_overlap_update"))
    yield
    if TEST_DB == "postgres":
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM allocation"))
            conn.execute(text(f"ALTER TABLE allocation ADD CONSTRAINT {NO_DOUBLE_ALLOCATION} "
                              "EXCLUDE USING gist (headset_id WITH =, "
                              "tstzrange(starts_at, ends_at) WITH &&)"))


def bodies(world, day: int = 3) -> list[dict]:
    """PLANNERS requests, windows 10 minutes apart, each an hour long: they all overlap
    their neighbours. Half ask for two headsets by count, half for the same two by tag."""
    centre = world.marseille
    found = []
    for n in range(PLANNERS):
        start = local_at(centre, day, "09:00") + timedelta(minutes=10 * n)
        wanted = {"headsets": 2} if n % 2 else {"headset_tags": ["MRS-VR-01", "MRS-VR-02"]}
        found.append({"centre": "marseille", "kind": "workshop", "title": f"Atelier {n}",
                      "starts_at": start.isoformat(),
                      "ends_at": (start + timedelta(hours=1)).isoformat(), "group_size": 6,
                      **wanted})
    return found


def plan_all(server, auth, requests: list[dict]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(lambda body: httpx.post(
            f"{server.url}/api/v1/group-sessions", json=body, headers=auth, timeout=120),
            requests))


def held_twice(db: Session) -> list[tuple[str, int, int]]:
    """(asset tag, session, session) for every two allocations of a headset that overlap."""
    db.commit()
    rows = db.exec(select(Allocation, Headset.asset_tag)
                   .join(Headset, Headset.id == Allocation.headset_id)).all()
    return [(tag, a.session_id, b.session_id)
            for (a, tag), (b, other) in combinations(rows, 2)
            if tag == other and overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at)]


def server_with(db_url, tmp_path, *flags: str):
    if not flags:
        return start_unlocked_server(db_url, tmp_path / "server", **SETTINGS)
    return start_server(db_url, tmp_path / "server", **SETTINGS,
                        command=[sys.executable, str(UNLOCKED_SERVER), *flags])


def test_parallel_plans_never_hold_a_headset_twice(world, db, db_url, tmp_path):
    world, auth = world
    server = start_server(db_url, tmp_path / "server", workers=2, **SETTINGS)
    try:
        answers = plan_all(server, auth, bodies(world))
    finally:
        stop_server(server)
    codes = Counter(a.status_code for a in answers)
    assert set(codes) <= {201, 409}, codes
    assert codes[201] >= 1, codes
    assert codes[409] >= 1, codes
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"headsets_busy"}
    assert held_twice(db) == []
    stored = Counter(a.session_id for a in db.exec(select(Allocation)))
    assert sorted(stored.values()) == [2] * codes[201]


def test_the_database_alone_refuses_what_the_lock_and_the_check_let_through(world, db, db_url,
                                                                           tmp_path):
    world, auth = world
    server = server_with(db_url, tmp_path, "--unchecked-allocations")
    try:
        answers = plan_all(server, auth, bodies(world))
    finally:
        stop_server(server)
    codes = Counter(a.status_code for a in answers)
    # without the lock, PostgreSQL may break a deadlock between two inserts: "busy, try again"
    assert set(codes) <= {201, 409, 503}, codes
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"headsets_busy"}
    assert all(a.headers["Retry-After"] for a in answers if a.status_code == 503)
    assert held_twice(db) == []


@pytest.mark.usefixtures("without_database_rule")
def test_control_with_the_lock_the_check_and_the_database_rule_off_headsets_go_twice(
        world, db, db_url, tmp_path):
    world, auth = world
    server = server_with(db_url, tmp_path, "--unchecked-allocations")
    try:
        answers = plan_all(server, auth, bodies(world))
    finally:
        stop_server(server)
    doubles = held_twice(db)
    print(f"\nheadsets held twice without any of the three: {len(doubles)}")
    assert Counter(a.status_code for a in answers)[201] > 1
    assert doubles


@race_control
@pytest.mark.usefixtures("without_database_rule")
def test_control_the_check_without_the_lock_or_the_database_rule_races(world, db, db_url,
                                                                       tmp_path):
    world, auth = world
    server = server_with(db_url, tmp_path)
    seen = []
    try:
        for burst in range(CONTROL_BURSTS):  # a fresh day for each burst
            plan_all(server, auth, bodies(world, day=3 + burst))
            seen.append(len(held_twice(db)))
            if seen[-1]:
                break
    finally:
        stop_server(server)
    print(f"\nheadsets held twice per burst (check on, lock and database rule off): {seen}")
    assert any(seen)
