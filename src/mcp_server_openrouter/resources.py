"""Every model as an MCP resource: ``openrouter://models/{+id}``, listing, reading, completion.

* ``resources/templates/list`` offers the template (``{+id}``: IDs contain ``/``, ``:``, ``~``).
* ``resources/read`` returns the model's **full upstream record**, unmodified, plus the derived
  per-million prices under ``"derived"`` and, for a media model OpenRouter prices outside the
  model list, ``derived.media``: its prices (exact decimal strings, each with its unit), the
  upstream record they came from (the video model, or the image model's endpoints) and their
  ``source`` (kind, date, why); an unknown ID is the SDK's resource-not-found error with up to
  three close IDs in its message.
* ``resources/list`` pages through the full catalog with an opaque cursor. The order is by ID
  and the cursor is the last ID served, so following cursors yields each model exactly once even
  if the catalog is refreshed between pages (``MCPServer``'s own handler answers in one page and
  ignores cursors, so this module replaces it).
* ``completion/complete`` for the template's ``id``: prefix matches, then substring matches of ID
  or name, at most 100; empty input gives the newest models.
* ``openrouter://providers`` (first in ``resources/list``): OpenRouter's inference providers from
  ``GET /providers`` — name (what the ``providers`` filter takes), slug, headquarters,
  datacenters and policy URLs — cached and labelled like every answer; with nothing fetched yet
  and OpenRouter unreachable, reading it is an error saying so (no offline copy exists).
"""

import base64
import binascii
import bisect
import json
from decimal import Decimal
from typing import Any

import anyio
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.server.mcpserver.resources import ResourceSecurity
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    Completion,
    CompletionArgument,
    CompletionContext,
    ListResourcesResult,
    PaginatedRequestParams,
    PromptReference,
    Resource,
    ResourceTemplateReference,
)

from .catalog import Answer, Catalog, ModelSet, Provenance
from .errortext import quote
from .openrouter import Model, OpenRouterError, Provider
from .render.compact import decimal_text, per_million
from .render.detail import PER_TOKEN_PRICES, URI_PREFIX, detail, media_text, model_uri

TEMPLATE = URI_PREFIX + "{+id}"
PROVIDERS_URI = "openrouter://providers"
PROVIDERS = Resource(
    uri=PROVIDERS_URI,
    name="providers",
    title="OpenRouter providers",
    description="Every inference provider: name (as the providers filter takes it), slug, HQ, datacenters, policies.",
    mime_type="application/json",
)
MIME_TYPE = "application/json"
PAGE_SIZE = 100
MAX_COMPLETIONS = 100
_CURSOR_PREFIX = "after:"


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode((_CURSOR_PREFIX + last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The last ID of the previous page; ``MCPError(-32602)`` if the cursor is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw.startswith(_CURSOR_PREFIX):
        raise MCPError(code=INVALID_PARAMS, message="Invalid cursor: pass nextCursor from the previous page unchanged")
    return raw.removeprefix(_CURSOR_PREFIX)


def _price(value: Decimal | str | None) -> str:
    if value is None:
        return "?"
    return value if isinstance(value, str) else decimal_text(value)


def _one_line(model: Model) -> str:
    prompt, completion = per_million(model.pricing.prompt), per_million(model.pricing.completion)
    per_token = model.price_unit == "token" and not model.media_priced
    shown = detail(model)
    parts = [
        f"${_price(prompt)}/${_price(completion)} per 1M in/out"
        if per_token
        else f"price: {shown.price or shown.media}"
    ]
    if model.context_length:
        parts.insert(0, f"{model.context_length} ctx")
    outputs = model.architecture.output_modalities
    if outputs and outputs != ["text"]:
        parts.append("outputs " + "+".join(outputs))
    return ", ".join(parts)


def as_resource(model: Model) -> Resource:
    return Resource(
        uri=model_uri(model.id),
        name=model.id,
        title=model.name or model.id,
        description=_one_line(model),
        mime_type=MIME_TYPE,
    )


def derived_prices(model: Model) -> dict[str, Any]:
    """USD per 1M tokens for every per-token price the record has (``variable`` when negative);
    ``prompt`` and ``completion`` only when the model is priced per token (``Model.price_unit``)."""
    out: dict[str, Any] = {}
    keys = ("prompt", "completion") if model.price_unit == "token" and not model.media_priced else ()
    for key in (*keys, *PER_TOKEN_PRICES):
        value = per_million(getattr(model.pricing, key))
        if value is not None:
            out[key] = value if isinstance(value, str) else decimal_text(value)
    return out


def media_record(model: Model, provenance: Provenance | None) -> dict[str, Any] | None:
    """``derived.media``: the model's media prices (each ``amount`` an exact decimal string, with its
    ``unit``, and what, which variant and provider when known), in words, the upstream record they
    came from, and their ``source``; ``None`` without any."""
    media = model.media
    if media is None or not media.prices:
        return None
    prices = [p.model_dump(mode="json", exclude_none=True) for p in media.prices]
    for price, raw in zip(prices, media.prices, strict=True):
        price["amount"] = decimal_text(raw.amount)
    record: dict[str, Any] = {"from": media.source, "prices": prices, "text": media_text(media), "record": media.record}
    if provenance is not None:
        record["source"] = provenance.record()
    return record


def read_json(model: Model, media: Provenance | None = None) -> str:
    """The upstream record verbatim, plus ``derived.usd_per_million_tokens`` (exact decimal strings)
    and, for a model carrying media prices, ``derived.media`` (``media``: their provenance)."""
    body = dict(model.raw) if model.raw else model.model_dump(mode="json")
    derived: dict[str, Any] = {"usd_per_million_tokens": derived_prices(model)}
    shown = detail(model)
    if shown.price is not None:
        derived["price"] = shown.price
    prices = media_record(model, media)
    if prices is not None:
        derived["media"] = prices
    body["derived"] = derived
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def providers_json(providers: list[Provider], provenance: Provenance) -> str:
    """The provider list as compact JSON, with where it came from and when."""
    records = [p.model_dump(exclude_none=True, exclude_defaults=True) for p in providers]
    return json.dumps({"providers": records, "source": provenance.record()}, ensure_ascii=False, separators=(",", ":"))


def not_found(wanted: str, catalog: ModelSet) -> ResourceNotFoundError:
    close = catalog.close_matches(wanted)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Use list_models or resources/list to find IDs."
    return ResourceNotFoundError(f"Unknown model ID {quote(wanted)}.{hint}")


def complete_ids(catalog: ModelSet, prefix: str) -> Completion:
    """Prefix matches (in ID order), then substring matches of ID or display name; newest if empty."""
    needle = prefix.strip().lower()
    if not needle:
        values = [m.id for m in catalog.newest]
    else:
        starts = [i for i in catalog.sorted_ids if i.lower().lstrip("~").startswith(needle.lstrip("~"))]
        seen = set(starts)
        contains = [
            m.id for m in catalog.newest if m.id not in seen and (needle in m.id.lower() or needle in m.name.lower())
        ]
        values = starts + contains
    return Completion(values=values[:MAX_COMPLETIONS], total=len(values), has_more=len(values) > MAX_COMPLETIONS)


async def _full(catalog: Catalog) -> Answer[ModelSet]:
    """The full catalog, which answers from offline data when OpenRouter cannot; when not even that
    can be read, a resource error that says why (not the SDK's bare "Internal server error")."""
    try:
        return await catalog.full()
    except OpenRouterError as exc:
        raise ResourceError(f"The catalog could not be had: {exc}. Try again shortly.") from exc


def register(server: MCPServer[Any], catalog: Catalog) -> None:
    """Add the model template, paged listing and ID completion to ``server``."""

    @server.resource(
        TEMPLATE,
        name="model",
        title="OpenRouter model",
        description="One model's full OpenRouter record (every field the API sends) plus derived USD/1M-token prices.",
        mime_type=MIME_TYPE,
        # IDs are only dictionary keys here, never paths; "~anthropic/…" must not look like one.
        security=ResourceSecurity(exempt_params={"id"}),
    )
    async def read_model(id: str) -> str:
        started = anyio.current_time()
        full = await _full(catalog)
        model = full.value.by_id.get(id)
        if model is None:
            raise not_found(id, full.value)
        (priced,), media = await catalog.media([model], since=started)
        return read_json(priced, media)

    @server.resource(
        PROVIDERS_URI,
        name=PROVIDERS.name,
        title=PROVIDERS.title,
        description=PROVIDERS.description,
        mime_type=MIME_TYPE,
    )
    async def read_providers() -> str:
        try:
            answer = await catalog.providers()
        except OpenRouterError as exc:
            raise ResourceError(f"The provider list needs OpenRouter, and it could not be used: {exc}") from exc
        return providers_json(answer.value, answer.provenance)

    async def list_resources(ctx: ServerRequestContext[Any], params: PaginatedRequestParams) -> ListResourcesResult:
        after = decode_cursor(params.cursor) if params.cursor else None
        full = (await _full(catalog)).value
        ids = full.sorted_ids
        start = 0 if after is None else bisect.bisect_right(ids, after)
        page = ids[start : start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(ids)
        return ListResourcesResult(
            resources=[*([PROVIDERS] if after is None else []), *(as_resource(full.by_id[i]) for i in page)],
            next_cursor=encode_cursor(page[-1]) if more and page else None,
        )

    server._lowlevel_server.add_request_handler(  # pyright: ignore[reportPrivateUsage]
        "resources/list", PaginatedRequestParams, list_resources
    )

    @server.completion()
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        if not isinstance(ref, ResourceTemplateReference) or ref.uri != TEMPLATE or argument.name != "id":
            return None
        return complete_ids((await _full(catalog)).value, argument.value)
