"""Domain errors carry their HTTP status and a machine code."""

from app.i18n import translate


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **params: object,
    ):
        super().__init__(message)
        self.message = message
        self.params = params
        self.field = field
        # Sent with the answer, e.g. WWW-Authenticate with a 401 or Retry-After with a 429.
        self.headers = headers or {}
        if code:
            self.code = code

    def text(self) -> str:
        """The message in the caller's language (messages are gettext ids)."""
        return translate(self.message, **self.params)


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Unauthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


class ValidationFailed(DomainError):
    """Several field errors at once, for forms and the API alike."""

    status = 422
    code = "validation_error"

    def __init__(self, errors: dict[str, str], message: str = "Please correct the marked fields."):
        super().__init__(message)
        self.errors = errors

    def field_texts(self) -> dict[str, str]:
        return {name: str(msg) for name, msg in self.errors.items()}
