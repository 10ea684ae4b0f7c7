"""The kit that travels with each lent headset: a checklist, sent and brought back.

Items are stored by their code (``LoanHeadset.kit`` / ``kit_back``); their labels live in
``vr_booking/labels.py``. The list is data of this module only: adding an item here adds a
checkbox everywhere (forms, the API's ``kit`` object, the transfer slip).
"""

from collections.abc import Iterable, Mapping

from vr_booking.i18n import _
from vr_booking.services.errors import InvalidInput

KIT_ITEMS = ("charger", "cable", "controllers", "face_covers", "case")


def kit_from_flags(flags: Mapping[str, bool]) -> list[str]:
    """The items ticked in ``{"charger": true, …}`` (an API ``kit`` object), in list order."""
    unknown = sorted(set(flags) - set(KIT_ITEMS))
    if unknown:
        message = _("Unknown kit items: {items}. Known items: {known}.").format(
            items=", ".join(unknown), known=", ".join(KIT_ITEMS))
        raise InvalidInput("unknown_kit_item", message, {"kit": message})
    return [item for item in KIT_ITEMS if flags.get(item)]


def kit_from_values(values: Iterable[str]) -> list[str]:
    """The items among form checkbox values (unknown values are ignored), in list order."""
    chosen = set(values)
    return [item for item in KIT_ITEMS if item in chosen]


def kit_flags(items: Iterable[str] | None) -> dict[str, bool]:
    """``{"charger": true, …}`` for every known item (the API's shape)."""
    chosen = set(items or ())
    return {item: item in chosen for item in KIT_ITEMS}


def missing_items(sent: Iterable[str], back: Iterable[str] | None) -> list[str]:
    """Items sent that did not come back (none before the return is recorded)."""
    if back is None:
        return []
    returned = set(back)
    return [item for item in sent if item not in returned]
