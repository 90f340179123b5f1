"""``count_models``: how many models match, for a few tokens."""

from typing import Annotated, Any

from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult

from mcp_server_openrouter.catalog import Catalog

from .arguments import FILTERS, to_query, with_arguments
from .base import build_tool
from .results import ModelCount, count_result


def build(catalog: Catalog) -> Tool:
    async def count_models(**arguments: Any) -> Annotated[CallToolResult, ModelCount]:
        """Count OpenRouter models matching list_models' filters (same names and meanings)."""
        query = to_query(arguments)
        answer = await catalog.count(query)
        return count_result(answer.value, answer.provenance, query)

    # The arguments are list_models' filters, described there with their values: a second copy
    # would cost every conversation ~500 tokens of tools/list.
    return build_tool(with_arguments(count_models), title="Count models", brief=FILTERS)
