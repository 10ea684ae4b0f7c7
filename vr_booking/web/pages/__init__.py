"""HTML pages, one router module a capability (named like the service packages).

Routers are thin: parse the request, call a service, render. Without JavaScript every form
posts and gets a whole page back; with htmx, a fragment of the same template.
"""

from vr_booking.web.pages import (
    catalogue,
    desk,
    desk_headsets,
    docs,
    fleet,
    open_access,
    open_access_rules,
    public,
    reports,
    staff,
    survey,
)

ROUTERS = tuple(module.router for module in (
    public, open_access, catalogue, staff, open_access_rules, fleet, desk, desk_headsets, docs,
    survey, reports))
