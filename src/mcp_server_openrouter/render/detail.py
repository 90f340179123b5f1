"""Upstream :class:`Model` → the detail record ``get_model`` returns, and its text.

Everything in a list row (:mod:`.compact`, with modalities and capabilities in words rather than
codes, so no legend of codes is needed) plus what a model needs to *use*
the chosen model well: name, description, every non-zero price, price tiers, reasoning support,
default parameters, knowledge cutoff, creation date, alias target and quality: the three
Artificial Analysis indices and the best :data:`ARENA_PLACEMENTS` Design Arena placements. The same rules as the row:
prices in USD per million tokens (per-unit prices — request, image, web search — in USD each,
named so), negative prices shown as ``variable``, nothing null or empty; a media model's prices from
outside the model list (:attr:`Model.media`) in ``media``, each in its own unit. The units are said once
per answer (:func:`legend` in the structured part, inline in the text), and so is where
the full upstream record is (the resource ``openrouter://models/{id}``), rather than per model.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from mcp_server_openrouter.openrouter import BenchmarkScore
from mcp_server_openrouter.openrouter.models import INDICES, MediaPricing, Model, PriceOverride, Pricing
from mcp_server_openrouter.render.compact import (
    MILLION,
    JsonNumber,
    Usd,
    capabilities,
    decimal_text,
    json_number,
    media_price_text,
    number_text,
    ordered,
    per_million,
    plain_number,
    window_text,
)

URI_PREFIX = "openrouter://models/"

# Upstream pricing key → name shown. Per-token keys are shown per 1M tokens, per-unit keys as is.
PER_TOKEN_PRICES = {
    "input_cache_read": "cache_read",
    "input_cache_write": "cache_write",
    "input_cache_write_1h": "cache_write_1h",
    "internal_reasoning": "reasoning",
    "audio": "audio_in",
    "audio_output": "audio_out",
    "input_audio_cache": "audio_cache_read",
    "image_token": "image_token",
}
PER_UNIT_PRICES = {"request": "request", "image": "image_in", "image_output": "image_out", "web_search": "web_search"}

Number = Usd
_LEGEND_PARTS = {
    "": "Tokens: context, max_output. USD per 1M tokens: usd_in, usd_out, usd_per_m ('variable' = set by the routed "
    "model).",
    "usd_each": "USD each: usd_each.",
    "price": "price: when not per token (unstated unit: audio second, minute or hour, or token).",
    "media": "media: prices from OpenRouter's media lists, N/unit (Mtok = 1M tokens).",
    "tiers": "A tier applies when its 'when' holds.",
    "intelligence": "intelligence/coding/agentic: Artificial Analysis index.",
    "arena": "arena: best Design Arena category #rank Elo.",
    "evals": "evals: OpenRouter's own benchmarks, % (search_widesearch: F1).",
    "usage": "usage: place by tokens last week, and % of all tokens.",
    "_": f"Full record: resource {URI_PREFIX}{{id}}.",
}


def legend(records: list["ModelDetail"]) -> str:
    """What the fields of ``records`` mean: the parts of the legend about fields none has are left out."""
    present = {key for r in records for key in r.model_dump(exclude_none=True)}
    if present & {"coding", "agentic"}:
        present.add("intelligence")
    return " ".join(text for key, text in _LEGEND_PARTS.items() if key in ("", "_") or key in present)


ARENA_PLACEMENTS = 2
MAX_DESCRIPTION = 1_000
"""Characters of description kept (2026 API text is <= ~340; older texts ran to 3,600). The
resource has the full text; a cut one says so and where to find the rest."""


def model_uri(model_id: str) -> str:
    """The resource URI of a model: the ID verbatim after the prefix (``/``, ``:``, ``~`` kept)."""
    return URI_PREFIX + model_id


def _scaled(price: Decimal | None, per_token: bool) -> Decimal | Literal["variable"] | None:
    if price is None:
        return None
    if per_token:
        return per_million(price)
    return "variable" if price < 0 else price


def _other_prices(prices: Pricing | PriceOverride) -> tuple[dict[str, Number], dict[str, Number]]:
    per_m: dict[str, Number] = {}
    each: dict[str, Number] = {}
    for key, name in PER_TOKEN_PRICES.items():
        value = _scaled(getattr(prices, key), per_token=True)
        if value is not None and value != 0:
            per_m[name] = json_number(value)
    for key, name in PER_UNIT_PRICES.items():
        value = _scaled(getattr(prices, key), per_token=False)
        if value is not None and value != 0:
            each[name] = json_number(value)
    return per_m, each


class PriceTier(BaseModel):
    """Prices that replace the base ones when ``when`` holds; absent keys keep the base price."""

    model_config = ConfigDict(frozen=True)

    when: str = Field(description="e.g. 'prompt >= 200000 tokens' or '10:00-01:00 UTC'")
    usd_in: Number | None = None
    usd_out: Number | None = None
    usd_per_m: dict[str, Number] | None = None
    usd_each: dict[str, Number] | None = None


class ReasoningInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    mandatory: bool | None = None
    default_on: bool | None = None
    efforts: list[str] | None = None
    default_effort: str | None = None


class ModelDetail(BaseModel):
    """One model in full: the row's fields plus description, prices, tiers and defaults."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str | None = None
    context: int | None = None
    max_output: int | None = None
    usd_in: Usd | None = None
    usd_out: Usd | None = None
    price: str | None = Field(None, description="the price in words, when it is not per token")
    media: str | None = Field(None, description="prices from the media lists, each in its own unit")
    modalities: str | None = Field(None, description="inputs>outputs, omitted when text only")
    caps: str | None = None
    expires: str | None = Field(None, description="removal date")
    description: str | None = None
    usd_per_m: dict[str, Number] | None = Field(None, description="other prices, USD/1M tokens")
    usd_each: dict[str, Number] | None = Field(None, description="USD per request/image/web search")
    discount: JsonNumber | None = Field(None, description="fraction off the listed prices")
    # Nested records are published as plain objects: their keys are self-explanatory and their
    # full schemas would cost every conversation ~100 tokens of tools/list.
    tiers: Annotated[list[PriceTier] | None, WithJsonSchema({"type": "array", "items": {"type": "object"}})] = None
    reasoning: Annotated[ReasoningInfo | None, WithJsonSchema({"type": "object"})] = None
    defaults: dict[str, Any] | None = Field(None, description="default request parameters")
    knowledge_cutoff: str | None = None
    created: str | None = Field(None, description="date added to OpenRouter")
    alias_of: str | None = Field(None, description="the model this alias ID points to")
    intelligence: JsonNumber | None = None
    coding: JsonNumber | None = None
    agentic: JsonNumber | None = None
    arena: str | None = None
    evals: dict[str, JsonNumber] | None = None
    usage: str | None = None
    price_changes: str | None = Field(None, description="the latest, newest first")


def _tier(override: PriceOverride) -> PriceTier | None:
    conditions: list[str] = []
    if override.min_prompt_tokens is not None:
        conditions.append(f"prompt >= {override.min_prompt_tokens} tokens")
    window = window_text(override)
    if window is not None:
        conditions.append(window)
    per_m, each = _other_prices(override)
    usd_in = _scaled(override.prompt, per_token=True)
    usd_out = _scaled(override.completion, per_token=True)
    if not conditions:
        return None
    return PriceTier(
        when=" and ".join(conditions),
        usd_in=None if usd_in is None else json_number(usd_in),
        usd_out=None if usd_out is None else json_number(usd_out),
        usd_per_m=per_m or None,
        usd_each=each or None,
    )


def _reasoning(model: Model) -> ReasoningInfo | None:
    info = model.reasoning
    if info is None:
        return None
    result = ReasoningInfo(
        mandatory=info.mandatory or None,
        default_on=info.default_enabled,
        efforts=info.supported_efforts or None,
        default_effort=info.default_effort,
    )
    return result if result.model_dump(exclude_none=True) else None


def _description(model: Model) -> str | None:
    text = (model.description or "").strip()
    if len(text) <= MAX_DESCRIPTION:
        return text or None
    return text[:MAX_DESCRIPTION].rstrip() + f"… (full text: {model_uri(model.id)})"


def _modalities(model: Model) -> str | None:
    """``inputs>outputs``, or ``None`` for a text-only model."""
    inputs = ordered(model.architecture.input_modalities)
    outputs = ordered(model.architecture.output_modalities)
    if inputs in ([], ["text"]) and outputs in ([], ["text"]):
        return None
    return "+".join(inputs or ["text"]) + ">" + "+".join(outputs or ["text"])


def _arena(model: Model) -> str | None:
    """The best Design Arena placements: lowest rank first, then highest Elo."""
    placements = [p for p in (model.benchmarks.design_arena if model.benchmarks else []) if p.rank or p.elo]
    placements.sort(key=lambda p: (p.rank or 10**6, -(p.elo or 0)))
    shown = [
        ("" if p.arena == "models" else f"{p.arena or '?'}/")
        + (p.category or "?")
        + (f" #{p.rank}" if p.rank else "")
        + (f" {p.elo:g}" if p.elo else "")
        for p in placements[:ARENA_PLACEMENTS]
    ]
    return ", ".join(shown) or None


def _price_in_words(model: Model) -> str:
    """A price that is not per token (:data:`~..openrouter.models.PriceUnit`), with its unit, or
    the lack of one, said plainly."""
    if model.price_unit == "unlisted":
        return "not in OpenRouter's model list"
    prompt, completion = model.pricing.prompt, model.pricing.completion
    parts: list[str] = []
    if prompt is not None and model.price_unit == "character":
        parts.append(f"USD {decimal_text(prompt * MILLION)} per 1M input characters")
    elif prompt is not None:
        parts.append(f"USD {decimal_text(prompt)} per unstated unit")
    if completion:
        parts.append(f"output USD {decimal_text(completion)} per unstated unit")
    return "; ".join(parts) or "unknown"


def media_text(media: MediaPricing) -> str:
    """Every media price, saying what it is in: a video model's SKUs (``video SKUs, no currency
    stated: 0.5/generate, 0.1/per_second_720p``), an image model's USD prices by what is billed,
    with the variant and, when several providers price it, the provider (``USD: output_image
    0.04/image 1K, 0.08/image 4K; input_image 0.01/image``)."""
    if not all(p.usd for p in media.prices):
        return "video SKUs, no currency stated: " + ", ".join(media_price_text(p) for p in media.prices)
    providers = {p.provider for p in media.prices}
    groups: dict[str, list[str]] = {}
    for price in media.prices:
        who = f" [{price.provider}]" if len(providers) > 1 and price.provider else ""
        text = media_price_text(price) + (f" {price.variant}" if price.variant else "") + who
        groups.setdefault(price.what or "?", []).append(text)
    return "USD: " + "; ".join(f"{what} {', '.join(texts)}" for what, texts in groups.items())


def detail(
    model: Model,
    evals: list[BenchmarkScore] | None = None,
    usage: str | None = None,
    price_changes: str | None = None,
) -> ModelDetail:
    """The full record of one model (see the module docstring), with its results on OpenRouter's
    own evals and its usage (``#3, 2.1% of tokens``) when they are known."""
    media_priced = model.media_priced
    per_token = model.price_unit == "token" and not media_priced
    per_m, each = _other_prices(model.pricing)
    tiers = [t for t in (_tier(o) for o in model.pricing.overrides) if t is not None]
    defaults = {k: v for k, v in (model.default_parameters or {}).items() if v is not None}
    discount = model.pricing.discount
    created = (
        datetime.fromtimestamp(model.created, UTC).date().isoformat() if model.created and model.created > 0 else None
    )
    return ModelDetail(
        id=model.id,
        name=model.name or None,
        context=model.context_length or None,
        max_output=model.top_provider.max_completion_tokens or None,
        usd_in=json_number(per_million(model.pricing.prompt)) if per_token else None,
        usd_out=json_number(per_million(model.pricing.completion)) if per_token else None,
        price=None if per_token or media_priced else _price_in_words(model),
        media=media_text(model.media) if model.media is not None and model.media.prices else None,
        modalities=_modalities(model),
        caps=",".join(capabilities(model.supported_parameters)) or None,
        expires=model.expiration_date or None,
        description=_description(model),
        usd_per_m=per_m or None,
        usd_each=each or None,
        discount=float(discount) if discount else None,
        tiers=tiers or None,
        reasoning=_reasoning(model),
        defaults=defaults or None,
        knowledge_cutoff=model.knowledge_cutoff or None,
        created=created,
        alias_of=(model.alias_target.slug if model.alias_target else None) or None,
        **{name: model.benchmarks.index(name) if model.benchmarks else None for name in INDICES},
        arena=_arena(model),
        evals={e.benchmark: plain_number(e.score) for e in evals} if evals else None,
        usage=usage,
        price_changes=price_changes,
    )


def _pairs(values: dict[str, Number | None]) -> str:
    return ", ".join(f"{k} {number_text(v)}" for k, v in values.items() if v is not None)


def detail_text(record: ModelDetail) -> str:
    """A compact, readable block for one detail record (what the model reads)."""
    head = f"{record.id}" + (f" ({record.name})" if record.name else "")
    facts: list[str] = []
    if record.context:
        facts.append(f"context {record.context}")
    if record.max_output:
        facts.append(f"max output {record.max_output}")
    prices: dict[str, Number | None] = {"in": record.usd_in, "out": record.usd_out, **(record.usd_per_m or {})}
    if any(v is not None for v in prices.values()):
        facts.append("USD/1M tokens: " + _pairs(prices))
    if record.price:
        facts.append(f"price: {record.price}")
    if record.media:
        facts.append(f"media prices, {record.media}")
    if record.usd_each:
        facts.append("USD each: " + _pairs(dict(record.usd_each)))
    if record.discount:
        facts.append(f"discount {number_text(record.discount)}")
    if record.modalities:
        facts.append(record.modalities)
    if record.caps:
        facts.append("caps " + record.caps)
    lines = [head, "; ".join(facts)]
    extra: list[str] = []
    for tier in record.tiers or []:
        tier_prices: dict[str, Number | None] = {"in": tier.usd_in, "out": tier.usd_out, **(tier.usd_per_m or {})}
        extra.append(f"tier {tier.when}: " + _pairs(tier_prices))
    if record.reasoning:
        r = record.reasoning
        bits = [
            "mandatory" if r.mandatory else "",
            "on by default" if r.default_on else ("off by default" if r.default_on is False else ""),
            f"efforts {'/'.join(r.efforts)}" if r.efforts else "",
            f"default {r.default_effort}" if r.default_effort else "",
        ]
        extra.append("reasoning: " + ", ".join(b for b in bits if b))
    if record.defaults:
        extra.append("defaults: " + ", ".join(f"{k}={v}" for k, v in record.defaults.items()))
    indices: dict[str, Number | None] = {
        "intelligence": record.intelligence,
        "coding": record.coding,
        "agentic": record.agentic,
    }
    if any(v is not None for v in indices.values()):
        extra.append("Artificial Analysis indices (0-100): " + _pairs(indices))
    if record.arena:
        extra.append(f"Design Arena best (category #rank Elo): {record.arena}")
    if record.evals:
        evals: dict[str, Number | None] = {**record.evals}
        extra.append("OpenRouter evals (%): " + _pairs(evals))
    if record.usage:
        extra.append(f"usage last week: {record.usage} of all tokens")
    if record.price_changes:
        extra.append(f"price changes: {record.price_changes}")
    dates = [
        f"knowledge cutoff {record.knowledge_cutoff}" if record.knowledge_cutoff else "",
        f"added {record.created}" if record.created else "",
        f"expires {record.expires}" if record.expires else "",
        f"alias of {record.alias_of}" if record.alias_of else "",
    ]
    if any(dates):
        extra.append("; ".join(d for d in dates if d))
    lines.extend(extra)
    if record.description:
        lines.append(record.description)
    return "\n".join(lines)


__all__ = ["URI_PREFIX", "ModelDetail", "detail", "detail_text", "legend", "media_text", "model_uri"]
