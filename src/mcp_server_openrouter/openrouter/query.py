"""What ``GET /models`` can be asked: :class:`ModelsQuery`, and the upstream's closed vocabularies.

The closed sets (categories, parameters, sorts, modalities) are those of OpenRouter's OpenAPI spec
(2026-08-22), as ``Literal`` types: the tools publish them as enums, so a wrong value is refused
with the allowed ones named.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, cast

from .models import INDICES

Category = Literal[
    "programming",
    "roleplay",
    "marketing",
    "marketing/seo",
    "technology",
    "science",
    "translation",
    "legal",
    "finance",
    "health",
    "trivia",
    "academia",
]
Parameter = Literal[
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "top_a",
    "frequency_penalty",
    "presence_penalty",
    "repetition_penalty",
    "max_tokens",
    "max_completion_tokens",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "prediction",
    "seed",
    "response_format",
    "structured_outputs",
    "stop",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "include_reasoning",
    "reasoning",
    "reasoning_effort",
    "web_search_options",
    "verbosity",
]
Sort = Literal[
    "most-popular",
    "newest",
    "top-weekly",
    "pricing-low-to-high",
    "pricing-high-to-low",
    "context-high-to-low",
    "throughput-high-to-low",
    "latency-low-to-high",
    "intelligence-high-to-low",
    "coding-high-to-low",
    "agentic-high-to-low",
    "design-arena-elo-high-to-low",
]
InputModality = Literal["text", "image", "file", "audio", "video"]
OutputModality = Literal["text", "image", "embeddings", "audio", "video", "rerank", "speech", "transcription", "all"]


def _join(values: tuple[str, ...]) -> str | None:
    return ",".join(values) if values else None


def _decimal_param(value: Decimal) -> str:
    # Plain notation: the API must never see "1E+1" or "1.0E-7".
    return format(value.normalize(), "f")


def _number_param(value: Decimal | int | None) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, int) else _decimal_param(value)


@dataclass(frozen=True, slots=True)
class ModelsQuery:
    """The filters ``GET /models`` understands (OpenAPI spec 2026-08-22), already validated; empty
    means "not sent".

    Field names are the upstream's query parameters, so :meth:`params` is a plain mapping. Being
    frozen and hashable, a query is also the natural cache key. Prices are USD per 1M tokens,
    rates fractions in [0, 1], indices Artificial Analysis scores.
    """

    category: str | None = None
    supported_parameters: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    input_modalities: tuple[str, ...] = ()
    sort: str | None = None
    q: str | None = None
    context: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    min_output_price: Decimal | None = None
    max_output_price: Decimal | None = None
    arch: str | None = None
    model_authors: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    distillable: bool | None = None
    zdr: bool | None = None
    """Only ``True`` is sent (the spec has no "false")."""
    region: str | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    min_intelligence_index: Decimal | None = None
    max_intelligence_index: Decimal | None = None
    min_coding_index: Decimal | None = None
    max_coding_index: Decimal | None = None
    min_agentic_index: Decimal | None = None
    max_agentic_index: Decimal | None = None
    min_tool_success_rate: Decimal | None = None
    max_tool_success_rate: Decimal | None = None

    def bounded_indices(self) -> list[str]:
        """The Artificial Analysis indices this query bounds (from below, above or both)."""
        return [
            name
            for name in INDICES
            if getattr(self, f"min_{name}_index") is not None or getattr(self, f"max_{name}_index") is not None
        ]

    def bounds_price(self) -> bool:
        """Whether this query bounds the input or output price (from below or above)."""
        bounds = (self.min_price, self.max_price, self.min_output_price, self.max_output_price)
        return any(bound is not None for bound in bounds)

    def params(self) -> dict[str, str]:
        """The query string as the API expects it: lists comma-joined, booleans ``true``/``false``,
        numbers in plain notation, absent filters omitted."""
        raw: dict[str, str | None] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, tuple):
                raw[name] = _join(cast(tuple[str, ...], value))
            elif isinstance(value, bool):
                raw[name] = "true" if value else (None if name == "zdr" else "false")
            elif isinstance(value, Decimal | int):
                raw[name] = _number_param(value)
            else:
                raw[name] = cast(str | None, value)
        return {key: value for key, value in raw.items() if value is not None}
