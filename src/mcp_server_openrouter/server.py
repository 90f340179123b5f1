"""``create_server``: the MCP server, built on demand (nothing is built or read at import time)."""

import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from typing import Any

import httpx2
from mcp.server.caching import CacheHint
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.mcpserver import MCPServer
from mcp.server.subscriptions import InMemorySubscriptionBus, ResourcesListChanged
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from . import __version__, errortext, prompts, resources
from .catalog import Catalog, utcnow
from .config import Settings
from .openrouter import RetryPolicy
from .tools import build_tools

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Answers questions about OpenRouter's model catalog. Prices are USD per 1M tokens. "
    "Filter with list_models (e.g. supported_parameters=['tools'], min_context, max_price); "
    "count_models sizes a query cheaply; get_model or the resource openrouter://models/{id} gives details."
)


class _Sessions:
    """Handshake-era connections, to send them ``notifications/resources/list_changed``.

    The SDK builds a ``ServerSession`` per request, so the long-lived thing to remember is its
    connection: we keep its outbound channel and drop it through the connection's own exit
    stack when it closes. Connections on 2026-07-28+ get the event through
    ``subscriptions/listen`` (the bus) instead.
    """

    def __init__(self) -> None:
        self._outbounds: dict[int, Any] = {}

    async def middleware(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            connection = ctx.session._connection  # pyright: ignore[reportPrivateUsage] -- no public accessor
            key = id(connection)
            if key not in self._outbounds:
                self._outbounds[key] = connection.outbound
                connection.exit_stack.callback(self._outbounds.pop, key, None)
        return await call_next(ctx)

    async def notify(self, bus: InMemorySubscriptionBus) -> None:
        await bus.publish(ResourcesListChanged())
        for key, outbound in list(self._outbounds.items()):
            try:
                await outbound.notify("notifications/resources/list_changed", None)
            except Exception:  # the client went away; it has nothing left to refresh
                self._outbounds.pop(key, None)


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
) -> tuple[MCPServer[Catalog], Catalog]:
    """:func:`create_server`, also returning the catalog (the HTTP app keeps it open for its life)."""
    catalog = Catalog(settings, transport=transport, clock=clock, retry=retry)
    bus = InMemorySubscriptionBus()
    sessions = _Sessions()
    catalog.on_ids_changed(partial(sessions.notify, bus))
    hint = CacheHint(ttl_ms=int(settings.cache_ttl * 1000), scope="public")

    @asynccontextmanager
    async def lifespan(_: MCPServer[Catalog]) -> AsyncGenerator[Catalog]:
        # One HTTP client for all sessions: opened by the first, closed after the last.
        async with catalog.running():
            yield catalog

    server = MCPServer(
        name="mcp-server-openrouter",
        title="OpenRouter model catalog",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://openrouter.ai/models",
        tools=build_tools(catalog, settings.results),
        lifespan=lifespan,
        log_level="WARNING",
        subscriptions=bus,
        cache_hints={"resources/list": hint, "resources/read": hint, "resources/templates/list": hint},
        middleware=[errortext.middleware, sessions.middleware],
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
