"""The MCP tools: one module per tool, each building its :class:`~.base.CatalogTool` around a
:class:`~..catalog.Catalog`; :func:`build_tools` is the registry, in the order ``tools/list`` gives."""

from mcp.server.mcpserver.tools import Tool

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.config import Results

from . import (
    count_models,
    estimate_cost,
    get_model,
    list_catalog_changes,
    list_model_endpoints,
    list_model_rankings,
    list_models,
    list_models_for_user,
    recommend_models,
)
from .base import use_results

TOOLS = (
    list_models,
    count_models,
    get_model,
    list_models_for_user,
    list_model_endpoints,
    estimate_cost,
    recommend_models,
    list_model_rankings,
    list_catalog_changes,
)
TOOL_NAMES = tuple(tool.__name__.rpartition(".")[2] for tool in TOOLS)
"""Every tool's name (each module is named after its tool)."""
NEEDS_KEY = frozenset({"list_models_for_user", "list_model_rankings"})
"""The tools that cannot answer without an OpenRouter API key."""


def build_tools(catalog: Catalog, results: Results = "both") -> list[Tool]:
    """Every tool, sending the result channels ``results`` names."""
    return [use_results(tool.build(catalog), results) for tool in TOOLS]
