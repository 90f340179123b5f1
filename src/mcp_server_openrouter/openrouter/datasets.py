"""OpenRouter's datasets: what people use, for what, and how well models do (spec 2026-08-22).

All four need an API key, allow 30 requests a minute per key and 500 a day per account, and are
parsed with the catalog's drift rules: a malformed row is skipped, logged, and never sinks the
answer. Each parsed value keeps the body it came from (``raw``), so it can be saved and parsed
again the same way.

``GET /datasets/rankings-daily`` (``RankingsDailyResponse``): what people use, by tokens. Up to 51
rows a period: the top 50 public models by ``total_tokens`` (prompt + completion), then one
``other`` row summing every model outside them. Rows name a model by its *permaslug*
(``openai/gpt-4o-2024-05-13``: the catalog's ``canonical_slug``), not by its ID. Token totals
are decimal strings.

``GET /classifications/task`` (``TaskClassificationResponse``): the share of the last 7 days'
classified requests and tokens per task (``code:general_impl``, ``agent:web_search``), grouped in
macro categories, each with its top models by requests (IDs are permaslugs there too).

``GET /benchmarks`` (``UnifiedBenchmarksResponse``): one item per model and benchmark, from
several sources. Kept: OpenRouter's own evals (``gpqa_diamond``, ``tau_bench_verified_airline``:
``accuracy``; ``search_*``: ``primary_score``; both 0-1, with ``avg_cost_per_task``) and the
Artificial Analysis indices (0-100). Design Arena items are left out: the catalog's own
``benchmarks`` field already carries each model's placements.

``GET /datasets/session-cost`` (``SessionCostResponse``): the median USD a session cost, per
harness (the app that ran it: ``claude-code``), model (by permaslug) and turn range, refreshed
weekly; sessions are never pooled across apps. Paged (``limit`` at most 500); ``meta`` names the
window the sessions came from. Licensed CC BY 4.0, with attribution to OpenRouter.
"""

import logging
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, cast, get_args

from .models import envelope, records, text_or_none

logger = logging.getLogger(__name__)

Period = Literal["day", "week", "month"]
RankingModality = Literal["text", "image", "image_output", "audio", "tool_calling"]
ContextBucket = Literal["1K", "10K", "100K", "1M", "10M"]
LanguageType = Literal["natural", "programming"]
OTHER = "other"
"""The permaslug of the row that sums every model outside the top 50 of its period."""


@dataclass(frozen=True, slots=True)
class RankingsQuery:
    """The dataset's slices (spec 2026-08-22). ``category`` and ``language_type`` read a sampled,
    weekly dataset: they combine with nothing else and refuse ``period=day`` (the tool says so
    before asking)."""

    period: Period = "day"
    start_date: str | None = None
    end_date: str | None = None
    modality: RankingModality | None = None
    context_bucket: ContextBucket | None = None
    category: str | None = None
    language_type: LanguageType | None = None

    def params(self) -> dict[str, str]:
        raw = {
            "period": self.period,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "modality": self.modality,
            "context_bucket": self.context_bucket,
            "category": self.category,
            "language_type": self.language_type,
        }
        return {key: value for key, value in raw.items() if value is not None}

    def slices(self) -> str:
        """The query without its dates: what the saved copy of its answer is filed under."""
        return "rankings " + " ".join(f"{k}={v}" for k, v in sorted(self.params().items()) if not k.endswith("_date"))


@dataclass(frozen=True, slots=True)
class RankingRow:
    date: str
    """The period's first day (``YYYY-MM-DD``)."""
    permaslug: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Rankings:
    rows: list[RankingRow]
    as_of: str
    """When OpenRouter computed the dataset: the date its citation names."""
    raw: Any = field(default=None, compare=False, repr=False)

    def periods(self) -> list[str]:
        """The periods present, oldest first."""
        return sorted({row.date for row in self.rows})


def _tokens(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():  # not '²'
        return int(value.strip())
    return None


def parse_rankings(payload: Any) -> Rankings:
    """Parse a rankings body; ``ValueError`` when the envelope is unusable."""
    body = envelope(payload)
    meta: Any = body.get("meta")
    as_of = cast(dict[str, Any], meta).get("as_of") if isinstance(meta, dict) else None
    rows: list[RankingRow] = []
    for index, item in enumerate(records(body)):
        record = cast(dict[str, Any], item) if isinstance(item, dict) else {}
        date, slug, tokens = record.get("date"), record.get("model_permaslug"), _tokens(record.get("total_tokens"))
        if not isinstance(date, str) or not isinstance(slug, str) or not slug or tokens is None:
            logger.warning("Skipped malformed ranking row #%d", index)
            continue
        rows.append(RankingRow(date[:10], slug, tokens))
    return Rankings(rows, as_of if isinstance(as_of, str) and as_of else "unknown", payload)


def _share(value: Any) -> float | None:
    """A fraction 0-1, or ``None`` when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return None
    return float(value)


def _objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects of a list (anything else in it is dropped; not a list: none)."""
    items = cast(list[Any], value) if isinstance(value, list) else []
    return [cast(dict[str, Any], item) for item in items if isinstance(item, dict)]


@dataclass(frozen=True, slots=True)
class TaskModel:
    permaslug: str
    usage_share: float
    """Of the task's requests, 0-1."""
    token_share: float | None


@dataclass(frozen=True, slots=True)
class TaskShare:
    tag: str
    """``macro:task``, e.g. ``code:general_impl``."""
    name: str
    usage_share: float
    """Of all classified requests, 0-1 (the unclassified ``other`` bucket excluded)."""
    token_share: float | None
    models: list[TaskModel]


@dataclass(frozen=True, slots=True)
class TaskShares:
    tasks: list[TaskShare]
    """Most requested first."""
    macro: dict[str, float]
    """Macro category key → its share of classified requests."""
    as_of: str
    window_days: int
    raw: Any = field(default=None, compare=False, repr=False)


def parse_task_shares(payload: Any) -> TaskShares:
    """Parse a task-classification body; ``ValueError`` when the envelope is unusable."""
    data: Any = envelope(payload).get("data")
    if not isinstance(data, dict):
        raise ValueError("the JSON object has no 'data' object")
    body = cast(dict[str, Any], data)
    tasks: list[TaskShare] = []
    for index, item in enumerate(_objects(body.get("classifications"))):
        tag, usage = item.get("tag"), _share(item.get("usage_share"))
        if not isinstance(tag, str) or not tag or usage is None:
            logger.warning("Skipped malformed task classification #%d", index)
            continue
        models = [
            TaskModel(m["id"], share, _share(m.get("tag_token_share")))
            for m in _objects(item.get("models"))
            if isinstance(m.get("id"), str) and m["id"] and (share := _share(m.get("tag_usage_share"))) is not None
        ]
        name = item.get("display_name")
        models.sort(key=lambda m: -m.usage_share)
        tasks.append(
            TaskShare(
                tag, name if isinstance(name, str) and name else tag, usage, _share(item.get("token_share")), models
            )
        )
    tasks.sort(key=lambda t: -t.usage_share)
    macro = {
        m["key"]: share
        for m in _objects(body.get("macro_categories"))
        if isinstance(m.get("key"), str) and (share := _share(m.get("usage_share"))) is not None
    }
    as_of, days = body.get("as_of"), body.get("window_days")
    return TaskShares(
        tasks,
        macro,
        as_of if isinstance(as_of, str) and as_of else "unknown",
        days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else 7,
        payload,
    )


AA_INDICES = {"intelligence_index": "intelligence", "coding_index": "coding", "agentic_index": "agentic"}
SEARCH_PREFIX = "search_"


@dataclass(frozen=True, slots=True)
class BenchmarkScore:
    benchmark: str
    """``gpqa_diamond``, ``search_browsecomp``…, or an Artificial Analysis index name (``coding``)."""
    score: float
    """0-100: an accuracy or F1 in percent, or the index itself."""
    cost_per_task: float | None = None
    """USD, OpenRouter's evals only."""


@dataclass(frozen=True, slots=True)
class Benchmarks:
    scores: dict[str, dict[str, BenchmarkScore]]
    """Permaslug → benchmark → score."""
    as_of: str
    raw: Any = field(default=None, compare=False, repr=False)

    def search_benchmarks(self) -> list[str]:
        """The OpenRouter search benchmarks present, sorted."""
        return sorted({b for per in self.scores.values() for b in per if b.startswith(SEARCH_PREFIX)})

    def own(self, permaslug: str) -> list[BenchmarkScore]:
        """A model's results on OpenRouter's own evals (not the Artificial Analysis indices), by name."""
        per = self.scores.get(permaslug, {})
        return [per[name] for name in sorted(per) if name not in AA_INDICES.values()]


def _number(value: Any) -> float | None:
    return None if isinstance(value, bool) or not isinstance(value, int | float) else float(value)


def _scores(item: dict[str, Any]) -> list[BenchmarkScore]:
    """The scores one benchmark item holds (none when it is malformed or of a source not kept)."""
    match item.get("source"):
        case "artificial-analysis":
            return [
                BenchmarkScore(name, value)
                for key, name in AA_INDICES.items()
                if (value := _number(item.get(key))) is not None
            ]
        case "openrouter":
            name = item.get("benchmark_type")
            metric = item.get("primary_score") if "primary_score" in item else item.get("accuracy")
            value = _share(metric)
            if not isinstance(name, str) or not name or value is None:
                return []
            return [BenchmarkScore(name, round(100 * value, 1), _number(item.get("avg_cost_per_task")))]
        case _:
            return []


def parse_benchmarks(payload: Any) -> Benchmarks:
    """Parse a benchmarks body; ``ValueError`` when the envelope is unusable."""
    body = envelope(payload)
    scores: dict[str, dict[str, BenchmarkScore]] = {}
    for index, item in enumerate(_objects(records(body))):
        slug = item.get("model_permaslug")
        found = _scores(item) if isinstance(slug, str) and slug else []
        if not found and item.get("source") != "design-arena":
            logger.warning("Skipped malformed benchmark item #%d", index)
        for score in found:
            scores.setdefault(cast(str, slug), {})[score.benchmark] = score
    meta: Any = body.get("meta")
    as_of = cast(dict[str, Any], meta).get("as_of") if isinstance(meta, dict) else None
    return Benchmarks(scores, as_of if isinstance(as_of, str) and as_of else "unknown", payload)


TurnRange = Literal["1-turn", "2-9-turns", "10-49-turns", "50-plus-turns"]
TURN_RANGES: tuple[TurnRange, ...] = get_args(TurnRange)
SESSION_COST_LIMIT = 500
"""Cells a page holds at most (the spec's bound on ``limit``)."""
SESSION_COST_PAGES = 4
"""Pages one fetch asks for at most (2,000 cells): each page is a request of the datasets' budget."""


@dataclass(frozen=True, slots=True)
class SessionCostQuery:
    """The dataset's filters (spec: ``app_slug``, ``model`` as a permaslug, ``turn_range``) and its
    paging (``limit`` 1-500, ``offset`` 0-5000)."""

    app_slug: str | None = None
    model: str | None = None
    turn_range: TurnRange | None = None
    limit: int = SESSION_COST_LIMIT
    offset: int = 0

    def params(self) -> dict[str, str]:
        raw = {"app_slug": self.app_slug, "model": self.model, "turn_range": self.turn_range}
        paging = {"limit": str(self.limit), **({"offset": str(self.offset)} if self.offset else {})}
        return {**{key: value for key, value in raw.items() if value is not None}, **paging}


@dataclass(frozen=True, slots=True)
class SessionCost:
    """One cell: the median USD a session of ``turn_range`` turns cost in one harness on one model."""

    app_slug: str
    app_name: str
    permaslug: str
    turn_range: str
    """One of :data:`TURN_RANGES`, or a range the spec does not list yet (kept, never asked for)."""
    usd: Decimal


@dataclass(frozen=True, slots=True)
class SessionCosts:
    cells: list[SessionCost]
    as_of: str
    window_end: str | None
    """The last day of the sessions' window (``YYYY-MM-DD``), when a snapshot is published."""
    window_days: int | None
    received: int
    """Items the body's ``data`` held, malformed ones included: a full page means there may be more."""
    skipped: int = 0
    complete: bool = True
    """False when the cells went on past the pages one fetch asks for (:data:`SESSION_COST_PAGES`)."""
    raw: Any = field(default=None, compare=False, repr=False)
    index: dict[tuple[str, str, str], SessionCost] = field(
        default_factory=dict[tuple[str, str, str], SessionCost], compare=False, repr=False
    )
    """(app slug, permaslug, turn range) → its cell; the first of duplicates."""

    def apps(self) -> dict[str, str]:
        """Harness slug → display name, by slug."""
        names: dict[str, str] = {}
        for cell in self.cells:
            names.setdefault(cell.app_slug, cell.app_name)
        return dict(sorted(names.items()))

    def cost(self, app_slug: str, permaslug: str, turn_range: str) -> Decimal | None:
        cell = self.index.get((app_slug, permaslug, turn_range))
        return None if cell is None else cell.usd

    def measured(self, app_slug: str, turn_range: str) -> set[str]:
        """The permaslugs measured in one harness at one turn range."""
        return {c.permaslug for c in self.cells if c.app_slug == app_slug and c.turn_range == turn_range}

    def turn_ranges(self, app_slug: str) -> list[str]:
        """The turn ranges one harness has cells for, shortest first."""
        present = {c.turn_range for c in self.cells if c.app_slug == app_slug}
        return [t for t in TURN_RANGES if t in present] + sorted(present - set(TURN_RANGES))

    def day(self) -> str:
        """The day the cells are as of: the window's last day, else the day they were computed."""
        return self.window_end or self.as_of[:10]


def _usd(value: Any) -> Decimal | None:
    """A finite, non-negative number of USD, exact as written (1.74, not 1.7399999…)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    return Decimal(value)


def _object(value: Any) -> dict[str, Any]:
    """A JSON object as such; anything else: an empty one."""
    return cast(dict[str, Any], value) if isinstance(value, dict) else {}


def _window(meta: Any) -> tuple[str, str | None, int | None]:
    """``as_of``, the window's last day and its length in days, from a ``SessionCostMeta``."""
    body = _object(meta)
    as_of, end, days = body.get("as_of"), body.get("window_end_date"), body.get("window_days")
    return (
        as_of if isinstance(as_of, str) and as_of else "unknown",
        end[:10] if isinstance(end, str) and end else None,
        days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else None,
    )


def _cell(item: Any) -> SessionCost | None:
    """One ``SessionCostItem``, or ``None`` when a field it cannot do without is missing or wrong."""
    record = _object(item)
    app, slug, turns = (
        text_or_none(record.get("app_slug")),
        text_or_none(record.get("model_permaslug")),
        text_or_none(record.get("turn_range")),
    )
    usd = _usd(record.get("median_session_cost_usd"))
    if app is None or slug is None or turns is None or usd is None:
        return None
    return SessionCost(app, text_or_none(record.get("app_name")) or app, slug, turns, usd)


def _costs(
    cells: list[SessionCost], meta: Any, *, received: int, skipped: int, complete: bool, raw: Any
) -> SessionCosts:
    index: dict[tuple[str, str, str], SessionCost] = {}
    kept = [c for c in cells if index.setdefault((c.app_slug, c.permaslug, c.turn_range), c) is c]
    return SessionCosts(kept, *_window(meta), received, skipped, complete, raw, index)


TRUNCATED = "truncated"
"""The key a merged body (:func:`merge_session_costs`) is marked with when cells went on past it."""


def parse_session_costs(payload: Any) -> SessionCosts:
    """Parse a session-cost body (one page, or pages merged); ``ValueError`` when the envelope is
    unusable. A malformed cell is skipped, counted and logged; of duplicate cells the first is kept."""
    body = envelope(payload)
    items = records(body)
    parsed = [_cell(item) for item in items]
    cells = [c for c in parsed if c is not None]
    skipped = len(items) - len(cells)
    if skipped:
        logger.warning("Skipped %d malformed session-cost cell(s)", skipped)
    complete = body.get(TRUNCATED) is not True
    return _costs(cells, body.get("meta"), received=len(items), skipped=skipped, complete=complete, raw=payload)


def merge_session_costs(pages: list[SessionCosts], *, complete: bool) -> SessionCosts:
    """Pages of one listing as one value, whose ``raw`` is one body that parses to the same cells
    (what is saved on disk): every page's items in order, under the first page's ``meta``."""
    if len(pages) == 1 and complete:
        return pages[0]
    bodies = [_object(page.raw) for page in pages]
    items = [item for body in bodies for item in cast(list[Any], body.get("data") or [])]
    meta = bodies[0].get("meta")
    raw = {"data": items, "meta": meta, **({} if complete else {TRUNCATED: True})}
    cells = [c for page in pages for c in page.cells]
    skipped = sum(page.skipped for page in pages)
    return _costs(cells, meta, received=len(items), skipped=skipped, complete=complete, raw=raw)
