"""Every answer a client reads, for a fixed corpus of calls: the record that says a refactoring
changed nothing a model sees.

:func:`record` runs :data:`CALLS` (tools, errors, resources, completion and ``tools/list``) against
the fake upstream with a fixed clock, live and offline, through a real in-memory MCP client, and
returns what came back in every channel. ``tests/test_results_golden.py`` compares it with
``tests/data/results-golden.json``; after a change that is *meant* to alter answers, rewrite that
file with ``uv run python -m tests.golden`` and review the diff like any other change.
"""

import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server

from .fake_upstream import FakeOpenRouter

GOLDEN = Path(__file__).parent / "data" / "results-golden.json"
NOW = datetime(2026, 9, 1, 12, 0, 30, tzinfo=UTC)
KEY = "sk-or-v1-GOLDEN-0000000000000000"
BASE_URL = "http://fake-openrouter.test/api/v1"
PATIENT = 600.0
"""Answer deadline: generous, so that a busy machine never turns a live answer into an offline one."""

TOOL_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_models", {}),
    ("list_models", {"limit": 3}),
    ("list_models", {"supported_parameters": ["tools"], "min_context": 128000, "max_price": 1, "limit": 5}),
    ("list_models", {"output_modalities": ["all"], "limit": 4, "offset": 40}),
    ("list_models", {"output_modalities": ["image"], "limit": 5}),
    ("list_models", {"input_modalities": ["image", "file"], "limit": 4}),
    ("list_models", {"model_authors": ["openai"], "sort": "pricing-low-to-high", "limit": 6}),
    ("list_models", {"sort": "intelligence-high-to-low", "limit": 5}),
    ("list_models", {"min_coding_index": 40, "limit": 5}),
    ("list_models", {"sort": "design-arena-elo-high-to-low", "min_agentic_index": 30, "limit": 4}),
    ("list_models", {"q": "auto", "output_modalities": "all"}),
    ("list_models", {"q": "no-such-model-anywhere"}),
    ("list_models", {"limit": 5, "offset": 100000}),
    ("list_models", {"providers": ["deepinfra"], "limit": 2}),
    ("list_models", {"min_ctx": 5}),
    ("list_models", {"min_price": 5, "max_price": 1}),
    ("list_models", {"input_modalities": ["tools"]}),
    ("list_models", {"model_authors": ["Not A Slug!"]}),
    ("list_models", {"limit": 0}),
    ("count_models", {}),
    ("count_models", {"output_modalities": ["all"]}),
    ("count_models", {"supported_parameters": ["tools", "reasoning"]}),
    ("count_models", {"q": "gpt", "model_authors": "openai"}),
    ("get_model", {"ids": ["openai/gpt-4o"]}),
    ("get_model", {"ids": ["deepseek/deepseek-v4-pro", "qwen/qwen3.7-flash", "openrouter/auto"]}),
    ("get_model", {"ids": "~google/gemini-pro-latest"}),
    ("get_model", {"ids": ["openai/gpt-4o", "openai/gtp-4o", "nonsense"]}),
    ("list_models_for_user", {"limit": 3}),
    ("list_models_for_user", {"limit": 2, "offset": 10}),
    ("list_model_endpoints", {"id": "openai/gpt-4o"}),
    ("list_model_endpoints", {"id": "deepseek/deepseek-v4-pro", "sort": "throughput"}),
    ("list_model_endpoints", {"id": "~google/gemini-pro-latest", "sort": "uptime"}),
    ("list_model_endpoints", {"id": "openai/gpt4o"}),
    ("estimate_cost", {"ids": ["openai/gpt-4o", "openrouter/auto"], "input_tokens": 1000, "output_tokens": 500}),
    (
        "estimate_cost",
        {
            "ids": ["qwen/qwen3.7-flash", "x-ai/grok-4.6", "openai/gpt-5.5"],
            "input_tokens": 300000,
            "output_tokens": 2000,
            "cached_input_tokens": 100000,
            "cache_write_tokens": 1000,
            "cache_write_1h_tokens": 500,
            "reasoning_tokens": 1000,
            "requests": 7,
        },
    ),
    ("estimate_cost", {"ids": ["deepseek/deepseek-v4-pro"], "input_tokens": 5000, "output_tokens": 100}),
    (
        "estimate_cost",
        {"ids": ["deepseek/deepseek-v4-pro"], "input_tokens": 5000, "output_tokens": 100, "at_utc": "00:30"},
    ),
    ("estimate_cost", {"ids": ["openai/gpt-4o"], "input_images": 3, "web_searches": 2, "output_tokens": 10}),
    ("estimate_cost", {"ids": ["openai/gpt-4o"]}),
    ("estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": 10, "cached_input_tokens": 20}),
    ("estimate_cost", {"ids": ["openai/gpt-4o"], "at_utc": "25:00"}),
    ("recommend_models", {}),
    ("recommend_models", {"task": "agentic", "max_price": 1, "input_tokens": 20000, "output_tokens": 2000, "limit": 3}),
    ("list_models", {"output_modalities": ["speech", "transcription", "video"], "limit": 6}),
    ("list_model_rankings", {"limit": 5}),
    ("list_model_rankings", {"period": "month", "modality": "tool_calling", "limit": 3}),
    ("list_model_rankings", {"category": "legal", "period": "day"}),
    ("list_model_rankings", {"task": "all"}),
    ("recommend_models", {"task": "search", "limit": 3}),
    ("list_catalog_changes", {"since": "2026-01-01", "limit": 5}),
    ("list_catalog_changes", {"kinds": ["expiring"], "within_days": 365}),
    ("list_catalog_changes", {"ids": ["openai/gpt-4o", "nobody/never-was-1"], "kinds": ["price"]}),
]
OFFLINE_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_models", {"supported_parameters": ["tools"], "limit": 4}),
    ("list_models", {"category": "programming"}),
    ("list_models", {"sort": "most-popular"}),
    ("list_models", {"min_age_days": 30, "max_price": 2, "limit": 3}),
    ("count_models", {"output_modalities": ["all"]}),
    ("get_model", {"ids": ["openai/gpt-4o"]}),
    ("list_models_for_user", {}),
    ("list_model_endpoints", {"id": "openai/gpt-4o"}),
    ("estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": 1000}),
    ("recommend_models", {"task": "intelligence", "model_authors": ["openai", "google"]}),
    ("list_model_rankings", {}),
    ("list_catalog_changes", {"since": 30}),
]
CHANNEL_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_models", {"limit": 2}),
    ("get_model", {"ids": ["openai/gpt-4o"]}),
    ("estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": 10}),
]


def _dump(value: Any) -> Any:
    return value.model_dump(mode="json", by_alias=True, exclude_none=True)


async def _session(settings: Settings, upstream: FakeOpenRouter, run: Callable[[Client], Awaitable[None]]) -> None:
    server = create_server(settings, transport=upstream.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        await run(client)


async def _record(cache_dir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    upstream = FakeOpenRouter(api_key=KEY)
    live = Settings(api_key=SecretStr(KEY), base_url=BASE_URL, cache_dir=cache_dir / "live", answer_timeout=PATIENT)

    async def tools(client: Client, prefix: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
        for name, arguments in calls:
            result = await client.call_tool(name, arguments)
            out[f"{prefix}{name} {json.dumps(arguments, sort_keys=True)}"] = _dump(result)

    async def online(client: Client) -> None:
        out["tools/list"] = _dump(await client.list_tools())
        await tools(client, "", TOOL_CALLS)
        for uri in ("openrouter://models/openai/gpt-4o", "openrouter://models/~google/gemini-pro-latest"):
            out[f"read {uri}"] = _dump(await client.read_resource(uri))
        out["read openrouter://providers"] = _dump(await client.read_resource("openrouter://providers"))
        listed = await client.list_resources()
        out["resources/list"] = _dump(listed)
        out["resources/templates/list"] = _dump(await client.list_resource_templates())

    await _session(live, upstream, online)
    offline = Settings(base_url=BASE_URL, cache_dir=cache_dir / "offline", offline=True)
    await _session(offline, upstream, lambda client: tools(client, "offline ", OFFLINE_CALLS))
    for results in ("text", "structured"):
        settings = Settings(
            api_key=SecretStr(KEY),
            base_url=BASE_URL,
            cache_dir=cache_dir / results,
            answer_timeout=PATIENT,
            results=results,
        )
        await _session(settings, upstream, lambda client, r=results: tools(client, f"{r} ", CHANNEL_CALLS))
    return out


def record(cache_dir: Path) -> dict[str, Any]:
    """What every call of the corpus answers (see the module docstring)."""
    return anyio.run(_record, cache_dir)


def write(cache_dir: Path) -> None:
    GOLDEN.write_text(json.dumps(record(cache_dir), indent=1, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp))
    print(f"wrote {GOLDEN}", file=sys.stderr)
