"""The answer deadline: no call waits long for a hung OpenRouter, and the fetch still lands.

The upstream is :class:`~tests.faulty_upstream.FaultyUpstream` in ``STALL`` mode: every request is
held until the test calls ``release()``. So the 0.5 s answer deadline fires because the fake
holds the request, never because the machine is slow; the request timeout and the fetch bound are
far longer than any test runs (:data:`NEVER`), so an answer that arrives at all arrived by the
deadline. How long the calls took is printed (``pytest -rP``), not asserted.
"""

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp_types import CallToolResult, TextResourceContents
from pydantic import SecretStr

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter
from .faulty_upstream import STALL, FaultyUpstream
from .helpers import structured, text_of

pytestmark = pytest.mark.anyio

DEADLINE = 0.5
NEVER = 600.0
"""Request timeout and fetch bound: no test lasts long enough for them to fire."""
GUARD = 60.0
MODELS, COUNT, USER = "/api/v1/models", "/api/v1/models/count", "/api/v1/models/user"
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "list": ("list_models", {"limit": 3}),
    "count": ("count_models", {}),
    "get": ("get_model", {"ids": ["openrouter/auto"]}),
    "user": ("list_models_for_user", {"limit": 2}),
}
SLOW_NOTE = "OpenRouter slow: no answer to {path} within 0.5 s; still fetching in the background"


def settings_for(url: str, *, cache_ttl: float = 300) -> Settings:
    return Settings(
        api_key=SecretStr(TEST_KEY),
        base_url=url,
        timeout=NEVER,
        total_timeout=NEVER,
        answer_timeout=DEADLINE,
        cache_ttl=cache_ttl,
    )


async def timed(call: Callable[[], Awaitable[CallToolResult]], times: list[float]) -> CallToolResult:
    start = time.monotonic()
    with anyio.fail_after(GUARD):
        result = await call()
    times.append(time.monotonic() - start)
    return result


async def every_tool(client: Client, times: list[float]) -> dict[str, CallToolResult]:
    """One call of each tool, all at once."""
    out: dict[str, CallToolResult] = {}

    async def one(name: str) -> None:
        tool, arguments = CALLS[name]
        out[name] = await timed(lambda: client.call_tool(tool, arguments), times)

    async with anyio.create_task_group() as group:
        for name in CALLS:
            group.start_soon(one, name)
    return out


async def wait_until(predicate: Callable[[], Awaitable[bool]]) -> None:
    with anyio.fail_after(GUARD):
        while True:
            if await predicate():
                return
            await anyio.sleep(0.02)


async def test_a_hung_upstream_with_a_cold_cache_gets_every_answer_by_the_deadline_then_fills_the_cache() -> None:
    times: list[float] = []
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY), default=STALL) as upstream:
        async with Client(create_server(settings_for(upstream.base_url)), cache=None) as client:
            first = await every_tool(client, times)
            with anyio.fail_after(GUARD):
                read = await client.read_resource("openrouter://models/openrouter/auto")
            again = await every_tool(client, times)  # the fetches are overdue: answered at once

            # Every fetch is still held by the fake, so every answer came from the deadline path.
            for name in ("list", "count", "get"):
                for result in (first[name], again[name]):
                    source = structured(result)["source"]
                    path = COUNT if name == "count" else MODELS
                    assert source["kind"] == "snapshot", source
                    assert source["note"] == SLOW_NOTE.format(path=path.removeprefix("/api/v1"))
                    assert "OFFLINE: bundled catalog snapshot of 2026-08-18 (OpenRouter slow: " in text_of(result)
            assert structured(first["get"])["models"][0]["id"] == "openrouter/auto"
            (content,) = read.contents
            assert isinstance(content, TextResourceContents)
            assert json.loads(content.text)["id"] == "openrouter/auto"
            for result in (first["user"], again["user"]):
                assert result.is_error
                assert text_of(result) == (
                    "Error executing tool list_models_for_user: OpenRouter is slow right now: /models/user gave no "
                    "answer within 0.5 s. The request goes on in the background; call this tool again in a few "
                    "seconds to get its answer."
                )

            upstream.release()  # OpenRouter answers at last: the background fetches fill the cache

            async def served(name: str) -> bool:
                tool, arguments = CALLS[name]
                result = await timed(lambda: client.call_tool(tool, arguments), times)
                return not result.is_error and structured(result)["source"]["kind"] in ("live", "cached")

            for name in CALLS:
                await wait_until(lambda name=name: served(name))
            after = {name: structured(await client.call_tool(*CALLS[name])) for name in CALLS}

    assert all(page["source"]["kind"] == "cached" for page in after.values())
    assert after["list"]["total"] == 414
    assert after["count"]["count"] == 414
    assert after["user"]["total"] == 549
    catalog = {path: n for path, n in upstream.counts.items() if path.startswith(MODELS)}
    datasets = {path: n for path, n in upstream.counts.items() if not path.startswith(MODELS)}
    assert catalog == {MODELS: 2, COUNT: 1, USER: 1}  # one fetch each: joined, never repeated
    assert datasets == {"/api/v1/benchmarks": 1, "/api/v1/datasets/rankings-daily": 1}  # get_model's, beside it
    print(f"calls: {len(times)}, slowest {max(times):.3f} s")


async def test_a_warm_cache_past_its_ttl_answers_at_once_while_the_upstream_hangs() -> None:
    times: list[float] = []
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY)) as upstream:
        settings = settings_for(upstream.base_url, cache_ttl=0)  # TTL 0: every call asks OpenRouter
        async with Client(create_server(settings), cache=None) as client:
            warm = structured(await timed(lambda: client.call_tool("count_models", {}), times))
            upstream.default = STALL
            slow = structured(await timed(lambda: client.call_tool("count_models", {}), times))
            upstream.release()

            async def fetched() -> bool:
                result = await timed(lambda: client.call_tool("count_models", {}), times)
                return structured(result)["source"]["kind"] == "live"

            await wait_until(fetched)

    assert warm["source"]["kind"] == "live"
    assert slow["count"] == warm["count"]
    assert slow["source"] == {
        "kind": "stale",
        "as_of": warm["source"]["as_of"],
        "note": "OpenRouter slow: no answer within 0.5 s; refreshing in the background",
    }
    print(f"calls: {len(times)}, slowest {max(times):.3f} s")


async def test_a_stuck_fetch_never_blocks_shutdown() -> None:
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY), default=STALL) as upstream:
        with anyio.fail_after(GUARD):  # shutdown waiting for the fetch would take NEVER seconds
            async with Client(create_server(settings_for(upstream.base_url)), cache=None) as client:
                page = structured(await client.call_tool("list_models", {"limit": 1}))
                user = await client.call_tool("list_models_for_user", {"limit": 1})

                async def both_held() -> bool:
                    return upstream.counts == {MODELS: 1, USER: 1}

                await wait_until(both_held)  # the server stops with both requests still held

    assert page["source"]["kind"] == "snapshot"
    assert user.is_error
