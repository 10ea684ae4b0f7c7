"""The facilitators' evening digest: at the digest time (centre's zone), tomorrow's
sessions with their groups and the headsets reserved, to the centre's facilitators, once;
no visitor's name in it."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from factories import FACILITATOR, GAP_FACILITATOR, make_world, slot_at, visitor, workshop
from vr_booking.jobs import send_evening_digests
from vr_booking.models import OutboxMessage

MORNING = datetime(2027, 1, 12, 8, 0, tzinfo=UTC)  # Tuesday 09:00 in Paris
DIGEST_AT = datetime(2027, 1, 12, 17, 0, tzinfo=UTC)  # Tuesday 18:00 in Paris


def digests(db: Session) -> list[OutboxMessage]:
    db.commit()
    return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


@pytest.fixture
def tomorrow(db, make_centre, make_staff, time_machine):
    """Wednesday at Marseille: a workshop 10:00–12:00 with MRS-VR-01, an open-access slot
    booked by a visitor; Gap has nothing planned."""
    world = make_world(db, make_centre, make_staff)
    time_machine.move_to(MORNING, tick=False)
    group = workshop(db, world.marseille, world.headsets[0], timedelta(hours=25),
                     title="Atelier industrie")
    group.organisation = "Lycée Marie Curie"
    db.add(group)
    db.commit()
    slot = slot_at(db, world.marseille, datetime(2027, 1, 13, 13, 0, tzinfo=UTC))
    visitor(db, slot, "Zéphyrine Quasimodo", "zephyrine@example.org")
    return world


def test_facilitators_get_tomorrows_sessions_at_the_digest_time_once(db, engine, settings,
                                                                     tomorrow, time_machine):
    time_machine.move_to(DIGEST_AT - timedelta(minutes=1), tick=False)
    assert send_evening_digests(engine, settings) == 0
    time_machine.move_to(DIGEST_AT, tick=False)
    assert send_evening_digests(engine, settings) == 1
    assert send_evening_digests(engine, settings) == 0  # run twice: one digest
    [digest] = digests(db)
    assert digest.to_address == FACILITATOR  # not Gap's facilitator, not the manager
    assert digest.subject == "Demain à Cité des métiers de Marseille : mercredi 13 janvier 2027"
    body = digest.body_text
    assert "10:00–12:00 · Atelier · Atelier industrie" in body
    assert "Lycée Marie Curie" in body
    assert "1 casque réservé : MRS-VR-01" in body
    assert "14:00–14:20 : 1 réservé(s), 0 en attente" in body
    assert "Zéphyrine" not in body  # names stay on the Today page
    assert "/staff/centres/marseille/today" in body


def test_a_digest_missed_while_down_leaves_later_that_evening_once(db, engine, settings,
                                                                  tomorrow, time_machine):
    time_machine.move_to(DIGEST_AT + timedelta(hours=4), tick=False)  # 22:00 in Paris
    assert send_evening_digests(engine, settings) == 1
    assert send_evening_digests(engine, settings) == 0


def test_the_digest_time_is_a_setting_and_quiet_days_send_nothing(db, engine, settings,
                                                                  tomorrow, time_machine):
    settings.digest_time = time(20, 0)
    time_machine.move_to(DIGEST_AT, tick=False)
    assert send_evening_digests(engine, settings) == 0
    time_machine.move_to(DIGEST_AT + timedelta(hours=2), tick=False)
    assert send_evening_digests(engine, settings) == 1
    assert GAP_FACILITATOR not in [m.to_address for m in digests(db)]
    time_machine.move_to(DIGEST_AT + timedelta(days=1, hours=2), tick=False)  # Thursday empty
    assert send_evening_digests(engine, settings) == 0
