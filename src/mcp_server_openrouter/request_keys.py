"""The OpenRouter key an HTTP request brings, read from one header, for that request alone.

A team shares one server over HTTP, each person with their own OpenRouter account (issue 25):
``X-OpenRouter-API-Key: <key>`` on a request makes the catalog use that key for it
(:mod:`.catalog.keys`). ``Authorization: Bearer <key>`` is read as the key too, but only when the
server has no token of its own (``MCP_AUTH_TOKEN``): with one, that header is the server's
credential, checked by :class:`~.http.BearerTokenMiddleware`, and never an OpenRouter key. These
two headers are the only ones read; no incoming header is forwarded anywhere (the OpenRouter
client sends its own fixed headers and the key alone).

Over stdio there are no headers: a request brings no key, and the server's own is used.
"""

from collections.abc import Mapping
from typing import Any, cast

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from pydantic import SecretStr

from .catalog.keys import KEY_HEADER, brought
from .config import secret


def key_from(headers: Mapping[str, str], *, bearer: bool) -> SecretStr | None:
    """The key in ``headers`` (matched in any case, as HTTP names are): :data:`~.catalog.keys.KEY_HEADER`, else, when
    ``bearer``, the credentials of ``Authorization: Bearer`` (the scheme in any case, RFC 7235)."""
    found = {
        name.lower(): value for name, value in headers.items() if name.lower() in (KEY_HEADER.lower(), "authorization")
    }
    value = found.get(KEY_HEADER.lower())
    if value is None and bearer:
        scheme, _, credentials = found.get("authorization", "").strip().partition(" ")
        value = credentials if scheme.lower() == "bearer" else None
    return secret(value)


class RequestKeys:
    """Server middleware: each request is handled with the key its HTTP request brought."""

    def __init__(self, *, bearer: bool) -> None:
        self._bearer = bearer

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        headers: Any = getattr(ctx.request, "headers", None)  # the Starlette request, on HTTP transports
        key = key_from(cast(Mapping[str, str], headers), bearer=self._bearer) if isinstance(headers, Mapping) else None
        with brought(key):
            return await call_next(ctx)
