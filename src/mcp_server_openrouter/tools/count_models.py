"""``count_models``: how many models match, for a few tokens."""

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
    MaxPrice,
    MinContext,
    ModelAuthors,
    OutputModalities,
    Search,
    SupportedParameters,
    to_query,
)
from .errors import tool_error
from .results import ModelCount, count_result


def build(catalog: Catalog) -> Tool:
    async def count_models(
        output_modalities: OutputModalities = None,
        supported_parameters: SupportedParameters = None,
        min_context: MinContext = None,
        max_price: MaxPrice = None,
        input_modalities: InputModalities = None,
        model_authors: ModelAuthors = None,
        q: Search = None,
        category: CategoryArg = None,
    ) -> Annotated[CallToolResult, ModelCount]:
        """Count OpenRouter models matching the same filters as list_models."""
        query = to_query(
            output_modalities=output_modalities,
            supported_parameters=supported_parameters,
            min_context=min_context,
            max_price=max_price,
            input_modalities=input_modalities,
            model_authors=model_authors,
            q=q,
            category=category,
        )
        try:
            answer = await catalog.count(query)
        except (OpenRouterError, OfflineUnsupportedError) as exc:
            raise tool_error(exc) from exc
        return count_result(answer.value, answer.provenance)

    return build_tool(count_models, title="Count OpenRouter models")
