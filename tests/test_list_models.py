"""list_models through a real in-memory MCP session against the fake upstream."""

from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp_types import CallToolResult

from .fake_upstream import FakeOpenRouter
from .helpers import call as call_tool
from .helpers import ids_of, rows_of, structured, text_of

pytestmark = pytest.mark.anyio


async def call(client: Client, arguments: dict[str, Any] | None = None) -> CallToolResult:
    return await call_tool(client, "list_models", arguments)


async def test_default_call_sends_no_filters_and_returns_first_25_text_models(
    client: Client, upstream: FakeOpenRouter
) -> None:
    page = structured(await call(client))

    assert upstream.paths == ["/api/v1/models"]
    assert upstream.params() == {}
    assert page["total"] == 414  # text models in the 2026-08-18 capture
    assert "offset" not in page  # absent when 0
    assert page["next_offset"] == 25
    assert len(page["rows"]) == 25
    assert page["columns"] == ["id", "context", "max_output", "usd_in", "usd_out", "flags"]
    assert page["rows"][0] == ["qwen/qwen3.8-27b", 262144, 131072, 0.45, 3.2, "tiv TSR"]
    assert page["source"]["kind"] == "live"


@pytest.mark.parametrize(
    ("arguments", "expected_params"),
    [
        ({"supported_parameters": ["tools", "response_format"]}, {"supported_parameters": "response_format,tools"}),
        ({"supported_parameters": "tools,seed"}, {"supported_parameters": "seed,tools"}),
        ({"output_modalities": ["image", "text"]}, {"output_modalities": "image,text"}),
        ({"output_modalities": ["all", "text"]}, {"output_modalities": "all"}),
        ({"input_modalities": ["image", "file"]}, {"input_modalities": "file,image"}),
        ({"min_context": 128000}, {"context": "128000"}),
        ({"max_price": 1}, {"max_price": "1"}),
        ({"max_price": 0.15}, {"max_price": "0.15"}),
        ({"model_authors": ["openai", "Anthropic", "openai"]}, {"model_authors": "anthropic,openai"}),
        ({"q": "  claude  "}, {"q": "claude"}),
        ({"category": "programming"}, {"category": "programming"}),
        ({"sort": "pricing-low-to-high"}, {"sort": "pricing-low-to-high"}),
        ({"limit": 5, "offset": 10}, {}),
    ],
)
async def test_each_filter_is_sent_upstream_as_the_api_expects(
    client: Client, upstream: FakeOpenRouter, arguments: dict[str, Any], expected_params: dict[str, str]
) -> None:
    result = await call(client, arguments)

    assert not result.is_error, text_of(result)
    # the /models request (media prices of the page's models may be asked after it)
    assert upstream.params(upstream.paths.index("/api/v1/models")) == expected_params


async def test_combined_filters_answer_the_headline_question(client: Client, upstream: FakeOpenRouter) -> None:
    page = structured(
        await call(client, {"supported_parameters": ["tools"], "min_context": 128000, "max_price": 1, "limit": 100})
    )

    assert upstream.params() == {"supported_parameters": "tools", "context": "128000", "max_price": "1"}
    assert page["total"] == len(upstream.select(upstream.params())) == 226
    assert len(page["rows"]) == 100
    for model in rows_of(page):
        assert "T" in model["flags"].split(" ")[-1]
        assert model["context"] >= 128000
        assert model["usd_in"] <= 1


async def test_pages_follow_next_offset_to_the_last_page_without_refetching_upstream(
    client: Client, upstream: FakeOpenRouter
) -> None:
    seen: list[str] = []
    page: dict[str, Any] = {}
    offset: int | None = 0
    pages = 0
    while offset is not None:
        page = structured(await call(client, {"output_modalities": ["audio"], "limit": 4, "offset": offset}))
        seen.extend(ids_of(page))
        offset = page.get("next_offset")
        pages += 1

    expected = [m["id"] for m in upstream.select({"output_modalities": "audio"})]
    assert seen == expected
    assert pages == -(-len(expected) // 4)
    assert "next_offset" not in page


async def test_offset_past_the_end_says_how_many_match(client: Client) -> None:
    result = await call(client, {"q": "claude", "offset": 10_000})
    page = structured(result)

    assert page["rows"] == []
    assert "next_offset" not in page
    assert f"only {page['total']} match" in text_of(result)


async def test_no_match_says_so_and_suggests_loosening(client: Client) -> None:
    result = await call(client, {"q": "no-such-model-anywhere"})

    assert structured(result)["total"] == 0
    assert "No model matches" in text_of(result)


async def test_text_is_a_table_with_one_row_per_model(client: Client) -> None:
    result = await call(client, {"limit": 3})
    lines = text_of(result).splitlines()

    assert lines[0].startswith(
        "Models 1-3 of 414, text output only (the default; output_modalities=['all'] for all); next page: "
        "offset=3. Data: live OpenRouter data"
    )
    assert lines[1] == "Columns: id context max_output usd_in usd_out [flags]"
    assert lines[2] == "qwen/qwen3.8-27b 262144 131072 .45 3.2 tiv TSR"
    assert lines[3] == "dots-studio/dots-3-note-preview:free 512000 = 0 0 ti TSR"
    assert len(lines) == 5  # what the cells mean is in the tool's description, paid once


@pytest.mark.parametrize("tool", ["list_models", "count_models"])
async def test_without_output_modalities_both_channels_say_only_text_output_models_are_counted(
    client: Client, tool: str
) -> None:
    default = await call_tool(client, tool, {"model_authors": ["openai"]})
    every = await call_tool(client, tool, {"model_authors": ["openai"], "output_modalities": ["all"]})

    assert structured(default)["note"] == "text output only (default); output_modalities=['all'] for all"
    assert "text output only (the default; output_modalities=['all'] for all)" in text_of(default)
    assert "note" not in structured(every)
    assert "text output only" not in text_of(every)


async def test_router_models_show_variable_prices_never_free_or_negative(client: Client) -> None:
    result = await call(client, {"q": "openrouter/auto", "output_modalities": ["all"]})
    page = structured(result)

    auto = next(m for m in rows_of(page) if m["id"] == "openrouter/auto")
    assert auto["usd_in"] == "variable"
    assert auto["usd_out"] == "variable"
    row = next(line for line in text_of(result).splitlines() if line.startswith("openrouter/auto "))
    assert " variable variable" in row
    assert "-1" not in row


async def test_the_rows_are_explained_once_in_the_tool_description(client: Client) -> None:
    page = structured(await call(client, {"output_modalities": ["all"], "limit": 100}))
    tools = {t.name: t.description or "" for t in (await client.list_tools()).tools}
    description = tools["list_models"]

    assert all(len(row) == len(page["columns"]) for row in page["rows"])
    assert "legend" not in page  # paid once per conversation, not on every call
    for needed in (
        "usd_in, usd_out: USD per 1M input/output tokens",  # the unit
        "context, max_output: tokens",
        "null or '-': unknown",
        "t=text i=image f=file a=audio v=video",  # every code
        "T=tools J=json mode S=structured outputs R=reasoning",
        "exp=removal date",
        "N/Mchars (USD per 1M input characters)",  # prices that are not per token
        "Bounds are inclusive",
        "offset=next_offset",  # where the next page starts
        "get_model",  # how to get details
    ):
        assert needed in description, needed
    assert "as list_models describes" in tools["list_models_for_user"]
    assert page["source"]["kind"] == "live"
    assert page["source"]["as_of"]
    assert (page["total"], page["next_offset"]) == (549, 100)
    for model in rows_of(page):
        assert not model["flags"].startswith("t>t")  # text-only modalities are not spelled out


@pytest.mark.parametrize(
    ("arguments", "must_mention"),
    [
        ({"category": "cooking"}, ["category", "'programming'", "'cooking'"]),
        ({"offset": -1}, ["offset", "greater than or equal to 0"]),
        ({"limit": 10_000}, ["limit", "less than or equal to 100"]),
        ({"limit": 0}, ["limit", "greater than or equal to 1"]),
        ({"min_context": "lots"}, ["min_context", "integer"]),
        ({"max_price": -1}, ["max_price", "greater than or equal to 0"]),
        ({"supported_parameters": ["tool"]}, ["supported_parameters", "'tools'"]),
        ({"output_modalities": ["smell"]}, ["output_modalities", "'all'"]),
        ({"sort": "best"}, ["sort", "'newest'"]),
        ({"q": "x" * 201}, ["q", "at most 200 characters"]),
        ({"model_authors": ["Open AI"]}, ["model_authors", "'open ai'"]),
        ({"min_ctx": 1000}, ["unknown argument", "min_ctx", "min_context"]),
    ],
)
async def test_invalid_arguments_get_a_correctable_tool_error_and_no_upstream_call(
    client: Client, upstream: FakeOpenRouter, arguments: dict[str, Any], must_mention: list[str]
) -> None:
    result = await call(client, arguments)

    assert result.is_error
    assert result.structured_content is None
    message = text_of(result)
    for needle in must_mention:
        assert needle in message
    assert "pydantic.dev" not in message
    assert len(message) < 600
    assert upstream.requests == []


@pytest.mark.parametrize(
    ("wrong", "meant"),
    [("supported_parameter", "supported_parameters"), ("max_prize", "max_price"), ("context", "min_context")],
)
async def test_a_misspelled_argument_is_answered_with_the_closest_name_before_the_full_list(
    client: Client, wrong: str, meant: str
) -> None:
    message = text_of(await call(client, {wrong: 1}))

    assert f"unknown argument(s) {wrong} (did you mean {meant}?). Valid: " in message
    assert message.index(meant) < message.index("Valid: ")


async def test_null_optional_arguments_mean_not_given(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(client, {"max_price": None, "q": None, "supported_parameters": None, "category": None})

    assert not result.is_error
    assert upstream.params() == {}


async def test_upstream_bad_request_is_reported_with_its_message(client: Client, upstream: FakeOpenRouter) -> None:
    upstream.fail = lambda _: httpx2.Response(400, json={"error": {"code": 400, "message": "Invalid sort"}})

    result = await call(client, {"sort": "newest"})

    assert result.is_error
    assert "OpenRouter rejected the query (HTTP 400: Invalid sort)" in text_of(result)
