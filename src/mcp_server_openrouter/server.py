"""``create_server``: the MCP server, built on demand (nothing is built or read at import time)."""

import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from typing import Any

import anyio
import anyio.abc
import httpx2
from mcp.server.caching import CacheHint
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.mcpserver import MCPServer
from mcp.server.subscriptions import InMemorySubscriptionBus, ResourcesListChanged
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from . import __version__, errortext, prompts, resources, ui
from .catalog import Catalog, utcnow
from .config import Settings
from .openrouter import RetryPolicy
from .request_keys import RequestKeys
from .tools import build_tools

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Answers questions about OpenRouter's model catalog. Prices are USD per 1M tokens. "
    "Filter with list_models (e.g. supported_parameters=['tools'], min_context, max_price); "
    "count_models sizes a query cheaply; get_model or the resource openrouter://models/{id} gives details."
)


NOTIFY_TIMEOUT = 10.0
"""Seconds a ``list_changed`` notification may wait to be taken by a connection's writer; past
that, the connection is not writing (its client stopped reading): the notification is dropped and
the connection skipped until it sends a request again (see :class:`_Sessions`)."""


class _Sessions:
    """Handshake-era connections, to send them ``notifications/resources/list_changed``.

    The SDK builds a ``ServerSession`` per request, so the long-lived thing to remember is its
    connection: we keep its outbound channel and drop it through the connection's own exit
    stack when it closes. Connections on 2026-07-28+ get the event through
    ``subscriptions/listen`` (the bus) instead.

    **No call waits for a notification.** :meth:`notify` runs inside whichever call (or background
    refresh) noticed the catalog's IDs change, and a connection's outbound channel is a chain of
    unbuffered streams down to its socket: sending on it waits until the client reads. A client
    that stopped reading (an SSE stream nobody drains, a host that hung) would hold the noticing
    call forever, and every notification to the connections after it. So :meth:`notify` only
    hands each connection's notification to a background task (in the group of the oldest
    server lifespan, as the catalog's fetches) and returns. A delivery still waiting after
    :data:`NOTIFY_TIMEOUT` seconds is dropped and its connection is *stalled*: skipped by later
    notifications until it sends a request again (a sign it may read again). At most one delivery
    per connection is under way; a change during it is sent once it is done (the event says only
    "list again", so one more says all), so a stuck connection costs one task, not one per change.
    """

    def __init__(self) -> None:
        self._outbounds: dict[int, Any] = {}
        self._stalled: set[int] = set()
        self._delivering: dict[int, bool] = {}
        """Connections with a delivery under way; ``True``: another change came during it."""
        self._groups: list[anyio.abc.TaskGroup] = []

    @asynccontextmanager
    async def running(self) -> AsyncGenerator[None]:
        """A server lifespan's task group for deliveries: they run in the oldest one, and leaving
        cancels the deliveries running in it (notifications are advisory)."""
        async with anyio.create_task_group() as group:
            self._groups.append(group)
            try:
                yield
            finally:
                self._groups.remove(group)
                group.cancel_scope.cancel()

    async def middleware(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            connection = ctx.session._connection  # pyright: ignore[reportPrivateUsage] -- no public accessor
            key = id(connection)
            self._stalled.discard(key)  # it sent a request: it reads again
            if key not in self._outbounds:
                self._outbounds[key] = connection.outbound
                connection.exit_stack.callback(self._forget, key)
        return await call_next(ctx)

    def _forget(self, key: int) -> None:
        self._outbounds.pop(key, None)
        self._stalled.discard(key)

    async def notify(self, bus: InMemorySubscriptionBus) -> None:
        """Tell every connection the resource list changed, without waiting for any (see the class)."""
        await bus.publish(ResourcesListChanged())  # never blocks: each listen stream is buffered
        if not self._groups:
            return
        for key in list(self._outbounds):
            if key in self._stalled:
                continue
            if key in self._delivering:
                self._delivering[key] = True
            else:
                self._delivering[key] = False
                self._groups[0].start_soon(self._deliver, key)

    async def _deliver(self, key: int) -> None:
        """Send ``key``'s connection the notification, and again while changes came during it."""
        try:
            while (outbound := self._outbounds.get(key)) is not None:
                self._delivering[key] = False
                try:
                    with anyio.move_on_after(NOTIFY_TIMEOUT) as late:
                        await outbound.notify("notifications/resources/list_changed", None)
                except Exception:  # the client went away; it has nothing left to refresh
                    if self._outbounds.get(key) is outbound:
                        self._forget(key)
                    return
                if late.cancelled_caught:
                    logger.info(
                        "A connection took no notification in %g s: skipped until its next request", NOTIFY_TIMEOUT
                    )
                    if self._outbounds.get(key) is outbound:
                        self._stalled.add(key)
                    return
                if not self._delivering[key]:
                    return
        finally:
            self._delivering.pop(key, None)


def create_server(
    settings: Settings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
    retry: RetryPolicy | None = None,
) -> MCPServer[Catalog]:
    """Build the server. ``transport`` replaces the network under the OpenRouter client, ``clock``
    the time the cache ages by and ``retry`` the retry timing (tests)."""
    return build_server(settings, transport=transport, clock=clock, retry=retry)[0]


def build_server(
    settings: Settings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
    retry: RetryPolicy | None = None,
    bearer_keys: bool = False,
) -> tuple[MCPServer[Catalog], Catalog]:
    """:func:`create_server`, also returning the catalog (the HTTP app keeps it open for its life).
    ``bearer_keys``: ``Authorization: Bearer`` may carry a user's OpenRouter key (an HTTP server
    with no token of its own; see :mod:`.request_keys`)."""
    catalog = Catalog(settings, transport=transport, clock=clock, retry=retry)
    bus = InMemorySubscriptionBus()
    sessions = _Sessions()
    catalog.on_ids_changed(partial(sessions.notify, bus))
    hint = CacheHint(ttl_ms=int(settings.cache_ttl * 1000), scope="public")

    @asynccontextmanager
    async def lifespan(_: MCPServer[Catalog]) -> AsyncGenerator[Catalog]:
        # One HTTP client for all sessions: opened by the first, closed after the last.
        async with catalog.running(), sessions.running():
            yield catalog

    server = MCPServer(
        name="mcp-server-openrouter",
        title="OpenRouter model catalog",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://openrouter.ai/models",
        # recommend_models points at its picker (an MCP Apps view); see ui for why it is bound here.
        tools=ui.bind(build_tools(catalog, settings.results), settings.results),
        extensions=[ui.apps()],
        lifespan=lifespan,
        log_level="WARNING",
        subscriptions=bus,
        cache_hints={"resources/list": hint, "resources/read": hint, "resources/templates/list": hint},
        middleware=[errortext.middleware, sessions.middleware, RequestKeys(bearer=bearer_keys)],
    )
    resources.register(server, catalog)
    prompts.register(server)
    # Handshake-era clients learn of listChanged only from the initialize result, which the SDK
    # builds with default NotificationOptions everywhere it runs a connection (its own TODO L53).
    lowlevel = server._lowlevel_server  # pyright: ignore[reportPrivateUsage]
    lowlevel.create_initialization_options = partial(  # type: ignore[method-assign]
        type(lowlevel).create_initialization_options, lowlevel, NotificationOptions(resources_changed=True)
    )
    return server, catalog
