"""ASGI middleware: the request's language, and CSRF failures answered in the layout."""

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from vr_booking.i18n import _, current_language, pick_language

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


class AllPathsExceptApi:
    """For asgi-csrf's ``always_protect``: every form POST outside ``/api/`` is checked,
    even without cookies (asgi-csrf otherwise skips cookie-less requests, which would allow
    login CSRF)."""

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and not path.startswith("/api/")


async def send_csrf_failed(scope: Scope, send: Send, _message_id: object) -> None:
    title = _("This form has expired")
    text = _("For your security the form could not be accepted. Go back, reload the page "
             "and send it again.")
    lang = current_language.get()
    body = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{title}</title><link rel="stylesheet" href="/static/css/app.css"></head>'
            f'<body><main id="main"><h1>{title}</h1><p>{text}</p>'
            f'<p><a href="/">vr-booking</a></p></main></body></html>')
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/html; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body.encode()})
