"""Upstream :class:`Model` → what a language model sees. The one place that decides it.

A record carries what an agent needs to *choose* a model and nothing else: ID, context length,
max output tokens, input/output price in USD per million tokens, modalities, capability flags and
an expiration date. Two renderings of the same record:

* :class:`CompactModel`, the structured record (``structuredContent``). Fields that are null,
  empty or default are omitted: modalities ``["text"]`` is the default, capability lists are
  omitted when empty.
* :func:`table_row`, one line of the text table that the model usually reads. Space-separated,
  ``-`` for an unknown number, modalities and capabilities as letter codes explained once in
  :data:`TABLE_LEGEND`. About 25 cl100k tokens a model, half of the JSON record's cost
  (``bench/tokens.py`` measures both).

Prices: the API sends USD *per token* as decimal strings; we multiply by 1,000,000 exactly in
``Decimal``. A negative price (``"-1"``, router models such as ``openrouter/auto``) means the price
depends on the model routed to: it is shown as ``"variable"``, never as free or negative.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from .openrouter.models import Model

MILLION = Decimal(1_000_000)
VARIABLE = "variable"

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

TABLE_COLUMNS = "id context max_output usd_in usd_out [modalities] [capabilities] [exp=expiration date]"
TABLE_LEGEND = (
    "usd_in/usd_out: USD per 1M input/output tokens ('variable' = depends on the routed model). "
    "'-' = unknown. modalities shown only when not text-only: inputs, then '>outputs' when not text "
    "(t=text i=image f=file a=audio v=video). capabilities: T=tools J=json mode (response_format) "
    "S=structured outputs (json schema) R=reasoning."
)


def _plain_number(value: float) -> float | int:
    # 3.0 → 3: one token instead of three, and the same number to any JSON reader.
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


JsonNumber = Annotated[float, PlainSerializer(_plain_number)]
"""A float that serializes integral values as integers."""
Usd = Annotated[JsonNumber | Literal["variable"], WithJsonSchema({"type": ["number", "string"]})]
"""A price, or ``"variable"`` (router models); published as number-or-string to keep schemas short."""
UsdPerMillion = Usd


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


def _json_number(value: Decimal | Literal["variable"] | None) -> float | Literal["variable"] | None:
    if not isinstance(value, Decimal):
        return value
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def capabilities(supported_parameters: list[str]) -> list[Capability]:
    """The capability flags a model's ``supported_parameters`` grant, in a stable order."""
    params = set(supported_parameters)
    return [cap for cap, grants in CAPABILITY_PARAMETERS.items() if params & grants]


def _ordered(modalities: list[str]) -> list[str]:
    return sorted(modalities, key=lambda m: (_MODALITY_ORDER.get(m, len(_MODALITY_ORDER)), m))


class CompactModel(BaseModel):
    """One model, as compact as it can be while still exact. Omitted fields are unknown/default."""

    model_config = ConfigDict(frozen=True)

    id: str
    context: int | None = Field(None, description="tokens")
    max_output: int | None = Field(None, description="tokens")
    usd_in: UsdPerMillion | None = Field(None, description="USD/1M input tokens")
    usd_out: UsdPerMillion | None = Field(None, description="USD/1M output tokens")
    inputs: list[str] | None = Field(None, description="omitted: text only")
    outputs: list[str] | None = Field(None, description="omitted: text only")
    caps: list[Capability] | None = None
    expires: str | None = Field(None, description="removal date")


def compact(model: Model) -> CompactModel:
    """Map an upstream record to its compact record (see the module docstring for the rules)."""
    inputs = _ordered(model.architecture.input_modalities)
    outputs = _ordered(model.architecture.output_modalities)
    caps = capabilities(model.supported_parameters)
    return CompactModel(
        id=model.id,
        context=model.context_length or None,
        max_output=model.top_provider.max_completion_tokens or None,
        usd_in=_json_number(per_million(model.pricing.prompt)),
        usd_out=_json_number(per_million(model.pricing.completion)),
        inputs=inputs if inputs and inputs != ["text"] else None,
        outputs=outputs if outputs and outputs != ["text"] else None,
        caps=caps or None,
        expires=model.expiration_date or None,
    )


def _modality_code(modalities: list[str]) -> str:
    return "".join(MODALITY_LETTERS.get(m, f"+{m}+") for m in modalities).replace("++", "+").strip("+")


def _price_cell(price: Decimal | None) -> str:
    value = per_million(price)
    if value is None:
        return "-"
    if value == VARIABLE:
        return VARIABLE
    assert isinstance(value, Decimal)
    return decimal_text(value)


def compact_json(model: Model) -> dict[str, Any]:
    """The compact record as JSON-ready data, computed once per model (records are immutable).

    Callers must not mutate the returned dict: it is shared by every answer that shows the model.
    """
    cached = model.memo.get("compact_json")
    if cached is None:
        cached = model.memo["compact_json"] = compact(model).model_dump(mode="json", exclude_none=True)
    return cached


def table_row(model: Model) -> str:
    """One line of the text table (columns as in :data:`TABLE_COLUMNS`), computed once per model."""
    cached = model.memo.get("table_row")
    if cached is None:
        cached = model.memo["table_row"] = _table_row(model)
    return cached


def _table_row(model: Model) -> str:
    inputs = _ordered(model.architecture.input_modalities)
    outputs = _ordered(model.architecture.output_modalities)
    cells = [
        model.id,
        str(model.context_length) if model.context_length else "-",
        str(model.top_provider.max_completion_tokens or "-"),
        _price_cell(model.pricing.prompt),
        _price_cell(model.pricing.completion),
    ]
    if (inputs or outputs) and (inputs != ["text"] or outputs != ["text"]):
        code = _modality_code(inputs) or "?"
        if outputs != ["text"]:
            code += ">" + (_modality_code(outputs) or "?")
        cells.append(code)
    caps = capabilities(model.supported_parameters)
    if "structured" in caps and "json" in caps:
        caps.remove("json")  # structured outputs are requested through response_format: S says both
    if caps:
        cells.append("".join(CAPABILITY_LETTERS[c] for c in caps))
    if model.expiration_date:
        cells.append(f"exp={model.expiration_date}")
    return " ".join(cells)
