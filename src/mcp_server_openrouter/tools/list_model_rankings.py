"""``list_model_rankings``: what people actually use, by tokens, and for which tasks.

Two of OpenRouter's datasets (the key is needed):

- ``GET /datasets/rankings-daily``: the latest complete period (day, week or month) against the one
  before it. Each row is a model, its share of all the period's tokens (the top 50 and the
  ``other`` row together), and how its place moved (:mod:`..usage`). The dataset names models by
  permaslug; rows show the catalog ID listed under it where there is one.
- ``GET /classifications/task`` (``task``): over the last 7 days, each task's share of classified
  requests and tokens (``task="all"``), or one task's top models by requests.

Every answer carries the citation OpenRouter asks for when its datasets are quoted.
"""

from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import BaseModel, Field

from mcp_server_openrouter.catalog import Answer, Catalog, ModelSet, Provenance
from mcp_server_openrouter.errortext import closest
from mcp_server_openrouter.openrouter import OpenRouterError, Period, TaskShares
from mcp_server_openrouter.openrouter.datasets import ContextBucket, LanguageType, RankingModality
from mcp_server_openrouter.openrouter.query import Category
from mcp_server_openrouter.render.compact import number_text
from mcp_server_openrouter.usage import citation, latest_period, percent, rankings_query

from .base import build_tool, tool_result
from .results import Rows, SourceField

MAX_ROWS = 50
ALL_TASKS = "all"


class ModelRankings(BaseModel):
    """Most used first; ``rows`` of cells named by ``columns``."""

    period: str = Field(description="what the rows cover")
    columns: list[str]
    rows: Rows
    other_pct: float | None = Field(default=None, description="share outside the top 50")
    groups: str | None = Field(default=None, description="task groups' shares")
    citation: str
    source: SourceField


def _check(
    period: str, modality: str | None, bucket: str | None, category: str | None, language: str | None, task: str | None
) -> None:
    """Refuse the combinations OpenRouter refuses, naming them (spec 2026-08-22)."""
    sliced = [
        name
        for name, value in (
            ("modality", modality),
            ("context_bucket", bucket),
            ("category", category),
            ("language_type", language),
        )
        if value
    ]
    if task is not None and (sliced or period != "week"):
        chosen = [*sliced, *(["period"] if period != "week" else [])]
        raise ToolError(
            f"task cannot be combined with {' or '.join(chosen)}: task shares cover the last 7 days of all traffic"
        )
    sampled = [s for s in sliced if s in ("category", "language_type")]
    if len(sampled) > 1 or (sampled and len(sliced) > len(sampled)):
        raise ToolError(
            f"{' and '.join(sliced)} cannot be combined: category and language_type each read a "
            "sampled weekly dataset of their own; use one of them, or modality and context_bucket"
        )
    if sampled and period == "day":
        raise ToolError(f"{sampled[0]} is counted weekly: use period 'week' or 'month'")


def _task_rows(answer: Answer[TaskShares], task: str, catalog: ModelSet, limit: int) -> ModelRankings:
    """Task shares (``all``) or one task's top models, as rows."""
    shares = answer.value
    cited, source = citation(shares.as_of), answer.provenance.record()
    window = f"{shares.window_days} days to {shares.as_of}"
    if task == ALL_TASKS:
        groups = ", ".join(f"{key} {number_text(percent(share, 1))}%" for key, share in shares.macro.items())
        rows: list[list[Any]] = [
            [t.tag, percent(t.usage_share, 1), None if t.token_share is None else percent(t.token_share, 1)]
            for t in shares.tasks[:limit]
        ]
        return ModelRankings(
            period=window,
            columns=["task", "requests_pct", "tokens_pct"],
            rows=rows,
            groups=groups or None,
            citation=cited,
            source=source,
        )
    found = next((t for t in shares.tasks if t.tag == task.strip().lower()), None)
    if found is None:
        tried = ", ".join(closest(task.strip().lower(), [t.tag for t in shares.tasks]))
        raise ToolError(f"unknown task {task[:60]!r}: try {tried}, or 'all' for every task")
    rows = [
        [
            catalog.by_permaslug.get(m.permaslug, m.permaslug),
            percent(m.usage_share, 1),
            None if m.token_share is None else percent(m.token_share, 1),
        ]
        for m in found.models[:limit]
    ]
    return ModelRankings(
        period=f"{found.tag} ({found.name}), {window}",
        columns=["model", "requests_pct", "tokens_pct"],
        rows=rows,
        citation=cited,
        source=source,
    )


def _text(result: ModelRankings, head: str, provenance: Provenance) -> str:
    return "\n".join(
        [
            head,
            "Columns: " + " ".join(result.columns),
            *(" ".join(number_text(c) for c in row) for row in result.rows),
            result.citation,
            f"Data: {provenance.describe()}.",
        ]
    )


async def _models(catalog: Catalog) -> ModelSet:
    try:
        return (await catalog.full()).value
    except OpenRouterError:
        return ModelSet([])  # rows keep their permaslugs


def build(catalog: Catalog) -> Tool:
    async def list_model_rankings(
        period: Annotated[Period, Field(description="vs the one before")] = "week",
        modality: Annotated[RankingModality | None, Field()] = None,
        context_bucket: Annotated[ContextBucket | None, Field()] = None,
        category: Annotated[Category | None, Field(description="As in list_models")] = None,
        language_type: Annotated[LanguageType | None, Field()] = None,
        task: Annotated[
            str | None,
            Field(description="'all', or a task such as code:debugging", max_length=100),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_ROWS)] = 20,
    ) -> Annotated[CallToolResult, ModelRankings]:
        """Most-used models on OpenRouter by share of tokens, with rank changes; or usage by task (needs an API key)."""
        _check(period, modality, context_bucket, category, language_type, task)
        if task is not None:
            shares = await catalog.task_shares()
            result = _task_rows(shares, task, await _models(catalog), limit)
            if task == ALL_TASKS:
                head = f"Tasks by share of classified requests and tokens, {result.period}; by group: {result.groups}."
            else:
                head = f"Top {len(result.rows)} models by share of the task's requests and tokens: {result.period}."
            return tool_result(result, _text(result, head, shares.provenance))
        query = rankings_query(
            period,
            catalog.now().date(),
            modality=modality,
            context_bucket=context_bucket,
            category=category,
            language_type=language_type,
        )
        answer = await catalog.rankings(query)
        ranking = latest_period(answer.value, await _models(catalog), period)
        shown = ranking.places[:limit]
        result = ModelRankings(
            period=f"{period} {ranking.label}",
            columns=["model", "share_pct", "change"],
            rows=[[p.model, p.share, p.change] for p in shown],
            other_pct=ranking.other_share,
            citation=citation(answer.value.as_of),
            source=answer.provenance.record(),
        )
        since = "then" if " vs " in ranking.label else f"the {period} before"
        head = (
            f"Top {len(shown)} models by share of tokens, {period} {ranking.label} (change: places up since {since}; "
            f"new: was not in its top 50); outside the top 50: {ranking.other_share}%."
        )
        return tool_result(result, _text(result, head, answer.provenance))

    return build_tool(
        list_model_rankings,
        title="Model rankings",
        brief=("category",),
    )
