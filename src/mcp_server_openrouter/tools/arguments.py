"""Tool arguments that mirror OpenRouter's ``GET /models`` filters, and their mapping upstream.

The closed sets (categories, parameters, sorts, modalities) are those of OpenRouter's OpenAPI
spec (2026-08-22). They are ``Literal`` types so the JSON schema lists the allowed values and a
wrong value is refused with them named. Optional arguments accept an explicit ``null`` as
"not given" (models often send it), although the published schema omits the ``null`` branch
to save tokens (see :mod:`.schema`).
"""

import re
from decimal import Decimal
from typing import Annotated, Any, Literal, cast, get_args

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BeforeValidator, Field

from mcp_server_openrouter.errortext import quote
from mcp_server_openrouter.openrouter import ModelsQuery

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


def _split_csv(value: Any) -> Any:
    """Accept "tools,response_format" for a list (models often send the upstream's own spelling),
    and drop repeated items before the length bound is checked: every list filter is a set."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        items = cast(list[Any], value)
        if all(isinstance(item, str) for item in items):
            return list(dict.fromkeys(cast(list[str], items)))
    return cast(Any, value)


CSV = BeforeValidator(_split_csv)


# Every list is a set (repeats are dropped first), so its length is bounded by its allowed values.
OutputModalities = Annotated[
    Annotated[list[OutputModality], Field(max_length=len(get_args(OutputModality)))] | None,
    CSV,
    Field(description="Any of; 'all' = every model; omitted = text only"),
]
InputModalities = Annotated[
    Annotated[list[InputModality], Field(max_length=len(get_args(InputModality)))] | None,
    CSV,
    Field(description="Models accepting all of these"),
]
SupportedParameters = Annotated[
    Annotated[list[Parameter], Field(max_length=len(get_args(Parameter)))] | None,
    CSV,
    Field(description="Models supporting all of these, e.g. ['tools']"),
]
MinContext = Annotated[int | None, Field(description="Min context, tokens", ge=1)]
MaxPrice = Annotated[float | None, Field(description="Max input price, USD/1M tokens", ge=0)]
MAX_AUTHORS = 50
AuthorSlug = Annotated[str, Field(max_length=64)]
ModelAuthors = Annotated[
    Annotated[list[AuthorSlug], Field(max_length=MAX_AUTHORS)] | None,
    CSV,
    Field(description="Any of, e.g. ['openai','anthropic'] (ID before '/')"),
]
Search = Annotated[str | None, Field(description="Search in name or ID", max_length=200)]
CategoryArg = Annotated[Category | None, Field(description="Use case")]
SortArg = Annotated[Sort | None, Field(description="Omitted: newest first")]
Limit = Annotated[int, Field(description="Page size", ge=1, le=100)]
Offset = Annotated[int, Field(description="next_offset of the previous page", ge=0)]


AUTHOR_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def _unique(values: list[str] | None) -> tuple[str, ...]:
    # Sorted: every list filter is a set (any-of or all-of), so order must not split the cache.
    return tuple(sorted(set(values))) if values else ()


def _authors(values: list[str] | None) -> tuple[str, ...]:
    slugs = _unique([v.strip().lower() for v in values or ()])
    bad = [s for s in slugs if not AUTHOR_SLUG.match(s)]
    if bad:
        raise ToolError(
            f"model_authors: {quote(bad[0])} is not an author slug; use the part of a model ID before '/', "
            "e.g. 'openai' or 'meta-llama'"
        )
    return slugs


def to_query(
    *,
    output_modalities: list[OutputModality] | None = None,
    input_modalities: list[InputModality] | None = None,
    supported_parameters: list[Parameter] | None = None,
    min_context: int | None = None,
    max_price: float | None = None,
    model_authors: list[str] | None = None,
    q: str | None = None,
    category: Category | None = None,
    sort: Sort | None = None,
) -> ModelsQuery:
    """Validated tool arguments → the normalized upstream query (lists deduplicated and sorted)."""
    outputs = _unique(list(output_modalities or ()))
    if "all" in outputs:
        outputs = ("all",)
    return ModelsQuery(
        category=category,
        supported_parameters=_unique(list(supported_parameters or ())),
        output_modalities=outputs,
        input_modalities=_unique(list(input_modalities or ())),
        sort=sort,
        q=q.strip() if q and q.strip() else None,
        context=min_context,
        max_price=None if max_price is None else Decimal(repr(max_price)),
        model_authors=_authors(model_authors),
    )
