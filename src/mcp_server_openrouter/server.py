"""``create_server``: the MCP server, built on demand (nothing is built or read at import time)."""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import httpx2
from mcp.server.mcpserver import MCPServer

from . import __version__
from .catalog import Catalog
from .config import Settings
from .tools import count_models, list_models, list_models_for_user

INSTRUCTIONS = (
    "Answers questions about OpenRouter's model catalog. Prices are USD per 1M tokens. "
    "Filter with list_models (e.g. supported_parameters=['tools'], min_context, max_price); "
    "count_models sizes a query cheaply."
)


def create_server(settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None) -> MCPServer[Catalog]:
    """Build the server. ``transport`` replaces the network under the OpenRouter client (tests)."""
    catalog = Catalog(settings, transport=transport)

    @asynccontextmanager
    async def lifespan(_: MCPServer[Catalog]) -> AsyncGenerator[Catalog]:
        # One HTTP client for all sessions: opened by the first, closed after the last.
        async with catalog.running():
            yield catalog

    return MCPServer(
        name="mcp-server-openrouter",
        title="OpenRouter model catalog",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://openrouter.ai/models",
        tools=[list_models.build(catalog), count_models.build(catalog), list_models_for_user.build(catalog)],
        lifespan=lifespan,
        log_level="WARNING",
    )
