"""What to use instead of a model that is going away, or gone: a suggestion, with its reason.

In order, the first rule that finds a listed model wins:

1. **The alias target.** An alias ID (``~anthropic/claude-haiku-latest``) points at a model;
   when the alias goes, its target is what it meant.
2. **Where the alias went.** When the history saw an alias move from the model to another one
   (``alias`` events), the other one is OpenRouter's own successor for it.
3. **The same author's closest model.** Among the author's listed models that do all the model
   did (its input and output modalities, and its capability flags: tools, JSON, structured
   outputs, reasoning), and that are not going away themselves (within :data:`LEAVING` days):
   the one whose mean token price is closest (by ratio), newer models first among equals. A
   ``:variant`` is replaced by the same variant when there is one.
4. **A similar name.** When the model's record is not known any more (gone before this history
   began): the author's listed model with the most similar ID.

It is a suggestion, and said to be one: OpenRouter names no successors.
"""

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .history.events import author
from .openrouter import Model
from .render.compact import capabilities


@dataclass(frozen=True, slots=True)
class Suggestion:
    model_id: str
    reason: str


def _variant(model_id: str) -> str:
    return model_id.partition(":")[2]


def _mean(model: Model) -> Decimal | None:
    mean = model.pricing.mean if model.price_unit == "token" else None
    return mean if mean is not None and mean >= 0 else None


def _does_all(candidate: Model, gone: Model) -> bool:
    have, need = candidate.architecture, gone.architecture
    return (
        set(need.input_modalities) <= set(have.input_modalities)
        and set(need.output_modalities) <= set(have.output_modalities)
        and set(capabilities(gone.supported_parameters)) <= set(capabilities(candidate.supported_parameters))
    )


def _distance(candidate: Model, gone: Model) -> float:
    """How far apart two models' prices are, by ratio (0: the same); unknown prices last."""
    a, b = _mean(candidate), _mean(gone)
    if a is None or b is None:
        return math.inf
    if a == 0 or b == 0:
        return 0.0 if a == b else 50.0  # free and paid: far apart, but before unknown
    return abs(math.log(float(a / b)))


LEAVING = 90
"""Days: a model with a removal date this close is no replacement (far-off dates such as
2098-12-31 are placeholders, not plans)."""


def _leaving(model: Model, today: date) -> bool:
    try:
        return (
            model.expiration_date is not None
            and (date.fromisoformat(model.expiration_date[:10]) - today).days <= LEAVING
        )
    except ValueError:
        return False


def suggest(
    gone_id: str,
    gone: Model | None,
    listed: Mapping[str, Model],
    alias_moves: Mapping[str, str],
    today: date,
) -> Suggestion | None:
    """A replacement for ``gone_id`` among ``listed`` (ID → model), or ``None``. ``gone`` is its
    record when known (from the catalog, or an older one); ``alias_moves`` maps a model an alias
    pointed at to the model the alias points at now (from the history's ``alias`` events)."""
    target = gone.alias_target.slug if gone is not None and gone.alias_target is not None else None
    if target and target in listed and target != gone_id:
        return Suggestion(target, "the alias's target")
    moved = alias_moves.get(gone_id)
    if moved and moved in listed and moved != gone_id:
        return Suggestion(moved, "an alias that pointed at it points here now")
    same_author = [
        m
        for m in listed.values()
        if author(m.id) == author(gone_id) and m.id != gone_id and not m.id.startswith("~") and not _leaving(m, today)
    ]
    if gone is None:
        names = {m.id: m for m in same_author if _variant(m.id) == _variant(gone_id)}
        close = difflib.get_close_matches(gone_id, list(names), n=1, cutoff=0.5)
        return Suggestion(close[0], "same author, similar name") if close else None
    candidates = [m for m in same_author if _variant(m.id) == _variant(gone_id) and _does_all(m, gone)]
    if not candidates:
        return None
    created = gone.created or 0
    best = min(candidates, key=lambda m: (_distance(m, gone), (m.created or 0) < created, -(m.created or 0), m.id))
    newer = "newer, " if (best.created or 0) > created else ""
    return Suggestion(best.id, f"same author, {newer}does all it did, closest price")
