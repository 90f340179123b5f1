"""``get_model``: the detail record of one model or a few, by ID."""

from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.catalog.answers import ModelSet, Provenance
from mcp_server_openrouter.errortext import quote
from mcp_server_openrouter.openrouter import Model, OpenRouterError
from mcp_server_openrouter.render.detail import URI_PREFIX, ModelDetail, detail, detail_text, legend

from .base import build_tool
from .errors import tool_error
from .results import Source, SourceField

MAX_IDS = 10


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


ModelIds = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=200)]],
    BeforeValidator(_one_or_many),
    Field(description="As listed, e.g. ['openai/gpt-4o']", min_length=1, max_length=MAX_IDS),
]


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


def unknown_ids_error(missing: list[str], catalog: ModelSet) -> ToolError:
    """The error for unknown IDs: each quoted short, with up to three close matches."""
    hints: list[str] = []
    for model_id in missing:
        close = catalog.close_matches(model_id)
        hints.append(quote(model_id) + (f" (did you mean {', '.join(close)}?)" if close else ""))
    return ToolError(f"Unknown model ID {'; '.join(hints)}. IDs are case-sensitive; list_models(q=...) finds them.")


async def known_models(catalog: Catalog, ids: list[str]) -> tuple[list[Model], Provenance]:
    """The models ``ids`` name (duplicates dropped, order kept) and where the catalog came from; an
    unknown ID is a ``ToolError`` with close matches."""
    try:
        full = await catalog.full()
    except OpenRouterError as exc:  # a 4xx about the catalog query itself; "down" is answered offline
        raise tool_error(exc) from exc
    wanted = list(dict.fromkeys(i.strip() for i in ids))
    missing = [i for i in wanted if i not in full.value.by_id]
    if missing:
        raise unknown_ids_error(missing, full.value)
    return [full.value.by_id[i] for i in wanted], full.provenance


def build(catalog: Catalog) -> Tool:
    async def get_model(ids: ModelIds) -> Annotated[CallToolResult, ModelDetails]:
        """Full details of up to 10 models by ID: description, all prices and tiers, reasoning, defaults."""
        models, provenance = await known_models(catalog, ids)
        records = [detail(m) for m in models]
        result = ModelDetails(models=records, source=Source.of(provenance), legend=legend(records))
        blocks = "\n\n".join(detail_text(r) for r in records)
        text = f"{blocks}\nData: {provenance.describe()}. Full upstream record: resource {URI_PREFIX}{{id}}."
        return CallToolResult(
            content=[TextContent(type="text", text=text)],
            structured_content=result.model_dump(mode="json", exclude_none=True),
        )

    return build_tool(get_model, title="Get OpenRouter model details")
