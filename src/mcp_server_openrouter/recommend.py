"""Which models to pick for a task: the price-quality frontier of the candidates.

A candidate is a model that matches the user's constraints. Its **quality** for a task is a
score 0-100 from OpenRouter's data (:data:`TASKS`): the catalog's own ``benchmarks`` field for
``coding``, ``intelligence`` and ``agentic`` (the Artificial Analysis indices, in every catalog
and so offline too), and OpenRouter's own search evals for ``search`` (:func:`search_score`).
Its **cost** is what one request of the stated workload costs on it, computed exactly by
:func:`.cost.estimate` (long-context tiers, the output price for reasoning, discounts): the cost a
user pays, not a list price.

The **frontier** is every scored, priced candidate that no other candidate *dominates*: none is
at least as good and at most as costly, and better or cheaper in one of the two. Models with the
same score and cost do not dominate each other. The frontier is returned best first (highest
score, which is also the costliest), then up to :data:`NEAR_MISSES` dominated candidates with the
highest scores, each named with a model that dominates it: close to the frontier, never silently
mixed into it.

Candidates without a score for the task, and those whose cost cannot be computed (a router's
variable price, a price that is not per token: :data:`~.openrouter.models.PriceUnit`), are never
ranked, and never dropped from the counts either: the answer says how many there were.

The cost may be another instead (``cost_of``): the measured median cost of a session in one
harness (:mod:`.usage`), when the user asks to rank by it. Models not measured there are then
the ones without a cost, and counted as such.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from statistics import fmean

from .cost import Workload, estimate
from .openrouter import Benchmarks
from .openrouter.models import Model

NEAR_MISSES = 3
TASKS = {
    "coding": "Artificial Analysis coding index (0-100)",
    "intelligence": "Artificial Analysis intelligence index (0-100)",
    "agentic": "Artificial Analysis agentic index (0-100)",
    "search": "mean of OpenRouter's search evals {names} (0-100)",
}
"""Each task and what its score is."""


def search_score(benchmarks: Benchmarks) -> Callable[[Model], float | None]:
    """A model's search score: the mean of its primary scores (accuracy, or F1 for WideSearch; in
    percent) over *every* search benchmark OpenRouter publishes. A model that ran only some has no
    score: the benchmarks differ too much in difficulty for means over different sets to compare."""
    names = benchmarks.search_benchmarks()

    def score(model: Model) -> float | None:
        results = benchmarks.scores.get(model.canonical_slug or model.id, {})
        if not names or any(name not in results for name in names):
            return None
        return round(fmean(results[name].score for name in names), 1)

    return score


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored model and what one request of the workload costs on it (USD, exact)."""

    model: Model
    score: float
    cost: Decimal

    def dominates(self, other: "Candidate") -> bool:
        """At least as good and at most as costly, and strictly better in one of the two."""
        return (
            self.score >= other.score
            and self.cost <= other.cost
            and (self.score > other.score or self.cost < other.cost)
        )


@dataclass(frozen=True, slots=True)
class NearMiss:
    candidate: Candidate
    dominated_by: Candidate


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The frontier (best first), near misses, and how many candidates were set aside and why."""

    frontier: list[Candidate]
    near_misses: list[NearMiss]
    considered: int
    """Models matching the constraints."""
    unscored: int
    """Of those, models the catalog has no score for, for this task."""
    unpriced: int
    """Of those with a score, models whose cost for the workload cannot be computed (or, ranked by
    another cost, is not known)."""


def recommend(
    models: list[Model],
    score_of: Callable[[Model], float | None],
    workload: Workload,
    cost_of: Callable[[Model], Decimal | None] | None = None,
) -> Recommendation:
    """The frontier of ``models`` by ``score_of`` (``None``: no score) at ``workload`` (see the module
    docstring); ``cost_of``, when given, is what a model costs instead (``None``: not known), e.g. the
    measured median cost of a session in one harness."""
    scored = [(m, s) for m in models if (s := score_of(m)) is not None]
    candidates: list[Candidate] = []
    for model, score in scored:
        # None: variable, not priced per token, or (cost_of) not measured
        cost = estimate(model, workload).per_request if cost_of is None else cost_of(model)
        if cost is not None:
            candidates.append(Candidate(model, score, cost))
    # Cheapest first, best first among equals: a candidate is on the frontier when it beats the best
    # score of every strictly cheaper one, and is not beaten by an equally cheap one.
    ordered = sorted(candidates, key=lambda c: (c.cost, -c.score))
    frontier: list[Candidate] = []
    for candidate in ordered:
        if not any(other.dominates(candidate) for other in frontier):
            frontier.append(candidate)
    on_frontier = {id(c) for c in frontier}
    dominated = sorted((c for c in candidates if id(c) not in on_frontier), key=lambda c: (-c.score, c.cost))
    near_misses = [NearMiss(c, next(f for f in frontier if f.dominates(c))) for c in dominated[:NEAR_MISSES]]
    return Recommendation(
        frontier=sorted(frontier, key=lambda c: (-c.score, c.cost)),
        near_misses=near_misses,
        considered=len(models),
        unscored=len(models) - len(scored),
        unpriced=len(scored) - len(candidates),
    )
