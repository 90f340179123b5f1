"""``list_models``: the catalog, filtered upstream, paged here."""

from typing import Annotated

from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.offline import OfflineUnsupportedError
from mcp_server_openrouter.openrouter import OpenRouterError

from . import build_tool
from .arguments import (
    CategoryArg,
    InputModalities,
    Limit,
    MaxPrice,
    MinContext,
    ModelAuthors,
    Offset,
    OutputModalities,
    Search,
    SortArg,
    SupportedParameters,
    to_query,
)
from .errors import tool_error
from .results import ModelPage, page_result


def build(catalog: Catalog) -> Tool:
    async def list_models(
        supported_parameters: SupportedParameters = None,
        min_context: MinContext = None,
        max_price: MaxPrice = None,
        input_modalities: InputModalities = None,
        output_modalities: OutputModalities = None,
        model_authors: ModelAuthors = None,
        q: Search = None,
        category: CategoryArg = None,
        sort: SortArg = None,
        limit: Limit = 25,
        offset: Offset = 0,
    ) -> Annotated[CallToolResult, ModelPage]:
        """Find OpenRouter models by capability, context, price, modality, author or name (prices: USD/1M tokens)."""
        query = to_query(
            supported_parameters=supported_parameters,
            min_context=min_context,
            max_price=max_price,
            input_modalities=input_modalities,
            output_modalities=output_modalities,
            model_authors=model_authors,
            q=q,
            category=category,
            sort=sort,
        )
        try:
            answer = await catalog.models(query)
        except (OpenRouterError, OfflineUnsupportedError) as exc:
            raise tool_error(exc) from exc
        return page_result(answer.value, answer.provenance, offset=offset, limit=limit)

    return build_tool(list_models, title="List OpenRouter models")
