"""``list_models``: the catalog, filtered upstream, paged here."""

from typing import Annotated, Any

from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.render.compact import ROW_LEGEND

from .arguments import Limit, Offset, SortArg, to_query, with_arguments
from .base import build_tool
from .results import ModelPage, page_result


def build(catalog: Catalog) -> Tool:
    async def list_models(**arguments: Any) -> Annotated[CallToolResult, ModelPage]:
        """Find OpenRouter models by capability, context, price, modality, author, quality or name (USD/1M tokens)."""
        query = to_query(arguments)
        answer = await catalog.models(query)
        return page_result(
            answer.value, answer.provenance, offset=arguments["offset"], limit=arguments["limit"], query=query
        )

    extra = {"sort": (SortArg, None), "limit": (Limit, 25), "offset": (Offset, 0)}
    return build_tool(with_arguments(list_models, extra), title="List models", more=ROW_LEGEND)
