"""Demo data that makes a first start real: centres, headsets, catalogue, rule, sessions.

The fleet is ready for a first day: every headset charged and clean, holding every video of
the demo catalogue (so each job can be watched and the desk can hand headsets out at once).
Everything is matched by a natural key (slug, asset tag, title), so loading twice changes
nothing.
"""

import json
import secrets
from datetime import date, time, timedelta

from sqlmodel import Session, col, func, select

from vr_booking.models import (
    Centre,
    Headset,
    InstalledVideo,
    Loan,
    LoanHeadset,
    OpenAccessRule,
    StaffUser,
    VRSession,
    utcnow,
)
from vr_booking.paths import DATA_DIR
from vr_booking.services.admin.accounts import create_staff
from vr_booking.services.catalogue.csv_import import import_catalogue_or_raise
from vr_booking.services.fleet.content import active_videos, set_installed_videos
from vr_booking.services.groups.inputs import parse_plan
from vr_booking.services.groups.planning import create_group_session
from vr_booking.services.open_access.slots import generate_all_slots
from vr_booking.services.timeutil import local_to_utc


def is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Centre)).one() == 0


def load_demo_data(session: Session, today: date) -> None:
    """Load (or complete) the demo data shipped in ``vr_booking/data``."""
    data = json.loads((DATA_DIR / "demo.json").read_text(encoding="utf-8"))
    centres = _load_centres(session, data["centres"])
    _load_headsets(session, centres, data["headsets"])
    import_catalogue_or_raise(session, (DATA_DIR / "catalogue.csv").read_text(encoding="utf-8"))
    _install_videos(session)
    _load_rules(session, centres, data["open_access_rules"])
    generate_all_slots(session, today)
    _load_group_sessions(session, centres, data["group_sessions"], today)
    _load_loans(session, centres, data.get("loans", []), today)
    session.flush()


def _load_centres(session: Session, rows: list[dict]) -> dict[str, Centre]:
    centres = {c.slug: c for c in session.exec(select(Centre))}
    for row in rows:
        if row["slug"] in centres:
            continue
        fields = {k: v for k, v in row.items() if k != "hub"}
        centre = Centre(**fields, hub_id=centres[row["hub"]].id if "hub" in row else None)
        session.add(centre)
        session.flush()
        centres[centre.slug] = centre
    return centres


def _load_headsets(session: Session, centres: dict[str, Centre], spec: dict) -> None:
    known = set(session.exec(select(Headset.asset_tag)).all())
    charged_at = utcnow()  # charged full when the demo starts; never used, so clean
    for number in range(1, spec["count"] + 1):
        tag = f"{spec['prefix']}{number:02d}"
        if tag not in known:
            session.add(Headset(asset_tag=tag, serial=f"{spec['serial_prefix']}{number:04d}",
                                model=spec["model"], home_centre_id=centres[spec["centre"]].id,
                                charge_percent=100, charge_recorded_at=charged_at))
    session.flush()


def _install_videos(session: Session) -> None:
    """Every catalogue video on every headset that holds none yet."""
    loaded = set(session.exec(select(InstalledVideo.headset_id).distinct()))
    empty = [h.id for h in session.exec(select(Headset)) if h.id not in loaded]
    if empty:
        set_installed_videos(session, empty, {v.id for v in active_videos(session)}, utcnow())


def _load_rules(session: Session, centres: dict[str, Centre], rows: list[dict]) -> None:
    for row in rows:
        centre_id = centres[row["centre"]].id
        exists = session.exec(select(OpenAccessRule).where(
            OpenAccessRule.centre_id == centre_id, OpenAccessRule.weekday == row["weekday"],
            OpenAccessRule.start_time == time.fromisoformat(row["start"]),
        )).first()
        if exists is None:
            session.add(OpenAccessRule(
                centre_id=centre_id, weekday=row["weekday"],
                start_time=time.fromisoformat(row["start"]),
                end_time=time.fromisoformat(row["end"]), seat_minutes=row["seat_minutes"],
                buffer_minutes=row["buffer_minutes"], horizon_weeks=row["horizon_weeks"],
                walk_in_reserve=row["walk_in_reserve"],
            ))
    session.flush()


def _load_group_sessions(
    session: Session, centres: dict[str, Centre], rows: list[dict], today: date
) -> None:
    """Plan the demo group sessions through the planner, like a manager would."""
    for row in rows:
        centre = centres[row["centre"]]
        if session.exec(select(VRSession).where(
            VRSession.centre_id == centre.id, VRSession.title == row["title"]
        )).first():
            continue
        day = today + timedelta(days=(row["weekday"] - today.weekday()) % 7,
                                weeks=row["weeks_ahead"])
        fields = {k: v for k, v in row.items()
                  if k not in {"centre", "weekday", "weeks_ahead", "start", "end"}}
        plan = parse_plan({
            **fields, "starts_at": local_to_utc(day, time.fromisoformat(row["start"]),
                                                centre.timezone),
            "ends_at": local_to_utc(day, time.fromisoformat(row["end"]), centre.timezone)})
        create_group_session(session, None, centre, plan, utcnow(), confirmed=True)


def _load_loans(session: Session, centres: dict[str, Centre], rows: list[dict],
               today: date) -> None:
    """A planned loan to hand over (headsets the demo sessions do not use)."""
    for row in rows:
        lender, borrower = centres[row["from"]], centres[row["to"]]
        if session.exec(select(Loan).where(Loan.from_centre_id == lender.id,
                                           Loan.notes == row["notes"])).first():
            continue
        start = today + timedelta(days=row["starts_in_days"])
        loan = Loan(from_centre_id=lender.id, to_centre_id=borrower.id, start_date=start,
                    end_date=start + timedelta(days=row["days"] - 1), notes=row["notes"])
        session.add(loan)
        session.flush()
        headsets = session.exec(select(Headset).where(col(Headset.asset_tag).in_(
            row["headsets"]))).all()
        session.add_all(LoanHeadset.of(loan, h.id, kit=row["kit"]) for h in headsets)


DEMO_STAFF = (
    ("admin@demo.invalid", "Admin (démo)", "admin", []),
    ("manager.marseille@demo.invalid", "Camille (responsable, démo)", "manager", ["marseille"]),
    ("facilitator.marseille@demo.invalid", "Sami (animateur, démo)", "facilitator",
     ["marseille"]),
    ("facilitator.gap@demo.invalid", "Léa (animatrice, démo)", "facilitator", ["gap"]),
)


def create_demo_staff(session: Session) -> list[tuple[str, str]]:
    """Create the demo staff accounts that are missing, each with a fresh random password.

    Returns (e-mail, password) pairs to show once on the console; nothing else keeps them.
    """
    created = []
    for email, name, role, centres in DEMO_STAFF:
        if session.exec(select(StaffUser).where(StaffUser.email == email)).first():
            continue
        password = secrets.token_urlsafe(12)
        create_staff(session, email=email, name=name, role=role, centre_slugs=centres,
                     password=password)
        created.append((email, password))
    return created
