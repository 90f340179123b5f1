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
* ``min_price`` / ``max_price`` ($/M input tokens): prompt price per million within the bounds,
  inclusive; ``min_output_price`` / ``max_output_price`` the same on the completion price. Models
  with a variable (router) or unknown price, or one not per token (speech, transcription, media
  priced elsewhere: ``Model.price_unit``), are excluded by any bound: they cannot be shown to be
  in range. Live answers get the same treatment (:func:`priced_per_token`).
* ``min_age_days`` / ``max_age_days``: whole days from ``created`` to now (the injected clock);
  models without ``created`` are excluded by either bound.
* ``min_/max_intelligence_index``, ``coding``, ``agentic``: ``benchmarks.artificial_analysis``;
  a model without that index does not match a bound on it.
* ``model_authors``: the ID's author slug (before ``/``, ignoring a leading ``~``), case-insensitive.
* ``sort``: ``newest`` (``created``, newest first), ``pricing-low-to-high`` /
  ``pricing-high-to-low`` (mean of prompt and completion price; variable/unknown last; then speech
  models by their price per character, then the rest: :func:`price_sorted`),
  ``context-high-to-low``, ``intelligence-`` / ``coding-`` / ``agentic-high-to-low`` (that
  Artificial Analysis index) and ``design-arena-elo-high-to-low`` (best Design Arena Elo), models
  without the score last, as the upstream documents. Ties keep the catalog's order.

``category``, ``arch``, ``providers``, ``distillable``, ``zdr``, ``region``, the tool success
rates and the popularity, throughput and latency sorts need data only the upstream has (the
records carry no provider, retention, region or usage data, and ``arch``'s matching rule is
undocumented); offline they are refused by name with :class:`OfflineUnsupportedError` rather than
answered wrongly. Except ``zdr`` when a list of the endpoints with zero data retention
(``GET /endpoints/zdr``, saved after a live ``zdr`` query, or bundled) is at hand
(:func:`filter_locally`'s ``zdr``): a model then matches if the list has an endpoint of it
(:func:`zdr_match`).

The snapshot may also bundle media prices and that list (``media``: :func:`load_bundled_media`),
when the snapshot was built with a capture of them (``scripts/build_catalog_snapshot.py``
``--media``). **The snapshot shipped today has none**: no capture of those endpoints has been
made yet, and none is made up; until one is, media prices and the offline ``zdr`` filter come
only from what a live run saved.
"""

import gzip
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, NamedTuple, TypeVar, cast

from mcp_server_openrouter.catalog.answers import ModelSet
from mcp_server_openrouter.history.seed import SNAPSHOT_FILE
from mcp_server_openrouter.openrouter import QUALITY_SORTS, Model, ModelsQuery, parse_model_list

LOCAL_SORTS = ("newest", "pricing-low-to-high", "pricing-high-to-low", "context-high-to-low", *QUALITY_SORTS)
T = TypeVar("T")

UPSTREAM_ONLY = (
    "category",
    "arch",
    "providers",
    "distillable",
    "zdr",
    "region",
    "min_tool_success_rate",
    "max_tool_success_rate",
)
"""Filters whose data the records lack (or whose rule is undocumented): refused offline by name."""


class OfflineUnsupportedError(Exception):
    """A filter or sort that only the live upstream can compute was asked for offline."""

    def __init__(self, what: str, reason: str | None = None, *, sort: bool = False) -> None:
        self.what = what
        self.sort = sort
        """Whether ``what`` is a sort (else a filter)."""
        self.reason = reason
        super().__init__(f"{what} needs live OpenRouter data" + (f" ({reason})" if reason else ""))


class Snapshot(NamedTuple):
    """A full catalog and the day its data is from."""

    catalog: ModelSet
    as_of: datetime


@cache
def load_snapshot() -> Snapshot:
    """The catalog shipped in the package (all output modalities), parsed and indexed once per
    process, on first need: the one copy every server of the process shares."""
    blob = resources.files("mcp_server_openrouter").joinpath("data", SNAPSHOT_FILE).read_bytes()
    payload = json.loads(gzip.decompress(blob))
    day = date.fromisoformat(payload["snapshot_date"])
    return Snapshot(ModelSet(parse_model_list(payload).models), datetime(day.year, day.month, day.day, tzinfo=UTC))


class BundledMedia(NamedTuple):
    """The media prices and zero-data-retention endpoints bundled in the snapshot (raw bodies, to
    parse as when they were fetched; absent ones ``None``), and when they were captured."""

    as_of: datetime
    videos: Any
    """The body of ``GET /videos/models``."""
    images: Any
    """The body of ``GET /images/models``."""
    image_endpoints: dict[str, Any]
    """The body of ``GET /images/models/{id}/endpoints``, by model ID."""
    zdr: Any
    """The body of ``GET /endpoints/zdr``."""


MEDIA_KEY = b'"media":'


@cache
def load_bundled_media() -> BundledMedia | None:
    """The snapshot's ``media`` (see the module docstring), or ``None`` when it has none, which is
    the case of the snapshot shipped today. Read once per process, and only the ``media`` part is
    kept: the catalog's records are parsed by :func:`load_snapshot` when they are needed, not here."""
    return bundled_media(
        gzip.decompress(resources.files("mcp_server_openrouter").joinpath("data", SNAPSHOT_FILE).read_bytes())
    )


def bundled_media(raw: bytes) -> BundledMedia | None:
    """The ``media`` of a snapshot's JSON text (see :func:`load_bundled_media`)."""
    if MEDIA_KEY not in raw:  # the shipped snapshot: no capture yet, and no need to parse 1 MB to see it
        return None
    media: Any = json.loads(raw).get("media")
    if not isinstance(media, dict):
        return None
    bundle = cast(dict[str, Any], media)
    captured = datetime.fromisoformat(str(bundle["captured"]))
    endpoints: Any = bundle.get("image_endpoints")
    return BundledMedia(
        as_of=captured if captured.tzinfo else captured.replace(tzinfo=UTC),
        videos=bundle.get("videos"),
        images=bundle.get("images"),
        image_endpoints=cast(dict[str, Any], endpoints) if isinstance(endpoints, dict) else {},
        zdr=bundle.get("zdr"),
    )


def zdr_match(model: Model, ids: frozenset[str]) -> bool:
    """Whether ``/endpoints/zdr`` lists an endpoint of ``model``. The list names models by permaslug
    (``model_id``, the catalog's ``canonical_slug``), which a model's variants share (``:free``,
    ``:batch`` are served by other endpoints): so a model matches by its own ID, or by its permaslug
    when it is the plain model, not a variant (``:``) or an alias (``~``)."""
    if model.id in ids:
        return True
    plain = ":" not in model.id and not model.id.startswith("~")
    return plain and model.canonical_slug is not None and model.canonical_slug in ids


def _refusal(query: ModelsQuery, zdr: frozenset[str] | None = None) -> OfflineUnsupportedError | None:
    """Why ``query`` cannot be answered locally, or ``None`` if it can (``zdr``: the list that
    answers the ``zdr`` filter, when there is one)."""
    for name in UPSTREAM_ONLY:
        value = getattr(query, name)
        if name == "zdr" and zdr is not None:
            continue
        if value is not None and value != ():
            return OfflineUnsupportedError(f"the '{name}' filter")
    if query.sort is not None and query.sort not in LOCAL_SORTS:
        return OfflineUnsupportedError(f"sort={query.sort!r}", sort=True)
    return None


def _in_range(value: Decimal | float | None, low: Decimal | int | None, high: Decimal | int | None) -> bool:
    """``value`` within the bounds given; an unknown value is within none."""
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _per_token(bound: Decimal | None) -> Decimal | None:
    # Compare per-token prices with the bound divided once, instead of multiplying every price.
    return None if bound is None else bound / 1_000_000


def _known_price(price: Decimal | None) -> Decimal | None:
    return None if price is None or price < 0 else price


def known_first(items: list[T], key: Callable[[T], Decimal | float | None], *, reverse: bool) -> list[T]:
    """``items`` sorted by ``key`` (highest first when ``reverse``), those without a value last;
    the given order kept among ties."""
    known = [item for item in items if key(item) is not None]
    known.sort(key=lambda item: key(item) or 0, reverse=reverse)
    return known + [item for item in items if key(item) is None]


def mean_token_price(model: Model) -> Decimal | None:
    """What price sorts rank by: the mean of input and output price per token; ``None`` (last)
    when either is unknown or variable, or the model is not priced per token."""
    return model.pricing.mean if model.price_unit == "token" else None


def priced_per_token(models: list[Model], query: ModelsQuery) -> list[Model]:
    """``models`` as OpenRouter answered ``query``, without comparing prices of other units with
    token prices: under a price bound, models not priced per token are dropped (their price is per
    character or per an unstated unit, never within "USD per 1M tokens"); under a price sort, they
    come after the models priced per token, speech models first, in OpenRouter's order otherwise."""
    if query.bounds_price():
        return [m for m in models if m.price_unit == "token"]
    if query.sort in ("pricing-low-to-high", "pricing-high-to-low"):
        return [m for group in _price_groups(models) for m in group]
    return models


def _price_groups(models: list[Model]) -> tuple[list[Model], list[Model], list[Model]]:
    """Models whose prices compare with each other: per token, per character (speech), and the
    rest (an unstated unit, or unlisted), each in the given order."""
    token = [m for m in models if m.price_unit == "token"]
    characters = [m for m in models if m.price_unit == "character"]
    return token, characters, [m for m in models if m.price_unit not in ("token", "character")]


def price_sorted(models: list[Model], *, descending: bool) -> list[Model]:
    """A price sort that compares like with like: models priced per token by :func:`mean_token_price`
    (unknown and variable last), then speech models by their price per character, then the rest in
    the given order (their units are unstated, or their prices elsewhere)."""
    token, characters, rest = _price_groups(models)
    token = known_first(token, mean_token_price, reverse=descending)
    characters = known_first(characters, lambda m: m.pricing.prompt, reverse=descending)
    return [*token, *characters, *rest]


def _predicate(query: ModelsQuery, now: datetime, zdr: frozenset[str] | None = None) -> Callable[[Model], bool]:
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
    prompt_range = (_per_token(query.min_price), _per_token(query.max_price))
    completion_range = (_per_token(query.min_output_price), _per_token(query.max_output_price))
    prices = query.bounds_price()
    ages = query.min_age_days is not None or query.max_age_days is not None
    indices = [
        (name, getattr(query, f"min_{name}_index"), getattr(query, f"max_{name}_index"))
        for name in query.bounded_indices()
    ]
    now_seconds = now.timestamp()
    retention = zdr if query.zdr and zdr is not None else None

    def matches(model: Model) -> bool:
        arch = model.architecture
        if retention is not None and not zdr_match(model, retention):
            return False
        if not any_output and outputs.isdisjoint(arch.output_modalities):
            return False
        if inputs and not inputs.issubset(arch.input_modalities):
            return False
        if params and not params.issubset(model.supported_parameters):
            return False
        if context is not None and model.context_length < context:
            return False
        if prices and not (
            model.price_unit == "token"
            and _in_range(_known_price(model.pricing.prompt), *prompt_range)
            and _in_range(_known_price(model.pricing.completion), *completion_range)
        ):
            return False
        if ages:
            created = model.created
            if not created or created <= 0:
                return False
            age = int((now_seconds - created) // 86_400)
            if not _in_range(age, query.min_age_days, query.max_age_days):
                return False
        for name, low, high in indices:
            if not _in_range(model.score(name), low, high):
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


def filter_locally(
    models: list[Model], query: ModelsQuery, now: datetime | None = None, *, zdr: frozenset[str] | None = None
) -> list[Model]:
    """Apply ``query`` to ``models`` with the meanings in the module docstring (ages as of ``now``;
    ``zdr``: the permaslugs ``/endpoints/zdr`` lists, without which the ``zdr`` filter is refused)."""
    refusal = _refusal(query, zdr)
    if refusal is not None:
        raise refusal
    matches = _predicate(query, now or datetime.now(UTC), zdr)
    selected = [m for m in models if matches(m)]
    match query.sort:
        case "newest":
            selected.sort(key=lambda m: -(m.created or 0))
        case "context-high-to-low":
            selected.sort(key=lambda m: -m.context_length)
        case "pricing-low-to-high" | "pricing-high-to-low":
            selected = price_sorted(selected, descending=query.sort == "pricing-high-to-low")
        case sort if sort in QUALITY_SORTS:
            name = QUALITY_SORTS[sort]
            selected = known_first(selected, lambda m: m.score(name), reverse=True)
        case _:
            pass
    return selected
