"""The pages whose cost must not grow with the network make as many SQL statements on a
network of 1 hub and 2 associated centres as on one of 4 hubs with 8 associated centres each
(more headsets, loans, bookings, group sessions and catalogue jobs in the bigger one).

Each route is asked once to warm up, then once counted. A per-centre or per-row query would
make the bigger network's count larger.
"""

from datetime import time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from factories import (
    ADMIN,
    HUB_FACILITATOR,
    HUB_MANAGER,
    add_headsets,
    bearer,
    centre_today,
    confirmed_bookings,
    login,
    network_routes,
    workshop,
)
from vr_booking.models import Centre, Job, Loan, LoanHeadset, OpenAccessRule, Sector, VRSession
from vr_booking.services.open_access.slots import generate_slots


def _centre(db: Session, slug: str, hub: Centre | None = None) -> Centre:
    centre = Centre(slug=slug, name=slug.title(), kind="associated" if hub else "hub",
                    hub_id=hub.id if hub else None)
    db.add(centre)
    db.commit()
    return centre


def _equip(db: Session, centre: Centre, headsets: int, prefix: str) -> None:
    """Headsets, a daily rule with its slots for the coming week, bookings in its first slots,
    and (for a hub) a workshop holding a headset."""
    units = add_headsets(db, centre, headsets, prefix=prefix)
    today = centre_today(centre)
    for day in range(1, 3):
        rule = OpenAccessRule(centre_id=centre.id, weekday=(today + timedelta(days=day)).weekday(),
                              start_time=time(14), end_time=time(15), horizon_weeks=1)
        db.add(rule)
        db.flush()
        slots = generate_slots(db, rule, today)
        db.commit()
        for slot in slots[:2]:
            confirmed_bookings(db, slot, 1)
    if centre.hub_id is None:
        workshop(db, centre, units[-1], timedelta(days=1, hours=2))


def _lend(db: Session, hub: Centre, to: Centre, headset_ids: list[int]) -> None:
    today = centre_today(hub)
    loan = Loan(from_centre_id=hub.id, to_centre_id=to.id, status="active",
                start_date=today - timedelta(days=1), end_date=today + timedelta(days=3))
    db.add(loan)
    db.flush()
    db.add_all(LoanHeadset.of(loan, h) for h in headset_ids)
    db.commit()


def _grow(db: Session, hub: Centre, hubs: range, associated: range, headsets: int) -> None:
    """Add hubs (and to each, ``associated`` centres) with their fleets and a loan each."""
    for h in hubs:
        leader = hub if h == 1 else _centre(db, f"hub-{h}")
        if h != 1:
            _equip(db, leader, headsets, f"H{h}-")
        for a in associated:
            centre = _centre(db, f"hub-{h}-{a}", leader)
            _equip(db, centre, 2, f"H{h}-{a}-")
            first = (h * 100 + a) * 10
            _lend(db, leader, centre, [x.id for x in add_headsets(
                db, leader, 2, prefix=f"H{h}-L{a}-")][:1 + first % 2])


def _catalogue(db: Session, start: int, count: int) -> None:
    sector = db.get(Sector, 1) or Sector(slug="industrie", name="Industrie")
    db.add(sector)
    db.flush()
    db.add_all(Job(slug=f"technicien-{n}", title=f"Technicien {n}", sector_id=sector.id,
                   rome_code="H1101", search_text=f"technicien {n}")
               for n in range(start, start + count))
    db.commit()


def _count(engine: Engine, clients: dict, headers: dict, slot_id: int) -> dict[str, int]:
    counted: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        counted.append(statement)

    found = {}
    for name, (who, path) in network_routes("hub-1", slot_id, "technicien").items():
        client = clients[who]
        extra = headers if who == "api" else {}
        assert client.get(path, headers=extra).status_code == 200, name
        event.listen(engine, "before_cursor_execute", count)
        try:
            client.get(path, headers=extra)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        found[name] = len(counted)
        counted.clear()
    return found


def test_statements_do_not_grow_with_the_network(app, engine: Engine, db: Session,
                                                 make_staff, make_token) -> None:
    hub = _centre(db, "hub-1")
    _equip(db, hub, 6, "H1-")
    _grow(db, hub, range(1, 2), range(1, 3), 6)
    _catalogue(db, 1, 3)
    make_staff(ADMIN, role="admin")
    make_staff(HUB_MANAGER, role="manager", centres=("hub-1",))
    make_staff(HUB_FACILITATOR, centres=("hub-1",))
    headers = bearer(make_token(ADMIN))
    slot_id = _first_slot(db, hub)
    db.commit()  # end the read, so that growing the network can write
    with TestClient(app) as public, TestClient(app) as admin, TestClient(app) as manager, \
            TestClient(app) as desk:
        login(admin, ADMIN)
        login(manager, HUB_MANAGER)
        login(desk, HUB_FACILITATOR)
        clients = {"public": public, "admin": admin, "manager": manager, "desk": desk,
                   "api": public}
        small = _count(engine, clients, headers, slot_id)
        _grow(db, hub, range(1, 2), range(3, 9), 6)
        _grow(db, hub, range(2, 5), range(1, 9), 8)
        _catalogue(db, 4, 60)
        large = _count(engine, clients, headers, slot_id)
    grown = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert not grown, f"statements (small, large network): {grown}"


def _first_slot(db: Session, hub: Centre) -> int:
    return db.exec(select(VRSession.id).where(VRSession.centre_id == hub.id,
                                              VRSession.kind == "open_access")
                   .order_by(VRSession.starts_at)).first()
