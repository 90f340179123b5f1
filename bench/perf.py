"""Speed, memory, scaling and upstream economy, each next to its floor measured in the same run.

Everything runs against a loopback fake of OpenRouter serving the main snapshot (549 models).
Figures depend on the machine; the ratios to the floors are what to compare. Run:
``uv run python -m bench.perf`` (or ``python3 dev.py bench``).

* warm latency: in-process (``Client(server)``) and over stdio (the SDK's client spawning the
  server), p50/p99 of N calls each, next to a one-line ``ping`` tool on the same SDK and client;
* cold start: process spawn to the first ``tools/list`` answer over stdio, next to Python
  importing ``mcp.server.mcpserver`` and exiting;
* memory: peak RSS of the server process after the full catalog is cached;
* scaling: synthetic catalogs of 5k/20k/50k models built from the real records: local
  filter + page, and a walk over every ``resources/list`` page;
* upstream economy: upstream requests for a scripted 50-call agent session;
* hung upstream: time to the first answer when OpenRouter accepts requests and never answers,
  with a cold cache (then a second tool right after) and with a warm cache past its TTL, next to
  the answer deadline (``OPENROUTER_ANSWER_TIMEOUT``, default 5 s).
"""

import copy
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from bench.floor_server import server as floor
from mcp_server_openrouter.catalog.answers import ModelSet
from mcp_server_openrouter.catalog.offline import filter_locally
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import ModelsQuery, parse_model_list
from mcp_server_openrouter.resources import PAGE_SIZE
from mcp_server_openrouter.server import build_server, create_server
from mcp_server_openrouter.tools.results import page_result
from tests.fake_upstream import FakeOpenRouter, load_snapshot, serve
from tests.faulty_upstream import OK, STALL, FaultyUpstream
from tests.processes import HANDSHAKE

ROOT = Path(__file__).resolve().parent.parent

WARM_CALLS = 200
# Never the user's real cache directory: these catalogs come from a fake upstream.
BENCH_CACHE = Path(tempfile.mkdtemp(prefix="openrouter-bench-"))
BENCH_SETTINGS = Settings(base_url="http://fake.test/api/v1", cache_dir=BENCH_CACHE)
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("list_models default", "list_models", {}),
    (
        "list_models 3 filters",
        "list_models",
        {"supported_parameters": ["tools"], "min_context": 128000, "max_price": 1},
    ),
    ("count_models", "count_models", {}),
    ("get_model", "get_model", {"ids": ["anthropic/claude-sonnet-4.5"]}),
]
READ_URI = "openrouter://models/anthropic/claude-sonnet-4.5"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def timed(fn: Callable[[], Awaitable[object]], n: int) -> list[float]:
    for _ in range(5):
        await fn()
    out: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def latency_row(label: str, samples: list[float], floor: list[float], target: str, digits: int = 2) -> str:
    """One table row: p50/p99 of ``samples`` beside the floor's and their ratios."""
    p50, p99 = statistics.median(samples), pct(samples, 0.99)
    floor_p50, floor_p99 = statistics.median(floor), pct(floor, 0.99)
    return (
        f"| {label}, p50 / p99 | {p50:.{digits}f} / {p99:.{digits}f} ms | "
        f"{floor_p50:.{digits}f} / {floor_p99:.{digits}f} ms | "
        f"{p50 / floor_p50:.2f} / {p99 / floor_p99:.2f} | {target} |"
    )


async def latency_rows(client: Client, label: str, floor: list[float]) -> list[str]:
    target = "p50 <= 1 ms" if label == "in-process" else "p50 <= 1.5x, p99 <= 3x floor"
    rows: list[str] = []
    for name, tool, args in CALLS:
        samples = await timed(lambda tool=tool, args=args: client.call_tool(tool, args), WARM_CALLS)
        rows.append(latency_row(f"{label} {name}", samples, floor, target))
    samples = await timed(lambda: client.read_resource(READ_URI), WARM_CALLS)
    rows.append(latency_row(f"{label} resources/read", samples, floor, target))
    return rows


async def floor_samples(client: Client) -> list[float]:
    return await timed(lambda: client.call_tool("ping", {}), WARM_CALLS)


async def warm_up(client: Client) -> None:
    for _, tool, args in CALLS:
        await client.call_tool(tool, args)
    await client.read_resource(READ_URI)


async def in_process(upstream: FakeOpenRouter) -> list[str]:
    async with Client(floor, cache=None) as floor_client:
        floor_times = await floor_samples(floor_client)
    server = create_server(BENCH_SETTINGS, transport=upstream.transport())
    async with Client(server, cache=None) as client:
        await warm_up(client)
        before = len(upstream.requests)
        rows = await latency_rows(client, "in-process", floor_times)
        assert len(upstream.requests) == before, "a warm call touched the upstream"
    rows += await server_side(upstream, floor)  # pyright: ignore[reportUnknownArgumentType]
    return rows


async def server_side(upstream: FakeOpenRouter, floor: Any) -> list[str]:
    """The server's own share: ``MCPServer.call_tool`` with no client, no protocol framing."""
    server, catalog = build_server(BENCH_SETTINGS, transport=upstream.transport())
    floor_times = await timed(lambda: floor.call_tool("ping", {}), WARM_CALLS)
    rows: list[str] = []
    async with catalog.running():
        for name, tool, args in CALLS:
            samples = await timed(lambda tool=tool, args=args: server.call_tool(tool, args), WARM_CALLS)
            rows.append(latency_row(f"server only {name}", samples, floor_times, "(our share)", digits=3))
    return rows


def stdio_params(args: list[str], env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=args, env=env, cwd=str(ROOT))


async def over_stdio(env: dict[str, str]) -> list[str]:
    async with Client(stdio_params([str(ROOT / "bench/floor_server.py")], env), cache=None) as floor_client:
        floor_times = await floor_samples(floor_client)
    async with Client(stdio_params(["-m", "mcp_server_openrouter"], env), cache=None) as client:
        await warm_up(client)
        return await latency_rows(client, "stdio", floor_times)


def cold_start(env: dict[str, str], runs: int = 15) -> str:
    messages = [*HANDSHAKE, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]
    init = "".join(json.dumps(m) + "\n" for m in messages)

    def spawn_to_tools_list() -> float:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "mcp_server_openrouter"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(init)
        process.stdin.flush()
        for line in process.stdout:
            if '"id":2' in line.replace(" ", ""):
                break
        elapsed = (time.perf_counter() - started) * 1000
        process.stdin.close()
        process.wait(timeout=10)
        process.stdout.close()
        return elapsed

    def import_floor() -> float:
        # Timed like the server: from spawn until the process says it is ready, not until it exits.
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", "import mcp.server.mcpserver; print('ready', flush=True)"],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert process.stdout is not None
        process.stdout.readline()
        elapsed = (time.perf_counter() - started) * 1000
        process.wait(timeout=10)
        process.stdout.close()
        return elapsed

    # Interleaved pairs, and the median of each pair's difference: this machine's speed drifts by
    # 200 ms between batches, which two separate medians would report as our cost.
    pairs = [(spawn_to_tools_list(), import_floor()) for _ in range(runs)]
    server = statistics.median(p[0] for p in pairs)
    floor = statistics.median(p[1] for p in pairs)
    extra = statistics.median(p[0] - p[1] for p in pairs)
    return (
        f"| cold start: spawn to first tools/list ({runs} interleaved pairs) | {server:.0f} ms | {floor:.0f} ms "
        f"(import SDK) | {extra:+.0f} ms (median difference) | <= +150 ms |"
    )


async def peak_rss(env: dict[str, str]) -> str:
    async with Client(stdio_params(["-m", "mcp_server_openrouter"], env)) as client:
        await warm_up(client)
        cursor: str | None = None
        while True:
            page = await client.list_resources(cursor=cursor)
            if (cursor := page.next_cursor) is None:
                break
        pids = subprocess.run(
            ["pgrep", "-f", "-n", "mcp_server_openrouter"], capture_output=True, text=True
        ).stdout.split()
        status = Path(f"/proc/{pids[-1]}/status").read_text()
        hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return f"| memory: peak RSS, full catalog cached | {hwm / 1024:.0f} MB | | | <= 120 MB |"


def synthetic(n: int) -> list[dict[str, Any]]:
    base = load_snapshot()
    out: list[dict[str, Any]] = []
    for i in range(n):
        record = copy.deepcopy(base[i % len(base)])
        if i >= len(base):
            record["id"] = f"{record['id']}@{i // len(base)}"
        out.append(record)
    return out


def scaling_rows() -> list[str]:
    rows: list[str] = []
    first: dict[str, float] = {}
    query = ModelsQuery(supported_parameters=("tools",), context=128000, max_price=None, output_modalities=("all",))
    for n in (5_000, 20_000, 50_000):
        models = parse_model_list({"data": synthetic(n)}).models
        runs: list[float] = []
        for _ in range(7):
            started = time.perf_counter()
            selected = filter_locally(models, query)
            page_result(selected, _provenance(), offset=100, limit=25)
            runs.append((time.perf_counter() - started) * 1000)
        filter_ms = statistics.median(runs)
        started = time.perf_counter()
        full = ModelSet(models)
        build_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        import bisect

        pages = 0
        after = ""
        while True:
            start = bisect.bisect_right(full.sorted_ids, after) if after else 0
            page = full.sorted_ids[start : start + PAGE_SIZE]
            if not page:
                break
            after = page[-1]
            pages += 1
        walk_ms = (time.perf_counter() - started) * 1000
        first.setdefault("filter", filter_ms / n)
        first.setdefault("walk", walk_ms / n)
        rows.append(
            f"| scaling {n // 1000}k: filter + page / index build / walk {pages} resource pages | "
            f"{filter_ms:.1f} / {build_ms:.1f} / {walk_ms:.1f} ms | 5k: per-model cost x1 | "
            f"x{(filter_ms / n) / first['filter']:.2f} / - / x{(walk_ms / n) / first['walk']:.2f} "
            f"| <= 50 ms at 50k, linear |"
        )
    return rows


def _provenance() -> Any:
    from datetime import UTC, datetime

    from mcp_server_openrouter.catalog.answers import Provenance

    return Provenance("live", datetime.now(UTC))


async def economy(upstream: FakeOpenRouter) -> str:
    server = create_server(BENCH_SETTINGS, transport=upstream.transport())
    script: list[tuple[str, dict[str, Any]]] = []
    variants: list[tuple[str, dict[str, Any]]] = [
        ("list_models", {}),
        ("list_models", {"offset": 25}),
        ("list_models", {"supported_parameters": ["tools"], "min_context": 128000}),
        ("list_models", {"min_context": 128000, "supported_parameters": "tools", "offset": 25}),
        ("count_models", {}),
        ("count_models", {"supported_parameters": ["tools"]}),
        ("get_model", {"ids": ["openai/gpt-4o"]}),
        ("get_model", {"ids": ["anthropic/claude-sonnet-4.5", "openrouter/auto"]}),
        ("list_models", {"q": "claude"}),
        ("list_models", {"q": "claude", "limit": 5}),
    ]
    for i in range(50):
        script.append(variants[i % len(variants)])
    async with Client(server) as client:
        for tool, args in script:
            await client.call_tool(tool, args)
        await client.list_resources()
    distinct = {(r.url.path, str(sorted(r.url.params.items()))) for r in upstream.requests}
    return (
        f"| upstream economy: 50-call agent session + resources/list | {len(upstream.requests)} requests | "
        f"{len(distinct)} distinct queries | {len(upstream.requests) / len(distinct):.2f} "
        "| 1 per distinct query per TTL |"
    )


async def hung_upstream() -> list[str]:
    """Wall time to answers while the upstream holds every request (default deadlines)."""
    from datetime import UTC, datetime, timedelta

    now = [datetime.now(UTC)]

    async def ms(client: Client, tool: str, args: dict[str, Any]) -> tuple[float, str]:
        started = time.perf_counter()
        result = await client.call_tool(tool, args)
        assert result.structured_content is not None, result
        return (time.perf_counter() - started) * 1000, result.structured_content["source"]["kind"]

    with FaultyUpstream(FakeOpenRouter(), default=STALL) as upstream:
        settings = Settings(base_url=upstream.base_url, cache_dir=Path(tempfile.mkdtemp(prefix="openrouter-bench-")))
        deadline = settings.answer_timeout * 1000
        async with Client(create_server(settings), cache=None) as client:
            cold, kind = await ms(client, "list_models", {})
            after, kind_after = await ms(client, "get_model", {"ids": ["openrouter/auto"]})
        upstream.default = OK
        async with Client(create_server(settings, clock=lambda: now[0]), cache=None) as client:
            await client.call_tool("list_models", {})
            upstream.default = STALL
            now[0] += timedelta(seconds=settings.cache_ttl + 1)
            warm, kind_warm = await ms(client, "list_models", {})
    return [
        f"| hung upstream, cold cache: list_models ({kind}) / get_model next ({kind_after}) "
        f"| {cold:.0f} / {after:.0f} ms | {deadline:.0f} ms (deadline) | {cold / deadline:.2f} | <= deadline |",
        f"| hung upstream, warm cache past TTL: list_models ({kind_warm}) | {warm:.1f} ms | {deadline:.0f} ms "
        f"(deadline) | {warm / deadline:.3f} | at once |",
    ]


async def _stall(base_url: str) -> tuple[float, float]:
    """(longest gap, longest idle gap) in ms between 1 ms ticks of a task on the server's loop."""
    gaps: list[float] = []
    done = anyio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await anyio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    settings = Settings(base_url=base_url, cache_dir=Path(tempfile.mkdtemp(prefix="openrouter-bench-")))
    idle = 0.0
    async with Client(create_server(settings), cache=None) as client, anyio.create_task_group() as group:
        group.start_soon(ticker)
        for _ in range(200):  # the ticker's own gaps with nothing else to do
            await anyio.sleep(0.001)
        idle, gaps[:] = max(gaps), []
        await client.call_tool("get_model", {"ids": ["openrouter/auto"]})
        done.set()
    return max(gaps) * 1000, idle * 1000


async def loop_stall(base_url: str, runs: int = 9) -> str:
    """The longest the event loop stops while one session fetches the whole catalog cold over real
    HTTP (median of ``runs``): what every other session of an HTTP deployment waits meanwhile.
    Parsing runs in a worker thread; what is left is mostly the GIL it holds (``json.loads``)."""
    samples = [await _stall(base_url) for _ in range(runs)]
    worst = statistics.median(s[0] for s in samples)
    idle = statistics.median(s[1] for s in samples)
    return (
        f"| event loop's longest stall, cold get_model fetching /models over HTTP (median of {runs}) "
        f"| {worst:.0f} ms | {idle:.1f} ms (idle tick) | {worst / idle:.1f} | parsing off the loop |"
    )


async def main() -> None:
    logging.disable(logging.WARNING)  # the floor server's SDK logging would print every request
    upstream = FakeOpenRouter()
    rows = ["| measure | value | floor | ratio | target |", "|---|---:|---:|---:|---|"]
    with serve(FakeOpenRouter()) as base_url, tempfile.TemporaryDirectory() as cache_dir:
        env = {
            **os.environ,
            "OPENROUTER_BASE_URL": base_url,
            "OPENROUTER_CACHE_DIR": cache_dir,
            "PYTHONPATH": str(ROOT / "src"),
        }
        rows += await in_process(upstream)
        rows += await over_stdio(env)
        rows.append(cold_start(env))
        rows.append(await peak_rss(env))
        rows.append(await loop_stall(base_url))
    rows += scaling_rows()
    rows.append(await economy(FakeOpenRouter()))
    rows += await hung_upstream()
    print("\n".join(rows))


if __name__ == "__main__":
    anyio.run(main)
