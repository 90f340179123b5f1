"""MCP server for OpenRouter's model catalog."""

__version__ = "0.1.0"
