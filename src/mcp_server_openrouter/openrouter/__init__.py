"""Typed client for OpenRouter's model catalog. Knows nothing of MCP."""

from .client import DEFAULT_BASE_URL, OpenRouterClient
from .datasets import OTHER, Period, RankingRow, Rankings, RankingsQuery
from .endpoints import Endpoint, EndpointList, Percentiles, Provider
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    InvalidRequestError,
    InvalidResponseError,
    MissingAPIKeyError,
    NotFoundError,
    OpenRouterError,
    PermissionDeniedError,
    RateLimitError,
)
from .models import INDICES, QUALITY_SORTS, Model, ModelList, PriceUnit, Pricing, parse_model_list
from .query import Category, InputModality, ModelsQuery, OutputModality, Parameter, Sort
from .retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "INDICES",
    "OTHER",
    "QUALITY_SORTS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Category",
    "Endpoint",
    "EndpointList",
    "InputModality",
    "InternalServerError",
    "InvalidRequestError",
    "InvalidResponseError",
    "MissingAPIKeyError",
    "Model",
    "ModelList",
    "ModelsQuery",
    "NotFoundError",
    "OpenRouterClient",
    "OpenRouterError",
    "OutputModality",
    "Parameter",
    "Percentiles",
    "Period",
    "PermissionDeniedError",
    "PriceUnit",
    "Pricing",
    "Provider",
    "RankingRow",
    "Rankings",
    "RankingsQuery",
    "RateLimitError",
    "RetryPolicy",
    "Sort",
    "parse_model_list",
]
