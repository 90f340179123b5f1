"""``list_model_rankings``: what people actually use, by tokens, this period against the one before.

Over OpenRouter's ``GET /datasets/rankings-daily`` (the key is needed): the latest complete period
(day, week or month) and the one before it. Each row is a model, its share of all the period's
tokens (the top 50 and the ``other`` row together), its rank and how the rank moved. The dataset
names models by permaslug; rows show the catalog ID listed under it where there is one. Every
answer carries the citation OpenRouter asks for when its dataset is quoted.
"""

from datetime import date, timedelta
from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import BaseModel, Field

from mcp_server_openrouter.catalog import Catalog, ModelSet
from mcp_server_openrouter.openrouter import OTHER, OpenRouterError, Period, Rankings, RankingsQuery
from mcp_server_openrouter.openrouter.datasets import ContextBucket, LanguageType, RankingModality
from mcp_server_openrouter.openrouter.query import Category
from mcp_server_openrouter.render.compact import number_text, plain_number

from .base import build_tool, tool_result
from .results import Rows, SourceField

CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."
LOOKBACK = {"day": 3, "week": 21, "month": 75}
"""Days of data asked for: enough for the latest complete period and the one before it."""
MAX_ROWS = 50


class ModelRankings(BaseModel):
    """The latest period's top models by tokens, most used first; ``rows`` of cells named by ``columns``."""

    period: str = Field(description="the latest period, and the one it is compared with")
    columns: list[str]
    rows: Rows
    other_pct: float = Field(description="share of tokens outside the top 50")
    citation: str
    source: SourceField


def _check(period: str, modality: str | None, bucket: str | None, category: str | None, language: str | None) -> None:
    """Refuse the combinations OpenRouter refuses, naming them (spec 2026-08-22)."""
    sampled = [name for name, value in (("category", category), ("language_type", language)) if value]
    exact = [name for name, value in (("modality", modality), ("context_bucket", bucket)) if value]
    if len(sampled) > 1 or (sampled and exact):
        raise ToolError(
            f"{' and '.join([*sampled, *exact])} cannot be combined: category and language_type each read a "
            "sampled weekly dataset of their own; use one of them, or modality and context_bucket"
        )
    if sampled and period == "day":
        raise ToolError(f"{sampled[0]} is counted weekly: use period 'week' or 'month'")


def _share(tokens: int, total: int) -> float | int:
    return plain_number(round(100 * tokens / total, 2)) if total else 0


def _rows(rankings: Rankings, catalog: ModelSet, limit: int) -> tuple[str, list[list[Any]], float | int]:
    """The latest period's rows (model, share %, change; the rank is the row's place), its label and
    the ``other`` share."""
    periods = rankings.periods()
    if not periods:
        return "no data", [], 0
    latest = [r for r in rankings.rows if r.date == periods[-1]]
    before = [r for r in rankings.rows if len(periods) > 1 and r.date == periods[-2] and r.permaslug != OTHER]
    ranks_before = {r.permaslug: i for i, r in enumerate(sorted(before, key=lambda r: -r.tokens), 1)}
    total = sum(r.tokens for r in latest)
    models = sorted((r for r in latest if r.permaslug != OTHER), key=lambda r: -r.tokens)
    rows: list[list[Any]] = []
    for rank, row in enumerate(models[:limit], 1):
        was = ranks_before.get(row.permaslug)
        change: int | str | None = None if not before else ("new" if was is None else was - rank)
        rows.append([catalog.by_permaslug.get(row.permaslug, row.permaslug), _share(row.tokens, total), change])
    other = sum(r.tokens for r in latest if r.permaslug == OTHER)
    label = periods[-1] + (f" vs {periods[-2]}" if len(periods) > 1 else "")
    return label, rows, _share(other, total)


def build(catalog: Catalog) -> Tool:
    async def list_model_rankings(
        period: Annotated[Period, Field(description="vs the one before")] = "week",
        modality: Annotated[RankingModality | None, Field(description="Or tool calling")] = None,
        context_bucket: Annotated[ContextBucket | None, Field(description="Request context size")] = None,
        category: Annotated[Category | None, Field(description="As in list_models")] = None,
        language_type: Annotated[LanguageType | None, Field(description="Weekly estimate")] = None,
        limit: Annotated[int, Field(description="Rows", ge=1, le=MAX_ROWS)] = 20,
    ) -> Annotated[CallToolResult, ModelRankings]:
        """Most-used models on OpenRouter by share of tokens, with rank changes (needs an API key)."""
        _check(period, modality, context_bucket, category, language_type)
        today: date = catalog.now().date()
        query = RankingsQuery(
            period=period,
            start_date=(today - timedelta(days=LOOKBACK[period])).isoformat(),
            modality=modality,
            context_bucket=context_bucket,
            category=category,
            language_type=language_type,
        )
        answer = await catalog.rankings(query)
        try:
            models = (await catalog.full()).value
        except OpenRouterError:
            models = ModelSet([])  # rows keep their permaslugs
        label, rows, other = _rows(answer.value, models, limit)
        citation = CITATION.format(as_of=answer.value.as_of)
        structured = ModelRankings(
            period=f"{period} of {label}",
            columns=["model", "share_pct", "change"],
            rows=rows,
            other_pct=other,
            citation=citation,
            source=answer.provenance.record(),
        )
        lines = [
            f"Top {len(rows)} models by share of tokens, {period} of {label} (change: places up; new: was not in the "
            f"top 50); outside the top 50: {other}%.",
            "Columns: model share_pct change",
            *(" ".join(number_text(c) for c in row) for row in rows),
            citation,
            f"Data: {answer.provenance.describe()}.",
        ]
        return tool_result(structured, "\n".join(lines))

    return build_tool(
        list_model_rankings,
        title="List OpenRouter model rankings",
        brief=("category",),
        more="category and language_type are weekly estimates: alone, and not by day.",
    )
