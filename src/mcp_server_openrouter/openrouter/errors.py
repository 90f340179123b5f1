"""Errors raised by the OpenRouter client.

Modelled on openai-python's ``_exceptions.py``: every failure the client can anticipate is one of
these, chained ``from`` its cause, so no ``httpx2`` or ``pydantic`` exception crosses the client
boundary (the tree, with the catalog's additions, is drawn in ``tools/errors.py``). Messages
never contain the API key and cap upstream text, so an HTML error page from a
proxy cannot flood a model's context.
"""

MAX_UPSTREAM_TEXT = 500


def _cap(text: str, limit: int = MAX_UPSTREAM_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OpenRouterError(Exception):
    """Base class of every error the client raises."""


class InvalidRequestError(OpenRouterError):
    """The call's arguments make no request (a malformed model ID, say); nothing was sent."""


class MissingAPIKeyError(InvalidRequestError):
    """An endpoint that needs a key was called without one; nothing was sent."""


class APIConnectionError(OpenRouterError):
    """The upstream could not be reached, or the connection broke mid-answer."""


class APITimeoutError(APIConnectionError):
    """The upstream did not answer within the configured timeout."""


class InvalidResponseError(OpenRouterError):
    """The upstream answered 2xx with a body that is not the documented shape."""


class APIStatusError(OpenRouterError):
    """The upstream answered with a non-2xx status."""

    def __init__(self, status_code: int, upstream_message: str, *, retry_after: float | None = None) -> None:
        self.status_code = status_code
        self.upstream_message = _cap(upstream_message)
        self.retry_after = retry_after
        detail = f": {self.upstream_message}" if self.upstream_message else ""
        super().__init__(f"OpenRouter answered HTTP {status_code}{detail}")


class BadRequestError(APIStatusError):
    """400: the upstream rejected the query's parameters."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, malformed, revoked or unknown."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but may not use this endpoint."""


class NotFoundError(APIStatusError):
    """404: the endpoint does not exist at the configured base URL."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` is the upstream's hint in seconds, if any."""


class InternalServerError(APIStatusError):
    """5xx: the upstream failed."""


def status_error(status_code: int, upstream_message: str, *, retry_after: float | None = None) -> APIStatusError:
    """Build the most specific :class:`APIStatusError` subclass for a status code."""
    cls: type[APIStatusError]
    match status_code:
        case 400 | 422:
            cls = BadRequestError
        case 401:
            cls = AuthenticationError
        case 403:
            cls = PermissionDeniedError
        case 404:
            cls = NotFoundError
        case 429:
            cls = RateLimitError
        case code if code >= 500:
            cls = InternalServerError
        case _:
            cls = APIStatusError
    return cls(status_code, upstream_message, retry_after=retry_after)
