"""Send-once notices and who at a centre is told.

:func:`claim_notice` inserts a ``SentNotice`` row unless one with the same kind, subject and
key exists. Called in the transaction that queues the e-mail, it makes the notice leave
once: a second process's insert waits for the first transaction and then does nothing
(PostgreSQL), or runs after it (SQLite's ``BEGIN IMMEDIATE``).
"""

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from vr_booking.models import Centre, Role, SentNotice, StaffCentre, StaffUser


def insert_ignoring_conflicts(session: Session, model: type[SQLModel], keys: list[str],
                              **values: object) -> bool:
    """INSERT … ON CONFLICT (keys) DO NOTHING; True if the row was inserted.

    RETURNING says whether it was: the row count of an ORM-executed insert is not reliable
    (psycopg reports -1).
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    key_columns = [getattr(model, key) for key in keys]
    statement = (dialect.insert(model).values(**values)
                 .on_conflict_do_nothing(index_elements=keys).returning(*key_columns))
    return session.exec(statement).first() is not None  # type: ignore[call-overload]


def claim_notice(session: Session, kind: str, subject_id: int, key: str,
                 now: datetime) -> bool:
    """Claim the right to send this notice; False if it was already sent (or is being)."""
    return insert_ignoring_conflicts(session, SentNotice, ["kind", "subject_id", "key"],
                                     kind=kind, subject_id=subject_id, key=key, sent_at=now)


def staff_addresses(session: Session, centre_id: int, roles: tuple[str, ...]) -> list[str]:
    """E-mail addresses of the active staff with these roles who work for the centre."""
    return list(session.exec(
        select(StaffUser.email).join(StaffCentre, col(StaffCentre.staff_id) == StaffUser.id)
        .where(StaffCentre.centre_id == centre_id, col(StaffUser.is_active),
               col(StaffUser.role).in_(roles))
        .order_by(StaffUser.email)).all())


def manager_addresses(session: Session, centre: Centre) -> list[str]:
    """Who manages a centre: its managers' addresses, else the centre's contact address."""
    managers = staff_addresses(session, centre.id, (Role.manager,))
    return managers or ([centre.contact_email] if centre.contact_email else [])
