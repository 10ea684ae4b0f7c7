"""The JSON API under ``/api/v1``, one router module a capability; the same services as the
pages. Lists answer ``{"items": [...], "total": n}``; errors ``{"detail": …, "code": …}``."""

from vr_booking.web.api import (
    admin_audit,
    admin_centres,
    admin_staff,
    admin_tokens,
    catalogue,
    desk,
    desk_headsets,
    fleet,
    groups,
    loans,
    notify,
    open_access,
    reports,
    root,
)

ROUTERS = tuple(module.router for module in (
    root, open_access, catalogue, fleet, desk, desk_headsets, groups,
    admin_staff, admin_centres, admin_tokens, admin_audit, notify, loans, reports))
