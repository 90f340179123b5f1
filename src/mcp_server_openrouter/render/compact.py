"""Upstream :class:`Model` → what a language model sees. The one place that decides it.

A row carries what an agent needs to *choose* a model and nothing else: ID, context length,
max output tokens, input/output price in USD per million tokens, and ``flags`` (modalities,
capabilities and an expiration date as short codes). Clients give the model the text, the
structured content, or both (Claude Code only the JSON of ``structuredContent``,
anthropics/claude-code#79944; Gemini CLI and kimi-code only the text), so each rendering stands alone:

* :func:`row`, the cells of one row of ``structuredContent``'s ``rows`` (a JSON array under the
  page's ``columns``): ~28 cl100k tokens a model, where an object with keys cost ~50.
* :func:`table_row`, one line of the text table: the same cells space-separated, ``-`` for an
  unknown number, ``=`` for a max output equal to the context and no leading ``0`` before a
  price's decimal point (each a token saved): ~24 tokens.

Both are explained once, by :data:`ROW_LEGEND` in the description of the tools that return rows.

``bench/tokens.py`` measures both, and both together. The detail of ``get_model``
(:mod:`.detail`) shows the same facts in words.

Prices: the API sends USD *per token* as decimal strings; we multiply by 1,000,000 exactly in
``Decimal``. A negative price (``"-1"``, router models such as ``openrouter/auto``) means the price
depends on the model routed to: it is shown as ``"variable"``, never as free or negative.

Media prices (:attr:`Model.media`: video SKUs, image endpoints' prices, from outside the model list)
take the place of token prices a model does not have (:attr:`Model.media_priced`): each price is
``N/unit`` in its own unit (``0.5/generate``, ``0.04/image``, ``0.04/megapixel``; a per-token
image price per 1M tokens, ``5/Mtok``), at most :data:`MEDIA_CELL_PRICES` a cell, then ``+N``
for the others (``get_model`` has them all). Only a page that shows such a row explains them
(:func:`media_legend`, in its note), so pages without one cost what they always did.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal, overload

from pydantic import PlainSerializer, WithJsonSchema

from mcp_server_openrouter.openrouter.models import (
    MediaPrice,
    MediaPricing,
    Model,
    PriceOverride,
    PriceUnit,
    utc_minutes,
)

MILLION = Decimal(1_000_000)
VARIABLE = "variable"
UNLISTED = "unlisted"
PER_M_CHARS = "/Mchars"
PER_UNKNOWN = "/?"
UNIT_LEGEND = {
    PER_M_CHARS: "N/Mchars = USD per 1M characters of input text (speech models)",
    PER_UNKNOWN: "N/? = USD per a unit OpenRouter does not state (transcription: a second, minute or hour of audio, "
    "or a token)",
    UNLISTED: "unlisted = no price in OpenRouter's model list (see the model's page)",
}
"""What a price cell that is not per token means, by the mark it carries."""
MEDIA_CELL_PRICES = 2
"""Media prices a row shows in one cell; the others are counted (``+N``)."""
PER_M_TOKENS = "Mtok"
BILLABLES = frozenset({"output_image", "input_image", "input_font", "input_reference", "input_text"})
"""What an image price may bill, as the spec (2026-08-22) lists it: a row's cell shows these first."""
MEDIA_LEGEND = (
    "N/unit: a media price per that unit (image, megapixel, Mtok = 1M tokens: USD; any other unit is a video SKU "
    "as OpenRouter names it, no currency stated); +N: N more, get_model shows all"
)
"""What media price cells mean: said by a page that shows one (:func:`media_legend`), and only then."""

Capability = Literal["tools", "json", "structured", "reasoning"]

# supported_parameters that grant each capability flag, in display order.
CAPABILITY_PARAMETERS: dict[Capability, frozenset[str]] = {
    "tools": frozenset({"tools"}),
    "json": frozenset({"response_format"}),
    "structured": frozenset({"structured_outputs"}),
    "reasoning": frozenset({"reasoning", "include_reasoning", "reasoning_effort"}),
}
CAPABILITY_LETTERS: dict[Capability, str] = {"tools": "T", "json": "J", "structured": "S", "reasoning": "R"}

MODALITY_LETTERS = {"text": "t", "image": "i", "file": "f", "audio": "a", "video": "v"}
_MODALITY_ORDER = {name: index for index, name in enumerate(MODALITY_LETTERS)}

ROW_COLUMNS = ["id", "context", "max_output", "usd_in", "usd_out", "flags"]
TABLE_COLUMNS = "id context max_output usd_in usd_out [flags]"
ROW_LEGEND = (
    "Rows: id; context, max_output: tokens ('=': as context); usd_in, usd_out: USD per 1M input/output tokens, "
    "'variable' (the routed model's), N/Mchars (USD per 1M input characters), N/? (unstated unit), unlisted (not "
    "in this list) or N/unit (media: see note); when sorted or bounded by one, intelligence/coding/agentic "
    "(Artificial Analysis 0-100) or arena_elo (Design Arena); flags: input modalities, >outputs unless text "
    "(t=text i=image f=file a=audio v=video), T=tools J=json mode S=structured outputs R=reasoning, exp=removal "
    "date. null or '-': unknown. Bounds are inclusive. Next page: offset=next_offset; details: get_model."
)
"""What every cell of a list row means: said once, in the description of the tools that return rows
(``tools/list`` is read once per conversation; a result is paid on every call)."""


def plain_number(value: float) -> float | int:
    """3.0 → 3: one token instead of three, and the same number to any JSON reader."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


JsonNumber = Annotated[float, PlainSerializer(plain_number)]
"""A float that serializes integral values as integers."""
Usd = Annotated[JsonNumber | Literal["variable"], WithJsonSchema({"type": ["number", "string"]})]
"""A price, or ``"variable"`` (router models); published as number-or-string to keep schemas short."""


def per_million(price: Decimal | None) -> Decimal | Literal["variable"] | None:
    """USD per token → USD per million tokens, exactly. Negative means variable; None stays None."""
    if price is None:
        return None
    if price < 0:
        return VARIABLE
    return price * MILLION


def decimal_text(value: Decimal) -> str:
    """Plain, exact, shortest text of a decimal: 3.20000 → '3.2', 10 → '10', never '1E+1'."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


@overload
def json_number(value: Decimal | Literal["variable"]) -> float | Literal["variable"]: ...
@overload
def json_number(value: Decimal | Literal["variable"] | None) -> float | Literal["variable"] | None: ...
def json_number(value: Decimal | Literal["variable"] | None) -> float | Literal["variable"] | None:
    """An exact decimal as the JSON number a model reads (see :func:`plain_number`); others as they are."""
    return plain_number(float(value)) if isinstance(value, Decimal) else value


def number_text(value: float | str | None) -> str:
    """A number as plain text, never ``3.0`` or ``3.75e-07``; ``-`` when unknown; words as they are."""
    if value is None:
        return "-"
    return value if isinstance(value, str) else decimal_text(Decimal(repr(value)))


def capabilities(supported_parameters: list[str]) -> list[Capability]:
    """The capability flags a model's ``supported_parameters`` grant, in a stable order."""
    params = set(supported_parameters)
    return [cap for cap, grants in CAPABILITY_PARAMETERS.items() if params & grants]


def ordered(modalities: list[str]) -> list[str]:
    """Modalities in a fixed order (text, image, file, audio, video, then others by name)."""
    return sorted(modalities, key=lambda m: (_MODALITY_ORDER.get(m, len(_MODALITY_ORDER)), m))


def _modality_code(modalities: list[str]) -> str:
    return "".join(MODALITY_LETTERS.get(m, f"+{m}+") for m in modalities).replace("++", "+").strip("+")


def price_cell(price: Decimal | None, unit: PriceUnit) -> float | str | None:
    """One price as a row shows it: USD per 1M tokens (a number), ``variable`` (router models), or,
    for a price that is not per token (:data:`~..openrouter.models.PriceUnit`), a word that says its
    unit and can never be read as a token price: ``15/Mchars`` (USD per 1M characters of input
    text), ``0.006/?`` (USD per a unit OpenRouter does not state), ``unlisted`` (no price in the
    model list). ``None`` when unknown; 0 is 0 in any unit."""
    if unit == "unlisted":
        return UNLISTED
    if price is None or price < 0 or price == 0 or unit == "token":
        return json_number(per_million(price))
    if unit == "character":
        return f"{decimal_text(price * MILLION)}{PER_M_CHARS}"
    return f"{decimal_text(price)}{PER_UNKNOWN}"


def _hhmm(value: int | str | None) -> str:
    minutes = utc_minutes(value)
    return "?" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def window_text(override: PriceOverride) -> str | None:
    """A tier's daily window as people write it (``10:00-01:00 UTC``), whether its times came as
    HHMM numbers or as strings; ``None`` when the tier has no window."""
    if override.utc_start is None and override.utc_end is None:
        return None
    return f"{_hhmm(override.utc_start)}-{_hhmm(override.utc_end)} UTC"


def media_price_text(price: MediaPrice) -> str:
    """One media price as ``N/unit``: its amount as listed per its own unit, a per-token one per 1M
    tokens (``Mtok``)."""
    if price.usd and price.unit == "token":
        return f"{decimal_text(price.amount * MILLION)}/{PER_M_TOKENS}"
    return f"{decimal_text(price.amount)}/{price.unit}"


def media_cell(media: MediaPricing, side: str) -> str | None:
    """The ``side`` (``in``/``out``) prices of a media model, as a row shows them: the first
    :data:`MEDIA_CELL_PRICES` (for prices in USD, the lowest of each unit among the billables the
    spec documents: the "from" price across providers and variants), comma-separated, then ``+N``
    for the others; ``None`` when it has none."""
    prices = [p for p in media.prices if p.side == side]
    if not prices:
        return None
    shown: list[MediaPrice] = prices
    if all(p.usd for p in prices):
        lowest: dict[str, MediaPrice] = {}
        for price in [p for p in prices if p.what in BILLABLES] or prices:
            if price.unit not in lowest or price.amount < lowest[price.unit].amount:
                lowest[price.unit] = price
        shown = list(lowest.values())
    shown = shown[:MEDIA_CELL_PRICES]
    hidden = len(prices) - len(shown)
    return ",".join([*(media_price_text(p) for p in shown), *([f"+{hidden}"] if hidden else [])])


def media_legend(models: Iterable[Model]) -> str | None:
    """:data:`MEDIA_LEGEND` when one of ``models`` shows media prices in its row, else ``None``."""
    return MEDIA_LEGEND if any(m.media_priced for m in models) else None


def _price_cells(model: Model) -> tuple[float | str | None, float | str | None]:
    """The ``usd_in`` and ``usd_out`` cells: media prices when they take the token prices' place."""
    if model.media is not None and model.media_priced:
        return media_cell(model.media, "in"), media_cell(model.media, "out")
    return price_cell(model.pricing.prompt, model.price_unit), price_cell(
        model.pricing.completion, model.completion_unit
    )


def flags(model: Model) -> str:
    """Modalities (unless text-only), capability letters and expiry, as :data:`ROW_LEGEND` explains them."""
    inputs = ordered(model.architecture.input_modalities)
    outputs = ordered(model.architecture.output_modalities)
    parts: list[str] = []
    if (inputs or outputs) and (inputs != ["text"] or outputs != ["text"]):
        code = _modality_code(inputs) or "?"
        if outputs != ["text"]:
            code += ">" + (_modality_code(outputs) or "?")
        parts.append(code)
    caps = capabilities(model.supported_parameters)
    if "structured" in caps and "json" in caps:
        caps.remove("json")  # structured outputs are requested through response_format: S says both
    if caps:
        parts.append("".join(CAPABILITY_LETTERS[c] for c in caps))
    if model.expiration_date:
        parts.append(f"exp={model.expiration_date}")
    return " ".join(parts)


def row(model: Model) -> list[Any]:
    """The cells of :data:`ROW_COLUMNS` for one model, computed once per model (records are immutable).

    Callers must not mutate the returned list: it is shared by every answer that shows the model.
    """
    cached = model.memo.get("row")
    if cached is None:
        cached = model.memo["row"] = [
            model.id,
            model.context_length or None,
            model.top_provider.max_completion_tokens or None,
            *_price_cells(model),
            flags(model),
        ]
    return cached


def table_row(model: Model) -> str:
    """One line of the text table (columns as in :data:`TABLE_COLUMNS`), computed once per model."""
    cached = model.memo.get("table_row")
    if cached is None:
        cached = model.memo["table_row"] = _table_row(model)
    return cached


def _short_price(cell: str) -> str:
    # ".45": one token less than "0.45"; each price of a list of media prices alike
    return ",".join(part[1:] if part.startswith("0.") else part for part in cell.split(","))


def _table_row(model: Model) -> str:
    context = model.context_length or None
    max_output = model.top_provider.max_completion_tokens or None
    usd_in, usd_out = _price_cells(model)
    cells = [
        model.id,
        str(context or "-"),
        "=" if context and max_output == context else str(max_output or "-"),
        _short_price(number_text(usd_in)),
        _short_price(number_text(usd_out)),
    ]
    tail = flags(model)
    return " ".join([*cells, tail] if tail else cells)
