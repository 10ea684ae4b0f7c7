"""CSRF protection for every form POST: a signed double-submit token.

The token lives in a cookie and must come back in the form's ``csrftoken`` field (or the
``X-CSRFToken`` header, which htmx sends). Pages get it from ``scope["csrftoken"]()``; the
cookie is set on the first page that asks. ``/api/`` is exempt: it authenticates with bearer
tokens, never with cookies.

Why not the asgi-csrf package: its 0.11 multipart reader passes an argument that
python-multipart 0.0.26+ no longer accepts, so every file upload crashed (upstream
simonw/asgi-csrf#38, unreleased fix), and older python-multipart has a known CVE. Here the
form is parsed by Starlette, whatever python-multipart's version.
"""

import secrets
from http.cookies import SimpleCookie

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vr_booking.i18n import _, current_language

COOKIE = "csrftoken"
FIELD = "csrftoken"
HEADER = b"x-csrftoken"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
MAX_BODY_BYTES = 10 * 1024 * 1024


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, secret: str, cookie_secure: bool = False) -> None:
        self.app = app
        self.signer = URLSafeSerializer(secret, salt="csrf")
        self.cookie_secure = cookie_secure

    def _valid(self, value: str | None) -> str | None:
        try:
            return value if value and self.signer.loads(value) else None
        except BadSignature:
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        cookies = SimpleCookie(headers.get(b"cookie", b"").decode("latin-1"))
        known = self._valid(cookies[COOKIE].value if COOKIE in cookies else None)
        token = known  # a new one is signed only for a page that asks (not for the API)

        def get_token() -> str:
            nonlocal token
            token = token or self.signer.dumps(secrets.token_urlsafe(24))
            return token

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and token and not known:
                response_headers = MutableHeaders(scope=message)
                response_headers.append("set-cookie", self._cookie(token))
            await send(message)

        scope = {**scope, "csrftoken": get_token}
        if scope["method"] in SAFE_METHODS or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send_with_cookie)
            return
        if known and secrets.compare_digest(headers.get(HEADER, b"").decode("latin-1"), known):
            await self.app(scope, receive, send_with_cookie)
            return
        body = await _read_body(receive)
        if body is None:
            await _refuse(send, 413)
            return
        if known and secrets.compare_digest(await _form_token(scope, body), known):
            await self.app(scope, _replay(body), send_with_cookie)
            return
        await _refuse(send, 403)

    def _cookie(self, token: str) -> str:
        secure = "; Secure" if self.cookie_secure else ""
        return f"{COOKIE}={token}; Path=/; SameSite=Lax; HttpOnly{secure}"


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it is larger than we accept."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _form_token(scope: Scope, body: bytes) -> str:
    """The ``csrftoken`` field of a urlencoded or multipart body ("" when absent/unparsable)."""
    request = Request(scope, _replay(body))
    try:
        form = await request.form()
    except Exception:
        return ""
    try:
        value = form.get(FIELD)
        return value if isinstance(value, str) else ""
    finally:
        await form.close()


async def _refuse(send: Send, status: int) -> None:
    """A small page in the visitor's language (the layout needs a request we do not have)."""
    if status == 413:
        title, text = _("This form is too large"), _("Send a smaller file.")
    else:
        title = _("This form has expired")
        text = _("For your security the form could not be accepted. Go back, reload the page "
                 "and send it again.")
    body = (f'<!doctype html><html lang="{current_language.get()}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{title}</title><link rel="stylesheet" href="/static/css/app.css"></head>'
            f'<body><main id="main"><h1>{title}</h1><p>{text}</p>'
            '<p><a href="/">vr-booking</a></p></main></body></html>')
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body.encode()})
