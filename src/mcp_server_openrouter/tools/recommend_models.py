"""``recommend_models``: the price-quality frontier for a task, under the user's constraints.

The method is :mod:`..recommend`'s: quality is OpenRouter's score for the task, cost is one
request of the workload priced exactly (:mod:`..cost`), and the frontier is every candidate no
other beats on both. The constraints are ``list_models``' filters of the same names, applied the
same way (by OpenRouter, or locally when it cannot be reached).

With the key, rows also carry each model's share of last week's tokens and its measured median
cost of a session in a harness (:mod:`..usage`), and the answer the citations that come with
them; without, the answer says what it lacks. ``harness`` ranks by that session cost instead of
the computed cost of a request. ``search`` and ``harness`` need the key (keyed datasets); the
other tasks work offline.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import BaseModel, Field

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.cost import Workload, estimate
from mcp_server_openrouter.openrouter import MissingAPIKeyError, Model, OpenRouterError
from mcp_server_openrouter.recommend import TASKS, Candidate, recommend, search_score
from mcp_server_openrouter.render.compact import decimal_text, json_number, number_text, plain_number
from mcp_server_openrouter.usage import (
    TURN_WORDS,
    Sessions,
    Usage,
    needs_key,
    sessions,
    turn_range,
    unavailable,
    weekly,
)

from .arguments import to_query, with_arguments
from .base import both, build_tool, tool_result
from .errors import explain
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
    usage: str = Field(
        description="share_pct: of last week's tokens, then usd_session: what it is; or why they are not shown"
    )
    """Both usage datasets in one field: a field of its own would cost every conversation tokens of tools/list."""
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


def _ranked_by(found: Sessions | OpenRouterError, wanted: str, turns: str) -> tuple[Sessions, str]:
    """The session costs and the harness slug to rank by, or the error that says what to do."""
    if isinstance(found, MissingAPIKeyError):
        raise ToolError(
            f"harness needs an API key (OpenRouter's session costs are keyed): {needs_key(found)}; "
            "without harness, models are ranked by the cost of a request"
        )
    if isinstance(found, OpenRouterError):
        raise ToolError(explain(found)) from None
    slug = found.find(wanted)
    if slug is None:
        raise ToolError(found.unknown(wanted))
    if not found.costs.measured(slug, turns):
        ranges = ", ".join(TURN_WORDS.get(t, t).removesuffix("-turn") for t in found.costs.turn_ranges(slug))
        raise ToolError(
            f"{slug} has no {TURN_WORDS[turns]} sessions measured: pass turns in one of its ranges ({ranges or 'none'})"
        )
    return found, slug


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
        if arguments["turns"] is not None and arguments["turns"] < 1:
            raise ToolError(f"turns ({arguments['turns']}) is the number of turns of a session: at least 1")
        turns = turn_range(arguments["turns"])
        # The catalog, the evals (search), the rankings and the session costs at once: one answer
        # deadline, not four.
        ((score, score_text), answer), (usage, found) = await both(
            both(_scoring(catalog, task), catalog.models(query)), both(weekly(catalog), sessions(catalog))
        )
        wanted: str | None = arguments["harness"]
        by_session = wanted is not None
        cost_of: Callable[[Model], Decimal | None] | None = None
        session: str | None = None
        """The harness whose session costs the rows show (and rank by, when named)."""
        if wanted is not None:
            ranking, session = _ranked_by(found, wanted, turns)
            named = session
            cost_of = lambda model: ranking.of(model, named, turns)  # noqa: E731
        # A ':batch' variant is the same model through OpenRouter's asynchronous batch API: cheaper,
        # but no answer for hours. It would win every comparison it is in, so it is left out.
        batch = [m for m in answer.value if m.id.endswith(":batch")]
        result = recommend([m for m in answer.value if not m.id.endswith(":batch")], score, workload, cost_of)
        shown = spread(result.frontier, arguments["limit"])
        if wanted is None and isinstance(found, Sessions):
            session = found.pick([c.model for c in shown] + [m.candidate.model for m in result.near_misses], turns)
        known = isinstance(usage, Usage)

        def share(model: Model) -> list[Any]:
            if not isinstance(usage, Usage):
                return []
            place = usage.of(model)
            return [None if place is None else place.share]

        def costs(candidate: Candidate) -> list[Decimal | None]:
            """usd_request, then usd_session when there is a harness to show."""
            if by_session:
                return [estimate(candidate.model, workload).per_request, candidate.cost]
            if session is None or not isinstance(found, Sessions):
                return [candidate.cost]
            return [candidate.cost, found.of(candidate.model, session, turns)]

        def values(candidate: Candidate) -> list[Any]:
            return [candidate.model.id, candidate.score, *costs(candidate), *share(candidate.model)]

        rows: list[list[Any]] = [
            [c.model.id, plain_number(c.score), *(json_number(v) for v in costs(c)), *share(c.model), None]
            for c in shown
        ]
        rows += [
            [
                m.candidate.model.id,
                plain_number(m.candidate.score),
                *(json_number(v) for v in costs(m.candidate)),
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
        if not isinstance(found, Sessions):
            sessions_text = unavailable(found, keyed=catalog.has_api_key)
        elif session is None:
            sessions_text = found.none_measured()
        else:
            sessions_text = found.note(session, turns, named=by_session)
        load = f"{workload.input_tokens} input + {workload.output_tokens} output tokens a request" + (
            " (assumed; pass input_tokens, output_tokens)" if assumed else ""
        )
        note = text_only_note(query)
        columns = ["id", task, "usd_request", *(["usd_session"] if session else []), *(["share_pct"] if known else [])]
        structured = Recommendations(
            task=task,
            score=score_text,
            workload=load,
            columns=[*columns, "dominated_by"],
            rows=rows,
            counts={
                "considered": result.considered,
                "unscored": result.unscored,
                "unmeasured" if by_session else "unpriced": result.unpriced,
                "batch": len(batch),
                "frontier": len(result.frontier),
            },
            note=note,
            usage=f"{usage_text} {sessions_text}",
            source=answer.provenance.record(),
        )
        ranked = result.considered - result.unscored - result.unpriced
        if isinstance(found, Sessions) and by_session and session:
            cost_text = f"cost: usd_session; usd_request: {load}"
            unpriced = f"without a measured session in {found.name(session)}"
        else:
            cost_text, unpriced = f"cost of {load}", "without a per-token price"
        head = (
            f"Best {task} models at each {'session cost' if by_session else 'price'} ({score_text}; {cost_text}), "
            f"best first: {len(shown)} of {len(result.frontier)} on the frontier"
            + (", spread from best to cheapest" if len(shown) < len(result.frontier) else "")
            + f". Considered {result.considered}: {ranked} ranked, {result.unscored} without a {task} score, "
            f"{result.unpriced} {unpriced}; {len(batch)} ':batch' (asynchronous) variants left out"
            + (f"; {TEXT_ONLY}" if note else "")
            + "."
        )
        lines = [
            head,
            f"Data: {answer.provenance.describe()}; {usage_text} {sessions_text}",
            "Columns: " + " ".join(columns),
        ]

        def cells(candidate: Candidate) -> str:
            return " ".join(number_text(decimal_text(c) if isinstance(c, Decimal) else c) for c in values(candidate))

        lines += [cells(c) for c in shown]
        if result.near_misses:
            lines.append("Near misses (dominated: another model is as good for less, or better for as much):")
            lines += [f"{cells(m.candidate)} < {m.dominated_by.model.id}" for m in result.near_misses]
        if not shown:
            price = "measured session cost" if by_session else "per-token price"
            lines.append(f"No candidate has both a score and a {price}: loosen the constraints.")
        return tool_result(structured, "\n".join(lines))

    extra: dict[str, tuple[Any, Any]] = {
        "task": (Annotated[Task, Field()], "coding"),
        "input_tokens": (Annotated[int | None, Field(description=f"Per request; default {DEFAULT_INPUT}", ge=0)], None),
        "output_tokens": (
            Annotated[int | None, Field(description=f"Per request; default {DEFAULT_OUTPUT}", ge=0)],
            None,
        ),
        "limit": (Annotated[int, Field(ge=1, le=MAX_LIMIT)], 8),
        "harness": (
            Annotated[
                str | None, Field(description="App such as claude-code: rank by its session cost", max_length=60)
            ],
            None,
        ),
        # At least 1, checked in recommend_models: a bound in the schema would cost every conversation tokens.
        "turns": (Annotated[int | None, Field(description="Per session; default 10-49")], None),
    }
    return build_tool(
        with_arguments(recommend_models, extra, CONSTRAINTS),
        title="Recommend models",
        brief=CONSTRAINTS,
        more=(
            "Rows: the frontier (none better for less), best first, then near misses (dominated_by: a better "
            "deal). Constraints as in list_models; search and harness need a key."
        ),
    )
