"""Small helpers shared by the tool tests."""

from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client
from mcp_types import CallToolResult

TOOL_NAMES = [
    "list_models",
    "count_models",
    "get_model",
    "list_models_for_user",
    "list_model_endpoints",
    "estimate_cost",
]
"""Every tool, in the order tools/list gives them."""


async def call(client: Client, tool: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
    with anyio.fail_after(60):  # generous: a hang fails the test, a busy machine does not
        return await client.call_tool(tool, arguments or {})


def text_of(result: CallToolResult) -> str:
    block = result.content[0]
    assert block.type == "text"
    return block.text


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content


async def poll(
    client: Client, tool: str, arguments: dict[str, Any], done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Call ``tool`` until its structured answer satisfies ``done``: a background refresh (fetched,
    parsed in a worker thread, stored) has ended. Bounded generously: a hang fails the test."""
    with anyio.fail_after(60):
        while True:
            answer = structured(await call(client, tool, arguments))
            if done(answer):
                return answer
            await anyio.sleep(0.001)


def rows_of(page: dict[str, Any]) -> list[dict[str, Any]]:
    """A list page's rows as records keyed by its ``columns``."""
    columns: list[str] = page["columns"]
    return [dict(zip(columns, row, strict=True)) for row in page["rows"]]


def ids_of(page: dict[str, Any]) -> list[str]:
    """The model IDs of a list page, in order."""
    return [row[0] for row in page["rows"]]
