"""Whose OpenRouter key a request uses, and the name it is kept apart by.

One server can serve several people over HTTP, each with their own OpenRouter key
(``X-OpenRouter-API-Key``, or ``Authorization: Bearer`` when the server has no token of its own):
the server reads that one header per request and sets :data:`REQUEST_KEY` for the request's
handling (:func:`brought`); the catalog reads it where a key is sent. Without one, the server's
own ``OPENROUTER_API_KEY`` is used, unless the server runs with per-request keys only
(``OPENROUTER_MCP_KEYS=per-request``), where a request without a key gets none.

Everything that depends on the key is kept apart by its :func:`account_of`, a salted hash: the
answers of ``/models/user``, the datasets' request budget, their saved copies and their cache
entries, a rate limit's wait. The key itself is held only as a ``SecretStr``, for the request
that brought it: never in a cache key, a file name, a file or a log line.
"""

import hashlib
from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar

from pydantic import SecretStr

from mcp_server_openrouter.openrouter import MissingAPIKeyError

KEY_HEADER = "X-OpenRouter-API-Key"
"""The HTTP header a request brings its OpenRouter key in."""
REQUEST_KEY: ContextVar[SecretStr | None] = ContextVar("openrouter_request_key", default=None)
"""The key the request being handled brought, if any."""


@contextmanager
def brought(key: SecretStr | None) -> Generator[None]:
    """Handle the request within this block with the key it brought (``None``: it brought none)."""
    token = REQUEST_KEY.set(key)
    try:
        yield
    finally:
        REQUEST_KEY.reset(token)


def account_of(key: SecretStr | None) -> str:
    """What is kept per key: a salted hash of it (32 hex digits); ``None`` has one of its own."""
    secret = key.get_secret_value() if key is not None else ""
    return hashlib.sha256(f"mcp-server-openrouter account {secret}".encode()).hexdigest()[:32]


class KeyNotSentError(MissingAPIKeyError):
    """The server takes per-request keys only, and this request brought none; nothing was sent."""
