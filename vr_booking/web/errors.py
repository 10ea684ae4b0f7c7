"""Every error becomes a page in the layout (HTML) or ``{"detail": …, "code": …}`` (API, one
shape: :mod:`vr_booking.web.api.responses`), never a bare 500.

Domain errors carry a kind; :data:`STATUS_BY_KIND` is the one table turning kinds into HTTP
statuses. A lock that could not be had in time (:class:`vr_booking.db.LockTimeout`, or
SQLite's busy timeout), or a deadlock PostgreSQL broke, answers 503 with ``Retry-After``:
busy, please try again.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import DataError, OperationalError, SQLAlchemyError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from vr_booking.db import LockTimeout, is_lock_failure, reading
from vr_booking.i18n import _
from vr_booking.models import StaffUser
from vr_booking.services.errors import DomainError
from vr_booking.web.deps import ApiUnauthorized, LoginRequired, optional_staff
from vr_booking.web.templating import render

log = logging.getLogger(__name__)
STATUS_BY_KIND = {
    "not_found": 404,
    "forbidden": 403,
    "invalid": 422,
    "conflict": 409,
    "rate_limited": 429,
    "busy": 503,
}
RETRY_AFTER_SECONDS = 2
CODE_BY_STATUS = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                  405: "method_not_allowed", 409: "conflict", 422: "invalid_input",
                  429: "rate_limited", 500: "server_error", 503: "busy"}


def status_of(error: DomainError) -> int:
    """The HTTP status that answers a domain error."""
    return STATUS_BY_KIND[error.kind]


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Please sign in"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Not possible right now"),
        422: _("Some information is missing or invalid"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
        503: _("Busy right now"),
    }


def api_error(status: int, detail: str, code: str | None = None,
              fields: dict[str, str] | None = None, errors: list[dict] | None = None,
              headers: dict | None = None, extra: dict[str, Any] | None = None) -> JSONResponse:
    """An API error: ``ErrorBody``, or ``ValidationErrorBody`` for a 422; ``extra`` adds what
    a refusal names (what clashed, the free alternatives)."""
    body: dict[str, Any] = {"detail": detail,
                            "code": code or CODE_BY_STATUS.get(status, f"http_{status}")}
    if fields or status == 422:
        body["fields"] = fields or {}
    if status == 422:
        body["errors"] = errors if errors is not None else [
            {"loc": [name], "msg": message, "type": body["code"]}
            for name, message in (fields or {}).items()]
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=headers)
def _signed_in_staff(request: Request) -> StaffUser | None:
    """Who is signed in, for the error page's layout (the request may have failed before its
    dependencies ran); None when the database cannot say."""
    if "session" not in request.scope:
        return None
    engine = reading(request.app.state.engine)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return optional_staff(request, session)
    except SQLAlchemyError:
        return None


def error_response(request: Request, status: int, detail: Any, headers: dict | None = None):
    """JSON for the API, the error page in the layout for everything else."""
    if is_api(request):
        return api_error(status, str(detail), headers=headers)
    message = detail if isinstance(detail, str) else ""
    title = _titles().get(status, _titles()[400 if status < 500 else 500])
    staff = _signed_in_staff(request) if status < 500 else None
    response = render(request, "errors/error.html",
                      {"status": status, "title": title, "message": message, "staff": staff},
                      status_code=status)
    response.headers.update(headers or {})
    return response


async def _http_error(request: Request, exc: StarletteHTTPException):
    detail = exc.detail
    if not is_api(request) and exc.status_code == 404:
        detail = _("There is no page at this address. It may have moved, or the link is wrong.")
    return error_response(request, exc.status_code, detail, getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError):
    names = ", ".join(dict.fromkeys(str(e["loc"][-1]) for e in exc.errors()))
    message = _("Please check: {fields}.").format(fields=names)
    if not is_api(request):
        return error_response(request, 422, message)
    if exc.errors() and all(e["type"] == "json_invalid" for e in exc.errors()):
        return api_error(400, _("The request body is not valid JSON."), "invalid_json")
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    fields: dict[str, str] = {}
    for error in errors:
        fields.setdefault(str(error["loc"][-1]), error["msg"])
    return api_error(422, message, "invalid_request", fields, errors)


def retry_headers(error: DomainError) -> dict[str, str] | None:
    """``Retry-After`` for "busy" and for a limit that says when it lifts."""
    if status_of(error) == 503:
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}
    retry_after = getattr(error, "retry_after", None)
    return {"Retry-After": str(retry_after)} if retry_after else None


async def _domain_error(request: Request, exc: DomainError):
    status = status_of(exc)
    headers = retry_headers(exc)
    if is_api(request):
        return api_error(status, exc.message, exc.code, exc.fields, headers=headers,
                         extra=exc.extra())
    return error_response(request, status, exc.message, headers)


def _busy(request: Request):
    return error_response(request, 503, _("Many people are changing the same things right "
                                          "now. Please try again in a moment."),
                          {"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _lock_timeout(request: Request, _exc: LockTimeout):
    log.warning("lock wait timed out on %s %s", request.method, request.url.path)
    return _busy(request)


async def _database_error(request: Request, exc: OperationalError):
    """A lock wait that ran out, or a deadlock, is "busy"; anything else is ours."""
    if is_lock_failure(exc):
        return await _lock_timeout(request, LockTimeout())
    return await _server_error(request, exc)


async def _login_required(request: Request, _exc: LoginRequired):
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(request.url_for("login_form").include_query_params(next=target),
                            status_code=303)


async def _api_unauthorized(request: Request, _exc: ApiUnauthorized):
    return api_error(401, _("A valid bearer token is required."), "unauthorized",
                     headers={"WWW-Authenticate": "Bearer"})


async def _unstorable_input(request: Request, exc: DataError):
    """Input the database refuses as such (a NUL byte in text on PostgreSQL, a number out of
    range): the client's mistake, so 422 — and the request's transaction is rolled back."""
    log.info("refused input on %s %s: %s", request.method, request.url.path, exc.orig)
    return error_response(request, 422, _("Some characters or numbers in the request cannot "
                                          "be stored. Please check what you typed."))


async def _server_error(request: Request, exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, _("The error was logged. Please try again later."))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(ApiUnauthorized, _api_unauthorized)
    app.add_exception_handler(DataError, _unstorable_input)
    app.add_exception_handler(LockTimeout, _lock_timeout)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(Exception, _server_error)
