"""Swagger UI served from our own static files (no CDN: centres may be offline)."""

from fastapi import Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from vr_booking.web.routing import APIRouter

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    def static(path: str) -> str:
        return str(request.url_for("static", path=path))

    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url, title="vr-booking API",
        swagger_js_url=static("vendor/swagger-ui/swagger-ui-bundle.js"),
        swagger_css_url=static("vendor/swagger-ui/swagger-ui.css"),
        swagger_favicon_url=static("favicon.svg"),
    )
