"""Domain errors with stable codes; the web layer maps them to HTTP answers in one place."""


class DomainError(Exception):
    """A rule refused the request. ``code`` is stable; ``message`` is shown to people."""

    status = 409

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class InvalidInput(DomainError):
    status = 422


class Conflict(DomainError):
    status = 409


class TooManyRequests(DomainError):
    status = 429
