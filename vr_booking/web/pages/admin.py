"""The administration area's front page: what a manager or an administrator finds where."""

from fastapi import Request

from vr_booking.services.admin.permissions import require_staff_manager
from vr_booking.web.deps import CurrentStaff
from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(prefix="/staff/admin", include_in_schema=False)


@router.get("", name="admin_home")
def admin_home(request: Request, staff: CurrentStaff):
    require_staff_manager(staff)
    return render(request, "pages/admin_home.html", {"staff": staff})
