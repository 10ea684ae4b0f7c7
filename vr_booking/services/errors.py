"""Domain errors: a kind (what sort of refusal), a stable code and a message for people.

Services raise them and know nothing of HTTP; the web layer turns each kind into a status in
one table (``vr_booking.web.errors``). ``code`` is part of the API's contract: programs may
test it, so a code, once published, keeps its meaning.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    """A rule refused the request. ``code`` is stable; ``message`` is shown to people."""

    kind: ClassVar[str] = "conflict"

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}

    def extra(self) -> dict[str, Any]:
        """More of the API's answer, beside ``detail`` and ``code`` (e.g. what clashed)."""
        return {}


class NotFound(DomainError):
    """The thing named does not exist (or is not shown to this person)."""

    kind = "not_found"


class Forbidden(DomainError):
    """The thing exists, but this person may not see or change it."""

    kind = "forbidden"


class InvalidInput(DomainError):
    """The input is wrong; ``fields`` says which field and why."""

    kind = "invalid"


class Conflict(DomainError):
    """The input is fine, but the current state refuses it (full, too late, clashing)."""

    kind = "conflict"


class TooManyRequests(DomainError):
    """Too many attempts in a short time; ``retry_after``: seconds until the limit lifts."""

    kind = "rate_limited"

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(code, message, fields)
        self.retry_after = retry_after


class Busy(DomainError):
    """Others are changing the same things right now; trying again shortly will work."""

    kind = "busy"
