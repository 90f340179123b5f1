"""Every error stays small whatever a careless agent sends, and the server keeps serving.

Junk goes to every argument of every tool (huge strings, long lists, nested objects, NUL and
emoji, wrong types, integers far past any bound), to tool and argument names, and to the resource
methods. Each answer is either a result or an error of at most 1,000 characters (tool error text,
or a protocol error's message and data) that says what was wrong, never the SDK's bare word for a
crash; after all of it, the server still answers correctly. ``tests/test_fuzz.py`` fuzzes the same
from each tool's published schema, and sends what the Python client cannot (NaN, raw lines).
"""

import json
from typing import Any

import anyio
import pytest
from mcp import Client, MCPError
from mcp_types import CallToolResult, ResourceTemplateReference

from mcp_server_openrouter.errortext import MAX_ERROR_CHARS, cap, closest, describe_invalid, quote
from mcp_server_openrouter.tools.arguments import FILTERS
from mcp_server_openrouter.tools.recommend_models import CONSTRAINTS

from .helpers import call, structured, text_of

pytestmark = pytest.mark.anyio

HUGE = "a" * 100_000
WEIRD = "\x00🦄\u202e\ud7ff" * 5_000
NESTED: dict[str, Any] = {"a": {"b": [1, 2, {"c": "x" * 10_000}], "d": None}}
JUNK: dict[str, Any] = {
    "huge-string": HUGE,
    "huge-csv": ",".join(f"item{i}" for i in range(20_000)),
    "nul-and-emoji": WEIRD,
    "short-nul-and-emoji": "\x00🦄",
    "repeated-list": ["tools"] * 1_000,
    "long-list": [f"value-{i}" for i in range(1_000)],
    "list-of-huge": [HUGE, HUGE],
    "nested-object": NESTED,
    "list-of-objects": [NESTED] * 100,
    "int": 123,
    "negative": -1,
    "huge-number": 1e308,
    "bool": True,
    "empty-list": [],
    "empty-string": "",
    # integers past 2^53 - 1 (SQLite's INTEGER ends at 2^63; str() refuses 4,300+ digits), the same
    # as a string (pydantic's lax mode reads it as an integer), a digit int() refuses, nested nulls
    "past-2^63": 2**63,
    "5,000-digits": 10**5000,
    "digits-as-string": "9" * 30,
    "superscript-two": "²:00",
    "superscript-one": "¹",
    "nested-nulls": [None, [None, {"a": None}], {"b": [None]}],
}
TOOL_ARGUMENTS = {
    "list_models": [*FILTERS, "sort", "limit", "offset"],
    "count_models": list(FILTERS),
    "get_model": ["ids"],
    "list_models_for_user": ["limit", "offset"],
    "list_model_endpoints": ["id", "sort"],
    "estimate_cost": [
        "ids",
        "input_tokens",
        "output_tokens",
        "requests",
        "cached_input_tokens",
        "cache_write_tokens",
        "cache_write_1h_tokens",
        "reasoning_tokens",
        "input_images",
        "output_images",
        "web_searches",
        "at_utc",
        "harness",
    ],
    "recommend_models": [*CONSTRAINTS, "task", "input_tokens", "output_tokens", "limit", "harness", "turns"],
    "list_model_rankings": ["period", "modality", "context_bucket", "category", "language_type", "task", "limit"],
    "list_catalog_changes": ["since", "kinds", "model_authors", "ids", "within_days", "limit", "offset"],
}
VALID: dict[str, dict[str, Any]] = {
    "get_model": {"ids": ["openrouter/auto"]},
    "estimate_cost": {"ids": ["openrouter/auto"], "input_tokens": 1},
    "list_model_endpoints": {"id": "anthropic/claude-sonnet-4.5"},
}
"""The other required arguments, so the junk is what the call is judged by."""
CASES = [
    pytest.param(tool, argument, id=f"{tool}-{argument}")
    for tool, arguments in TOOL_ARGUMENTS.items()
    for argument in arguments
]


def says_why(tool: str, result: CallToolResult) -> bool:
    """Whether an error result says what was wrong: ``Error executing tool X`` alone is how the
    SDK words a crash (the exception stays in the server's log)."""
    return text_of(result).startswith(f"Error executing tool {tool}: ")


def error_size(result: CallToolResult) -> int:
    """Characters of an error result as the model reads it (every text block)."""
    return sum(len(block.text) for block in result.content if block.type == "text")


async def test_the_junk_covers_every_argument_of_every_tool(client: Client) -> None:
    tools = {t.name: sorted(t.input_schema.get("properties", {})) for t in (await client.list_tools()).tools}
    assert tools == {tool: sorted(arguments) for tool, arguments in TOOL_ARGUMENTS.items()}


@pytest.mark.parametrize(("tool", "argument"), CASES)
async def test_junk_in_any_argument_gets_a_short_error_or_an_answer(client: Client, tool: str, argument: str) -> None:
    largest = 0
    for junk_name, junk in JUNK.items():
        result = await call(client, tool, {**VALID.get(tool, {}), argument: junk})
        if result.is_error:
            size = error_size(result)
            largest = max(largest, size)
            assert size <= MAX_ERROR_CHARS, (junk_name, text_of(result)[:300])
            assert says_why(tool, result), (junk_name, text_of(result))
            assert result.structured_content is None
            if isinstance(junk, str) and len(junk) > 1_000:
                assert junk[:1_000] not in text_of(result)  # quoted cut short, never echoed whole
        else:
            assert structured(result)["source"]["kind"] in ("live", "cached")
    assert structured(await call(client, tool, VALID.get(tool, {})))["source"]["kind"] in ("live", "cached")
    print(f"{tool}.{argument}: largest error {largest} characters")


async def test_the_examples_from_the_issue_are_small_and_say_what_is_wrong(client: Client) -> None:
    authors = await call(client, "list_models", {"model_authors": HUGE})
    modalities = await call(client, "list_models", {"input_modalities": ["tools"] * 1000})
    with anyio.fail_after(60), pytest.raises(MCPError) as caught:
        await client.read_resource("openrouter://models/" + HUGE)

    assert text_of(authors) == (
        "Error executing tool list_models: Invalid arguments: model_authors[0]: String should have at most 64 "
        f"characters (got {quote(HUGE)})"
    )
    assert text_of(modalities) == (
        "Error executing tool list_models: Invalid arguments: input_modalities[0]: Input should be 'text', "
        "'image', 'file', 'audio' or 'video' (got 'tools')"
    )
    error = caught.value.error
    assert len(error.message) <= MAX_ERROR_CHARS
    assert error.message.startswith("Unknown resource: openrouter://models/aaaa")
    assert error.message.endswith("(cut: 100,038 characters in all)")
    assert len(json.dumps(error.data, ensure_ascii=False)) <= MAX_ERROR_CHARS


async def test_many_distinct_bad_items_are_one_problem_with_a_count(client: Client) -> None:
    result = await call(client, "list_models", {"model_authors": [f"Bad Author {i}!" for i in range(40)]})
    many = await call(client, "get_model", {"ids": [f"nope/{i}" for i in range(10)]})

    assert text_of(result) == (
        "Error executing tool list_models: model_authors: 'bad author 0!' is not an author slug; use the part "
        "of a model ID before '/', e.g. 'openai' or 'meta-llama'"
    )
    assert many.is_error
    assert error_size(many) <= MAX_ERROR_CHARS


async def test_junk_names_and_resource_requests_get_short_errors(client: Client) -> None:
    unknown_tool = await client.call_tool(HUGE, {})
    unknown_arguments = await call(client, "list_models", {f"{HUGE}{i}": 1 for i in range(20)})
    with anyio.fail_after(60):
        completion = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri="openrouter://models/{+id}"),
            {"name": "id", "value": WEIRD},
        )
    errors: list[MCPError] = []
    for uri in ("openrouter://models/" + WEIRD, "openrouter://models/\x00", "openrouter://" + HUGE, HUGE):
        with anyio.fail_after(60), pytest.raises(MCPError) as caught:
            await client.read_resource(uri)
        errors.append(caught.value)
    with anyio.fail_after(60), pytest.raises(MCPError) as caught:
        await client.list_resources(cursor=HUGE)
    errors.append(caught.value)

    assert unknown_tool.is_error
    assert error_size(unknown_tool) <= MAX_ERROR_CHARS
    assert unknown_arguments.is_error
    assert error_size(unknown_arguments) <= MAX_ERROR_CHARS
    assert "and 17 more" in text_of(unknown_arguments)
    assert completion.completion.values == []
    for error in errors:
        assert len(error.error.message) <= MAX_ERROR_CHARS, error.error.message[:200]
        assert len(json.dumps(error.error.data, ensure_ascii=False)) <= MAX_ERROR_CHARS
    assert structured(await call(client, "count_models"))["count"] == 414


def test_quote_cuts_long_values_and_says_how_long_they_were() -> None:
    assert quote("short") == "'short'"
    assert quote("a" * 100_000) == "'" + "a" * 58 + "… (100,000 characters)"
    assert quote("x" * 100, 20) == "'xxxxxxxxxxxxxxxxxx… (100 characters)"
    assert quote(list(range(100)), 12) == "[0, 1, 2, 3…"
    # what repr() refuses is named, never raised: past 4,300 digits, nesting past the recursion limit
    assert quote(10**5000) == "<an integer of about 5,001 digits>"
    assert quote([-(10**5000)]) == "<a list too large or too deeply nested to show>"
    assert quote(10**30) == "1" + "0" * 30


def test_cap_keeps_short_text_and_cuts_long_text_to_the_limit() -> None:
    assert cap("fine") == "fine"
    long = cap("y" * 5000)
    assert len(long) == MAX_ERROR_CHARS
    assert long.endswith("… (cut: 5,000 characters in all)")


def test_describe_invalid_names_at_most_three_problems() -> None:
    from pydantic import BaseModel, ValidationError

    class Arguments(BaseModel):
        a: int
        b: int
        c: int
        d: int
        e: int

    with pytest.raises(ValidationError) as caught:
        Arguments.model_validate(dict.fromkeys("abcde", "x"))
    text = describe_invalid(caught.value)
    assert text.count("Input should be a valid integer") == 3
    assert text.endswith("; and 2 more problem(s)")


def test_closest_names_what_holds_the_word_then_what_looks_like_it() -> None:
    tags = ["code:debugging", "code:general_impl", "roleplay", "translation", "agent:web_search"]
    # A name without a ':' part is no hit for every word (its empty part is in every word).
    assert closest("debugging", tags) == ["code:debugging"]
    assert closest("code", tags)[:2] == ["code:debugging", "code:general_impl"]
    assert closest("translate", tags) == ["translation"]
    assert closest("claude-code-cli", ["claude-code", "cline"]) == ["claude-code"]
    assert closest("zzzz", tags) == tags[:3]  # nothing alike: the first ones, to show what there is
    assert closest("", tags, limit=2) == tags[:2]
