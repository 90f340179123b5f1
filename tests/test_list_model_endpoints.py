"""list_model_endpoints over a fake ``GET /models/{author}/{slug}/endpoints`` shaped by the spec's
``ListEndpointsResponse`` example: paths, the key sent only when configured, sorts, variants and
aliases, unknown IDs, missing statistics, caching and failures."""

from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter
from .helpers import call, poll, rows_of, server_for, structured, text_of

pytestmark = pytest.mark.anyio

SONNET = "anthropic/claude-sonnet-4.5"
ENDPOINTS = "/api/v1/models/anthropic/claude-sonnet-4.5/endpoints"


def endpoint_requests(upstream: FakeOpenRouter) -> list[httpx2.Request]:
    return [r for r in upstream.requests if r.url.path.endswith("/endpoints")]


async def test_with_a_key_every_column_is_shown_and_the_key_is_sent(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(client, "list_model_endpoints", {"id": SONNET})
    page = structured(result)

    (request,) = endpoint_requests(upstream)
    assert request.url.path == ENDPOINTS
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert page["model"] == SONNET
    assert page["columns"] == [
        "provider", "quant", "context", "max_output", "usd_in", "usd_out", "usd_cache_read", "status",
        "uptime_30m", "uptime_1d", "latency_ms", "tokens_s", "flags",
    ]  # fmt: skip
    anthropic, deepinfra = rows_of(page)  # cheapest first: DeepInfra is 1.2x dearer even after its 10% discount
    assert anthropic == {
        "provider": "anthropic", "quant": None, "context": 1_000_000, "max_output": 64_000,
        "usd_in": 3, "usd_out": 15, "usd_cache_read": 0.3, "status": 0, "uptime_30m": 99.5, "uptime_1d": 99.9,
        "latency_ms": 400, "tokens_s": 60, "flags": "C",
    }  # fmt: skip
    assert (deepinfra["usd_in"], deepinfra["usd_out"]) == (3.24, 16.2)  # 3 x 1.2 x 0.9, 15 x 1.2 x 0.9
    assert deepinfra["uptime_1d"] is None  # missing statistics stay unknown, never 0
    assert deepinfra["flags"] == "-include_reasoning"  # the parameter this endpoint lacks
    assert "notes" not in page
    text = text_of(result)
    assert text.startswith(f"2 endpoint(s) of {SONNET}, cheapest first. Data: live OpenRouter data")
    assert deepinfra["provider"] == "deepinfra/fp8"  # the tag: slug and variant, as provider routing takes it
    assert "anthropic - 1000000 64000 3 15 0.3 0 99.5 99.9 400 60 C" in text


async def test_without_a_key_nothing_is_sent_and_the_result_says_why_speed_is_missing(
    upstream: FakeOpenRouter,
) -> None:
    server = server_for(upstream)
    async with Client(server) as client:
        result = await call(client, "list_model_endpoints", {"id": SONNET})
    page = structured(result)

    (request,) = endpoint_requests(upstream)
    assert "authorization" not in request.headers
    assert "latency_ms" not in page["columns"]
    assert "tokens_s" not in page["columns"]
    note = "latency and throughput are shown to API-key holders only: set OPENROUTER_API_KEY to see them"
    assert page["notes"] == [note]
    assert note in text_of(result)
    for channel in (page["legend"], text_of(result).split("Columns: ")[1]):
        assert "latency_ms" not in channel  # a legend explains only the columns shown
        assert "tokens_s" not in channel
        assert "uptime_*: % of requests that succeeded" in channel


@pytest.mark.parametrize(
    ("sort", "first", "words"),
    [
        ("price", "anthropic", "cheapest first"),
        ("throughput", "deepinfra/fp8", "fastest first"),
        ("latency", "deepinfra/fp8", "lowest latency first"),
        ("uptime", "anthropic", "highest uptime first"),
    ],
)
async def test_each_sort_puts_the_best_first(client: Client, sort: str, first: str, words: str) -> None:
    result = await call(client, "list_model_endpoints", {"id": SONNET, "sort": sort})

    assert rows_of(structured(result))[0]["provider"] == first
    assert words in text_of(result).splitlines()[0]


async def test_variants_keep_their_suffix_and_aliases_ask_for_their_target(
    client: Client, upstream: FakeOpenRouter
) -> None:
    free = await call(client, "list_model_endpoints", {"id": "dots-studio/dots-3-note-preview:free"})
    alias = await call(client, "list_model_endpoints", {"id": "~deepseek/deepseek-v4-flash-latest"})

    paths = [r.url.path for r in endpoint_requests(upstream)]
    assert paths == [
        "/api/v1/models/dots-studio/dots-3-note-preview:free/endpoints",
        "/api/v1/models/deepseek/deepseek-v4-flash-0731/endpoints",
    ]
    assert structured(free)["model"] == "dots-studio/dots-3-note-preview:free"
    assert structured(alias)["model"] == "deepseek/deepseek-v4-flash-0731"
    assert "~deepseek/deepseek-v4-flash-latest is an alias of deepseek/deepseek-v4-flash-0731" in text_of(alias)


async def test_an_unknown_id_gets_close_matches_and_no_endpoints_request(
    client: Client, upstream: FakeOpenRouter
) -> None:
    result = await call(client, "list_model_endpoints", {"id": "claude-sonnet-4.5"})

    assert result.is_error
    assert "Unknown model ID 'claude-sonnet-4.5' (did you mean anthropic/claude-sonnet-4.5" in text_of(result)
    assert endpoint_requests(upstream) == []


async def test_a_model_the_upstream_does_not_know_is_said_plainly(client: Client, upstream: FakeOpenRouter) -> None:
    upstream.answer_with("/endpoints", 404, {"error": {"code": 404, "message": "Model not found"}})
    result = await call(client, "list_model_endpoints", {"id": SONNET})

    assert result.is_error
    assert (
        text_of(result)
        == f"Error executing tool list_model_endpoints: OpenRouter lists no endpoints for {SONNET!r} (HTTP 404)."
    )


async def test_answers_are_cached_and_an_earlier_answer_outlives_an_outage(upstream: FakeOpenRouter) -> None:
    now = [0.0]
    start = datetime(2026, 12, 1, tzinfo=UTC)
    server = server_for(
        upstream, api_key=SecretStr(TEST_KEY), cache_ttl=60, clock=lambda: start + timedelta(seconds=now[0])
    )
    with anyio.fail_after(60):
        async with Client(server) as client:
            live = structured(await call(client, "list_model_endpoints", {"id": SONNET}))
            cached = structured(await call(client, "list_model_endpoints", {"id": SONNET}))
            assert len(endpoint_requests(upstream)) == 1

            upstream.go_down()
            now[0] = 61  # past the TTL: a refresh is tried and fails; the old answer stays, labelled
            await call(client, "list_model_endpoints", {"id": SONNET})
            stale = await poll(
                client,
                "list_model_endpoints",
                {"id": SONNET},
                lambda r: "refresh failed" in r["source"].get("note", ""),
            )
            cold = await call(client, "list_model_endpoints", {"id": "openai/gpt-4o"})

    assert live["source"]["kind"] == "live"
    assert cached["source"]["kind"] == "cached"
    assert stale["source"]["kind"] == "stale"
    assert stale["rows"] == live["rows"]
    assert cold.is_error  # nothing fetched before, and no offline copy of endpoints exists
    assert "OpenRouter could not be used" in text_of(cold)
    assert text_of(cold).endswith("Only OpenRouter has this data: call again once it answers.")


async def test_offline_mode_says_the_tool_needs_openrouter() -> None:
    async with Client(create_server(Settings(offline=True))) as client:
        result = await call(client, "list_model_endpoints", {"id": SONNET})

    assert result.is_error
    assert text_of(result).endswith(
        "list_model_endpoints needs OpenRouter, and the server runs in offline mode: the network is not used. "
        "Start the server without --offline (and without OPENROUTER_OFFLINE=1) to use it."
    )


async def test_cells_that_would_say_nothing_are_left_out(client: Client, upstream: FakeOpenRouter) -> None:
    endpoint: dict[str, Any] = {
        "provider_name": "Google Vertex",  # no tag: the display name stands in
        "quantization": "unknown",  # the legend's null
        "context_length": 1_000_000,
        "max_completion_tokens": None,
        "pricing": {"prompt": "0.000003", "completion": "0.000015"},  # no cache-read price anywhere
        "status": 0,
        "supported_parameters": [],
        "uptime_last_30m": 100,
    }
    upstream.answer_with("/endpoints", 200, {"data": {"id": SONNET, "endpoints": [endpoint]}})
    page = structured(await call(client, "list_model_endpoints", {"id": SONNET}))

    assert "usd_cache_read" not in page["columns"]
    assert rows_of(page) == [
        {
            "provider": "Google Vertex", "quant": None, "context": 1_000_000, "max_output": None, "usd_in": 3,
            "usd_out": 15, "status": 0, "uptime_30m": 100, "uptime_1d": None, "latency_ms": None, "tokens_s": None,
            "flags": "",
        }
    ]  # fmt: skip
