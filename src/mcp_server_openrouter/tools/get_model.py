"""``get_model``: the detail record of one model or a few, by ID."""

from typing import Annotated

from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import BaseModel, WithJsonSchema

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.render.detail import URI_PREFIX, ModelDetail, detail, detail_text, legend

from .base import build_tool, tool_result
from .lookup import ModelIds, known_models
from .results import SourceField


class ModelDetails(BaseModel):
    """The requested models, in the order asked."""

    # Published as objects with an ID: the fields are self-explanatory and explained by ``legend``,
    # and their full schema would cost every conversation ~200 tokens of tools/list.
    models: Annotated[
        list[ModelDetail],
        WithJsonSchema(
            {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}}
        ),
    ]
    source: SourceField
    legend: str


def build(catalog: Catalog) -> Tool:
    async def get_model(ids: ModelIds) -> Annotated[CallToolResult, ModelDetails]:
        """Full details of up to 10 models by ID: description, all prices and tiers, reasoning, defaults."""
        models, provenance = await known_models(catalog, ids)
        records = [detail(m) for m in models]
        result = ModelDetails(models=records, source=provenance.record(), legend=legend(records))
        blocks = "\n\n".join(detail_text(r) for r in records)
        return tool_result(
            result, f"{blocks}\nData: {provenance.describe()}. Full upstream record: resource {URI_PREFIX}{{id}}."
        )

    return build_tool(get_model, title="Get OpenRouter model details")
