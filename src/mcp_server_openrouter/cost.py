"""What a workload costs on a model, exactly, with OpenRouter's real price structure.

Computed in ``Decimal`` from the upstream's own price strings (USD per token, or per unit for
requests, images and web searches), so a 1e-7-dollar price times a million requests is exact.

The meanings, as OpenRouter documents or its data shows them:

* **Long-context tiers** (``pricing.overrides[].min_prompt_tokens``) apply when a request's prompt
  tokens *meet or exceed* the threshold (OpenRouter's provider docs: "applies when input tokens
  meet or exceed" it); the prompt is every input token, cached and cache-written ones included.
* **Time-of-day tiers** (``utc_start``/``utc_end``, HHMM numbers) apply from ``utc_start``
  inclusive to ``utc_end`` exclusive; a window whose start is after its end wraps midnight
  (``1000``-``100`` = 10:00 to 01:00 the next day). The 2026-08 catalog's windows tile the day
  exactly this way (``1000-100``, ``100-400``, ``400-600``, ``600-1000``).
* A tier whose every condition holds replaces the base prices it lists; prices it does not list
  stay the base ones. When several hold, later entries win per key (OpenRouter's spec, 2026-08).
* **Reasoning tokens** are part of the output tokens (as OpenRouter's usage reports them). They
  are billed at ``internal_reasoning`` when the model lists it, else at the output price:
  OpenRouter bills reasoning tokens as output tokens.
* **Cache**: cached input tokens and cache-written ones are part of the input tokens; they are
  billed at ``input_cache_read`` / ``input_cache_write`` (5 min) / ``input_cache_write_1h``
  instead of the input price. A model without such a price bills them at the input price, and
  the estimate says so.
* A price of ``-1`` (router models such as ``openrouter/auto``) makes the estimate ``variable``:
  it depends on the model routed to, and is never shown as free. A price the workload needs but
  the model does not list is counted as 0 *and stated as an assumption*, never silently.
* ``pricing.discount`` is applied as the spec says, "the price is multiplied by (1 - discount)",
  and the estimate says so.
* A model priced per media unit (video SKUs, image endpoints' prices: ``Model.media_priced``) is not
  estimated from a token workload; the reason names its prices, each in its own unit.
"""

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal

from .openrouter.models import Model, PriceOverride, Pricing, utc_minutes
from .render.compact import media_price_text, window_text


@dataclass(frozen=True, slots=True)
class Workload:
    """One request's usage, and how many such requests. Token counts are per request."""

    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 1
    cached_input_tokens: int = 0
    """Of ``input_tokens``, read from the prompt cache."""
    cache_write_tokens: int = 0
    """Of ``input_tokens``, written to the prompt cache for 5 minutes."""
    cache_write_1h_tokens: int = 0
    """Of ``input_tokens``, written to the prompt cache for 1 hour."""
    reasoning_tokens: int = 0
    """Of ``output_tokens``, spent reasoning."""
    input_images: int = 0
    output_images: int = 0
    web_searches: int = 0
    at_utc: time | None = None
    """Time of day the requests run, for time-of-day tiers; ``None``: tiers with a window are not applied."""

    @property
    def fresh_input_tokens(self) -> int:
        return self.input_tokens - self.cached_input_tokens - self.cache_write_tokens - self.cache_write_1h_tokens


@dataclass(slots=True)
class Estimate:
    """The cost of a workload on one model. ``None`` totals mean variable (router models), or, with
    ``estimated`` false, a model not priced per token."""

    model_id: str
    total: Decimal | None
    per_request: Decimal | None
    parts: dict[str, Decimal] = field(default_factory=dict[str, Decimal])
    """USD for all requests, by what was billed (``input``, ``cache_read``, ``output``, ...)."""
    tier: str | None = None
    """The price tier applied and why, when one was."""
    assumptions: list[str] = field(default_factory=list[str])
    estimated: bool = True
    """False for a model whose price is not per token (``Model.price_unit``): nothing is computed."""


NOT_PER_TOKEN = {
    "character": "priced per character of input text, not per token (get_model shows the price)",
    "unknown": "priced per a unit OpenRouter does not state (a second, minute or hour of audio, or a token)",
    "unlisted": "its price is not in OpenRouter's model list",
}
"""Why a model's cost is not estimated, by its price unit: a token workload cannot price it."""
REASON_PRICES = 3
"""Media prices a reason names; the others are counted (``get_model`` has them all)."""


def _media_reason(model: Model) -> str:
    """Why a model priced per media unit is not estimated, with its first prices in their own units."""
    media = model.media
    assert media is not None
    image = all(p.usd for p in media.prices)
    prices = [
        (f"{p.what} " if image and p.what else "") + media_price_text(p) + (f" {p.variant}" if p.variant else "")
        for p in media.prices
    ]
    more = len(prices) - REASON_PRICES
    listed = ", ".join(prices[:REASON_PRICES]) + (f" and {more} more (get_model)" if more > 0 else "")
    if image:
        return f"priced by the image, not per token: USD {listed}"
    return f"priced per video SKU (no currency stated), not per token: {listed}"


def window_holds(start: int | str | None, end: int | str | None, at: time) -> bool:
    """Whether ``at`` is in the daily UTC window [start, end), wrapping midnight when start > end."""
    low, high = utc_minutes(start), utc_minutes(end)
    now = at.hour * 60 + at.minute
    if low is None and high is None:
        return True
    low = 0 if low is None else low
    high = 24 * 60 if high is None else high
    return low <= now < high if low <= high else (now >= low or now < high)


def tiers_for(pricing: Pricing, workload: Workload) -> tuple[list[PriceOverride], str | None, list[str]]:
    """The overrides that apply to ``workload`` (in order), why, and notes about windows not checked."""
    notes: list[str] = []
    holding: list[tuple[PriceOverride, str]] = []
    for override in pricing.overrides:
        reasons: list[str] = []
        if override.min_prompt_tokens is not None:
            if workload.input_tokens < override.min_prompt_tokens:
                continue
            reasons.append(f"prompt {workload.input_tokens} >= {override.min_prompt_tokens} tokens")
        window = window_text(override)
        if window is not None:
            if workload.at_utc is None:
                notes.append(f"prices vary by time of day ({window} is one window); pass at_utc to apply them")
                continue
            if not window_holds(override.utc_start, override.utc_end, workload.at_utc):
                continue
            reasons.append(f"{workload.at_utc:%H:%M} UTC in {window}")
        if reasons:
            holding.append((override, " and ".join(reasons)))
    if not holding:
        return [], None, list(dict.fromkeys(notes))[:1]
    return [o for o, _ in holding], "; ".join(why for _, why in holding), []


Chain = tuple[tuple[str, str], ...]
"""Price keys to bill a part at, in order: the first one the model lists is used, and using any but
the first is an assumption, stated with the words beside that key."""

CHAINS: dict[str, Chain] = {
    "input": (("prompt", ""),),
    "cache_read": (("input_cache_read", ""), ("prompt", "cached input billed at the input price")),
    "cache_write": (("input_cache_write", ""), ("prompt", "cache writes billed at the input price")),
    "cache_write_1h": (
        ("input_cache_write_1h", ""),
        ("input_cache_write", "1 h cache writes billed at the 5 min write price"),
        ("prompt", "1 h cache writes billed at the input price"),
    ),
    "output": (("completion", ""),),
    "reasoning": (("internal_reasoning", ""), ("completion", "reasoning billed at the output price")),
    "request": (("request", ""),),
    "images_in": (("image", ""),),
    "images_out": (("image_output", ""),),
    "web_search": (("web_search", ""),),
}
"""Every part a workload is billed for, in the order an estimate lists them."""


def _amounts(workload: Workload) -> dict[str, int]:
    """How much of each part one request uses (tokens, or units for requests, images, searches)."""
    return {
        "input": workload.fresh_input_tokens,
        "cache_read": workload.cached_input_tokens,
        "cache_write": workload.cache_write_tokens,
        "cache_write_1h": workload.cache_write_1h_tokens,
        "output": workload.output_tokens - workload.reasoning_tokens,
        "reasoning": workload.reasoning_tokens,
        "request": 1,
        "images_in": workload.input_images,
        "images_out": workload.output_images,
        "web_search": workload.web_searches,
    }


def _price(pricing: Pricing, overrides: list[PriceOverride], key: str) -> Decimal | None:
    """The price of ``key``: from the last holding tier that lists it, else the base price."""
    for override in reversed(overrides):  # later entries win per key
        value = getattr(override, key, None)
        if value is not None:
            return value
    return getattr(pricing, key, None)


def _first_listed(chain: Chain, pricing: Pricing, overrides: list[PriceOverride]) -> tuple[Decimal | None, str | None]:
    """The first price of ``chain`` the model lists, and the assumption using it makes (if any)."""
    primary = chain[0][0]
    for key, meaning in chain:
        rate = _price(pricing, overrides, key)
        if rate is not None:
            return rate, None if key == primary else f"no {primary} price: {meaning}"
    return None, None


def estimate(model: Model, workload: Workload) -> Estimate:
    """The cost of ``workload`` on ``model`` (see the module docstring for every rule)."""
    if model.media_priced:
        return Estimate(model.id, None, None, assumptions=[_media_reason(model)], estimated=False)
    if model.price_unit != "token":
        return Estimate(model.id, None, None, assumptions=[NOT_PER_TOKEN[model.price_unit]], estimated=False)
    overrides, why, notes = tiers_for(model.pricing, workload)
    assumptions = list(notes)
    parts: dict[str, Decimal] = {}
    variable = False
    for part, amount in _amounts(workload).items():
        if not amount:
            continue
        chain = CHAINS[part]
        rate, assumption = _first_listed(chain, model.pricing, overrides)
        if rate is None:
            if part != "request":  # most models have no per-request fee: nothing to say
                assumptions.append(f"no {chain[0][0]} price listed: {part} counted as 0")
            continue
        if assumption:
            assumptions.append(assumption)
        if rate < 0:
            variable = True
        elif rate:
            parts[part] = rate * amount * workload.requests
    if variable:
        return Estimate(model.id, None, None, {}, why, ["the price is set by the model routed to"])
    discount = model.pricing.discount
    if discount and 0 < discount <= 1:
        parts = {k: v * (1 - discount) for k, v in parts.items()}
        assumptions.append(f"discount {discount.normalize():f} applied (prices x {(1 - discount).normalize():f})")
    total = sum(parts.values(), Decimal(0))
    return Estimate(model.id, total, total / workload.requests, parts, why, assumptions)
