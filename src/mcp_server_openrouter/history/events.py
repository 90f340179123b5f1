"""What changed between two catalogs: the events of the catalog history (issue 19).

An :class:`Event` is one change to one model, first seen in a catalog taken at ``seen_at``; the
catalog before it was taken at ``since``, so the change happened after ``since`` and by
``seen_at``. Two live catalogs a few minutes apart date a change to the minute; two snapshots
months apart date it to "between" their dates, and the answer says so.

:func:`diff` works on raw upstream records (the JSON objects of ``/models``), so the bundled
snapshots, the saved catalog and a live answer are compared by one set of rules.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeGuard, cast

Kind = Literal["added", "removed", "price", "context", "max_output", "capability", "expiration", "alias"]
KINDS: tuple[Kind, ...] = ("added", "removed", "price", "context", "max_output", "capability", "expiration", "alias")


@dataclass(frozen=True, slots=True)
class Event:
    """One change to one model (see the module docstring).

    Values are strings, exact and unit-free, as the upstream has them:

    - ``added``: ``after`` is the model's name (``None`` without one); ``removed``: ``before`` is.
    - ``price``: ``field`` is the pricing key (``prompt``, ``completion``, ``input_cache_read`` …);
      ``before`` and ``after`` are USD per token (or per unit, for per-unit keys) as plain decimal
      strings, normalised (``"0.000003"``, ``"0"``, ``"-1"`` for variable).
    - ``context``: ``context_length``; ``max_output``: ``top_provider.max_completion_tokens``;
      integers as decimal strings, ``None`` when unknown.
    - ``capability``: ``field`` is the supported parameter (``tools``); ``before``/``after`` are
      ``"no"``/``"yes"`` (gained) or ``"yes"``/``"no"`` (lost).
    - ``expiration``: ``expiration_date`` (``YYYY-MM-DD``) before and after; ``None``: none set.
    - ``alias``: an alias ID's (``~…``) ``alias_target.slug`` before and after.
    """

    model_id: str
    kind: Kind
    field: str | None
    before: str | None
    after: str | None
    since: datetime
    """When the catalog compared against was taken (aware, UTC)."""
    seen_at: datetime
    """When the catalog that first showed the change was taken (aware, UTC)."""


@dataclass(frozen=True, slots=True)
class Seed:
    """The history bundled with the package (``data/history-seed.json.gz``, made by
    ``scripts/build_history_seed.py`` from the real snapshots in ``tests/data``)."""

    events: list[Event]
    snapshots: list[date]
    """The dates of the catalogs the events were found between, oldest first."""
    base: list[dict[str, Any]]
    """The raw records of the bundled catalog snapshot (``data/catalog-snapshot.json.gz``): what the
    first live catalog is compared with."""
    base_at: datetime
    """That snapshot's date (midnight UTC)."""


def author(model_id: str) -> str:
    """The ID's author: the part before ``/``, without an alias's ``~``."""
    return model_id.lstrip("~").split("/", 1)[0]


_IGNORED_PRICING = frozenset({"overrides", "discount"})
"""Pricing keys not compared: ``overrides`` (a list of tiers, not a price) and ``discount``."""

SCHEMA_2026_MARKER = "expiration_date"
"""The field that marks the 2026 pricing schema (it appeared in the same step, late 2025)."""

MEANING_CHANGED_2026 = frozenset({"image", "internal_reasoning", "audio", "input_cache_write"})
"""Pricing keys whose meaning changed with the 2026 schema, so a catalog before it and one after do
not compare on them (seen between 2025-11-10 and 2026-01-28):

- ``image``: USD per input image (``"0.0048"``, Claude Sonnet 4), then USD per image token (the
  prompt price; omitted where images bill as input tokens);
- ``internal_reasoning``: ``"0"`` for every model (reasoning billed as output), then stated, equal
  to the completion price (Gemini);
- ``input_cache_write``: Gemini's included the prompt price (``"0.0000003833"``), then only the
  storage part (``"0.00000008333333333333334"``);
- ``audio``: listed for 5 models, then for every model that takes audio (Gemini 2.5 ``"0"`` →
  ``"0.000001"``, never free).
"""

_FLOAT_NOISE = Decimal("1e-14")
"""Prices closer than this, relatively, are one price re-rounded by the upstream's binary floats
(``"0.00000008333333333333334"`` on 2026-05-12, ``"0.0000000833333333333333"`` on 2026-08-18)."""

_MAX_EXPONENT = 64
"""Prices beyond 10^±64 are junk."""

_SKIP: Any = object()
"""A value that says nothing (junk): no event either way."""

_KIND_ORDER: dict[str, int] = {kind: i for i, kind in enumerate(KINDS)}


def _is_mapping(value: object) -> TypeGuard[Mapping[str, Any]]:
    # dict first: JSON objects are dicts, and the ABC check costs several times more.
    return type(value) is dict or isinstance(value, Mapping)


def normalise_price(value: object) -> str | None:
    """A price as an exact plain decimal string (``"0.0000030000000000000000000"`` → ``"0.000003"``,
    ``"0"``, ``"-1"``), or ``None`` if it is not a finite number of a sane size (``"1e999999999"``
    would print a billion digits)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT:
        return None
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def same_price(a: str, b: str) -> bool:
    """Whether two normalised prices are one price: equal, or apart by less than the upstream's float
    precision (:data:`_FLOAT_NOISE`, relative)."""
    if a == b:
        return True
    x = Decimal(a)
    y = Decimal(b)
    return abs(x - y) <= max(abs(x), abs(y)) * _FLOAT_NOISE


def _records(catalog: Iterable[object]) -> dict[str, Mapping[str, Any]]:
    """The catalog's records by ID; records that are not objects or have no string ID are skipped,
    and of two records with one ID the first counts."""
    by_id: dict[str, Mapping[str, Any]] = {}
    for record in catalog:
        if _is_mapping(record):
            model_id = record.get("id")
            if isinstance(model_id, str) and model_id and model_id not in by_id:
                by_id[model_id] = record
    return by_id


class _Carried:
    """Which fields and pricing keys a catalog carries (in at least one record)."""

    __slots__ = ("fields", "max_output", "pricing")

    def __init__(self, records: Iterable[Mapping[str, Any]]) -> None:
        fields: set[str] = set()
        pricing: set[str] = set()
        max_output = False
        for record in records:
            fields.update(record)
            prices = record.get("pricing")
            if _is_mapping(prices):
                pricing.update(prices)
            if not max_output:
                top = record.get("top_provider")
                max_output = _is_mapping(top) and "max_completion_tokens" in top
        self.fields = fields
        self.pricing = pricing
        self.max_output = max_output


def _integer(value: object) -> Any:
    """An integer field: its decimal string, ``None`` when null or missing, else junk."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _SKIP


def _inside(record: Mapping[str, Any], key: str, read: Callable[[Mapping[str, Any]], Any]) -> Any:
    """``read`` of the object at ``key``: ``None`` when it is null or missing, junk when it is not an
    object."""
    value = record.get(key)
    if value is None:
        return None
    return read(value) if _is_mapping(value) else _SKIP


def _max_output(record: Mapping[str, Any]) -> Any:
    return _inside(record, "top_provider", lambda top: _integer(top.get("max_completion_tokens")))


def _text(value: object) -> Any:
    """A string field: the string, ``None`` when null or missing, else junk."""
    if value is None or isinstance(value, str):
        return value
    return _SKIP


def _alias(record: Mapping[str, Any]) -> Any:
    def slug(target: Mapping[str, Any]) -> Any:
        value = target.get("slug")
        return value if isinstance(value, str) else _SKIP

    return _inside(record, "alias_target", slug)


def _parameters(record: Mapping[str, Any]) -> frozenset[object] | None:
    """The supported parameters (non-strings among them are ignored by the caller), or ``None``
    when the record has no list of them."""
    parameters = record.get("supported_parameters")
    if not isinstance(parameters, list):
        return None
    items = cast("list[object]", parameters)
    try:
        return frozenset(items)
    except TypeError:  # an unhashable item (junk)
        return frozenset(p for p in items if isinstance(p, str))


def _prices(record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    prices = record.get("pricing")
    return prices if _is_mapping(prices) else None


def _name(record: Mapping[str, Any]) -> str | None:
    name = record.get("name")
    return name if isinstance(name, str) else None


def diff(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], *, since: datetime, seen_at: datetime
) -> list[Event]:
    """Every change from catalog ``old`` (taken at ``since``) to catalog ``new`` (at ``seen_at``).

    Records are matched by ``id``. Entries that are not objects, or have no string ``id``, are
    skipped; of two records with one ID, the first counts. A model only in ``new`` is ``added``,
    one only in ``old`` is ``removed``; for a model in both, these are compared:

    - ``price``: each pricing key (``field``), ``overrides`` (price tiers) and ``discount``
      excepted; values are reported as exact decimals (:func:`normalise_price`), and two that
      differ by less than one part in 10^14 are one price re-rounded (:func:`same_price`). A value
      that is not a finite number (junk) gives no event for that key.
    - ``context``: ``context_length``; ``max_output``: ``top_provider.max_completion_tokens``.
    - ``capability``: each supported parameter gained or lost (``supported_parameters``); a record
      without a list of them gives no capability event.
    - ``expiration``: ``expiration_date`` set, moved or cleared.
    - ``alias``: ``alias_target.slug`` (alias IDs, ``~…``) retargeted, set or cleared.

    Schema drift: the upstream adds fields and pricing keys over time (``expiration_date`` by
    2026-01; ``alias_target``, ``input_cache_write_1h``, ``image_token``, ``audio_output`` … by
    2026-08) and, from 2026-01, omits zero prices instead of sending ``"0"``. So a field, and each
    pricing key, is compared only when **both** catalogs carry it in at least one record; a new
    field is not a change to every model. Within that, a record without the pricing key costs
    ``"0"`` for it, a missing or null ``expiration_date`` is none (``None``), a missing
    ``alias_target`` is no target and a missing ``max_completion_tokens`` or ``context_length`` is
    unknown (``None``). A record without a ``pricing`` object gives no price events. Values of the
    wrong type give no event. ``image``, ``internal_reasoning``, ``input_cache_write`` and
    ``audio`` changed meaning when ``expiration_date`` appeared (:data:`MEANING_CHANGED_2026`), so
    they are compared only when both catalogs carry ``expiration_date`` or neither does.

    ``field`` is the pricing key or the parameter; ``None`` for the other kinds.

    Events come sorted by model ID, then kind (in :data:`KINDS` order), then field.
    """
    before = _records(old)
    after = _records(new)
    events: list[Event] = []

    def add(model_id: str, kind: Kind, field: str | None, was: str | None, now: str | None) -> None:
        events.append(Event(model_id, kind, field, was, now, since, seen_at))

    for model_id in after.keys() - before.keys():
        add(model_id, "added", None, None, _name(after[model_id]))
    for model_id in before.keys() - after.keys():
        add(model_id, "removed", None, _name(before[model_id]), None)

    old_carries = _Carried(before.values())
    new_carries = _Carried(after.values())
    both = old_carries.fields & new_carries.fields
    pricing_keys = frozenset(
        key
        for key in (old_carries.pricing & new_carries.pricing) - _IGNORED_PRICING
        if key not in MEANING_CHANGED_2026
        or (SCHEMA_2026_MARKER in old_carries.fields) == (SCHEMA_2026_MARKER in new_carries.fields)
    )
    compare_prices = "pricing" in both and bool(pricing_keys)
    compare_max_output = "top_provider" in both and old_carries.max_output and new_carries.max_output
    scalar_fields: list[tuple[Kind, Callable[[Mapping[str, Any]], Any]]] = []
    if "context_length" in both:
        scalar_fields.append(("context", lambda r: _integer(r.get("context_length"))))
    if compare_max_output:
        scalar_fields.append(("max_output", _max_output))
    if "expiration_date" in both:
        scalar_fields.append(("expiration", lambda r: _text(r.get("expiration_date"))))
    if "alias_target" in both:
        scalar_fields.append(("alias", _alias))
    compare_parameters = "supported_parameters" in both

    for model_id in before.keys() & after.keys():
        was_record = before[model_id]
        record = after[model_id]
        if was_record == record:
            continue
        if compare_prices:
            was_prices = _prices(was_record)
            prices = _prices(record)
            if was_prices is not None and prices is not None and was_prices != prices:
                for key in pricing_keys & (was_prices.keys() | prices.keys()):  # a key in neither: both "0"
                    was_price = was_prices.get(key, "0")
                    price = prices.get(key, "0")
                    if was_price == price:
                        continue
                    was_exact = normalise_price(was_price)
                    exact = normalise_price(price)
                    if was_exact is not None and exact is not None and not same_price(was_exact, exact):
                        add(model_id, "price", key, was_exact, exact)
        for kind, value in scalar_fields:
            was_value = value(was_record)
            now_value = value(record)
            if was_value != now_value and was_value is not _SKIP and now_value is not _SKIP:
                add(model_id, kind, None, was_value, now_value)
        if compare_parameters and was_record.get("supported_parameters") != record.get("supported_parameters"):
            was_parameters = _parameters(was_record)
            parameters = _parameters(record)
            if was_parameters is not None and parameters is not None and was_parameters != parameters:
                for parameter in was_parameters - parameters:
                    if isinstance(parameter, str):
                        add(model_id, "capability", parameter, "yes", "no")
                for parameter in parameters - was_parameters:
                    if isinstance(parameter, str):
                        add(model_id, "capability", parameter, "no", "yes")

    events.sort(key=lambda e: (e.model_id, _KIND_ORDER[e.kind], e.field or ""))
    return events
