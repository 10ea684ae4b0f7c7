"""Swagger UI served from our own static files (no CDN: centres may be offline), started by
a script file rather than FastAPI's inline one, which the Content-Security-Policy refuses."""

from fastapi import Request

from vr_booking.web.routing import APIRouter
from vr_booking.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/docs", name="api_docs")
def swagger_ui(request: Request):
    return render(request, "swagger.html", {"openapi_url": request.app.openapi_url})
