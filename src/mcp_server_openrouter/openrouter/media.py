"""Prices of media models from outside ``/models``, and the endpoints with zero data retention
(OpenAPI spec 2026-08-22).

``GET /models`` lists video models at 0, and most image models at 0 in and out (their listed
prices are per image token). OpenRouter prices them elsewhere:

* ``GET /videos/models`` (``VideoModelsListResponse``): ``{data: [VideoModel]}``, each with
  ``pricing_skus``, "Pricing SKUs with provider prefix stripped, values as strings" (the spec's
  example: ``{generate: '0.50'}``). Neither the SKUs' units nor a currency are documented; names
  seen in public code that calls this endpoint say per second (``duration_seconds_without_audio_720p``),
  per generation, or cents (``cents_per_second_output``). So each SKU keeps its own name as its
  unit and its value as listed, never converted to a token price and never given a currency
  (:class:`~.models.MediaPrice`, ``usd`` false).
* ``GET /images/models`` (``ImageModelsListResponse``): the image models, without prices; each
  one's prices are in ``GET /images/models/{author}/{slug}/endpoints`` (``{id, endpoints:
  [ImageEndpoint]}``, 404 for a model it does not know): per endpoint (provider), ``pricing`` is a
  list of ``{billable, unit, cost_usd, variant}``: USD per ``image``, ``megapixel`` or ``token`` of
  ``output_image``, ``input_image``, ``input_font``, ``input_reference`` or ``input_text``.
* ``GET /endpoints/zdr`` (``{data: [PublicEndpoint]}``): every endpoint with zero data retention;
  ``model_id`` is the model's permaslug (the catalog's ``canonical_slug``). The catalog keeps it to
  answer the ``zdr`` filter when OpenRouter cannot be asked (:mod:`..catalog.offline`).

Rerankers and Lyria's music are in none of them: they stay ``unlisted``.

**No key.** The spec gives these operations no ``security`` of their own, exactly as it gives
``/models`` and ``/providers`` none (its global ``apiKey`` covers every path alike), and documents
no 401 for them (``/endpoints/zdr`` documents the same 403 as ``/models``), where the datasets,
which do need a key, document a 401 and say "Authenticate with any valid OpenRouter API key". So
they are asked without one, like the catalog.

Parsed with the catalog's drift rules (:mod:`.models`): every field but a record's ``id`` may be
missing, ``null`` or of the wrong type; a price that is no finite, non-negative decimal is dropped
(and logged), never read as 0; a malformed record or entry is skipped and logged, and never sinks
the answer; only an unusable envelope is an error (``ValueError``). Each parsed value keeps the body
it came from (``raw``), so it can be saved and parsed again the same way.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Annotated, Any, TypeVar, cast

from pydantic import BeforeValidator, Field, ValidationError

from .models import Lenient, MediaPrice, MediaPricing, Model, envelope, records, text_or_none

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Lenient)

VIDEOS_PATH = "/videos/models"
IMAGES_PATH = "/images/models"
ZDR_PATH = "/endpoints/zdr"


Text = Annotated[str | None, BeforeValidator(text_or_none)]


def amount(value: Any) -> Decimal | None:
    """A price as a finite, non-negative decimal (from a decimal string or a number), else ``None``:
    a price that cannot be read is no price, never 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def _skus(value: Any) -> dict[str, Decimal]:
    """``pricing_skus`` as SKU name → amount; a SKU whose name or value cannot be read is dropped."""
    if not isinstance(value, dict):
        return {}
    kept: dict[str, Decimal] = {}
    for name, raw in cast(dict[Any, Any], value).items():
        price = amount(raw)
        if isinstance(name, str) and name.strip() and price is not None:
            kept[name.strip()] = price
        else:
            logger.warning("Ignored an unreadable video price SKU %.60r: %.60r", name, raw)
    return kept


def _entries(value: Any) -> list[Any]:
    """The items of a list field, or none when it is not a list (``null``, drift)."""
    return list(cast(list[Any], value)) if isinstance(value, list) else []


def _valid(kind: type[M], records: list[Any], what: str) -> list[tuple[M, dict[str, Any]]]:
    """The records that validate as ``kind``, each with its raw dict; the others are logged."""
    kept: list[tuple[M, dict[str, Any]]] = []
    for index, record in enumerate(records):
        try:
            kept.append((kind.model_validate(record), cast(dict[str, Any], record)))
        except ValidationError:
            ident: Any = cast(dict[str, Any], record).get("id") if isinstance(record, dict) else None
            logger.warning("Skipped malformed %s #%d (id=%.80r)", what, index, ident)
    return kept


# -- videos --------------------------------------------------------------------------------------


class VideoModel(Lenient):
    """One ``VideoModel``: what prices it (``pricing_skus``) and what names it."""

    id: Annotated[str, Field(min_length=1)]
    canonical_slug: Text = None
    name: Text = None
    pricing_skus: Annotated[dict[str, Decimal], BeforeValidator(_skus)] = Field(default_factory=dict[str, Decimal])


def _sku_unit(name: str) -> str:
    """A SKU name as a unit: one word (rows are space-separated, price lists comma-separated)."""
    return "_".join(name.replace(",", " ").replace("/", " ").split())


@dataclass(frozen=True)
class VideoModels:
    """A parsed ``/videos/models`` body: each video model's SKUs, by ID and by permaslug."""

    models: tuple[tuple[VideoModel, dict[str, Any]], ...]
    raw: Any = field(repr=False)

    @cached_property
    def _by_id(self) -> dict[str, tuple[VideoModel, dict[str, Any]]]:
        return {m.id: (m, r) for m, r in self.models}

    @cached_property
    def _by_slug(self) -> dict[str, tuple[VideoModel, dict[str, Any]]]:
        return {m.canonical_slug: (m, r) for m, r in self.models if m.canonical_slug}

    def pricing(self, model: Model) -> MediaPricing | None:
        """``model``'s SKUs: the video model of its ID, else of its permaslug; ``None`` without SKUs."""
        found = self._by_id.get(model.id)
        if found is None and model.canonical_slug:
            found = self._by_slug.get(model.canonical_slug) or self._by_id.get(model.canonical_slug)
        if found is None or not found[0].pricing_skus:
            return None
        video, record = found
        prices = tuple(
            MediaPrice(amount=price, unit=_sku_unit(sku), usd=False, side="out", what=sku)
            for sku, price in video.pricing_skus.items()
        )
        return MediaPricing(source=VIDEOS_PATH, prices=prices, record=record)


def parse_videos(payload: Any) -> VideoModels:
    """Parse a ``/videos/models`` body (see the module docstring). Raises ``ValueError``."""
    return VideoModels(tuple(_valid(VideoModel, records(envelope(payload)), "video model")), raw=payload)


# -- images --------------------------------------------------------------------------------------


class ImageModel(Lenient):
    """One ``ImageModelListItem``: only its ID matters here (its prices are per endpoint)."""

    id: Annotated[str, Field(min_length=1)]
    name: Text = None


@dataclass(frozen=True, slots=True)
class ImageModels:
    """A parsed ``/images/models`` body: the IDs of the image models (``GET /images/models/{id}/endpoints``)."""

    ids: frozenset[str]
    raw: Any = field(repr=False)


def parse_image_models(payload: Any) -> ImageModels:
    """Parse an ``/images/models`` body. Raises ``ValueError``."""
    return ImageModels(
        frozenset(m.id for m, _ in _valid(ImageModel, records(envelope(payload)), "image model")), raw=payload
    )


class ImagePriceEntry(Lenient):
    """One ``ImagePricingEntry``: ``cost_usd`` USD per ``unit`` of what is ``billable``."""

    billable: Text = None
    unit: Text = None
    cost_usd: Annotated[Decimal | None, BeforeValidator(amount)] = None
    variant: Text = None


def _price_entries(value: Any) -> list[ImagePriceEntry]:
    kept: list[ImagePriceEntry] = []
    for item in _entries(value):
        try:
            entry = ImagePriceEntry.model_validate(item)
        except ValidationError:
            entry = None
        if entry is None or entry.cost_usd is None or entry.unit is None:
            logger.warning("Ignored an image price without a cost or a unit: %.200r", item)
            continue
        kept.append(entry)
    return kept


class ImageEndpoint(Lenient):
    """One ``ImageEndpoint``: a provider's prices for the model."""

    provider_name: Text = None
    provider_slug: Text = None
    provider_tag: Text = None
    pricing: Annotated[list[ImagePriceEntry], BeforeValidator(_price_entries)] = Field(
        default_factory=list[ImagePriceEntry]
    )

    @property
    def provider(self) -> str | None:
        """The endpoint's tag (as provider routing takes it), else its slug, else its name."""
        return self.provider_tag or self.provider_slug or self.provider_name


@dataclass(frozen=True, slots=True)
class ImageEndpoints:
    """A parsed ``/images/models/{id}/endpoints`` body: the model's endpoints and their prices."""

    endpoints: tuple[ImageEndpoint, ...]
    raw: Any = field(repr=False)

    def pricing(self) -> MediaPricing | None:
        """Every price of every endpoint, in OpenRouter's order (``None`` when none has one): an
        ``input_*`` billable is an input price, any other an output price."""
        prices = tuple(
            MediaPrice(
                amount=entry.cost_usd,
                unit=_sku_unit(entry.unit),
                usd=True,
                side="in" if (entry.billable or "").startswith("input") else "out",
                what=entry.billable,
                variant=entry.variant,
                provider=endpoint.provider,
            )
            for endpoint in self.endpoints
            for entry in endpoint.pricing
            if entry.cost_usd is not None and entry.unit is not None
        )
        raw: Any = self.raw
        record = cast(dict[str, Any], raw) if isinstance(raw, dict) else {}
        return MediaPricing(source=IMAGES_PATH, prices=prices, record=record) if prices else None


def parse_image_endpoints(payload: Any) -> ImageEndpoints:
    """Parse an ``/images/models/{id}/endpoints`` body: ``{id, endpoints}``, or the same under
    ``data`` (as ``/models/{id}/endpoints`` sends its own). Raises ``ValueError``."""
    body: Any = payload
    if isinstance(payload, dict) and "endpoints" not in payload:
        body = cast(dict[str, Any], payload).get("data", payload)
    endpoints: list[ImageEndpoint] = []
    for index, item in enumerate(records(envelope(body), "endpoints")):
        try:
            endpoints.append(ImageEndpoint.model_validate(item))
        except ValidationError:
            logger.warning("Skipped malformed image endpoint #%d", index)
    return ImageEndpoints(tuple(endpoints), raw=payload)


# -- zero data retention -------------------------------------------------------------------------


class ZdrEndpoint(Lenient):
    """One ``PublicEndpoint`` of ``/endpoints/zdr``: whose endpoint it is."""

    model_id: Text = None
    """The model's permaslug."""
    provider_name: Text = None
    tag: Text = None


@dataclass(frozen=True, slots=True)
class ZdrEndpoints:
    """A parsed ``/endpoints/zdr`` body: the permaslugs of the models with a zero-data-retention
    endpoint, and how many such endpoints there are."""

    model_ids: frozenset[str]
    endpoints: int
    raw: Any = field(repr=False)


def parse_zdr(payload: Any) -> ZdrEndpoints:
    """Parse an ``/endpoints/zdr`` body; an endpoint without a model ID is skipped. Raises ``ValueError``."""
    endpoints = [
        e for e, _ in _valid(ZdrEndpoint, records(envelope(payload)), "zero-data-retention endpoint") if e.model_id
    ]
    ids = frozenset(e.model_id for e in endpoints if e.model_id)
    return ZdrEndpoints(ids, len(endpoints), raw=payload)


__all__ = [
    "IMAGES_PATH",
    "VIDEOS_PATH",
    "ZDR_PATH",
    "ImageEndpoint",
    "ImageEndpoints",
    "ImageModels",
    "VideoModel",
    "VideoModels",
    "ZdrEndpoints",
    "amount",
    "parse_image_endpoints",
    "parse_image_models",
    "parse_videos",
    "parse_zdr",
]
