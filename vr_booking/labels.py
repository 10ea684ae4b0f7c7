"""Human labels for the values stored in enum columns (translated at display time)."""

from vr_booking.i18n import gettext


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


LABELS = {
    "facilitator": N_("Facilitator"),
    "manager": N_("Centre manager"),
    "admin": N_("Administrator"),
    "in_service": N_("In service"),
    "maintenance": N_("Maintenance"),
    "retired": N_("Retired"),
    "lost": N_("Lost"),
    "open_access": N_("Open access"),
    "workshop": N_("Workshop"),
    "group_visit": N_("Group visit"),
    "discovery_event": N_("Discovery event"),
    "external_forum": N_("External job fair"),
    "confirmed": N_("Confirmed"),
    "waitlisted": N_("On the waiting list"),
    "cancelled": N_("Cancelled"),
    "checked_in": N_("Checked in"),
    "no_show": N_("Did not come"),
    "hub": N_("Hub"),
    "associated": N_("Associated centre"),
    "offered": N_("Seat offered"),
    "planned": N_("Planned"),
    "closed": N_("Closed"),
    # loans: statuses, conditions, kit items, hand-over steps
    "in_transit": N_("In transit"),
    "active": N_("At the borrowing centre"),
    "returned": N_("Returned"),
    "overdue": N_("Overdue"),
    "good": N_("Good"),
    "worn": N_("Worn"),
    "damaged": N_("Damaged"),
    "charger": N_("Charger"),
    "cable": N_("Cable"),
    "controllers": N_("Controllers"),
    "face_covers": N_("Face covers"),
    "case": N_("Case"),
    "dispatch": N_("Handed over"),
    "receipt": N_("Received"),
    "back": N_("Taken back"),
}


def label(value: str) -> str:
    """The translated label of a stored value (the value itself when unknown)."""
    return gettext(LABELS[value]) if value in LABELS else value
