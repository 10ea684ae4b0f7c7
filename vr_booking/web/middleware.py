"""ASGI middleware: the request's language."""

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from vr_booking.i18n import current_language, pick_language

LANGUAGE_COOKIE = "lang"


class LanguageMiddleware:
    """Sets the language for the request: ``?lang=``, then the cookie, then the browser."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        cookie = SimpleCookie(headers.get("cookie", ""))
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        requested = (query.get("lang") or [None])[0] or (
            cookie[LANGUAGE_COOKIE].value if LANGUAGE_COOKIE in cookie else None
        )
        token = current_language.set(
            pick_language(requested, headers.get("accept-language"), self.default)
        )
        try:
            await self.app(scope, receive, send)
        finally:
            current_language.reset(token)
