"""The application factory."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from vr_booking import __version__
from vr_booking.config import Settings, get_settings
from vr_booking.db import make_engine
from vr_booking.paths import STATIC_DIR
from vr_booking.web.api import ROUTERS as API_ROUTERS
from vr_booking.web.api.responses import install_openapi
from vr_booking.web.collector import settle_after_start_up
from vr_booking.web.csrf import CSRFMiddleware
from vr_booking.web.errors import install_error_handlers
from vr_booking.web.headers import SecurityHeadersMiddleware
from vr_booking.web.middleware import LanguageMiddleware
from vr_booking.web.pages import ROUTERS as PAGE_ROUTERS


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="vr-booking API", version=__version__,
        description="Book VR job-discovery seats, browse the catalogue, run the day at the desk.",
        docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (*PAGE_ROUTERS, *API_ROUTERS):
        app.include_router(router)
    install_error_handlers(app)
    install_openapi(app, API_ROUTERS)
    _install_middleware(app, settings)
    return app


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    # Starlette wraps in reverse order: the last added runs first.
    app.add_middleware(CSRFMiddleware, secret=settings.secret_key,
                       cookie_secure=settings.cookie_secure)
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key, session_cookie="vrb_session",
        max_age=settings.session_max_age_seconds, same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(LanguageMiddleware, default=settings.default_language)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.cookie_secure)
    if settings.trusted_proxies.strip():  # outermost: every layer sees the real client
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)


def create_default_app() -> FastAPI:
    """Entry point for ``uvicorn --factory`` (each worker builds its own app)."""
    app = create_app()
    settle_after_start_up()
    return app
