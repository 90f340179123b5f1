"""Small helpers shared by the tool tests."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult

from mcp_server_openrouter.catalog import utcnow
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server

from .conftest import FAKE_BASE_URL, FAST_RETRY
from .fake_upstream import FakeOpenRouter

TOOL_NAMES = [
    "list_models",
    "count_models",
    "get_model",
    "list_models_for_user",
    "list_model_endpoints",
    "estimate_cost",
    "recommend_models",
    "list_model_rankings",
    "list_catalog_changes",
]
"""Every tool, in the order tools/list gives them."""


class Clock:
    """An injected clock (what the answer cache and the outage window age by), moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def server_for(upstream: FakeOpenRouter, *, clock: Callable[[], datetime] = utcnow, **settings: Any) -> MCPServer[Any]:
    """A server whose OpenRouter is ``upstream`` (the fake): ``settings`` beside the fake's base URL,
    quick retries, and ``clock`` for the time the cache ages by."""
    return create_server(
        Settings(base_url=FAKE_BASE_URL, **settings), transport=upstream.transport(), retry=FAST_RETRY, clock=clock
    )


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


MEDIA_OUTPUTS = {"video", "rerank", "audio", "speech", "image", "transcription"}


def priced_per_token(record: dict[str, Any]) -> bool:
    """Whether a raw catalog record's prompt/completion prices are per token, by the rules OpenRouter's
    guides give (written here apart from the server's own code): speech models are priced per
    character, transcription models per an unstated unit, and media models listed at 0 that are no
    ``:free`` variant are priced outside the model list."""
    architecture: dict[str, Any] = record.get("architecture") or {}
    outputs: set[str] = set(architecture.get("output_modalities") or [])
    if outputs & {"speech", "transcription"}:
        return False
    pricing: dict[str, Any] = record.get("pricing") or {}
    prices = [v for k, v in pricing.items() if k not in ("overrides", "discount")]
    listed_at_zero = all(str(v).strip() in ("0", "0.0", "") for v in prices)
    return not (outputs & MEDIA_OUTPUTS and listed_at_zero and not str(record["id"]).endswith(":free"))
