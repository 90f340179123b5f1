"""``recommend_models``: the price-quality frontier for a task, under the user's constraints.

The method is :mod:`..recommend`'s: quality is OpenRouter's score for the task, cost is one
request of the workload priced exactly (:mod:`..cost`), and the frontier is every candidate no
other beats on both. The constraints are ``list_models``' filters of the same names, applied the
same way (by OpenRouter, or locally when it cannot be reached).

With the key, rows also carry each model's share of last week's tokens (:mod:`..usage`), and the
answer the citation that comes with it; without, the answer says what it lacks. ``search`` needs
the key (OpenRouter's search evals are a keyed dataset); the other tasks work offline.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import BaseModel, Field

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.cost import Workload
from mcp_server_openrouter.openrouter import MissingAPIKeyError, Model
from mcp_server_openrouter.recommend import TASKS, Candidate, recommend, search_score
from mcp_server_openrouter.render.compact import decimal_text, json_number, number_text, plain_number
from mcp_server_openrouter.usage import Usage, weekly

from .arguments import to_query, with_arguments
from .base import both, build_tool, tool_result
from .results import TEXT_ONLY, Rows, SourceField, text_only_note

Task = Literal["coding", "intelligence", "agentic", "search"]
CONSTRAINTS = (
    "supported_parameters",
    "min_context",
    "input_modalities",
    "output_modalities",
    "max_price",
    "max_output_price",
    "model_authors",
    "providers",
    "zdr",
    "region",
)
"""The ``list_models`` filters a user states as constraints."""
DEFAULT_INPUT = 2_000
DEFAULT_OUTPUT = 500
MAX_LIMIT = 20


class Recommendations(BaseModel):
    """The frontier, best first, then near misses; ``rows`` of cells named by ``columns``."""

    task: str
    score: str = Field(description="what the task's score is")
    workload: str
    columns: list[str]
    rows: Rows
    counts: dict[str, int] = Field(
        description="models considered (matching the constraints), unscored and unpriced of those, ':batch' "
        "variants left out, and on the frontier (shown or not)"
    )
    """One field, not five: each field of an output schema costs every conversation tokens of ``tools/list``."""
    note: str | None = None
    usage: str = Field(description="share_pct: of last week's tokens; or why it is not shown")
    source: SourceField


def spread(frontier: list[Candidate], limit: int) -> list[Candidate]:
    """At most ``limit`` frontier models, evenly spaced from the best to the cheapest (both kept)."""
    if len(frontier) <= limit:
        return frontier
    if limit == 1:
        return frontier[:1]
    step = (len(frontier) - 1) / (limit - 1)
    return [frontier[round(i * step)] for i in range(limit)]


async def _scoring(catalog: Catalog, task: str) -> tuple[Callable[[Model], float | None], str]:
    """How ``task`` scores a model, and what that score is, in words."""
    if task != "search":
        return (lambda model: model.score(task)), TASKS[task]
    try:
        benchmarks = await catalog.benchmarks()
    except MissingAPIKeyError:
        raise ToolError(
            "task 'search' needs an API key (OpenRouter's search evals are keyed); "
            "coding, intelligence and agentic work without one"
        ) from None
    names = benchmarks.value.search_benchmarks()
    if not names:
        raise ToolError("OpenRouter publishes no search evals right now: use task coding, intelligence or agentic")
    text = TASKS["search"].format(names="/".join(n.removeprefix("search_") for n in names))
    return search_score(benchmarks.value), text + benchmarks.provenance.aside()


def build(catalog: Catalog) -> Tool:
    async def recommend_models(**arguments: Any) -> Annotated[CallToolResult, Recommendations]:
        """Best models for a task at each price: the quality-cost frontier under your constraints."""
        task: str = arguments["task"]
        assumed = arguments["input_tokens"] is None and arguments["output_tokens"] is None
        workload = Workload(
            input_tokens=DEFAULT_INPUT if arguments["input_tokens"] is None else arguments["input_tokens"],
            output_tokens=DEFAULT_OUTPUT if arguments["output_tokens"] is None else arguments["output_tokens"],
        )
        query = to_query(arguments)
        # The catalog, the evals (search) and the rankings at once: one answer deadline, not three.
        ((score, score_text), answer), usage = await both(
            both(_scoring(catalog, task), catalog.models(query)), weekly(catalog)
        )
        # A ':batch' variant is the same model through OpenRouter's asynchronous batch API: cheaper,
        # but no answer for hours. It would win every comparison it is in, so it is left out.
        batch = [m for m in answer.value if m.id.endswith(":batch")]
        result = recommend([m for m in answer.value if not m.id.endswith(":batch")], score, workload)
        shown = spread(result.frontier, arguments["limit"])
        known = isinstance(usage, Usage)

        def share(model: Model) -> list[Any]:
            if not isinstance(usage, Usage):
                return []
            place = usage.of(model)
            return [None if place is None else place.share]

        rows: list[list[Any]] = [
            [c.model.id, plain_number(c.score), json_number(c.cost), *share(c.model), None] for c in shown
        ]
        rows += [
            [
                m.candidate.model.id,
                plain_number(m.candidate.score),
                json_number(m.candidate.cost),
                *share(m.candidate.model),
                m.dominated_by.model.id,
            ]
            for m in result.near_misses
        ]
        usage_text = (
            f"share_pct: of tokens, week of {usage.week}{usage.provenance.aside()}; {usage.citation}"
            if isinstance(usage, Usage)
            else f"no usage shares ({usage})."
        )
        load = f"{workload.input_tokens} input + {workload.output_tokens} output tokens a request" + (
            " (assumed; pass input_tokens, output_tokens)" if assumed else ""
        )
        note = text_only_note(query)
        structured = Recommendations(
            task=task,
            score=score_text,
            workload=load,
            columns=["id", task, "usd_request", *(["share_pct"] if known else []), "dominated_by"],
            rows=rows,
            counts={
                "considered": result.considered,
                "unscored": result.unscored,
                "unpriced": result.unpriced,
                "batch": len(batch),
                "frontier": len(result.frontier),
            },
            note=note,
            usage=usage_text,
            source=answer.provenance.record(),
        )
        ranked = result.considered - result.unscored - result.unpriced
        head = (
            f"Best {task} models at each price ({score_text}; cost of {load}), best first: "
            f"{len(shown)} of {len(result.frontier)} on the frontier"
            + (", spread from best to cheapest" if len(shown) < len(result.frontier) else "")
            + f". Considered {result.considered}: {ranked} ranked, {result.unscored} without a {task} score, "
            f"{result.unpriced} without a per-token price; {len(batch)} ':batch' (asynchronous) variants left out"
            + (f"; {TEXT_ONLY}" if note else "")
            + "."
        )
        lines = [
            head,
            f"Data: {answer.provenance.describe()}; {usage_text}",
            f"Columns: id {task} usd_request" + (" share_pct" if known else ""),
        ]

        def cells(candidate: Candidate) -> str:
            return " ".join(
                number_text(c)
                for c in [candidate.model.id, candidate.score, decimal_text(candidate.cost), *share(candidate.model)]
            )

        lines += [cells(c) for c in shown]
        if result.near_misses:
            lines.append("Near misses (dominated: another model is as good for less, or better for as much):")
            lines += [f"{cells(m.candidate)} < {m.dominated_by.model.id}" for m in result.near_misses]
        if not shown:
            lines.append("No candidate has both a score and a per-token price: loosen the constraints.")
        return tool_result(structured, "\n".join(lines))

    extra: dict[str, tuple[Any, Any]] = {
        "task": (Annotated[Task, Field()], "coding"),
        "input_tokens": (Annotated[int | None, Field(description=f"Per request; default {DEFAULT_INPUT}", ge=0)], None),
        "output_tokens": (
            Annotated[int | None, Field(description=f"Per request; default {DEFAULT_OUTPUT}", ge=0)],
            None,
        ),
        "limit": (Annotated[int, Field(ge=1, le=MAX_LIMIT)], 8),
    }
    return build_tool(
        with_arguments(recommend_models, extra, CONSTRAINTS),
        title="Recommend models",
        brief=CONSTRAINTS,
        more=(
            "Rows: the frontier (none better for less), best first, then near misses (dominated_by: a better "
            "deal). Constraints as in list_models; search needs a key."
        ),
    )
