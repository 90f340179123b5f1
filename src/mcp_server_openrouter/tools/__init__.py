"""The MCP tools: one module per tool, each building its :class:`Tool` around a :class:`Catalog`."""

from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver.tools import Tool
from mcp_types import ToolAnnotations

from .schema import slim

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=True)


def build_tool(fn: Callable[..., Any], *, title: str) -> Tool:
    """Register-ready tool with slimmed input and output schemas (see :mod:`.schema`)."""
    tool = Tool.from_function(fn, title=title, annotations=READ_ONLY)
    tool.parameters = slim(tool.parameters)
    if tool.fn_metadata.output_schema is not None:
        tool.fn_metadata.output_schema = slim(tool.fn_metadata.output_schema)
    return tool
