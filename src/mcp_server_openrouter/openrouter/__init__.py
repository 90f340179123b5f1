"""Typed client for OpenRouter's model catalog. Knows nothing of MCP."""

from .client import DEFAULT_BASE_URL, ModelsQuery, OpenRouterClient, RetryPolicy
from .endpoints import Endpoint, EndpointList, Percentiles, Provider
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    InvalidResponseError,
    MissingAPIKeyError,
    NotFoundError,
    OpenRouterError,
    PermissionDeniedError,
    RateLimitError,
)
from .models import INDICES, QUALITY_SORTS, Model, ModelList, Pricing, parse_model_list

__all__ = [
    "DEFAULT_BASE_URL",
    "INDICES",
    "QUALITY_SORTS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Endpoint",
    "EndpointList",
    "InternalServerError",
    "InvalidResponseError",
    "MissingAPIKeyError",
    "Model",
    "ModelList",
    "ModelsQuery",
    "NotFoundError",
    "OpenRouterClient",
    "OpenRouterError",
    "Percentiles",
    "PermissionDeniedError",
    "Pricing",
    "Provider",
    "RateLimitError",
    "RetryPolicy",
    "parse_model_list",
]
