"""The audit trail page: who did what and when, with filters and pages."""

from datetime import date
from typing import Annotated

from fastapi import Query, Request

from vr_booking.i18n import _
from vr_booking.services.admin.accounts import display_zone
from vr_booking.services.admin.audit_log import KINDS, AuditFilter, search_audit
from vr_booking.services.admin.staff import assignable_centres
from vr_booking.services.errors import InvalidInput
from vr_booking.web.deps import CurrentStaff, SessionDep
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff/admin/audit", include_in_schema=False)
PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=254)]


def _day(value: str) -> date | None:
    """A date typed in the filter form (``YYYY-MM-DD``), None when empty; bad ones refused."""
    if not value:
        return None
    try:
        return date.fromisoformat(value) if value.isascii() else None
    except ValueError:
        return None


@router.get("", name="admin_audit")
def audit_page(request: Request, session: SessionDep, staff: CurrentStaff,
               centre: Text = "", person: Text = "", kind: Text = "",
               from_date: Annotated[str, Query(alias="from", max_length=10)] = "",
               to_date: Annotated[str, Query(alias="to", max_length=10)] = "",
               page: Annotated[int, Query(ge=1, le=10_000)] = 1):
    values = {"centre": centre, "person": person, "kind": kind, "from": from_date,
              "to": to_date}
    errors = {name: _("Give a date as YYYY-MM-DD.") for name, text in
              (("from", from_date), ("to", to_date)) if text and _day(text) is None}
    wanted = AuditFilter(centre=centre, person=person, kind=kind, from_date=_day(from_date),
                         to_date=_day(to_date))
    try:
        rows, total = search_audit(session, staff, wanted, limit=PAGE_SIZE,
                                   offset=(page - 1) * PAGE_SIZE)
    except InvalidInput as error:
        rows, total, errors = [], 0, errors | error.fields
    return render(request, "pages/admin_audit.html", {
        "staff": staff, "rows": rows, "total": total, "page": page, "page_size": PAGE_SIZE,
        "values": values, "errors": errors, "kinds": KINDS, "zone": display_zone(session, staff),
        "centres": assignable_centres(session, staff),
    }, status_code=422 if errors else 200)
