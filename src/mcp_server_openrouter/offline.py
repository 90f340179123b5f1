"""The bundled catalog snapshot, and ``/models`` filters applied locally with the upstream's meaning.

When OpenRouter cannot be reached, ``list_models`` and ``count_models`` answer from the last live
catalog seen or from this snapshot. The filters then run here, with these meanings (chosen to match
what the upstream documents; where it is silent, the reading an agent most likely intends):

* ``output_modalities``: omitted means ``text`` (the upstream default); ``all`` keeps everything;
  otherwise a model matches if it outputs **any** of the listed modalities.
* ``input_modalities``: a model matches if it accepts **every** listed modality.
* ``supported_parameters``: a model matches if it supports **every** listed parameter.
* ``q``: case-insensitive substring of the ID, canonical slug or display name.
* ``context``: ``context_length >= context``.
* ``max_price`` ($/M input tokens): prompt price per million ``<= max_price``. Models with a
  variable (router) or unknown prompt price are excluded, as they cannot be shown to be cheap.
* ``model_authors``: the ID's author slug (before ``/``, ignoring a leading ``~``), case-insensitive.
* ``sort``: ``newest`` (``created``, newest first), ``pricing-low-to-high`` /
  ``pricing-high-to-low`` (mean of prompt and completion price; variable/unknown last),
  ``context-high-to-low``. Ties keep the catalog's order.

``category`` and the popularity, performance and benchmark sorts need data only the upstream has;
offline they are refused with :class:`OfflineUnsupportedError` rather than answered wrongly.
"""

import gzip
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import NamedTuple

from .openrouter import Model, ModelsQuery, parse_model_list

SNAPSHOT_FILE = "catalog-snapshot.json.gz"

LOCAL_SORTS = ("newest", "pricing-low-to-high", "pricing-high-to-low", "context-high-to-low")


class OfflineUnsupportedError(Exception):
    """A filter or sort that only the live upstream can compute was asked for offline."""

    def __init__(self, what: str, reason: str | None = None) -> None:
        self.what = what
        self.reason = reason
        super().__init__(f"{what} needs live OpenRouter data" + (f" ({reason})" if reason else ""))


class Snapshot(NamedTuple):
    models: list[Model]
    date: date
    source: str


@cache
def load_snapshot() -> Snapshot:
    """The catalog shipped in the package (all output modalities), parsed once, on first need."""
    blob = resources.files("mcp_server_openrouter").joinpath("data", SNAPSHOT_FILE).read_bytes()
    payload = json.loads(gzip.decompress(blob))
    parsed = parse_model_list(payload)
    return Snapshot(parsed.models, date.fromisoformat(payload["snapshot_date"]), payload.get("source", ""))


def snapshot_datetime(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _mean_price(model: Model) -> Decimal | None:
    prompt, completion = model.pricing.prompt, model.pricing.completion
    if prompt is None or completion is None or prompt < 0 or completion < 0:
        return None
    return (prompt + completion) / 2


def unsupported_offline(query: ModelsQuery) -> str | None:
    """Why ``query`` cannot be answered locally, or ``None`` if it can."""
    if query.category is not None:
        return "the 'category' filter"
    if query.sort is not None and query.sort not in LOCAL_SORTS:
        return f"sort={query.sort!r}"
    return None


def _predicate(query: ModelsQuery) -> Callable[[Model], bool]:
    """The query compiled once into one test per model.

    Nothing is cached per model on purpose: a first pass over a 50,000-model catalog that builds
    per-model sets costs seconds in allocation and garbage collection, more than it ever saves.
    """
    outputs = frozenset(query.output_modalities or ("text",))
    any_output = "all" in outputs
    inputs = frozenset(query.input_modalities)
    params = frozenset(query.supported_parameters)
    authors = frozenset(a.lower() for a in query.model_authors)
    needle = query.q.casefold() if query.q else None
    context = query.context
    # Compare per-token prices with the bound divided once, instead of multiplying every price.
    max_per_token = None if query.max_price is None else query.max_price / 1_000_000

    def matches(model: Model) -> bool:
        arch = model.architecture
        if not any_output and outputs.isdisjoint(arch.output_modalities):
            return False
        if inputs and not inputs.issubset(arch.input_modalities):
            return False
        if params and not params.issubset(model.supported_parameters):
            return False
        if context is not None and model.context_length < context:
            return False
        if max_per_token is not None:
            prompt = model.pricing.prompt
            if prompt is None or prompt < 0 or prompt > max_per_token:
                return False
        if authors and model.author.lower() not in authors:
            return False
        if needle is not None:
            return (
                needle in model.id.casefold()
                or needle in model.name.casefold()
                or (needle in (model.canonical_slug or "").casefold())
            )
        return True

    return matches


def filter_locally(models: list[Model], query: ModelsQuery) -> list[Model]:
    """Apply ``query`` to ``models`` with the meanings in the module docstring."""
    reason = unsupported_offline(query)
    if reason is not None:
        raise OfflineUnsupportedError(reason)
    matches = _predicate(query)
    selected = [m for m in models if matches(m)]
    match query.sort:
        case "newest":
            selected.sort(key=lambda m: -(m.created or 0))
        case "context-high-to-low":
            selected.sort(key=lambda m: -m.context_length)
        case "pricing-low-to-high" | "pricing-high-to-low":
            priced = [m for m in selected if _mean_price(m) is not None]
            unpriced = [m for m in selected if _mean_price(m) is None]
            priced.sort(key=lambda m: _mean_price(m) or 0, reverse=query.sort == "pricing-high-to-low")
            selected = priced + unpriced
        case _:
            pass
    return selected
