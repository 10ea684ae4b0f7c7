"""HTML pages, one router module a capability (named like the service packages).

Routers are thin: parse the request, call a service, render. Without JavaScript every form
posts and gets a whole page back; with htmx, a fragment of the same template.
"""

from vr_booking.web.pages import (
    admin,
    admin_audit,
    admin_centres,
    admin_passwords,
    admin_staff,
    admin_tokens,
    catalogue,
    desk,
    desk_headsets,
    docs,
    fleet,
    group_calendar,
    group_desk,
    group_roster,
    groups,
    loans,
    loans_board,
    loans_handovers,
    notify_display,
    notify_jobs,
    notify_ticket,
    open_access,
    open_access_rules,
    public,
    reports,
    staff,
    survey,
)

ROUTERS = tuple(module.router for module in (
    public, open_access, catalogue, staff, open_access_rules, fleet, desk, desk_headsets, docs,
    groups, group_roster, group_desk, group_calendar,
    admin, admin_staff, admin_centres, admin_tokens, admin_audit, admin_passwords,
    notify_ticket, notify_display, notify_jobs,
    loans, loans_board, loans_handovers,
    survey, reports))
