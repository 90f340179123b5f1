"""``list_models_for_user``: the models the configured key's owner may use."""

from typing import Annotated

from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult

from mcp_server_openrouter.catalog import Catalog

from .arguments import Limit, Offset
from .base import build_tool
from .results import ModelPage, page_result


def build(catalog: Catalog) -> Tool:
    async def list_models_for_user(limit: Limit = 25, offset: Offset = 0) -> Annotated[CallToolResult, ModelPage]:
        """Models this server's OpenRouter key may use, after its account's provider and privacy settings."""
        answer = await catalog.user_models()
        return page_result(answer.value, answer.provenance, offset=offset, limit=limit)

    return build_tool(
        list_models_for_user,
        title="Your key's models",
        more="Rows, codes and paging as list_models describes.",
    )
