"""What people use: OpenRouter's rankings, read as places and shares, and quoted as OpenRouter asks.

The rankings dataset gives tokens per model and period (:mod:`.openrouter.datasets`).
:func:`latest_period` turns it into the latest period's places: each model's share of *all* the
period's tokens (the top 50 and the ``other`` row together, so shares are of the whole market)
and how many places it moved since the period before (``new``: it was not in that top 50).
``list_model_rankings`` shows these rows; ``get_model`` and ``recommend_models`` show a model's
place and share in the latest week (:func:`weekly`), when the key is there to ask for it.

Whoever quotes the datasets adds :data:`CITATION`, as OpenRouter's terms ask.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from .catalog import Catalog, ModelSet, Provenance
from .openrouter import OTHER, Model, OpenRouterError, Period, Rankings, RankingsQuery
from .openrouter.datasets import ContextBucket, LanguageType, RankingModality
from .render.compact import plain_number

logger = logging.getLogger(__name__)

CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."


def citation(as_of: str) -> str:
    """:data:`CITATION` for data as of ``as_of``, named by its day (the datasets are daily; the
    time of day a rankings dataset was computed would cost every answer 7 tokens for nothing)."""
    day = as_of[:10]
    try:
        date.fromisoformat(day)
    except ValueError:
        day = as_of
    return CITATION.format(as_of=day)


LOOKBACK = {"day": 3, "week": 21, "month": 75}
"""Days of data asked for: enough for the latest complete period and the one before it."""


def rankings_query(
    period: Period,
    today: date,
    *,
    modality: RankingModality | None = None,
    context_bucket: ContextBucket | None = None,
    category: str | None = None,
    language_type: LanguageType | None = None,
) -> RankingsQuery:
    """The query for the latest ``period`` and the one before, as of ``today``. One function makes
    it for every tool, so the same question is one cache entry and one request."""
    return RankingsQuery(
        period=period,
        start_date=(today - timedelta(days=LOOKBACK[period])).isoformat(),
        modality=modality,
        context_bucket=context_bucket,
        category=category,
        language_type=language_type,
    )


def percent(part: float, whole: float) -> float | int:
    """``part`` of ``whole`` in percent, to 2 decimals (an integer when whole)."""
    return plain_number(round(100 * part / whole, 2)) if whole else 0


@dataclass(frozen=True, slots=True)
class Place:
    permaslug: str
    model: str
    """The catalog ID listed under the row's permaslug, or the permaslug when none is."""
    share: float | int
    """Percent of the period's tokens."""
    rank: int
    change: int | str | None
    """Places up since the period before (negative: down), ``new``, or ``None`` with no period before."""


@dataclass(frozen=True, slots=True)
class PeriodRanking:
    label: str
    """The period's first day (``2026-11-23``), and ``vs`` the one compared when that is not the one
    just before (a gap in the data): "the week before" needs no date."""
    places: list[Place]
    other_share: float | int
    """Percent of the tokens outside the top 50."""


def _adjacent(period: Period, latest: str, before: str) -> bool:
    """Whether ``before`` is the period just before ``latest`` (both first days, ``YYYY-MM-DD``)."""
    try:
        new, old = date.fromisoformat(latest), date.fromisoformat(before)
    except ValueError:
        return False
    if period == "month":
        return 28 <= (new - old).days <= 31
    return (new - old).days == (1 if period == "day" else 7)


def latest_period(rankings: Rankings, catalog: ModelSet, period: Period = "week") -> PeriodRanking:
    """The latest period's places, most used first (see the module docstring)."""
    periods = rankings.periods()
    if not periods:
        return PeriodRanking("no data", [], 0)
    latest = [r for r in rankings.rows if r.date == periods[-1]]
    before = [r for r in rankings.rows if len(periods) > 1 and r.date == periods[-2] and r.permaslug != OTHER]
    ranks_before = {r.permaslug: i for i, r in enumerate(sorted(before, key=lambda r: -r.tokens), 1)}
    total = sum(r.tokens for r in latest)
    places: list[Place] = []
    for rank, row in enumerate(sorted((r for r in latest if r.permaslug != OTHER), key=lambda r: -r.tokens), 1):
        was = ranks_before.get(row.permaslug)
        change: int | str | None = None if not before else ("new" if was is None else was - rank)
        model = catalog.by_permaslug.get(row.permaslug, row.permaslug)
        places.append(Place(row.permaslug, model, percent(row.tokens, total), rank, change))
    other = sum(r.tokens for r in latest if r.permaslug == OTHER)
    compared = len(periods) > 1 and not _adjacent(period, periods[-1], periods[-2])
    label = periods[-1] + (f" vs {periods[-2]}" if compared else "")
    return PeriodRanking(label, places, percent(other, total))


@dataclass(frozen=True, slots=True)
class Usage:
    """The latest week's places by permaslug (a model's ``canonical_slug``: all its variants and
    aliases together), and what to say about where they came from."""

    places: dict[str, Place]
    week: str
    """The week's first day."""
    citation: str
    provenance: Provenance

    def of(self, model: Model) -> Place | None:
        return self.places.get(model.canonical_slug or model.id)


async def weekly(catalog: Catalog) -> Usage | str:
    """The latest week's usage, or why it is not known (no key, offline without a saved copy, the
    request budget spent, OpenRouter failing): a short reason, never an error, as it only adds
    to an answer that stands without it."""
    try:
        answer = await catalog.rankings(rankings_query("week", catalog.now().date()))
    except OpenRouterError as exc:
        logger.info("Usage not shown: %s", exc)
        return "no API key" if not catalog.has_api_key else "rankings unavailable"
    ranking = latest_period(answer.value, ModelSet([]))  # looked up by permaslug: no IDs needed
    week = ranking.label.split(" ")[0]
    return Usage(
        {p.permaslug: p for p in ranking.places},
        week,
        citation(answer.value.as_of),
        answer.provenance,
    )
