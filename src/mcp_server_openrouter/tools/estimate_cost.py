"""``estimate_cost``: what a workload costs on up to 10 models, exactly, cheapest first.

With the key, each model also has its measured median cost of a 10-49-turn session in one
harness (:mod:`..usage`): the one named (``harness``), else the one measuring the most of these
models; without, or when they cannot be had, the answer says so and stands without them.
"""

import re
from datetime import time
from decimal import Decimal
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import BaseModel, Field

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.cost import Estimate, Workload, estimate
from mcp_server_openrouter.errortext import quote
from mcp_server_openrouter.openrouter import MissingAPIKeyError, Model, OpenRouterError
from mcp_server_openrouter.render.compact import decimal_text
from mcp_server_openrouter.usage import DEFAULT_TURNS, Sessions, needs_key, sessions, unavailable

from .base import both, build_tool, tool_result
from .lookup import ModelIds, known_models
from .results import SourceField

Tokens = Annotated[int, Field(ge=0)]
Count = Annotated[int, Field(description="Per request", ge=0)]
Extra = Annotated[int, Field(ge=0)]
"""A count per request, as the description says once."""
LEGEND = (
    "usd: total for all requests, per_request: one request, both USD as exact decimals ('variable' = set by the "
    "routed model; 'not estimated': not priced per token, notes say how); parts: USD by what was billed; tier: "
    "the price tier applied and why; notes: assumptions."
)


class CostRow(BaseModel):
    id: str
    usd: str
    per_request: str | None = None
    parts: dict[str, str] | None = None
    tier: str | None = None
    notes: list[str] | None = None
    usd_session: str | None = None


class CostEstimates(BaseModel):
    """Cheapest first."""

    estimates: list[CostRow]
    source: SourceField
    legend: str
    """What the fields mean, then what ``usd_session`` is (or why it is absent) and its citation:
    in the legend, not a field of its own, which would cost every conversation tokens of tools/list."""


def _usd(value: Decimal | None) -> str:
    return "variable" if value is None else decimal_text(value)


def _row(result: Estimate, session: Decimal | None = None) -> CostRow:
    return CostRow(
        id=result.model_id,
        usd=_usd(result.total) if result.estimated else "not estimated",
        per_request=None if result.total is None or result.per_request == result.total else _usd(result.per_request),
        parts={k: decimal_text(v) for k, v in result.parts.items()} or None,
        tier=result.tier,
        notes=result.assumptions or None,
        usd_session=None if session is None else decimal_text(session),
    )


def _line(row: CostRow) -> str:
    text = f"{row.id}: {row.usd}" + (" (free)" if row.usd == "0" else "")
    if row.per_request is not None:
        text += f" ({row.per_request} a request)"
    if row.parts and len(row.parts) > 1:
        text += " = " + " + ".join(f"{k} {v}" for k, v in row.parts.items())
    if row.tier:
        text += f"; tier: {row.tier}"
    if row.notes:
        text += f"; note: {'; '.join(row.notes)}"
    if row.usd_session is not None:
        text += f"; usd_session {row.usd_session}"
    return text


def _sessions(
    found: Sessions | OpenRouterError, wanted: str | None, models: list[Model], *, keyed: bool
) -> tuple[dict[str, Decimal], str]:
    """Each model's median session cost (by ID, where measured) and what to say about it: the
    harness named, else the one measuring the most of ``models``. A harness not in the dataset is
    an error naming the closest; session costs that cannot be had are said, never an error."""
    if not isinstance(found, Sessions):
        if wanted is not None and (not keyed or isinstance(found, MissingAPIKeyError)):
            return {}, f"no session costs (harness needs an API key: {needs_key(found)})."
        return {}, unavailable(found, keyed=keyed)
    harness = found.find(wanted) if wanted is not None else found.pick(models, DEFAULT_TURNS)
    if wanted is not None and harness is None:
        raise ToolError(found.unknown(wanted))
    if harness is None:
        return {}, found.none_measured()
    measured = {m.id: cost for m in models if (cost := found.of(m, harness, DEFAULT_TURNS)) is not None}
    if not measured:
        return {}, found.none_in(harness, DEFAULT_TURNS)
    return measured, found.note(harness, DEFAULT_TURNS, named=wanted is not None)


def _workload_text(w: Workload) -> str:
    usage = [f"{w.input_tokens} input", f"{w.output_tokens} output"]
    for count, what in (
        (w.cached_input_tokens, "cached"),
        (w.cache_write_tokens, "cache-write (5 min)"),
        (w.cache_write_1h_tokens, "cache-write (1 h)"),
        (w.reasoning_tokens, "reasoning"),
    ):
        if count:
            usage.append(f"{count} {what}")
    extra = [
        f"{n} {what}"
        for n, what in (
            (w.input_images, "images in"),
            (w.output_images, "images out"),
            (w.web_searches, "web searches"),
        )
        if n
    ]
    when = f" at {w.at_utc:%H:%M} UTC" if w.at_utc else ""
    return f"{w.requests} request(s) of {', '.join(usage)} tokens" + (f", {', '.join(extra)}" if extra else "") + when


TIME_OF_DAY = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", re.ASCII)
"""``at_utc``: H:MM or HH:MM, in ASCII digits. ``str.isdigit`` was the check once, and it holds for
'²' and other digits ``int()`` refuses ('²:00' crashed the call), and for Arabic-Indic or
full-width ones, which the description (HH:MM) does not offer."""


def _time(text: str | None) -> time | None:
    if not text:
        return None
    match = TIME_OF_DAY.fullmatch(text)
    if match is None:
        raise ToolError(f"at_utc: {quote(text)} is not a time of day; use HH:MM in UTC, e.g. '14:30'")
    return time(int(match[1]), int(match[2]))


def _sort_key(result: Estimate) -> tuple[bool, Decimal]:
    return (result.total is None, result.total or Decimal(0))


def build(catalog: Catalog) -> Tool:
    async def estimate_cost(
        ids: ModelIds,
        input_tokens: Count = 0,
        output_tokens: Count = 0,
        requests: Annotated[int, Field(description="How many", ge=1)] = 1,
        cached_input_tokens: Annotated[Tokens, Field(description="Of input_tokens, cache reads")] = 0,
        cache_write_tokens: Annotated[Tokens, Field(description="Of input_tokens, 5-min cache writes")] = 0,
        cache_write_1h_tokens: Annotated[Tokens, Field(description="Of input_tokens, 1-h cache writes")] = 0,
        reasoning_tokens: Annotated[Tokens, Field(description="Of output_tokens")] = 0,
        input_images: Extra = 0,
        output_images: Extra = 0,
        web_searches: Extra = 0,
        at_utc: Annotated[str | None, Field(description="HH:MM, for time-of-day prices", max_length=5)] = None,
        harness: Annotated[str | None, Field(description="See recommend_models", max_length=60)] = None,
    ) -> Annotated[CallToolResult, CostEstimates]:
        """Exact USD cost of a workload on up to 10 models, cheapest first; counts are per request."""
        if cached_input_tokens + cache_write_tokens + cache_write_1h_tokens > input_tokens:
            raise ToolError(
                "cached_input_tokens + cache_write_tokens + cache_write_1h_tokens "
                f"({cached_input_tokens + cache_write_tokens + cache_write_1h_tokens}) exceed input_tokens "
                f"({input_tokens}): they are parts of the input"
            )
        when = _time(at_utc)
        if reasoning_tokens > output_tokens:
            raise ToolError(
                f"reasoning_tokens ({reasoning_tokens}) exceed output_tokens ({output_tokens}): "
                "they are part of the output"
            )
        if not (input_tokens or output_tokens or input_images or output_images or web_searches):
            raise ToolError(
                "No workload to price: pass input_tokens and/or output_tokens (per request), or input_images, "
                "output_images or web_searches; requests multiplies them (default 1)."
            )
        workload = Workload(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            requests=requests,
            cached_input_tokens=cached_input_tokens,
            cache_write_tokens=cache_write_tokens,
            cache_write_1h_tokens=cache_write_1h_tokens,
            reasoning_tokens=reasoning_tokens,
            input_images=input_images,
            output_images=output_images,
            web_searches=web_searches,
            at_utc=when,
        )
        (models, provenance), found = await both(known_models(catalog, ids), sessions(catalog))
        measured, sessions_text = _sessions(found, harness, models, keyed=catalog.has_api_key)
        results = sorted((estimate(m, workload) for m in models), key=_sort_key)
        rows = [_row(r, measured.get(r.model_id)) for r in results]
        structured = CostEstimates(estimates=rows, source=provenance.record(), legend=f"{LEGEND} {sessions_text}")
        lines = [
            f"Cost in USD (exact) of {_workload_text(workload)}, cheapest first:",
            *(_line(r) for r in rows),
            f"Data: {provenance.describe()}; {sessions_text}",
        ]
        return tool_result(structured, "\n".join(lines))

    return build_tool(estimate_cost, title="Estimate cost")
