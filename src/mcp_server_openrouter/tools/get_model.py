"""``get_model``: the detail record of one model or a few, by ID.

With the key, each record also has the model's results on OpenRouter's own evals and its place in
last week's usage (both datasets are cached an hour, and saved); without, or when they cannot be
had, the record is the catalog's alone: they add to it, and never hold it up with an error.
"""

import logging
from typing import Annotated

from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import BaseModel, WithJsonSchema

from mcp_server_openrouter.catalog import Answer, Catalog
from mcp_server_openrouter.openrouter import Benchmarks, Model, OpenRouterError
from mcp_server_openrouter.render.changes import change, when
from mcp_server_openrouter.render.compact import number_text
from mcp_server_openrouter.render.detail import URI_PREFIX, ModelDetail, detail, detail_text, legend
from mcp_server_openrouter.usage import Usage, weekly

from .base import both, build_tool, tool_result
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
    citation: str | None = None


logger = logging.getLogger(__name__)


async def _datasets(catalog: Catalog) -> tuple[Benchmarks | None, Usage | None, str]:
    """The evals and last week's usage, each when it can be had, and what to add to ``Data:``
    about them (their citation, and their age when it is not fresh)."""
    if not catalog.has_api_key:
        return None, None, ""
    notes: list[str] = []

    async def evals() -> Answer[Benchmarks] | None:
        try:
            return await catalog.benchmarks()
        except OpenRouterError as exc:
            logger.info("Evals not shown: %s", exc)
            return None

    answer, usage = await both(evals(), weekly(catalog))
    benchmarks = answer.value if answer is not None else None
    if answer is not None and answer.provenance.aside():
        notes.append("evals" + answer.provenance.aside())
    if not isinstance(usage, Usage):
        return benchmarks, None, "; ".join(notes)
    notes.append(f"usage: week of {usage.week}{usage.provenance.aside()}; {usage.citation}")
    return benchmarks, usage, "; ".join(notes)


def _usage(usage: Usage | None, model: Model) -> str | None:
    place = usage.of(model) if usage is not None else None
    return None if place is None else f"#{place.rank} {number_text(place.share)}%"


def build(catalog: Catalog) -> Tool:
    async def get_model(ids: ModelIds) -> Annotated[CallToolResult, ModelDetails]:
        """Full details of up to 10 models by ID: description, all prices and tiers, reasoning, defaults."""
        ((models, provenance), (benchmarks, usage, notes)), prices = await both(
            both(known_models(catalog, ids), _datasets(catalog)),
            catalog.history.price_changes([i.strip() for i in ids], 2),
        )
        records = [
            detail(
                m,
                benchmarks.own(m.canonical_slug or m.id) if benchmarks else None,
                _usage(usage, m),
                "; ".join(f"{change(e)} ({when(e)})" for e in prices.get(m.id, [])) or None,
            )
            for m in models
        ]
        cited = notes if any(r.usage or r.evals for r in records) else ""
        result = ModelDetails(
            models=records, source=provenance.record(), legend=legend(records), citation=cited or None
        )
        blocks = "\n\n".join(detail_text(r) for r in records)
        data = f"Data: {provenance.describe()}" + (f"; {cited}" if cited else ".")
        return tool_result(result, f"{blocks}\n{data} Full upstream record: resource {URI_PREFIX}{{id}}.")

    return build_tool(get_model, title="Model details")
