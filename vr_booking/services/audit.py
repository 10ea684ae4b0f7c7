"""Writing the audit trail (``models.AuditEvent``): one call beside the change it describes.

Call :func:`record` inside the service that makes the change, after the change is flushed:
the row then commits or rolls back with it. Never put a visitor's name or e-mail in
``summary``; name bookings by id.
"""

from sqlmodel import Session

from vr_booking.models import AuditEvent, StaffUser


def record(session: Session, actor: StaffUser | None, action: str, *,
           centre_id: int | None = None, subject_type: str = "", subject_id: object = "",
           summary: str = "") -> AuditEvent:
    """Add one audit row for ``action`` by ``actor`` (None: the system) to this transaction."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system",
        action=action, centre_id=centre_id, subject_type=subject_type,
        subject_id=str(subject_id)[:80], summary=summary[:500])
    session.add(event)
    session.flush()
    return event
