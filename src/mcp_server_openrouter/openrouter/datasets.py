"""OpenRouter's datasets: what people use, for what, and how well models do (spec 2026-08-22).

All three need an API key, allow 30 requests a minute per key and 500 a day per account, and are
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
"""

import logging
from dataclasses import dataclass, field
from typing import Any, Literal, cast

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


def _envelope(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    return cast(dict[str, Any], payload)


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
    body = _envelope(payload)
    data: Any = body.get("data")
    if not isinstance(data, list):
        raise ValueError("the JSON object has no 'data' list")
    meta: Any = body.get("meta")
    as_of = cast(dict[str, Any], meta).get("as_of") if isinstance(meta, dict) else None
    rows: list[RankingRow] = []
    for index, item in enumerate(cast(list[Any], data)):
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
    data: Any = _envelope(payload).get("data")
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
    body = _envelope(payload)
    if not isinstance(body.get("data"), list):
        raise ValueError("the JSON object has no 'data' list")
    scores: dict[str, dict[str, BenchmarkScore]] = {}
    for index, item in enumerate(_objects(body.get("data"))):
        slug = item.get("model_permaslug")
        found = _scores(item) if isinstance(slug, str) and slug else []
        if not found and item.get("source") != "design-arena":
            logger.warning("Skipped malformed benchmark item #%d", index)
        for score in found:
            scores.setdefault(cast(str, slug), {})[score.benchmark] = score
    meta: Any = body.get("meta")
    as_of = cast(dict[str, Any], meta).get("as_of") if isinstance(meta, dict) else None
    return Benchmarks(scores, as_of if isinstance(as_of, str) and as_of else "unknown", payload)
