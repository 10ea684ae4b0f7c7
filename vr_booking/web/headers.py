"""Security headers on every response (pure ASGI middleware, so that error pages, redirects
and static files get them too).

The Content-Security-Policy allows only our own scripts and styles: no inline ``<script>``,
no ``style="…"`` attribute, no ``hx-on`` (the templates keep them in ``static/``), and no page
may frame ours. Staff pages, tickets (``/b/…``, whose address is the secret) and the API are
never stored by a browser or proxy cache. HSTS is sent only when cookies are secure, that is
when the deployment is served over HTTPS.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # Swagger UI's icons are data: URIs
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
COMMON_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # a ticket's address must not leak to other sites
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}
PRIVATE_PREFIXES = ("/staff", "/b/", "/api/")
HSTS = "max-age=31536000"


def is_private(path: str) -> bool:
    """Pages that show personal data or a secret address: never cached."""
    return path.startswith(PRIVATE_PREFIXES)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = is_private(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON_HEADERS.items():
                    headers.setdefault(name, value)
                if private:
                    headers["Cache-Control"] = "no-store"
                if self.hsts:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)
