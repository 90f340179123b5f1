"""Each channel of a result stands alone, and OPENROUTER_MCP_RESULTS sends one channel on request.

Claude Code gives the model only the JSON of ``structuredContent`` (anthropics/claude-code#79944);
kimi-code and hermes-agent only the text (MoonshotAI/kimi-code#3234, NousResearch/hermes-agent#96807);
opencode both (anomalyco/opencode#43123). So a model reading either channel alone must
learn the unit, every code, how fresh the data is, the total, where the next page starts and how
to get details; structured content must validate against the published ``outputSchema``; and a
text-only server must not publish a schema it does not honour.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import jsonschema
import pytest
from mcp import Client
from mcp_types import CallToolResult
from pydantic import SecretStr

from mcp_server_openrouter.config import Results, Settings, SettingsError

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter
from .helpers import call, ids_of, server_for, text_of

pytestmark = pytest.mark.anyio

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_models", {"limit": 5}),
    ("list_models", {"output_modalities": ["all"], "offset": 545}),  # the last page
    ("count_models", {"supported_parameters": ["tools"]}),
    ("get_model", {"ids": ["anthropic/claude-sonnet-4.5", "openrouter/auto"]}),
    ("list_models_for_user", {"limit": 3}),
]


@pytest.fixture(params=["both", "text", "structured"])
async def mode_client(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, Client]]:
    results: Results = request.param
    server = server_for(FakeOpenRouter(api_key=TEST_KEY), api_key=SecretStr(TEST_KEY), results=results)
    async with Client(server) as client:
        yield results, client


def texts(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def test_each_mode_sends_its_channels_and_publishes_only_schemas_it_honours(
    mode_client: tuple[str, Client],
) -> None:
    mode, client = mode_client
    schemas = {t.name: t.output_schema for t in (await client.list_tools()).tools}
    for tool, arguments in CALLS:
        result = await call(client, tool, arguments)
        assert not result.is_error, texts(result)
        if mode == "text":
            assert result.structured_content is None
            assert schemas[tool] is None
        else:
            assert result.structured_content is not None
            schema = schemas[tool]
            assert schema is not None
            validator: Any = jsonschema.Draft202012Validator(schema)
            validator.validate(result.structured_content)
        assert (texts(result) == "") == (mode == "structured")

    error = await call(client, "list_models", {"category": "cooking"})
    assert error.is_error
    assert error.structured_content is None  # errors are text in every mode
    assert "category" in text_of(error)


async def test_a_list_page_is_complete_in_each_channel_alone_beside_the_tool_description(client: Client) -> None:
    result = await call(client, "list_models", {"output_modalities": ["all"], "limit": 3, "offset": 3})
    text = texts(result)
    page = result.structured_content
    assert page is not None
    description = next(t.description or "" for t in (await client.list_tools()).tools if t.name == "list_models")

    # What never varies, the units and codes, is said once, where every client shows it: the description.
    for fact in (
        "USD per 1M input/output tokens",
        "t=text i=image f=file a=audio v=video",
        "T=tools J=json mode S=structured outputs R=reasoning",
        "offset=next_offset",
        "get_model",
    ):
        assert fact in description, fact
    # What varies is in each channel: freshness, the total, where the next page starts, the rows.
    for fact in ("Data: live OpenRouter data, ", "Models 4-6 of 549", "next page: offset=6"):
        assert fact in text, fact
    assert (page["total"], page["offset"], page["next_offset"]) == (549, 3, 6)
    assert page["source"]["kind"] == "live"
    assert page["source"]["as_of"][:10] in text  # the same date in both
    rows_in_text = text.splitlines()[2:5]
    assert [line.split(" ")[0] for line in rows_in_text] == ids_of(page)


async def test_freshness_says_why_in_each_channel_when_not_live(upstream: FakeOpenRouter) -> None:
    upstream.fail = lambda _request: httpx2.Response(503, json={"error": {"message": "down"}})
    server = server_for(upstream, api_key=SecretStr(TEST_KEY))
    async with Client(server) as client:
        result = await call(client, "count_models", {})
    assert result.structured_content is not None
    source = result.structured_content["source"]
    assert source["kind"] == "snapshot"
    assert source["note"].startswith("OpenRouter unavailable: OpenRouter answered HTTP 503")
    assert (
        texts(result) == "414 models match, text output only (the default; output_modalities=['all'] for all). "
        f"Data: OFFLINE: bundled catalog snapshot of 2026-08-18 ({source['note']})."
    )


@pytest.mark.parametrize(("value", "expected"), [("", "both"), ("TEXT", "text"), (" structured ", "structured")])
def test_the_results_setting_is_read_from_the_environment(value: str, expected: str) -> None:
    assert Settings.from_env({"OPENROUTER_MCP_RESULTS": value}).results == expected


def test_an_unknown_results_setting_is_refused_with_the_choices() -> None:
    with pytest.raises(SettingsError, match="OPENROUTER_MCP_RESULTS must be both, text or structured"):
        Settings.from_env({"OPENROUTER_MCP_RESULTS": "json"})
