"""``list_model_endpoints``: who serves a model, at what price, how fast and how reliably.

A row costs the model about 3 tokens a cell, so each cell earns its place (budget: 40 tokens a
row in each reading policy, ``bench/tokens.py``):

* ``provider`` is the endpoint's tag: the provider's slug, then ``/variant`` when the provider
  serves several (``anthropic``, ``deepinfra/fp8``). It is what provider routing (``order``,
  ``only``) takes and it names the provider; the ``providers`` filter, whose upstream wants
  display names, accepts it too (the catalog looks the name up). So the display name
  (``DeepInfra``: 3-5 tokens a row, nothing more to act on) is left to ``openrouter://providers``.
  An endpoint without a tag shows its display name.
* ``quant`` ``unknown`` is ``null``, which the legend already calls unknown.
* ``usd_cache_read`` is shown when some endpoint has a cache-read price; latency and throughput
  when OpenRouter showed them (API key).
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import BaseModel, Field

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.catalog.offline import known_first
from mcp_server_openrouter.config import ENV_API_KEY
from mcp_server_openrouter.openrouter import Endpoint, Model, NotFoundError, PriceUnit
from mcp_server_openrouter.render.compact import UNIT_LEGEND, number_text, plain_number, price_cell

from .base import build_tool, tool_result
from .lookup import ModelId, known_models
from .results import Rows, SourceField

CACHE_READ = "usd_cache_read"
SPEED = ("latency_ms", "tokens_s")
COLUMNS = (
    "provider", "quant", "context", "max_output", "usd_in", "usd_out", CACHE_READ, "status", "uptime_30m",
    "uptime_1d", *SPEED, "flags",
)  # fmt: skip
"""Every column; a result shows ``usd_cache_read`` and the speeds only when they say something."""
NO_KEY = f"latency and throughput are shown to API-key holders only: set {ENV_API_KEY} to see them"
LEGEND_PARTS = {
    "provider": "provider: its tag, slug[/variant], as provider routing and the providers filter take it",
    "usd_in": "usd_*: USD per 1M tokens after the endpoint's discount ('variable' = routed)",
    "status": "status: 0 = ok, negative = degraded",
    "uptime_30m": "uptime_*: % of requests that succeeded",
    "latency_ms": "latency_ms: p50 time to first token and tokens_s: p50 output speed, last 30 min",
    "flags": "flags: C = implicit caching, +p/-p = parameters the endpoint adds/lacks vs the model",
}


def legend(columns: list[str], rows: list[list[Any]]) -> str:
    """What the columns shown mean (and only those: a legend of absent columns misleads), and the
    marks of prices that are not per token, when a price cell has one."""
    parts = [text for column, text in LEGEND_PARTS.items() if column in columns]
    prices = [columns.index(c) for c in ("usd_in", "usd_out")]
    marks = [row[i] for row in rows for i in prices if isinstance(row[i], str)]
    parts += [text for mark, text in UNIT_LEGEND.items() if any(cell.endswith(mark) for cell in marks)]
    return "; ".join(parts) + "; null = unknown."


class EndpointPage(BaseModel):
    """A model's endpoints: ``rows`` of cells named by ``columns``, explained by ``legend``."""

    model: str
    columns: list[str]
    rows: Rows
    source: SourceField
    legend: str
    notes: list[str] | None = None


Sort = Literal["price", "throughput", "latency", "uptime"]


def _usd(price: Decimal | None, discount: Decimal | None, unit: PriceUnit = "token") -> float | str | None:
    """The price after the discount (which cannot make a variable price free), as a row shows it:
    USD per 1M tokens, or in the model's own unit (:func:`~..render.compact.price_cell`)."""
    return price_cell(price if price is None or price < 0 else price * (1 - (discount or 0)), unit)


def _mean_price(endpoint: Endpoint) -> Decimal | None:
    """The endpoint's mean price after its discount."""
    mean = endpoint.pricing.mean
    return None if mean is None else mean * (1 - (endpoint.pricing.discount or 0))


def _plain(value: float | None) -> float | int | None:
    return None if value is None else plain_number(value)


def _p50(stats: Any) -> float | None:
    return None if stats is None else stats.p50


SORTS: dict[str, tuple[Callable[[Endpoint], Decimal | float | None], bool]] = {
    "price": (_mean_price, False),
    "throughput": (lambda e: _p50(e.throughput_last_30m), True),
    "latency": (lambda e: _p50(e.latency_last_30m), False),
    "uptime": (lambda e: e.uptime_last_1d if e.uptime_last_1d is not None else e.uptime_last_30m, True),
}


def _flags(endpoint: Endpoint, model_parameters: set[str]) -> str:
    parts = ["C"] if endpoint.supports_implicit_caching else []
    mine = set(endpoint.supported_parameters)
    if mine and model_parameters:
        parts += [f"+{p}" for p in sorted(mine - model_parameters)]
        parts += [f"-{p}" for p in sorted(model_parameters - mine)]
    return " ".join(parts)


def _cells(endpoint: Endpoint, model: Model) -> dict[str, Any]:
    """Every column's cell for one endpoint of ``model`` (see :data:`COLUMNS`)."""
    discount = endpoint.pricing.discount
    quantization = endpoint.quantization
    return {
        "provider": endpoint.tag or endpoint.provider_name or None,
        "quant": None if quantization == "unknown" else quantization,
        "context": endpoint.context_length or None,
        "max_output": endpoint.max_completion_tokens,
        "usd_in": _usd(endpoint.pricing.prompt, discount, model.price_unit),
        "usd_out": _usd(endpoint.pricing.completion, discount, model.completion_unit),
        CACHE_READ: _usd(endpoint.pricing.input_cache_read, discount),
        "status": endpoint.status,
        "uptime_30m": _plain(endpoint.uptime_last_30m),
        "uptime_1d": _plain(endpoint.uptime_last_1d),
        "latency_ms": _plain(_p50(endpoint.latency_last_30m)),
        "tokens_s": _plain(_p50(endpoint.throughput_last_30m)),
        "flags": _flags(endpoint, set(model.supported_parameters)),
    }


def _text_cell(value: Any) -> str:
    return number_text(value).replace(" ", "_")  # one word per cell: "Google Vertex" -> Google_Vertex


def build(catalog: Catalog) -> Tool:
    async def list_model_endpoints(
        id: ModelId,
        sort: Annotated[Sort, Field(description="Best first")] = "price",
    ) -> Annotated[CallToolResult, EndpointPage]:
        """Providers serving a model: price, quantization, context, uptime, latency, throughput."""
        (model,), _ = await known_models(catalog, [id], media=False)
        target = (model.alias_target.slug if model.alias_target else None) or model.id  # ~aliases: their target
        try:
            answer = await catalog.endpoints(target)
        except NotFoundError as exc:
            raise ToolError(f"OpenRouter lists no endpoints for {target!r} (HTTP 404).") from exc
        key, best_high = SORTS[sort]
        endpoints = known_first(list(answer.value.endpoints), key, reverse=best_high)
        speed = answer.value.stats_visible
        cache_read = any(e.pricing.input_cache_read is not None for e in endpoints)
        columns = [c for c in COLUMNS if (c != CACHE_READ or cache_read) and (c not in SPEED or speed)]
        rows = [[cells[c] for c in columns] for cells in (_cells(e, model) for e in endpoints)]
        explained = legend(columns, rows)
        notes = [] if speed else [NO_KEY]
        if target != model.id:
            notes.append(f"{model.id} is an alias of {target}")
        structured = EndpointPage(
            model=target,
            columns=columns,
            rows=rows,
            source=answer.provenance.record(),
            legend=explained,
            notes=notes or None,
        )
        order = {"price": "cheapest", "throughput": "fastest", "latency": "lowest latency", "uptime": "highest uptime"}
        lines = [
            f"{len(rows)} endpoint(s) of {target}, {order[sort]} first. Data: {answer.provenance.describe()}.",
            *notes,
            f"Columns: {' '.join(columns)}. {explained.replace('null', '-')}",
            *(" ".join(_text_cell(c) for c in row[:-1]) + (f" {row[-1]}" if row[-1] else "") for row in rows),
        ]
        return tool_result(structured, "\n".join(lines))

    return build_tool(list_model_endpoints, title="Provider endpoints")
