"""The four prompts (slash commands): listed with their arguments, rendered with them inserted,
refusing what cannot be rendered with an error that says what to send, and naming only tools and
arguments that exist."""

import re

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, Tool

from mcp_server_openrouter.prompts import MAX_TEXT

from .fake_upstream import FakeOpenRouter
from .helpers import TOOL_NAMES

pytestmark = pytest.mark.anyio

EXPECTED = {
    "pick-model": [("task", True), ("budget", False), ("must_haves", False)],
    "compare-models": [("ids", True)],
    "workload-cost": [("workload", True), ("ids", False)],
    "whats-new": [("since", False)],
}
"""Every prompt, in the order prompts/list gives them, with its arguments and whether each is required."""
FULL = {
    "pick-model": {"task": "a coding agent", "budget": "under $1/M input", "must_haves": "tools, 128k context"},
    "compare-models": {"ids": "openai/gpt-4o,anthropic/claude-sonnet-4.5"},
    "workload-cost": {"workload": "2,000 in + 500 out tokens, 10k requests a day", "ids": "openai/gpt-4o"},
    "whats-new": {"since": "2026-11-01"},
}
"""Every argument of every prompt, as a user would type them."""
ASKED = {
    "pick-model": (
        "Pick an OpenRouter model for: a coding agent. Budget: under $1/M input. Must have: tools, 128k context."
    ),
    "compare-models": "Compare these OpenRouter models: openai/gpt-4o, anthropic/claude-sonnet-4.5.",
    "workload-cost": "Price this workload on openai/gpt-4o. Workload: 2,000 in + 500 out tokens, 10k requests a day.",
    "whats-new": "What changed in OpenRouter's catalog since 2026-11-01?",
}
"""The first line of each, rendered with :data:`FULL`."""
VARIANTS: list[tuple[str, dict[str, str]]] = [
    *FULL.items(),
    ("pick-model", {"task": "translation"}),
    ("compare-models", {"ids": "openai/gpt-4o, gpt 4o"}),
    ("workload-cost", {"workload": "1k in, 200 out"}),
    ("workload-cost", {"workload": "1k in, 200 out", "ids": "'claude sonnet'"}),
]
"""Arguments that reach every clause of every prompt."""


async def render(client: Client, name: str, arguments: dict[str, str] | None) -> str:
    result = await client.get_prompt(name, arguments)
    (message,) = result.messages
    assert message.role == "user"
    assert message.content.type == "text"
    return message.content.text


async def refused(client: Client, name: str, arguments: dict[str, str] | None) -> str:
    with pytest.raises(MCPError) as caught:
        await client.get_prompt(name, arguments)
    assert caught.value.error.code == INVALID_PARAMS
    return caught.value.error.message


async def test_prompts_list_gives_the_four_with_their_arguments_and_required_flags(client: Client) -> None:
    prompts = (await client.list_prompts()).prompts

    assert [p.name for p in prompts] == list(EXPECTED)
    for prompt in prompts:
        arguments = [(a.name, a.required is True) for a in prompt.arguments or []]
        assert arguments == EXPECTED[prompt.name]
        assert all(a.required in (True, None) for a in prompt.arguments or [])  # optional: the default, unsaid
        assert all(a.description for a in prompt.arguments or [])
        assert prompt.description
        assert "\n" not in prompt.description
        assert len(prompt.description) <= 60
        assert prompt.title is None  # Claude Code has used the title as the command's name


@pytest.mark.parametrize(("name", "arguments"), list(FULL.items()))
async def test_prompts_get_inserts_every_argument(client: Client, name: str, arguments: dict[str, str]) -> None:
    text = await render(client, name, arguments)

    asked, instructions = text.split("\n")  # what was asked, then what to do
    assert asked == ASKED[name]
    assert instructions.startswith(("If coding", "Call "))
    assert len(text) <= 600  # about 120 tokens


async def test_whats_new_defaults_to_the_last_7_days_and_takes_days(client: Client) -> None:
    assert (await render(client, "whats-new", {})).startswith("What changed in OpenRouter's catalog since 7 days ago?")
    days = await render(client, "whats-new", {"since": "30"})
    assert "since 30 days ago?" in days
    assert "list_catalog_changes(since='30')" in days


async def test_optional_arguments_left_out_leave_their_clause_out(client: Client) -> None:
    bare = await render(client, "pick-model", {"task": "translation"})
    empty = await render(client, "pick-model", {"task": "translation", "budget": "", "must_haves": "  "})
    unpriced = await render(client, "workload-cost", {"workload": "1k in"})

    assert bare == empty
    assert bare.startswith("Pick an OpenRouter model for: translation.\n")
    assert "Budget" not in bare
    assert "Must have" not in bare
    assert unpriced.startswith("Price this workload on 3-5 fitting models (pick them with recommend_models")
    assert unpriced == await render(client, "workload-cost", {"workload": "1k in", "ids": " , "})


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("openai/gpt-4o,anthropic/claude-sonnet-4.5", "openai/gpt-4o, anthropic/claude-sonnet-4.5"),
        ("  openai/gpt-4o   anthropic/claude-sonnet-4.5 ", "openai/gpt-4o, anthropic/claude-sonnet-4.5"),
        ('["openai/gpt-4o", "anthropic/claude-sonnet-4.5"]', "openai/gpt-4o, anthropic/claude-sonnet-4.5"),
        ("openai/gpt-4o;\n`openai/gpt-4o`, openai/gpt-4o:free", "openai/gpt-4o, openai/gpt-4o:free"),
        ("~anthropic/claude-haiku-latest openrouter/auto", "~anthropic/claude-haiku-latest, openrouter/auto"),
    ],
)
async def test_ids_are_split_at_commas_or_spaces_unwrapped_and_kept_whole(
    client: Client, typed: str, listed: str
) -> None:
    text = await render(client, "compare-models", {"ids": typed})

    assert text.startswith(f"Compare these OpenRouter models: {listed}.\n")
    assert "list_models(q)" not in text  # every item is an ID


async def test_names_that_are_not_ids_are_looked_up(client: Client) -> None:
    text = await render(client, "compare-models", {"ids": "openai/gpt-4o 'claude sonnet  4.5' gemini"})

    assert text.startswith(
        "Compare these OpenRouter models: openai/gpt-4o, claude sonnet 4.5, gemini. "
        "For names (not IDs), find the IDs with list_models(q).\n"
    )


async def test_free_text_is_one_line_with_single_spaces(client: Client) -> None:
    text = await render(client, "pick-model", {"task": "  a coding\n\tagent  ", "budget": " $1 / M "})

    assert text.startswith("Pick an OpenRouter model for: a coding agent. Budget: $1 / M.\n")


@pytest.mark.parametrize("arguments", [None, {}, {"task": ""}, {"task": " \n "}, {"budget": "$1"}])
async def test_a_missing_or_empty_required_argument_is_named(client: Client, arguments: dict[str, str] | None) -> None:
    message = await refused(client, "pick-model", arguments)

    assert message == "pick-model needs its task argument (e.g. coding agent)"


async def test_ids_that_name_no_model_or_too_many_are_refused(client: Client) -> None:
    assert (await refused(client, "compare-models", {"ids": " , [] "})).startswith("ids names no model; give model IDs")
    eleven = ",".join(f"author/model-{i}" for i in range(11))
    assert await refused(client, "workload-cost", {"workload": "1k in", "ids": eleven}) == (
        "ids names 11 models; at most 10 (what get_model and estimate_cost take)"
    )
    assert "at most 10 IDs" in await refused(client, "compare-models", {"ids": "a/b " * 1000})


async def test_too_long_a_text_is_refused_with_its_length(client: Client) -> None:
    message = await refused(client, "workload-cost", {"workload": "x" * 10_000})

    assert message == f"workload is 10,000 characters long; say it in at most {MAX_TEXT}"


async def test_unknown_arguments_and_prompts_are_refused_naming_the_valid_ones(client: Client) -> None:
    typo = await refused(client, "pick-model", {"task": "chat", "budgett": "$1"})
    unknown = await refused(client, "pick_model", {"task": "chat"})

    assert typo == "pick-model has no argument 'budgett'; its arguments: task, budget, must_haves"
    assert unknown == "Unknown prompt 'pick_model'; prompts: pick-model, compare-models, workload-cost, whats-new"
    long = await refused(client, "x" * 5000, {})
    assert len(long) < 150


async def test_rendering_asks_nothing_of_openrouter(upstream: FakeOpenRouter, client: Client) -> None:
    for name, arguments in VARIANTS:
        await render(client, name, arguments)

    assert upstream.paths == []


# What a rendered prompt says of tools: ``tool(argument, argument=value, ...)`` names a tool and its
# arguments; any other snake_case word (or `backticked` name) is a tool or an argument of one it names.
CALL = re.compile(r"\b([a-z][a-z0-9_]*)\(")
WORD = re.compile(r"`([^`]+)`|\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")


def _arguments(text: str, start: int) -> tuple[list[str], int]:
    """The comma-separated parts of the call whose "(" ends before ``start``, and where it ends."""
    parts: list[str] = []
    depth, current = 0, ""
    for index in range(start, len(text)):
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}" and depth:
            depth -= 1
        elif char == ")":
            return [*parts, current], index + 1
        if char == "," and not depth:
            parts.append(current)
            current = ""
        else:
            current += char
    raise AssertionError(f"unclosed call in {text!r}")


def unknown_references(text: str, tools: dict[str, Tool]) -> list[str]:
    """Every tool or argument ``text`` names that ``tools`` does not have."""
    problems: list[str] = []
    outside, named, position = "", set[str](), 0
    for call in CALL.finditer(text):
        tool = call.group(1)
        parts, end = _arguments(text, call.end())
        outside += text[position : call.start()] + " "
        position = end
        if tool not in tools:
            problems.append(f"tool {tool}")
            continue
        named.add(tool)
        for part in parts:
            argument = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)", part)
            if argument is None or argument.group(1) not in tools[tool].input_schema["properties"]:
                problems.append(f"{tool} argument {part.strip()!r}")
    outside += text[position:]
    arguments = {a for t in named for a in tools[t].input_schema["properties"]}
    for quoted, word in WORD.findall(outside):
        name = quoted or word
        if name not in tools and name not in arguments:
            problems.append(f"name {name}")
    return problems


async def test_prompts_name_only_tools_and_arguments_that_exist(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert list(tools) == TOOL_NAMES
    called: set[str] = set()

    for name, arguments in VARIANTS:
        text = await render(client, name, arguments)
        assert unknown_references(text, tools) == [], (name, text)
        called |= {m.group(1) for m in CALL.finditer(text)}

    assert called == {
        "recommend_models",
        "list_models",
        "get_model",
        "estimate_cost",
        "list_model_endpoints",
        "list_catalog_changes",
    }


async def test_pick_model_names_every_task_recommend_models_scores(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    tasks: list[str] = tools["recommend_models"].input_schema["properties"]["task"]["enum"]

    text = await render(client, "pick-model", {"task": "chat"})

    assert f"If {', '.join(tasks[:-1])} or {tasks[-1]} fits the task, call recommend_models(task," in text


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("Call list_modelz(q).", ["tool list_modelz"]),
        ("Call list_models(q, min_ctx=5).", ["list_models argument 'min_ctx=5'"]),
        ("Call get_model(ids=['a', 'b'], (x)).", ["get_model argument '(x)'"]),
        ("Call get_model(ids) with max_price.", ["name max_price"]),
        ("Call get_model(ids); set `sort`.", ["name sort"]),
        ("Call list_models(sort) and `sort`, then estimate_cost(ids, requests=7).", []),
    ],
)
async def test_the_reference_check_finds_what_does_not_exist(client: Client, text: str, problems: list[str]) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}

    assert unknown_references(text, tools) == problems


def test_unclosed_calls_are_reported() -> None:
    with pytest.raises(AssertionError, match="unclosed"):
        unknown_references("Call get_model(ids", {})
