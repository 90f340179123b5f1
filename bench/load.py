"""Load: 50 concurrent MCP clients x 20 calls each over streamable HTTP.

The server runs as its own process (``--transport streamable-http``) against a loopback fake of
OpenRouter serving the main snapshot. Two runs:

1. warm cache: every query answered once before the clock starts;
2. flapping upstream: every other upstream request fails with 503 and the cache TTL is 1 s, so
   refreshes (and their retries, and stale/snapshot fallbacks) happen throughout the run.

Both must finish with 0 errors. Prints p50/p99 latency and throughput. The numbers depend on
the machine (2 cores here, the clients share it with the server); compare runs, not absolutes.
Run: ``uv run python -m bench.load``.
"""

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client

from tests.fake_upstream import FakeOpenRouter, serve
from tests.processes import free_port, listening

ROOT = Path(__file__).resolve().parent.parent

CLIENTS = 50
CALLS_PER_CLIENT = 20
MIX: list[tuple[str, dict[str, Any]]] = [
    ("list_models", {}),
    ("list_models", {"supported_parameters": ["tools"], "min_context": 128000, "max_price": 1}),
    ("count_models", {}),
    ("get_model", {"ids": ["openrouter/auto"]}),
]


async def run_load(url: str) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0

    async def one_client(index: int) -> None:
        nonlocal errors
        async with Client(url, mode="legacy") as client:
            for call in range(CALLS_PER_CLIENT):
                tool, arguments = MIX[(index + call) % len(MIX)]
                started = time.perf_counter()
                try:
                    result = await client.call_tool(tool, arguments)
                    if result.is_error:
                        errors += 1
                except Exception:
                    errors += 1
                latencies.append(time.perf_counter() - started)

    with anyio.fail_after(600):
        async with anyio.create_task_group() as group:
            for index in range(CLIENTS):
                group.start_soon(one_client, index)
    return latencies, errors


async def warm(url: str) -> None:
    async with Client(url, mode="legacy") as client:
        for tool, arguments in MIX:
            await client.call_tool(tool, arguments)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def scenario(name: str, upstream: FakeOpenRouter, cache_ttl: float, tmp: str) -> str:
    port = free_port()
    command = [sys.executable, "-m", "mcp_server_openrouter", "--transport", "streamable-http", "--port", str(port)]
    with serve(upstream) as base_url:
        env = {
            **os.environ,
            "OPENROUTER_BASE_URL": base_url,
            "OPENROUTER_CACHE_TTL": str(cache_ttl),
            "OPENROUTER_CACHE_DIR": tmp,
        }
        with listening(command, port, env):
            url = f"http://127.0.0.1:{port}/mcp"
            anyio.run(warm, url)
            before = len(upstream.requests)
            started = time.perf_counter()
            latencies, errors = anyio.run(run_load, url)
            elapsed = time.perf_counter() - started
    calls = len(latencies)
    return (
        f"| {name} | {calls} | {errors} | {statistics.median(latencies) * 1000:.1f} | "
        f"{percentile(latencies, 0.99) * 1000:.1f} | {calls / elapsed:.0f} | {len(upstream.requests) - before} |"
    )


def main() -> None:
    import tempfile

    flapping = FakeOpenRouter()
    counter = [0]

    def every_other(request: httpx2.Request) -> httpx2.Response:
        counter[0] += 1
        if counter[0] % 2:
            return httpx2.Response(503, text="upstream connect error")
        return flapping.answer(request)

    flapping.fail = every_other
    rows = [
        "| run | calls | errors | p50 ms | p99 ms | calls/s | upstream requests |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(scenario(f"warm cache, {CLIENTS} clients x {CALLS_PER_CLIENT}", FakeOpenRouter(), 300, tmp))
        rows.append(scenario("upstream failing half the time, TTL 1 s", flapping, 1, tmp))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
