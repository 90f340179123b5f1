"""``GET /models/{author}/{slug}/endpoints`` (spec: ``ListEndpointsResponse``, ``PublicEndpoint``)
and ``GET /providers``: who serves the models.

Parsed with the catalog's drift rules: unknown fields ignored, missing optional ones ``None``, one
malformed endpoint skipped (and logged) without sinking the list. Latency and throughput are
``null`` unless the request carried an API key (the spec says so); ``stats_visible`` records
whether it did.
"""

import logging
from typing import Annotated, Any, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .models import Lenient, Pricing, Score, StrList, envelope, mapping_or_none, records

logger = logging.getLogger(__name__)


Number = Score


class Percentiles(Lenient):
    p50: Number = None
    p75: Number = None
    p90: Number = None
    p99: Number = None


class Endpoint(Lenient):
    """One provider's endpoint of a model."""

    name: str = ""
    provider_name: str = ""
    tag: str = ""
    quantization: str | None = None
    context_length: Annotated[int, BeforeValidator(lambda v: v if isinstance(v, int) else 0)] = 0
    max_completion_tokens: int | None = None
    max_prompt_tokens: int | None = None
    pricing: Annotated[Pricing, BeforeValidator(lambda v: mapping_or_none(v) or {})] = Field(default_factory=Pricing)
    status: int | None = None
    """0 = normal; negative values are degraded states (the spec lists -1, -2, -3, -5, -10)."""
    uptime_last_5m: Number = None
    uptime_last_30m: Number = None
    uptime_last_1d: Number = None
    latency_last_30m: Annotated[Percentiles | None, BeforeValidator(mapping_or_none)] = None
    """Milliseconds to the first token; only with an API key."""
    throughput_last_30m: Annotated[Percentiles | None, BeforeValidator(mapping_or_none)] = None
    """Output tokens per second; only with an API key."""
    supports_implicit_caching: bool | None = None
    supported_parameters: StrList = Field(default_factory=list[str])


class EndpointList(BaseModel):
    """A parsed endpoints answer: the model's endpoints, and whether their speeds were shown."""

    model_config = ConfigDict(frozen=True)

    endpoints: list[Endpoint]
    stats_visible: bool = False


def parse_endpoints(payload: Any, *, stats_visible: bool) -> EndpointList:
    """Parse an endpoints body; raises ``ValueError`` when the envelope is unusable."""
    data: Any = envelope(payload).get("data")
    if not isinstance(data, dict):
        raise ValueError("the JSON object has no 'data' object")
    body = cast(dict[str, Any], data)
    records: Any = body.get("endpoints")
    if not isinstance(records, list):
        raise ValueError("'data' has no 'endpoints' list")
    endpoints: list[Endpoint] = []
    for index, record in enumerate(cast(list[Any], records)):
        try:
            endpoints.append(Endpoint.model_validate(record))
        except ValidationError:
            logger.warning("Skipped malformed endpoint #%d of %r", index, body.get("id"))
    return EndpointList(endpoints=endpoints, stats_visible=stats_visible)


class Provider(Lenient):
    """One inference provider (``GET /providers``); its ``name`` is what the ``providers`` filter takes."""

    name: str = ""
    slug: str = ""
    headquarters: str | None = None
    datacenters: StrList = Field(default_factory=list[str])
    privacy_policy_url: str | None = None
    terms_of_service_url: str | None = None
    status_page_url: str | None = None


def parse_providers(payload: Any) -> list[Provider]:
    """Parse a ``/providers`` body, skipping malformed entries; ``ValueError`` if the envelope is unusable."""
    providers: list[Provider] = []
    for record in records(envelope(payload)):
        try:
            providers.append(Provider.model_validate(record))
        except ValidationError:
            logger.warning("Skipped a malformed provider record")
    return providers
