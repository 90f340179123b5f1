"""The HTTP transports as ASGI applications: streamable HTTP (stateful or stateless) and legacy SSE.

``create_app`` builds the Starlette app the CLI serves with uvicorn; ``app_factory`` builds one
from the environment for ``uvicorn --factory mcp_server_openrouter.http:app_factory --workers 4``
(stateless JSON responses, so any worker can answer any request).

Security, by default:

* DNS-rebinding protection (the SDK's Host/Origin validation) is on: for a loopback bind it
  allows only loopback hosts and origins; for any other bind, the hosts given with
  ``--allowed-host`` / ``MCP_ALLOWED_HOSTS`` (and their ``https://`` origins).
* A bearer token (``--auth-token`` / ``MCP_AUTH_TOKEN``) protects every endpoint; requests
  without it get 401. It is compared in constant time and never logged.
* Request bodies are capped (1 MiB; MCP requests here are tiny).

The app keeps one :class:`~.catalog.Catalog` open for its whole life, so the HTTP client, the
cache and background refreshes are shared by all sessions (stateless requests included).
"""

import hmac
import ipaddress
import json
import os
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_server_openrouter.config import Settings, SettingsError, secret
from mcp_server_openrouter.openrouter import RetryPolicy
from mcp_server_openrouter.server import build_server

ENV_AUTH_TOKEN = "MCP_AUTH_TOKEN"
ENV_ALLOWED_HOSTS = "MCP_ALLOWED_HOSTS"
MAX_REQUEST_BODY = 1024 * 1024
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` exposes the server to this machine only."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class HttpOptions:
    transport: Literal["sse", "streamable-http"] = "streamable-http"
    host: str = "127.0.0.1"
    stateless: bool = False
    json_response: bool = False
    auth_token: SecretStr | None = field(default=None, repr=False)
    allowed_hosts: tuple[str, ...] = ()


def security_settings(options: HttpOptions) -> TransportSecuritySettings:
    """Host/Origin validation for the bind address (see the module docstring)."""
    if is_loopback(options.host):
        hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
        origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    else:
        hosts = [h for allowed in options.allowed_hosts for h in (allowed, f"{allowed}:*")]
        origins = [o for allowed in options.allowed_hosts for o in (f"https://{allowed}", f"http://{allowed}:*")]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=bool(hosts), allowed_hosts=hosts, allowed_origins=origins
    )


class BearerTokenMiddleware:
    """Refuse HTTP requests that do not carry ``Authorization: Bearer <token>`` (401)."""

    def __init__(self, app: ASGIApp, token: SecretStr) -> None:
        self.app = app
        self._expected = token.get_secret_value().encode()

    def _authorized(self, header: bytes) -> bool:
        """``Bearer <token>``: the scheme in any case (RFC 7235 §2.1), the token compared in constant time."""
        scheme, _, credentials = header.strip().partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(credentials.strip(), self._expected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"authorization", b"")
        if self._authorized(given):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "unauthorized", "error_description": "a valid bearer token is required"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="mcp-server-openrouter"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def serving_note(options: HttpOptions, port: int) -> str:
    """The line the CLI prints to stderr on start: where clients connect, and how they authenticate."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    path = "/sse" if options.transport == "sse" else "/mcp"
    mode = f"{options.transport}, stateless" if options.stateless else options.transport
    auth = "bearer token required" if options.auth_token is not None else "no authentication"
    return f"mcp-server-openrouter: serving {mode} at http://{host}:{port}{path} ({auth})"


def create_app(
    settings: Settings,
    options: HttpOptions,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> ASGIApp:
    """The ASGI app for ``options.transport`` (endpoint paths are the SDK's: ``/mcp``, ``/sse``)."""
    server, catalog = build_server(settings, transport=transport, retry=retry)
    security = security_settings(options)
    app: Starlette
    if options.transport == "sse":
        app = server.sse_app(transport_security=security, host=options.host, max_request_body_size=MAX_REQUEST_BODY)
    else:
        app = server.streamable_http_app(
            stateless_http=options.stateless,
            json_response=options.json_response,
            transport_security=security,
            host=options.host,
            max_request_body_size=MAX_REQUEST_BODY,
        )
    inner: Callable[[Any], Any] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(starlette_app: Starlette) -> AsyncGenerator[Any]:
        async with catalog.running(), inner(starlette_app) as state:
            yield state

    app.router.lifespan_context = lifespan
    if options.auth_token is not None:
        return BearerTokenMiddleware(app, options.auth_token)
    return app


def app_factory() -> ASGIApp:
    """Build the app from the environment, for ``uvicorn --factory`` (stateless streamable HTTP).

    Reads the ``OPENROUTER_*`` variables, ``MCP_AUTH_TOKEN`` and ``MCP_ALLOWED_HOSTS``
    (comma-separated host names the server is reached by).
    """
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise SystemExit(f"mcp-server-openrouter: {exc}") from None
    hosts = tuple(h.strip() for h in os.environ.get(ENV_ALLOWED_HOSTS, "").split(",") if h.strip())
    options = HttpOptions(
        host="0.0.0.0" if hosts else "127.0.0.1",
        stateless=True,
        json_response=True,
        auth_token=secret(os.environ.get(ENV_AUTH_TOKEN)),
        allowed_hosts=hosts,
    )
    return create_app(settings, options)
