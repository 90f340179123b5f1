"""What people use: OpenRouter's rankings, read as places and shares, and quoted as OpenRouter asks.

The rankings dataset gives tokens per model and period (:mod:`.openrouter.datasets`).
:func:`latest_period` turns it into the latest period's places: each model's share of *all* the
period's tokens (the top 50 and the ``other`` row together, so shares are of the whole market)
and how many places it moved since the period before (``new``: it was not in that top 50).
``list_model_rankings`` shows these rows; ``get_model`` and ``recommend_models`` show a model's
place and share in the latest week (:func:`weekly`), when the key is there to ask for it.

What sessions cost: the session-cost dataset's median USD per session in a harness (an app such
as ``claude-code``), a model and a turn range (:func:`sessions`). ``recommend_models`` and
``estimate_cost`` show it beside the computed cost, and ``recommend_models`` ranks by it when
asked to (``harness``).

Whoever quotes the datasets adds :data:`CITATION` (the session costs :data:`SESSION_CITATION`),
as OpenRouter's terms ask.
"""

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .catalog import Catalog, ModelSet, OfflineModeError, Provenance
from .catalog.budget import BudgetSpentError
from .catalog.keys import KEY_HEADER, KeyNotSentError
from .config import ENV_API_KEY
from .errortext import closest, quote
from .openrouter import (
    OTHER,
    MissingAPIKeyError,
    Model,
    OpenRouterError,
    Period,
    Rankings,
    RankingsQuery,
    RateLimitError,
)
from .openrouter.datasets import ContextBucket, LanguageType, RankingModality, SessionCosts, TurnRange
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


SESSION_CITATION = "Source: OpenRouter (session costs, CC BY 4.0), as of {as_of}."
DEFAULT_TURNS: TurnRange = "10-49-turns"
TURN_WORDS = {"1-turn": "1-turn", "2-9-turns": "2-9-turn", "10-49-turns": "10-49-turn", "50-plus-turns": "50+-turn"}
"""Each turn range as it reads before "session"."""
MAX_NAMED = 8
"""Harnesses an answer names at most, for the model to pass one."""


def turn_range(turns: int | None) -> TurnRange:
    """The dataset's turn range that holds ``turns`` turns a session (``None``: :data:`DEFAULT_TURNS`;
    the caller refuses fewer than 1)."""
    if turns is None:
        return DEFAULT_TURNS
    if turns <= 1:
        return "1-turn"
    return "2-9-turns" if turns < 10 else "10-49-turns" if turns < 50 else "50-plus-turns"


def _normal(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").split())


@dataclass(frozen=True, slots=True)
class Sessions:
    """The session-cost cells, and what to say about where they came from."""

    costs: SessionCosts
    provenance: Provenance

    def of(self, model: Model, harness: str, turns: str) -> Decimal | None:
        """The model's median session cost in ``harness``: cells name a model by permaslug (its
        ``canonical_slug``: all its variants and aliases together), or by ID when it has none."""
        return self.costs.cost(harness, model.canonical_slug or model.id, turns)

    def find(self, wanted: str) -> str | None:
        """The harness slug ``wanted`` names, by slug or display name in any case (``Claude Code``)."""
        needle = _normal(wanted[:200])  # no harness is named at such length
        return next((slug for slug, name in self.costs.apps().items() if needle in (slug, _normal(name))), None)

    def closest(self, wanted: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` harness slugs that look like ``wanted``: substring hits, then fuzzy ones,
        else the first ones."""
        return closest(_normal(wanted[:200]), list(self.costs.apps()), limit)

    def pick(self, models: Sequence[Model], turns: str) -> str | None:
        """The harness to show when none is named: the one measuring the most of ``models`` at
        ``turns``, then the most models overall, then by slug; ``None`` when none measures any."""
        overall = Counter(c.app_slug for c in self.costs.cells if c.turn_range == turns)
        ranks = [
            (-shown, -overall[slug], slug)
            for slug in overall
            if (shown := sum(self.of(m, slug, turns) is not None for m in models))
        ]
        return min(ranks)[2] if ranks else None

    def name(self, harness: str) -> str:
        return self.costs.apps().get(harness, harness)

    def meaning(self, harness: str, turns: str) -> str:
        """``median USD of a 10-49-turn session in Claude Code``."""
        return f"median USD of a {TURN_WORDS.get(turns, turns)} session in {self.name(harness)}"

    def note(self, harness: str, turns: str, *, named: bool) -> str:
        """What ``usd_session`` is, where it came from and, when the harness was not named, which
        others a call may name: ``usd_session: median USD of a 10-49-turn session in Claude Code
        (harness: claude-code; or cline, hermes-agent); Source: …``."""
        others = [slug for slug in self.costs.apps() if slug != harness]
        also = f"; or {_named(others)}" if others and not named else ""
        partial = "" if self.costs.complete else f"; of the first {self.costs.received} cells"
        cited = SESSION_CITATION.format(as_of=self.costs.day())
        where = f"(harness: {harness}{also}{partial}){self.provenance.aside()}"
        return f"usd_session: {self.meaning(harness, turns)} {where}; {cited}"

    def none_in(self, harness: str, turns: str) -> str:
        """Said when the harness named measures none of the models shown."""
        return f"none of these models has a measured {TURN_WORDS.get(turns, turns)} session in {self.name(harness)}."

    def none_measured(self) -> str:
        """Said when no harness measures any of the models shown."""
        slugs = list(self.costs.apps())
        if not slugs:
            return "no session costs published."
        return f"no session costs measured for these models (harness: {_named(slugs)})."

    def unknown(self, wanted: str) -> str:
        """The error for a harness the dataset does not have, naming the closest."""
        return (
            f"unknown harness {quote(wanted, 60)}: try {', '.join(self.closest(wanted))} "
            "(an app slug of OpenRouter's session costs)"
        )


def _named(slugs: list[str]) -> str:
    shown = slugs[:MAX_NAMED]
    return ", ".join(shown) + (f" and {len(slugs) - len(shown)} more" if len(slugs) > len(shown) else "") or "none"


async def sessions(catalog: Catalog) -> Sessions | OpenRouterError:
    """The session costs, or the error that kept them (no key, offline without a saved copy, the
    budget spent, OpenRouter failing): returned, not raised, as they only add to an answer that
    stands without them, unless the caller asked to rank by them (:func:`needs_key`)."""
    try:
        answer = await catalog.session_costs()
    except OpenRouterError as exc:
        logger.info("Session costs not shown: %s", exc)
        return exc
    return Sessions(answer.value, answer.provenance)


def unavailable(exc: OpenRouterError, *, keyed: bool = True) -> str:
    """Why there are no session costs, in a few words: ``no session costs (no API key).``; ``keyed``:
    whether the request has a key (without one, that is the reason, whatever else failed)."""
    if not keyed or isinstance(exc, MissingAPIKeyError):
        why = "no API key"
    elif isinstance(exc, OfflineModeError):
        why = "offline mode"
    elif isinstance(exc, BudgetSpentError):
        why = "request budget spent"
    elif isinstance(exc, RateLimitError):
        why = "rate-limited"
    else:
        why = "OpenRouter unavailable"
    return f"no session costs ({why})."


def needs_key(exc: OpenRouterError) -> str:
    """Where the key goes, for a call that asked for what only the key gets."""
    if isinstance(exc, KeyNotSentError):
        return f"send your OpenRouter API key in the {KEY_HEADER} header"
    return f"set {ENV_API_KEY} in the MCP server's environment"
