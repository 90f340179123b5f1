"""``list_models``: the catalog, filtered upstream, paged here.

The page shown (and only it) gets the prices OpenRouter lists outside the model list for its video
and image models (:meth:`~..catalog.Catalog.media`): a page without such models asks nothing more
and reads as it always did; one with them says what their prices mean, and how old they are when
they are not fresh.
"""

from typing import Annotated, Any

import anyio
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult

from mcp_server_openrouter.catalog import Catalog, with_media
from mcp_server_openrouter.render.compact import ROW_LEGEND

from .arguments import Limit, Offset, SortArg, to_query, with_arguments
from .base import build_tool
from .results import ModelPage, page_result


def build(catalog: Catalog) -> Tool:
    async def list_models(**arguments: Any) -> Annotated[CallToolResult, ModelPage]:
        """Find OpenRouter models by capability, context, price, modality, author, quality or name (USD/1M tokens)."""
        started = anyio.current_time()
        query = to_query(arguments)
        answer = await catalog.models(query)
        offset, limit = arguments["offset"], arguments["limit"]
        models, provenance = answer.value, answer.provenance
        page = models[offset : offset + limit]
        priced, media = await catalog.media(page, since=started)
        if media is not None:  # some row shows media prices: the page's copies carry them
            models = [*models[:offset], *priced, *models[offset + limit :]]
            provenance = with_media(provenance, media)
        return page_result(models, provenance, offset=offset, limit=limit, query=query)

    extra = {"sort": (SortArg, None), "limit": (Limit, 25), "offset": (Offset, 0)}
    return build_tool(with_arguments(list_models, extra), title="List models", more=ROW_LEGEND)
