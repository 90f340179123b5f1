"""Typed models of OpenRouter's ``/models`` payloads, tolerant of the schema's drift.

The six real snapshots (2025-05 … 2026-08) disagree on almost everything optional, so parsing
follows one rule: *required is what we cannot work without* (``id``, ``pricing``), everything else
has a default, unknown keys are ignored, ``null`` where a list was expected becomes ``[]``, and
enum-like strings (modalities, parameters) stay plain strings so a new upstream value is accepted.
Prices are ``Decimal``: the API sends decimal strings with up to 23 digits, which floats would round.
A record that still fails validation is skipped and logged; it never sinks the list.

The untouched upstream dict of each record is kept (:attr:`Model.raw`) so resources can show
every field OpenRouter sent, including ones this module does not know about yet.
"""

import logging
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError

logger = logging.getLogger(__name__)


def _to_decimal(value: Any) -> Any:
    """Accept the API's decimal strings, and numbers (drift), without binary-float artifacts."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("a price must be a decimal string or a number, not a boolean")
    if isinstance(value, int | float | str):
        text = str(value).strip()
        if text == "":
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal price: {text[:40]!r}") from exc
        if not number.is_finite():
            raise ValueError(f"not a finite price: {text[:40]!r}")
        return number
    return value


def envelope(payload: Any) -> dict[str, Any]:
    """A body's JSON object; anything else is an unusable envelope (``ValueError``)."""
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    return cast(dict[str, Any], payload)


def records(body: dict[str, Any], key: str = "data") -> list[Any]:
    """The records of an envelope (:func:`envelope`): ``body[key]``, which must be a list (``ValueError``)."""
    found = body.get(key)
    if not isinstance(found, list):
        raise ValueError(f"the JSON object has no {key!r} list")
    return cast(list[Any], found)


def text_or_none(value: Any) -> str | None:
    """A non-empty string, stripped; anything else (``null``, a number, a list) is no text."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def _null_to_list(value: Any) -> Any:
    return [] if value is None else value


Price = Annotated[Decimal | None, BeforeValidator(_to_decimal)]
StrList = Annotated[list[str], BeforeValidator(_null_to_list)]


class Lenient(BaseModel):
    """Unknown keys ignored, records frozen: the parsing rule of every upstream shape."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class _Prices(Lenient):
    """Price keys shared by the base pricing and its overrides. USD per token unless noted."""

    prompt: Price = None
    completion: Price = None
    request: Price = None
    """USD per request."""
    image: Price = None
    """USD per input image."""
    image_output: Price = None
    """USD per output image."""
    web_search: Price = None
    """USD per web search."""
    image_token: Price = None
    audio: Price = None
    audio_output: Price = None
    input_audio_cache: Price = None
    internal_reasoning: Price = None
    input_cache_read: Price = None
    input_cache_write: Price = None
    input_cache_write_1h: Price = None


class PriceOverride(_Prices):
    """A conditional price tier: applies when all its conditions match (prompt size, time window).

    Price keys absent from an override inherit the base price.
    """

    min_prompt_tokens: int | None = None
    utc_start: int | str | None = None
    """Start of a daily UTC window; the API sends HHMM as a number (``1000`` = 10:00)."""
    utc_end: int | str | None = None


def utc_minutes(value: int | str | None) -> int | None:
    """A tier's ``utc_start``/``utc_end`` as minutes after midnight, whether it came as an HHMM
    number (``1000``) or a string (``"10:00"``); ``None`` when absent or unreadable."""
    if isinstance(value, str):
        digits = value.replace(":", "")
        value = int(digits) if digits.isascii() and digits.isdigit() else None  # '²' is a digit int() refuses
    if value is None:
        return None
    return (value // 100) * 60 + value % 100


def _lenient_overrides(value: Any) -> Any:
    """Keep the overrides that parse; a malformed tier must not sink the model, only itself."""
    if value is None:
        return []
    if not isinstance(value, list):
        return value
    kept: list[PriceOverride] = []
    for item in cast(list[Any], value):
        try:
            kept.append(PriceOverride.model_validate(item))
        except ValidationError:
            logger.warning("Ignored a malformed price override: %.200r", item)
    return kept


class Pricing(_Prices):
    """As the API sends it: USD per token (``request``/``image``/``image_output``/``web_search``: per
    unit). ``-1`` means variable (router models)."""

    discount: Price = None
    """Fraction taken off the listed prices (0 = none, 1 = free)."""
    overrides: Annotated[list[PriceOverride], BeforeValidator(_lenient_overrides)] = Field(
        default_factory=list[PriceOverride]
    )

    @property
    def listed(self) -> bool:
        """Whether any price (base or tier) is other than 0."""
        prices = [getattr(self, key) for key in _Prices.model_fields]
        prices += [getattr(o, key) for o in self.overrides for key in _Prices.model_fields]
        return any(p is not None and p != 0 for p in prices)

    @property
    def mean(self) -> Decimal | None:
        """The mean of the listed input and output prices (USD per token), what price sorts rank
        by; ``None`` when either is unknown or variable."""
        prompt, completion = self.prompt, self.completion
        if prompt is None or completion is None or prompt < 0 or completion < 0:
            return None
        return (prompt + completion) / 2


class Architecture(Lenient):
    modality: str | None = None
    input_modalities: StrList = Field(default_factory=list[str])
    output_modalities: StrList = Field(default_factory=list[str])
    tokenizer: str | None = None
    instruct_type: str | None = None


class TopProvider(Lenient):
    context_length: int | None = None
    max_completion_tokens: int | None = None
    is_moderated: bool | None = None


class Reasoning(Lenient):
    mandatory: bool | None = None
    default_enabled: bool | None = None
    supported_efforts: StrList = Field(default_factory=list[str])
    default_effort: str | None = None
    supports_max_tokens: bool | None = None


class AliasTarget(Lenient):
    name: str | None = None
    slug: str | None = None


def mapping_or_none(value: Any) -> Any:
    return cast(Any, value) if isinstance(value, dict) else None


def _placements(value: Any) -> Any:
    """Keep the well-formed Design Arena entries of a list; anything else is no entries."""
    if not isinstance(value, list):
        return []
    return [v for v in cast(list[Any], value) if isinstance(v, dict)]


def _number_or_none(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


Score = Annotated[float | None, BeforeValidator(_number_or_none)]


PriceUnit = Literal["token", "character", "unknown", "unlisted"]
"""What a model's ``prompt`` and ``completion`` prices are per (:attr:`Model.price_unit`).

The API's schema calls both "USD per token" for every model; OpenRouter's guides say otherwise
for some kinds, and its data agrees with the guides:

* ``character``: speech (text-to-speech) models: "TTS models are priced per character of input
  text" (openrouter.ai/docs/guides/overview/multimodal/tts). ``fish-audio/s1`` lists 0.000015:
  USD 15 per 1M characters, as Fish Audio bills it. A speech model's output price (rarely listed)
  has no documented unit: it is ``unknown``.
* ``unknown``: transcription (speech-to-text) models: "depending on the provider", by duration
  ("priced per second of audio input") or per token (openrouter.ai/docs/guides/overview/multimodal/stt),
  and the model list does not say which: ``openai/whisper-1`` lists 0.006, which its model page
  gives per minute; ``microsoft/mai-transcribe-1.5`` lists 0.36, per hour.
* ``unlisted``: a model whose output is media (video, rerank, audio, speech, image,
  transcription), every listed price 0, and no ``:free`` variant: its price is elsewhere (video:
  ``GET /videos/models`` ``pricing_skus``; rerank: per search, on the model's page; Lyria music:
  per song, in its description), never free. Where an answer has those prices (:mod:`.media`),
  the model's copy for it carries them (:attr:`Model.media`, :attr:`Model.media_priced`): its unit
  here stays what the list says, for filters and sorts, which compare list prices only.
* ``token``: everything else, as the schema says.
"""

MEDIA_OUTPUTS = frozenset({"video", "rerank", "audio", "speech", "image", "transcription"})


class MediaPrice(Lenient):
    """One price of a media model from outside the model list (:mod:`.media`): ``amount`` per ``unit``.

    ``usd``: the amount is in USD as OpenRouter states it (an image endpoint's ``cost_usd``, per
    ``image``, ``megapixel`` or ``token``); otherwise it is a video SKU's value (``pricing_skus``),
    whose ``unit`` is the SKU's own name (``generate``, ``per_second_720p``) and whose currency the
    API does not state. ``side``: what is billed, the input or the output (an image price's
    ``billable``: ``input_*`` is input, anything else output; video SKUs are all output: they price
    the generation). ``what``: the billable as sent (``output_image``); ``variant`` and
    ``provider`` when the endpoint names them."""

    amount: Decimal
    unit: str
    usd: bool
    side: Literal["in", "out"]
    what: str | None = None
    variant: str | None = None
    provider: str | None = None


class MediaPricing(Lenient):
    """A media model's prices from ``source`` (``/videos/models`` or ``/images/models``), in the
    order OpenRouter lists them, and the upstream record they came from (``record``: the video
    model, or the image model's endpoints), for the resource to show as sent."""

    source: str
    prices: tuple[MediaPrice, ...]
    record: dict[str, Any] = Field(default_factory=dict[str, Any], repr=False)


INDICES = ("intelligence", "coding", "agentic")
"""The Artificial Analysis indices the API reports, filters (``min_/max_<name>_index``) and sorts by."""
QUALITY_SORTS = {**{f"{name}-high-to-low": name for name in INDICES}, "design-arena-elo-high-to-low": "arena_elo"}
"""The ``sort`` values that rank by a score, and the score (:meth:`Model.score`) each ranks by."""


class ArtificialAnalysis(Lenient):
    """Artificial Analysis indices (0-100 scale)."""

    intelligence_index: Score = None
    coding_index: Score = None
    agentic_index: Score = None


class ArenaPlacement(Lenient):
    """One Design Arena result: the arena, its category, the model's Elo, win rate (%) and rank."""

    arena: str | None = None
    category: str | None = None
    elo: Score = None
    win_rate: Score = None
    rank: Annotated[
        int | None, BeforeValidator(lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None)
    ] = None


class Benchmarks(Lenient):
    """Quality scores the catalog carries since 2026 (235 of 549 models in 2026-08)."""

    artificial_analysis: Annotated[ArtificialAnalysis | None, BeforeValidator(mapping_or_none)] = None
    design_arena: Annotated[list[ArenaPlacement], BeforeValidator(_placements)] = Field(
        default_factory=list[ArenaPlacement]
    )

    def index(self, name: str) -> float | None:
        """``intelligence``, ``coding`` or ``agentic`` index, if known."""
        scores = self.artificial_analysis
        return None if scores is None else getattr(scores, f"{name}_index", None)

    @property
    def best_elo(self) -> float | None:
        elos = [p.elo for p in self.design_arena if p.elo is not None]
        return max(elos) if elos else None


class Model(Lenient):
    """One catalog entry. Only ``id`` is required; see the module docstring for the drift rules."""

    id: Annotated[str, Field(min_length=1)]
    name: str = ""
    canonical_slug: str | None = None
    hugging_face_id: str | None = None
    created: int | None = None
    description: str | None = None
    context_length: Annotated[int, BeforeValidator(lambda v: 0 if v is None else v)] = 0
    architecture: Architecture = Field(default_factory=Architecture)
    pricing: Pricing = Field(default_factory=Pricing)
    top_provider: TopProvider = Field(default_factory=TopProvider)
    supported_parameters: StrList = Field(default_factory=list[str])
    default_parameters: dict[str, Any] | None = None
    supported_voices: list[str] | None = None
    knowledge_cutoff: str | None = None
    expiration_date: str | None = None
    reasoning: Reasoning | None = None
    alias_target: AliasTarget | None = None
    benchmarks: Annotated[Benchmarks | None, BeforeValidator(mapping_or_none)] = None

    memo: dict[str, Any] = Field(default_factory=dict[str, Any], exclude=True, repr=False, validation_alias="__memo__")
    """Room for views derived from this (frozen) record, computed once by their owners. A plain
    field, not a private attribute: pydantic's private-attribute lookup costs ~1.5 µs, which a
    filter over 50,000 models pays on every model."""

    media: MediaPricing | None = Field(None, exclude=True, repr=False, validation_alias="__media__")
    """Prices from outside the model list (:meth:`with_media`), on a copy made for one answer; ``None``
    on the catalog's own records. The alias keeps an upstream ``media`` key out of it."""

    _raw: dict[str, Any] = PrivateAttr(default_factory=dict[str, Any])

    @property
    def raw(self) -> dict[str, Any]:
        """The record exactly as the upstream sent it (parsed JSON, unmodified)."""
        return self._raw

    def score(self, name: str) -> float | None:
        """An Artificial Analysis index (``intelligence``, ``coding``, ``agentic``) or ``arena_elo``
        (the best Design Arena Elo); ``None`` when the catalog has none."""
        if self.benchmarks is None:
            return None
        return self.benchmarks.best_elo if name == "arena_elo" else self.benchmarks.index(name)

    @property
    def price_unit(self) -> PriceUnit:
        """What ``pricing.prompt`` (and ``completion``) are per: see :data:`PriceUnit`. Computed
        once per record: filters, price sorts and every rendering of the model ask for it."""
        unit: PriceUnit | None = self.memo.get("price_unit")
        if unit is None:
            unit = self.memo["price_unit"] = self._price_unit()
        return unit

    def _price_unit(self) -> PriceUnit:
        outputs = set(self.architecture.output_modalities)
        if "speech" in outputs:
            return "character"
        if "transcription" in outputs:
            return "unknown"
        if outputs & MEDIA_OUTPUTS and not self.id.endswith(":free") and not self.pricing.listed:
            return "unlisted"
        return "token"

    def with_media(self, media: MediaPricing | None) -> "Model":
        """A copy of this record that carries ``media`` (the record itself when there are none): for
        one answer, so the catalog's shared record never holds prices of another source and age.
        The copy starts with an empty :attr:`memo` (its rows differ), the same :attr:`raw`."""
        if media is None or not media.prices:
            return self
        return self.model_copy(update={"media": media, "memo": {}})

    @property
    def unpriced(self) -> bool:
        """Whether the list's own ``prompt`` and ``completion`` say nothing of what the model costs:
        ``unlisted``, or 0 in and out on a media model that is no ``:free`` variant (an image model
        whose list prices are per image token only). Only such a model is given media prices
        (:meth:`with_media`): one with token prices keeps them, and costs no lookup."""
        if self.price_unit == "unlisted":
            return True
        outputs = set(self.architecture.output_modalities)
        return (
            self.price_unit == "token"
            and bool(outputs & MEDIA_OUTPUTS)
            and not self.id.endswith(":free")
            and not self.pricing.prompt
            and not self.pricing.completion
        )

    @property
    def media_priced(self) -> bool:
        """Whether :attr:`media` prices take the place of ``prompt`` and ``completion``: the model
        has some, and is :attr:`unpriced`."""
        return self.media is not None and bool(self.media.prices) and self.unpriced

    @property
    def completion_unit(self) -> PriceUnit:
        """What ``pricing.completion`` is per: as :attr:`price_unit`, except a speech model's
        output price, whose unit no guide documents."""
        unit = self.price_unit
        return "unknown" if unit == "character" else unit

    @property
    def author(self) -> str:
        """The organisation slug: the part of the ID before ``/``, without a leading ``~``."""
        return self.id.lstrip("~").split("/", 1)[0]


class ModelList(BaseModel):
    """A parsed ``/models``-shaped answer."""

    model_config = ConfigDict(frozen=True)

    models: list[Model]
    skipped: int = 0
    """Records dropped because they failed validation (each one was logged)."""


def parse_model(record: Any) -> Model:
    """Validate one upstream record, keeping the raw dict. Raises ``ValidationError``."""
    model = Model.model_validate(record)
    model._raw = record  # pyright: ignore[reportPrivateUsage] -- set once, at the edge
    return model


def parse_model_list(payload: Any) -> ModelList:
    """Parse a ``/models`` or ``/models/user`` body, skipping (and logging) malformed records.

    Raises ``ValueError`` if the envelope itself is unusable (not an object, no ``data`` list).
    """
    data = records(envelope(payload))
    models: list[Model] = []
    seen: set[str] = set()
    skipped = 0
    for index, record in enumerate(data):
        try:
            model = parse_model(record)
        except ValidationError as exc:
            skipped += 1
            ident: Any = cast(dict[str, Any], record).get("id") if isinstance(record, dict) else None
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
            what = ", ".join(field for field in fields if field) or "record (not a JSON object)"
            logger.warning("Skipped malformed model record #%d (id=%r): invalid %s", index, ident, what)
            continue
        if model.id in seen:
            skipped += 1
            logger.warning("Skipped duplicate model record #%d (id=%r)", index, model.id)
            continue
        seen.add(model.id)
        models.append(model)
    return ModelList(models=models, skipped=skipped)


def parse_count(payload: Any) -> int:
    """Parse a ``/models/count`` body: ``{"data": {"count": N}}``. Raises ``ValueError``."""
    if isinstance(payload, dict):
        data: Any = cast(dict[str, Any], payload).get("data")
        if isinstance(data, dict):
            count: Any = cast(dict[str, Any], data).get("count")
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                return count
    raise ValueError("expected {'data': {'count': <non-negative integer>}}")
