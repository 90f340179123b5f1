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

Slow clients, by default (:class:`GuardedHTTPProtocol`, the protocol the CLI serves with):

* A request must arrive whole (headers and body) within ``MCP_REQUEST_TIMEOUT`` seconds (10) of
  the connection opening, or of its first byte on a kept-alive connection; else the connection
  is closed. uvicorn has no such deadline: its keep-alive timer only covers the silence between
  requests, and every byte received restarts it, so a client sending a header byte a second
  (slowloris) holds its connection, and a file descriptor, forever; enough of them leave the
  process no descriptor to accept anyone else with.
* A connection whose unsent answer makes no progress for ``MCP_SEND_TIMEOUT`` seconds (30) is
  aborted: its client stopped reading. uvicorn never gives up on such a connection; even its
  keep-alive close waits for the unsent bytes to leave, so a client that never reads holds a
  descriptor forever too. Idle streams (an SSE stream with nothing to say) are never touched.
* uvicorn's ``limit_concurrency`` is left unset: it counts connections, slow ones included, and
  answers 503 past the limit, which would turn a handful of slowloris connections into a refusal
  for everyone. These guards bound how long one connection holds on; how many arrive is for a
  reverse proxy or firewall in front of a public bind (per-client limits), with the process's
  file descriptor limit (``ulimit -n``) as the last bound.
* A graceful shutdown waits at most ``GRACEFUL_SHUTDOWN`` seconds (10) for connections and calls
  in flight; uvicorn's default waits forever, e.g. for an SSE stream whose client stopped reading.
* Out of file descriptors, asyncio's ``socket.accept() out of system resource`` is logged once
  every 10 s, not thousands of times a second (see :func:`_accept_errors_summarized`).
* A ``list_changed`` notification never waits for a client that stopped reading (see
  ``server._Sessions``).

The app keeps one :class:`~.catalog.Catalog` open for its whole life, so the HTTP client, the
cache and background refreshes are shared by all sessions (stateless requests included).
"""

import asyncio
import hmac
import ipaddress
import json
import logging
import os
from collections.abc import AsyncGenerator, Callable, Generator, Iterable, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, cast

import httpx2
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle
from uvicorn.server import ServerState

from mcp_server_openrouter.config import Settings, SettingsError, seconds, secret
from mcp_server_openrouter.openrouter import RetryPolicy
from mcp_server_openrouter.server import build_server

ENV_AUTH_TOKEN = "MCP_AUTH_TOKEN"
ENV_ALLOWED_HOSTS = "MCP_ALLOWED_HOSTS"
ENV_REQUEST_TIMEOUT = "MCP_REQUEST_TIMEOUT"
ENV_SEND_TIMEOUT = "MCP_SEND_TIMEOUT"
MAX_REQUEST_BODY = 1024 * 1024
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
REQUEST_TIMEOUT = 10.0
"""Seconds a request (headers and body) may take to arrive; see the module docstring."""
SEND_TIMEOUT = 30.0
"""Seconds an unsent answer may make no progress before its connection is aborted."""
GRACEFUL_SHUTDOWN = 10
"""Seconds uvicorn waits, on shutdown, for connections and calls in flight before cancelling them."""

logger = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` exposes the server to this machine only."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


ENV_SESSION_IDLE_TIMEOUT = "MCP_SESSION_IDLE_TIMEOUT"
SESSION_IDLE_TIMEOUT = 600.0
"""A stateful session that a client dropped without ending it (no ``DELETE``: a closed laptop, a
killed agent) is kept until it has been idle this long, about 70 KB each. The SDK's default is 30
minutes, so a host whose clients come and go held 500 dropped sessions' worth, +18 MB, for half
an hour (``bench.soak``); 10 minutes keeps every session a working client resumes (each request
restarts the clock) and frees the abandoned three times sooner. ``MCP_SESSION_IDLE_TIMEOUT``."""


@dataclass(frozen=True, slots=True)
class HttpOptions:
    transport: Literal["sse", "streamable-http"] = "streamable-http"
    host: str = "127.0.0.1"
    stateless: bool = False
    json_response: bool = False
    auth_token: SecretStr | None = field(default=None, repr=False)
    allowed_hosts: tuple[str, ...] = ()
    session_idle_timeout: float = SESSION_IDLE_TIMEOUT
    """Seconds a stateful streamable-HTTP session may go unused before it is ended (see
    :data:`SESSION_IDLE_TIMEOUT`)."""


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


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How long one HTTP connection may hold on without progress (see the module docstring)."""

    request_timeout: float = REQUEST_TIMEOUT
    send_timeout: float = SEND_TIMEOUT

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ConnectionLimits":
        """Read ``MCP_REQUEST_TIMEOUT`` and ``MCP_SEND_TIMEOUT``; raise :class:`SettingsError` naming a bad one."""
        return cls(
            request_timeout=seconds(env, ENV_REQUEST_TIMEOUT, REQUEST_TIMEOUT, low=0, high=3600, low_inclusive=False),
            send_timeout=seconds(env, ENV_SEND_TIMEOUT, SEND_TIMEOUT, low=0, high=3600, low_inclusive=False),
        )


class _CountingTransport(asyncio.Transport):
    """A transport as uvicorn's protocol sees it: the real one, counting the bytes written to it,
    so that what has left the process is ``written - get_write_buffer_size()``."""

    def __init__(self, transport: asyncio.Transport, on_write: Callable[[], None]) -> None:
        super().__init__()
        self._transport = transport
        self._on_write = on_write
        self.written = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += len(data)
        self._transport.write(data)
        self._on_write()

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        for data in list_of_data:
            self.write(data)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def close(self) -> None:
        self._transport.close()

    def abort(self) -> None:
        self._transport.abort()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def write_eof(self) -> None:
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()


class GuardedHTTPProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol (h11; httptools is not used even when installed) with the two
    deadlines uvicorn lacks: a request must arrive whole within ``request_timeout`` seconds, and
    an unsent answer must make progress within ``send_timeout`` seconds (the module docstring says
    why). Serve with it: ``uvicorn.Config(app, http=GuardedHTTPProtocol)``, or ``uvicorn --http
    mcp_server_openrouter.http:GuardedHTTPProtocol``; :meth:`configure` sets the limits.

    Both are timers on the event loop, one each at most per connection, and only while a request
    is arriving or an answer is waiting to leave: an idle connection, or an SSE stream with
    nothing to say, costs nothing.
    """

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    @classmethod
    def configure(cls, limits: ConnectionLimits) -> None:
        """Use ``limits`` for the connections accepted from now on (this process)."""
        cls.limits = limits

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._request_timer: asyncio.TimerHandle | None = None
        self._before: RequestResponseCycle | None = None
        """The request before the one the request timer waits for (``None``: the first)."""
        self._send_timer: asyncio.TimerHandle | None = None
        self._counted: _CountingTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        self._counted = _CountingTransport(cast(asyncio.Transport, transport), self._wrote)
        super().connection_made(self._counted)
        self._expect_request(None)

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in (self._request_timer, self._send_timer):
            if timer is not None:
                timer.cancel()
        self._request_timer = self._send_timer = None
        super().connection_lost(exc)

    # -- the request deadline -------------------------------------------------------------------

    def _current(self) -> RequestResponseCycle | None:
        """The latest request (uvicorn types it as always there; it is ``None`` before the first)."""
        return self.cycle

    def data_received(self, data: bytes) -> None:
        current = self._current()
        if self._request_timer is None and (current is None or current.response_complete):
            self._expect_request(current)  # the first byte of the next request
        super().data_received(data)
        self._check_request()

    def on_response_complete(self) -> None:
        done = self._current()
        super().on_response_complete()
        if self._current() is not done and self._request_timer is None:
            self._expect_request(done)  # a pipelined request, already begun
            self._check_request()

    def _expect_request(self, before: RequestResponseCycle | None) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
        self._before = before
        self._request_timer = self.loop.call_later(self.limits.request_timeout, self._request_overdue)

    def _received(self) -> bool:
        """Whether the request the timer waits for has arrived whole (or been answered already)."""
        current = self._current()
        return (
            current is not None
            and current is not self._before
            and not (current.more_body and not current.response_complete)
        )

    def _check_request(self) -> None:
        if self._request_timer is not None and self._received():
            self._request_timer.cancel()
            self._request_timer = None

    def _request_overdue(self) -> None:
        self._request_timer = None
        if self._received() or self.transport.is_closing():
            return
        logger.info(
            "Closing a connection from %s: no whole request within %g s", self.client, self.limits.request_timeout
        )
        self.transport.close()

    # -- the send deadline ----------------------------------------------------------------------

    def _sent(self) -> int:
        counted = self._counted
        return 0 if counted is None else counted.written - counted.get_write_buffer_size()

    def _wrote(self) -> None:
        if self._send_timer is None and self.transport.get_write_buffer_size():
            self._send_timer = self.loop.call_later(self.limits.send_timeout, self._send_overdue, self._sent())

    def _send_overdue(self, before: int) -> None:
        self._send_timer = None
        if not self.transport.get_write_buffer_size():
            return  # everything left the process
        sent = self._sent()
        if sent > before:  # slow, but reading
            self._send_timer = self.loop.call_later(self.limits.send_timeout, self._send_overdue, sent)
            return
        logger.info(
            "Aborting a connection to %s: no byte of its answer taken in %g s", self.client, self.limits.send_timeout
        )
        self.transport.abort()


ACCEPT_ERROR = "socket.accept() out of system resource"
ACCEPT_ERROR_EVERY = 10.0
"""Seconds between two reports of :data:`ACCEPT_ERROR` (see :func:`_accept_errors_summarized`)."""


@contextmanager
def _accept_errors_summarized() -> Generator[None]:
    """While the app runs, report asyncio's ``socket.accept() out of system resource`` once every
    :data:`ACCEPT_ERROR_EVERY` seconds instead of each time.

    Out of file descriptors, asyncio's accept loop (CPython before gh-151615's fix) does not stop
    at the first failed ``accept()``: it goes on for ``backlog`` tries (uvicorn's: 2048), each
    reported with its traceback, and again a second later. Formatting those thousands of
    tracebacks a second took most of the process's time just when it was shortest of everything
    (slow clients holding every descriptor), slowing the answers to everyone already connected.
    Other loop errors go where they went before."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio: nothing to summarize
        yield
        return
    previous = loop.get_exception_handler()
    last = -ACCEPT_ERROR_EVERY

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        nonlocal last
        if context.get("message") == ACCEPT_ERROR:
            if loop.time() - last >= ACCEPT_ERROR_EVERY:
                last = loop.time()
                logger.warning(
                    "Out of file descriptors (%s): new connections wait; said at most every %g s",
                    context.get("exception"),
                    ACCEPT_ERROR_EVERY,
                )
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    try:
        yield
    finally:
        loop.set_exception_handler(previous)


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
    server, catalog = build_server(settings, transport=transport, retry=retry, bearer_keys=options.auth_token is None)
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
            session_idle_timeout=None if options.stateless else options.session_idle_timeout,
        )
    inner: Callable[[Any], Any] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(starlette_app: Starlette) -> AsyncGenerator[Any]:
        with _accept_errors_summarized():
            async with catalog.running(), inner(starlette_app) as state:
                yield state

    app.router.lifespan_context = lifespan
    if options.auth_token is not None:
        return BearerTokenMiddleware(app, options.auth_token)
    return app


def app_factory() -> ASGIApp:
    """Build the app from the environment, for ``uvicorn --factory`` (stateless streamable HTTP).

    Reads the ``OPENROUTER_*`` variables, ``MCP_AUTH_TOKEN`` and ``MCP_ALLOWED_HOSTS``
    (comma-separated host names the server is reached by), and ``MCP_REQUEST_TIMEOUT`` and
    ``MCP_SEND_TIMEOUT`` for :class:`GuardedHTTPProtocol`, which uvicorn uses only when told:
    ``--http mcp_server_openrouter.http:GuardedHTTPProtocol`` (and ``--timeout-graceful-shutdown``).
    """
    try:
        settings = Settings.from_env()
        GuardedHTTPProtocol.configure(ConnectionLimits.from_env(os.environ))
        idle = session_idle_timeout(os.environ)
    except SettingsError as exc:
        raise SystemExit(f"mcp-server-openrouter: {exc}") from None
    hosts = tuple(h.strip() for h in os.environ.get(ENV_ALLOWED_HOSTS, "").split(",") if h.strip())
    options = HttpOptions(
        host="0.0.0.0" if hosts else "127.0.0.1",
        stateless=True,
        json_response=True,
        auth_token=secret(os.environ.get(ENV_AUTH_TOKEN)),
        allowed_hosts=hosts,
        session_idle_timeout=idle,
    )
    return create_app(settings, options)


def session_idle_timeout(env: Mapping[str, str]) -> float:
    """``MCP_SESSION_IDLE_TIMEOUT`` (:data:`SESSION_IDLE_TIMEOUT` unset); :class:`SettingsError` when bad."""
    return seconds(env, ENV_SESSION_IDLE_TIMEOUT, SESSION_IDLE_TIMEOUT, low=0, high=3600, low_inclusive=False)
