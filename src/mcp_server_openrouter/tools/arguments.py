"""Tool arguments that mirror OpenRouter's ``GET /models`` filters, and their mapping upstream.

The closed sets (categories, parameters, sorts, modalities) are the upstream's own, defined with
:class:`~..openrouter.ModelsQuery`; being ``Literal`` types, the JSON schema lists the allowed
values and a wrong value is refused with them named. Optional arguments accept an explicit ``null`` as
"not given" (models often send it), although the published schema omits the ``null`` branch
to save tokens (see :mod:`.schema`).
"""

import inspect
import re
from collections.abc import Callable, Collection
from decimal import Decimal
from typing import Annotated, Any, Literal, cast, get_args

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BeforeValidator, Field

from mcp_server_openrouter.errortext import quote
from mcp_server_openrouter.openrouter import (
    INDICES,
    Category,
    InputModality,
    ModelsQuery,
    OutputModality,
    Parameter,
    Sort,
)


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
    Field(description="Any of; 'all' = every model; default text"),
]
InputModalities = Annotated[
    Annotated[list[InputModality], Field(max_length=len(get_args(InputModality)))] | None,
    CSV,
    Field(description="All of these"),
]
SupportedParameters = Annotated[
    Annotated[list[Parameter], Field(max_length=len(get_args(Parameter)))] | None,
    CSV,
    Field(description="All of these, e.g. ['tools']"),
]
FINITE = Field(allow_inf_nan=False)
"""Every number argument is finite. JSON has no NaN or Infinity, but Python's encoder writes them
and the SDK's parser reads them (``NaN``, ``Infinity``, and ``1e999``, which overflows to
infinity), as pydantic reads the strings 'nan' and 'inf'. NaN fails every bound, but infinity
passed ``ge=0``, and ``min_price=Infinity`` then answered with every model instead of none: a
nonsense answer, worse than an error. Pydantic's check publishes nothing in the schema."""
MinContext = Annotated[int | None, Field(description="Tokens", ge=1)]
# Descriptions are short on purpose: tools/list is paid in every conversation, and the argument's
# name already says min/max and what is bounded.
# The upper bound of a min_/max_ pair is described; its lower bound says the same by its name.
MaxPrice = Annotated[float | None, Field(description="USD/1M input tokens", ge=0), FINITE]
MinPrice = Annotated[float | None, Field(ge=0), FINITE]
MaxOutputPrice = Annotated[float | None, Field(description="USD/1M output tokens", ge=0), FINITE]
MinOutputPrice = MinPrice
MAX_AUTHORS = 50
AuthorSlug = Annotated[str, Field(max_length=64)]
ModelAuthors = Annotated[
    Annotated[list[AuthorSlug], Field(max_length=MAX_AUTHORS)] | None,
    CSV,
    Field(description="Any of, e.g. ['openai']"),
]
MAX_PROVIDERS = 50
Providers = Annotated[
    Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=MAX_PROVIDERS)] | None,
    CSV,
    Field(description="Any of, e.g. ['DeepInfra']"),
]
Arch = Annotated[str | None, Field(description="e.g. GPT, Claude, Llama", max_length=40)]
Distillable = Annotated[bool | None, Field(description="true: only these; false: none")]
Zdr = Annotated[bool | None, Field(description="true: zero data retention only")]
Region = Annotated[Literal["eu", "us"] | None, Field()]
AgeDays = Annotated[int | None, Field(description="Days since added", ge=0)]
MinAgeDays = Annotated[int | None, Field(ge=0)]
Index = Annotated[float | None, Field(description="0-100", ge=0), FINITE]
MinIndex = Annotated[float | None, Field(ge=0), FINITE]
Rate = Annotated[float | None, Field(description="Of tool calls, 0-1", ge=0, le=1), FINITE]
MinRate = Annotated[float | None, Field(ge=0, le=1), FINITE]


Search = Annotated[str | None, Field(description="In name or ID", max_length=200)]
CategoryArg = Annotated[Category | None, Field()]
SortArg = Annotated[Sort | None, Field(description="Default: newest first")]
Limit = Annotated[int, Field(description="Page size", ge=1, le=100)]
Offset = Annotated[int, Field(description="From next_offset", ge=0)]

FILTERS: dict[str, Any] = {
    "supported_parameters": SupportedParameters,
    "min_context": MinContext,
    "max_price": MaxPrice,
    "input_modalities": InputModalities,
    "output_modalities": OutputModalities,
    "model_authors": ModelAuthors,
    "q": Search,
    "category": CategoryArg,
    "min_price": MinPrice,
    "min_output_price": MinOutputPrice,
    "max_output_price": MaxOutputPrice,
    "arch": Arch,
    "providers": Providers,
    "distillable": Distillable,
    "zdr": Zdr,
    "region": Region,
    "min_age_days": MinAgeDays,
    "max_age_days": AgeDays,
    **{f"{bound}_{name}_index": MinIndex if bound == "min" else Index for name in INDICES for bound in ("min", "max")},
    "min_tool_success_rate": MinRate,
    "max_tool_success_rate": Rate,
}
"""Every filter of ``GET /models`` (OpenAPI spec 2026-08-22), by argument name: the one definition
that ``list_models`` and ``count_models`` share (:func:`with_arguments`). Names are the spec's,
except ``min_context`` (sent as ``context``, which alone would not say it is a minimum)."""

RANGES = [
    ("min_price", "max_price"),
    ("min_output_price", "max_output_price"),
    ("min_age_days", "max_age_days"),
    *((f"min_{name}_index", f"max_{name}_index") for name in INDICES),
    ("min_tool_success_rate", "max_tool_success_rate"),
]


def with_arguments(
    fn: Callable[..., Any],
    extra: dict[str, tuple[Any, Any]] | None = None,
    filters: Collection[str] = FILTERS.keys(),
) -> Callable[..., Any]:
    """Give ``fn(**arguments)`` the signature of the ``filters`` of :data:`FILTERS` (all defaulting
    to ``None``) plus ``extra`` (name → (annotation, default)): the SDK reads it to build the input
    schema and to validate the arguments it passes."""
    parameters = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
        for name, annotation in FILTERS.items()
        if name in filters
    ]
    parameters += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        for name, (annotation, default) in (extra or {}).items()
    ]
    return_annotation = inspect.signature(fn).return_annotation
    fn.__signature__ = inspect.Signature(parameters, return_annotation=return_annotation)  # type: ignore[attr-defined]
    return fn


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


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))


def _check_ranges(arguments: dict[str, Any]) -> None:
    for low, high in RANGES:
        bottom, top = arguments.get(low), arguments.get(high)
        if bottom is not None and top is not None and bottom > top:
            raise ToolError(
                f"{low} ({bottom:g}) is greater than {high} ({top:g}): no model can match; swap or drop one"
            )


def to_query(arguments: dict[str, Any]) -> ModelsQuery:
    """Validated filter arguments (names as in :data:`FILTERS`, plus ``sort``) → the normalized
    upstream query: lists deduplicated and sorted, strings trimmed, numbers exact."""
    get = arguments.get
    _check_ranges(arguments)
    outputs = _unique(list(get("output_modalities") or ()))
    if "all" in outputs:
        outputs = ("all",)
    q = (get("q") or "").strip() or None
    arch = (get("arch") or "").strip() or None
    providers = _unique([p.strip() for p in get("providers") or () if p.strip()])
    return ModelsQuery(
        category=get("category"),
        supported_parameters=_unique(list(get("supported_parameters") or ())),
        output_modalities=outputs,
        input_modalities=_unique(list(get("input_modalities") or ())),
        sort=get("sort"),
        q=q,
        context=get("min_context"),
        min_price=_decimal(get("min_price")),
        max_price=_decimal(get("max_price")),
        min_output_price=_decimal(get("min_output_price")),
        max_output_price=_decimal(get("max_output_price")),
        arch=arch,
        model_authors=_authors(get("model_authors")),
        providers=providers,
        distillable=get("distillable"),
        zdr=True if get("zdr") else None,
        region=get("region"),
        min_age_days=get("min_age_days"),
        max_age_days=get("max_age_days"),
        **{
            f"{bound}_{name}_index": _decimal(get(f"{bound}_{name}_index"))
            for name in INDICES
            for bound in ("min", "max")
        },
        min_tool_success_rate=_decimal(get("min_tool_success_rate")),
        max_tool_success_rate=_decimal(get("max_tool_success_rate")),
    )
