"""Soak: what a server process holds after many calls and many dropped sessions (issue 24).

Three server processes, each against a loopback fake of OpenRouter (``tests.fake_upstream.serve``)
with the test API key and its own temporary cache directory, each measured from outside through
``/proc/<pid>``: VmRSS, the open file descriptors, and those of them that are SQLite files
(``.sqlite``, ``-wal``, ``-shm``).

1. **stdio**, with a cache TTL of 2 s (so refreshes and history recordings happen throughout):
   ``--calls`` requests (default 20,000) from the SDK's client, one at a time: all nine
   tools (and one request in twenty a ``resources/read``) with arguments that differ from call to
   call (a new ``q``, ``min_context`` or token count, every model ID in turn, pages), unknown IDs
   and invalid arguments. In every 1,000 calls, 100 go while the fake answers 503 and 100 while it
   answers 502 with an HTML page, both with ``Retry-After: 1`` (outages start and end within the
   run, so the failure paths and the recoveries are soaked); a model's price changes every 500
   calls and a model leaves or comes back every 2,000 (history events, ``list_changed``).
2. **streamable HTTP** and 3. **SSE**: ``--sessions`` sessions each (default 500), 8 at a time,
   opened by the SDK's client (streamable HTTP: half of them with the initialize handshake, half on
   the 2026-07-28 protocol) and dropped without closing them: the client's task is cancelled, so
   no DELETE is sent and its sockets just close. Half are dropped after a finished call, half in the
   middle of one: a ``list_models`` call whose upstream request the fake holds for a second,
   dropped once the fake has it (so "mid-call" is real, not a race). The streamable HTTP server is
   told to end a stateful session idle for 5 s (``MCP_SESSION_IDLE_TIMEOUT``), and the end is
   measured after that: a session dropped without a DELETE is the SDK's to time out, which it does
   after 30 minutes by default.

The baseline is taken after a warm-up (the same mix, outages included: the offline data, the
history store, the worker threads and the allocator's arenas are in place by then); the end after
the process settles (its fd count unchanged for 2 s, at most 30 s). A call or session that raised
(rather than answered, even with an error) is a failure. Linux only. Run ``uv run python -m
bench.soak`` (``--calls``, ``--sessions`` to scale). Goal: RSS growth <= 10 MB, fds back to the
baseline, no SQLite file left open.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import anyio
import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

from tests.conftest import TEST_KEY
from tests.fake_upstream import FakeOpenRouter, serve
from tests.processes import free_port, listening

ROOT = Path(__file__).resolve().parent.parent
LINUX = Path("/proc/self/fd").is_dir()

CACHE_TTL = 2.0
"""Seconds (stdio): the full catalog is refetched (and recorded in the history) every 2 s of calls."""
SESSIONS_CACHE_TTL = 300.0
"""Seconds (the HTTP phases): no refresh while they run. They soak sessions; the refreshes, and the
RSS peak of each (a new catalog parsed while the last one is still held), are the stdio phase's,
whose warm-up reaches that peak before the baseline is taken."""
SESSION_IDLE_TIMEOUT = 5.0
"""``MCP_SESSION_IDLE_TIMEOUT`` for the streamable HTTP server: a stateful session dropped without a
DELETE is the SDK's to end once it has been idle this long (the SDK's default is 30 minutes); the
end is measured after it."""
SLOW = 1.0
"""Seconds the fake holds a ``slow`` query: the window in which a session is dropped mid-call."""
PARALLEL_SESSIONS = 8
CALL_GUARD = 60.0
"""Seconds one call or session may take before it counts as a failure: generous, a hang guard."""
SETTLE_QUIET = 2.0
SETTLE_LIMIT = 30.0

SessionTransport = Literal["streamable-http", "sse"]


# -- measuring a process from outside ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Usage:
    """What a process holds at one moment."""

    rss_kb: int
    fds: int
    sqlite_fds: int
    """Descriptors of SQLite files: the history database, its ``-wal`` and ``-shm``."""


def usage(pid: int) -> Usage:
    """VmRSS and the open descriptors of ``pid``, from ``/proc``."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    fds = sqlite = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed since the listing
            continue
        fds += 1
        sqlite += target.endswith((".sqlite", "-wal", "-shm"))
    return Usage(rss, fds, sqlite)


async def settle(pid: int, baseline: Usage | None = None) -> Usage:
    """``usage(pid)`` once the process is quiet: its fd count back to ``baseline``'s (or below) or
    unchanged for ``SETTLE_QUIET`` seconds, at most ``SETTLE_LIMIT`` seconds from now."""
    deadline = time.monotonic() + SETTLE_LIMIT
    last = usage(pid)
    since = time.monotonic()
    while time.monotonic() < deadline:
        await anyio.sleep(0.1)
        now = usage(pid)
        if now.fds != last.fds:
            last, since = now, time.monotonic()
        elif (baseline is not None and now.fds <= baseline.fds) or time.monotonic() - since >= SETTLE_QUIET:
            return now
    return usage(pid)


def children() -> set[int]:
    """This process's child processes (Linux)."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            found.update(int(pid) for pid in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def server_pid(before: set[int]) -> int:
    """The server process the SDK's stdio client spawned: the child that was not there ``before``."""
    for pid in sorted(children() - before):
        try:
            if b"mcp_server_openrouter" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise RuntimeError("the stdio server process was not found among this process's children")


# -- the run's record -------------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    """One server process soaked: what it did, and what it held before and after."""

    name: str
    calls: int = 0
    sessions: int = 0
    errors: int = 0
    """Answers that were errors (invalid arguments, unknown IDs, what an outage cannot answer)."""
    failures: list[str] = field(default_factory=list[str])
    """Calls or sessions that raised (a timeout, a broken session) instead of answering."""
    elapsed: float = 0.0
    upstream_requests: int = 0
    upstream_failed: int = 0
    """Of ``upstream_requests``, those an outage of the fake answered."""
    before: Usage | None = None
    after: Usage | None = None

    log: str = ""
    """The end of the server's stderr."""

    @property
    def growth_mb(self) -> float:
        assert self.before is not None
        assert self.after is not None
        return (self.after.rss_kb - self.before.rss_kb) / 1024

    def fail(self, what: str, exc: BaseException) -> None:
        self.failures.append(f"{what}: {type(exc).__name__}: {exc}"[:300])


# -- what is asked ----------------------------------------------------------------------------------

WORDS = ["claude", "gpt", "llama", "gemini", "mistral", "qwen", "deepseek", "free", "vision", "coder"]
SORTS = ["price", "throughput", "latency", "uptime"]
TASKS = ["coding", "intelligence", "agentic", "search"]
PERIODS = ["day", "week", "month"]
KINDS = ["added", "removed", "price", "context", "max_output", "capability", "expiration", "alias", "expiring"]
MODALITIES = [["text"], ["image"], ["all"], ["embeddings"], ["text", "image"]]
INVALID: list[tuple[str, dict[str, Any]]] = [
    ("list_models", {"limit": 0}),
    ("get_model", {"ids": []}),
    ("estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": -1}),
    ("list_models", {"no_such_argument": 1}),
    ("count_models", {"min_context": "lots"}),
    ("list_catalog_changes", {"since": "last tuesday"}),
    ("list_model_rankings", {"period": "decade"}),
]
READ = "resources/read"
SESSION_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_models", {}),
    ("count_models", {}),
    ("get_model", {"ids": ["anthropic/claude-sonnet-4.5", "openai/gpt-4o"]}),
    ("list_model_endpoints", {"id": "anthropic/claude-sonnet-4.5"}),
    ("estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": 2000, "output_tokens": 500}),
    ("list_models", {"supported_parameters": ["tools"], "min_context": 128000, "max_price": 1}),
    ("list_catalog_changes", {}),
    ("get_model", {"ids": ["soak/no-such-model"]}),
]
"""What a session finishes before it is dropped: a few everyday calls, all cached after the warm-up
(the sessions soak the sessions; the stdio phase soaks the answers)."""


def plan(index: int, ids: list[str]) -> tuple[str, dict[str, Any]]:
    """Call ``index`` of the soak: a tool (or ``resources/read``) and its arguments, each slot of
    the cycle with arguments that differ from one round to the next."""
    n = len(ids)
    model = ids[index % n]
    other = ids[(index * 7 + 3) % n]
    unknown = f"soak/unknown-{index}"
    match index % 20:
        case 0:
            return "list_models", {"q": f"soak{index}"}  # a new upstream query each time
        case 1:
            return "list_models", {"q": WORDS[index % len(WORDS)], "limit": 1 + index % 30, "offset": index % 5}
        case 2:
            return "count_models", {"min_context": 400_000 + index}  # a new query: ~170 models
        case 3:
            return "get_model", {"ids": [model, other]}
        case 4:
            return "get_model", {"ids": [unknown, model]}
        case 5:
            return "list_models_for_user", {"limit": 1 + index % 100, "offset": (index * 13) % 600}
        case 6:
            return "list_model_endpoints", {"id": model, "sort": SORTS[index % len(SORTS)]}
        case 7:
            return "list_model_endpoints", {"id": unknown}
        case 8:
            return "estimate_cost", {
                "ids": [model, other],
                "input_tokens": index,
                "output_tokens": (index * 3) % 100_000,
                "requests": 1 + index % 1000,
            }
        case 9:
            return "recommend_models", {
                "task": TASKS[index % len(TASKS)],
                "max_price": (index % 80) / 4,
                "min_context": 1_000_000 + index,
                "limit": 1 + index % 20,
            }
        case 10:
            return "list_model_rankings", {"period": PERIODS[index % len(PERIODS)], "limit": 1 + index % 50}
        case 11:
            return "list_catalog_changes", {"since": index % 400, "limit": 1 + index % 100, "offset": index % 40}
        case 12:
            return "list_catalog_changes", {"kinds": [KINDS[index % len(KINDS)]], "ids": [model, unknown]}
        case 13:
            return INVALID[index % len(INVALID)]
        case 14:
            return "list_models", {"output_modalities": ["all"], "limit": 100, "offset": (index * 37) % 600}
        case 15:
            return "count_models", {"output_modalities": MODALITIES[index % len(MODALITIES)]}
        case 16:
            return "list_models", {"supported_parameters": ["tools"], "q": WORDS[index % 10], "max_price": index % 97}
        case 17:
            return "list_model_rankings", {"task": "all" if index % 2 else "code:debugging"}
        case 18:
            return "recommend_models", {"task": "search", "model_authors": [model.split("/")[0]]}
        case _:
            return READ, {"uri": f"openrouter://models/{model if index % 40 else unknown}"}


async def ask(client: Client, tool: str, arguments: dict[str, Any]) -> bool:
    """Make one call; ``True`` when it was answered with an error. Raises what was not an answer."""
    with anyio.fail_after(CALL_GUARD):
        try:
            if tool == READ:
                await client.read_resource(arguments["uri"])
                return False
            return bool((await client.call_tool(tool, arguments)).is_error)
        except MCPError:  # a JSON-RPC error answer (an unknown resource, say)
            return True


# -- how the fake upstream behaves over the run -------------------------------------------------------


class Weather:
    """How the fake behaves over the stdio phase, call by call (:meth:`before`): its outages (and
    how many requests they answered), its price changes, the model that comes and goes."""

    def __init__(self, upstream: FakeOpenRouter) -> None:
        self.upstream = upstream
        self.failed = 0
        """Upstream requests answered with an outage's 503 or 502."""
        self._gone: list[dict[str, Any]] = []

    def _outage(self, status: int) -> Callable[[httpx2.Request], httpx2.Response]:
        """An upstream failing with ``status`` and ``Retry-After: 1`` (503: OpenRouter's JSON; 502: a
        proxy's HTML page)."""
        headers = {"retry-after": "1"}

        def answer(request: httpx2.Request) -> httpx2.Response:
            self.failed += 1
            if status == 502:
                return httpx2.Response(502, headers=headers, html="<html><body>502 Bad Gateway</body></html>")
            return httpx2.Response(status, headers=headers, json={"error": {"code": status, "message": "soak outage"}})

        return answer

    def before(self, index: int) -> None:
        """Set the fake up for call ``index``."""
        upstream = self.upstream
        phase = index % 1000
        upstream.fail = self._outage(503) if 700 <= phase < 800 else self._outage(502) if 800 <= phase < 900 else None
        if index % 500 == 0:  # a price change: the history records events, the price memo is forgotten
            models = list(upstream.models)
            k = (index // 500) % 40
            pricing = dict(models[k].get("pricing") or {})
            pricing["prompt"] = str((index // 500 + 1) / 1_000_000)
            models[k] = {**models[k], "pricing": pricing}
            upstream.models = models  # a new list: the fake's threads may be reading the old one
        if index % 2000 == 1000:  # a model leaves (and comes back 1,000 calls later): list_changed
            self._gone.append(upstream.models[-1])
            upstream.models = upstream.models[:-1]
        elif index % 2000 == 0 and self._gone:
            upstream.models = [*upstream.models, self._gone.pop()]

    def calm(self) -> None:
        self.upstream.fail = None


def slow_queries(request: httpx2.Request) -> float:
    """The fake's delay: a ``list_models`` whose ``q`` starts with ``slow`` waits ``SLOW`` seconds."""
    return SLOW if request.url.params.get("q", "").startswith("slow") else 0.0


# -- the server processes -------------------------------------------------------------------------


def server_env(base_url: str, cache_dir: Path, cache_ttl: float) -> dict[str, str]:
    """This environment without any ``OPENROUTER_`` or ``MCP_`` setting of the caller's, then ours
    (``PYTHONPATH`` and the rest are kept: the server imports the code this process does)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "MCP_"))}
    return env | {
        "OPENROUTER_BASE_URL": base_url,
        "OPENROUTER_API_KEY": TEST_KEY,
        "OPENROUTER_CACHE_DIR": str(cache_dir),
        "OPENROUTER_CACHE_TTL": str(cache_ttl),
        "MCP_SESSION_IDLE_TIMEOUT": str(SESSION_IDLE_TIMEOUT),
    }


async def soak_stdio(calls: int, warmup: int, cache_dir: Path) -> Run:
    """Phase 1: ``warmup`` calls, the baseline, ``calls`` calls, the end (see the module docstring)."""
    run = Run(f"stdio, {calls:,} calls")
    upstream = FakeOpenRouter(api_key=TEST_KEY)
    weather = Weather(upstream)
    ids = [m["id"] for m in upstream.models]
    with serve(upstream) as base_url, tempfile.TemporaryFile("w+") as errlog:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "mcp_server_openrouter"],
            env=server_env(base_url, cache_dir, CACHE_TTL),
            cwd=str(ROOT),
        )
        known = children()
        with anyio.fail_after(CALL_GUARD + (warmup + calls) * 0.5):  # a hang guard, never a timing
            async with Client(stdio_client(params, errlog=errlog), cache=None) as client:
                pid = server_pid(known)

                async def go(indices: range) -> None:
                    for index in indices:
                        weather.before(index)
                        tool, arguments = plan(index, ids)
                        try:
                            errored = await ask(client, tool, arguments)
                        except Exception as exc:
                            run.fail(f"call {index} {tool} {arguments}", exc)
                        else:
                            run.errors += errored

                await go(range(warmup))
                weather.calm()
                run.before = await settle(pid)
                run.errors, sent, weather.failed = 0, len(upstream.requests), 0
                started = time.perf_counter()
                await go(range(warmup, warmup + calls))
                run.elapsed = time.perf_counter() - started
                run.calls = calls
                weather.calm()
                run.upstream_requests, run.upstream_failed = len(upstream.requests) - sent, weather.failed
                run.after = await settle(pid, run.before)
        run.log = tail(errlog)
    return run


def tail(log: IO[str], size: int = 2000) -> str:
    log.seek(0)
    return log.read()[-size:]


def connect(transport: SessionTransport, url: str) -> AbstractAsyncContextManager[Any] | str:
    return url if transport == "streamable-http" else sse_client(url)


async def arrived(upstream: FakeOpenRouter, q: str) -> None:
    """Until the fake has received the request for ``q`` (bounded by the caller's guard). Polled:
    the fake records requests in its own threads, which cannot set an event of this loop."""
    while not any(r.url.params.get("q") == q for r in upstream.requests[-50:]):  # noqa: ASYNC110
        await anyio.sleep(0.005)


async def one_session(
    transport: SessionTransport, url: str, index: int, upstream: FakeOpenRouter, ids: list[str], run: Run
) -> None:
    """Open a session, then drop it: after a finished call (even ``index``) or in the middle of a
    slow one (odd). Streamable HTTP alternates the handshake and the 2026-07-28 protocol."""
    mode = "auto" if transport == "streamable-http" and index // 2 % 2 else "legacy"
    mid_call = index % 2 == 1
    try:
        with anyio.fail_after(CALL_GUARD):
            with anyio.CancelScope() as drop:
                async with Client(connect(transport, url), mode=mode, cache=None) as client:
                    if mid_call:
                        q = f"slow{transport}{index}"
                        async with anyio.create_task_group() as group:
                            group.start_soon(client.call_tool, "list_models", {"q": q})
                            await arrived(upstream, q)
                            drop.cancel()  # the client goes away: no DELETE, the sockets close
                    else:
                        tool, arguments = SESSION_CALLS[index // 2 % len(SESSION_CALLS)]
                        errored = await ask(client, tool, arguments)  # (+= would read errors before the await)
                        run.errors += errored
                        drop.cancel()
    except Exception as exc:
        run.fail(f"session {index} ({mode}, {'mid-call' if mid_call else 'after a call'})", exc)


async def soak_sessions(transport: SessionTransport, sessions: int, warmup: int, cache_dir: Path) -> Run:
    """Phases 2 and 3: ``warmup`` sessions, the baseline, ``sessions`` sessions, the end."""
    run = Run(f"{transport}, {sessions:,} sessions dropped")
    upstream = FakeOpenRouter(api_key=TEST_KEY)
    upstream.delay = slow_queries
    ids = [m["id"] for m in upstream.models]
    env = server_env(base_url="", cache_dir=cache_dir, cache_ttl=SESSIONS_CACHE_TTL)
    with tempfile.TemporaryFile("w+") as errlog, serve(upstream) as base_url:
        # The port is picked once the fake listens: picked before, the fake could be given it too.
        port = free_port()
        url = f"http://127.0.0.1:{port}/{'mcp' if transport == 'streamable-http' else 'sse'}"
        command = [sys.executable, "-m", "mcp_server_openrouter", "--transport", transport, "--port", str(port)]
        with listening(command, port, env | {"OPENROUTER_BASE_URL": base_url}, stderr=errlog) as process:

            async def go(indices: range) -> None:
                queue = iter(indices)

                async def worker() -> None:
                    for index in queue:
                        await one_session(transport, url, index, upstream, ids, run)

                async with anyio.create_task_group() as group:
                    for _ in range(PARALLEL_SESSIONS):
                        group.start_soon(worker)

            with anyio.fail_after(CALL_GUARD * 2 + (warmup + sessions) * CALL_GUARD / PARALLEL_SESSIONS):
                await go(range(warmup))
                await anyio.sleep(SLOW)  # the warm-up's held requests are answered
                run.before = await settle(process.pid)
                run.errors, sent = 0, len(upstream.requests)
                started = time.perf_counter()
                await go(range(warmup, warmup + sessions))
                run.elapsed = time.perf_counter() - started
                run.sessions = sessions
                # The held requests are answered; the dropped stateful sessions time out.
                await anyio.sleep(SLOW + (SESSION_IDLE_TIMEOUT + 1 if transport == "streamable-http" else 0))
                run.upstream_requests = len(upstream.requests) - sent
                run.after = await settle(process.pid, run.before)
        run.log = tail(errlog)
    return run


# -- the table --------------------------------------------------------------------------------------

GOAL_MB = 10.0


def ok(run: Run) -> bool:
    """Whether ``run`` met the goal: RSS growth within ``GOAL_MB``, the fds back to the baseline, no
    SQLite file open, no failure."""
    assert run.before is not None
    assert run.after is not None
    return (
        run.growth_mb <= GOAL_MB and run.after.fds <= run.before.fds and not run.after.sqlite_fds and not run.failures
    )


def table(runs: list[Run]) -> str:
    rows = [
        "| run | calls | sessions | RSS before / after MB | growth MB | fds before / after | SQLite fds after"
        " | calls/s | upstream requests (outage) | errors | failures | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        assert run.before is not None
        assert run.after is not None
        rate = f"{run.calls / run.elapsed:.0f}" if run.calls else "-"
        rows.append(
            f"| {run.name} | {run.calls:,} | {run.sessions:,} | {run.before.rss_kb / 1024:.1f} / "
            f"{run.after.rss_kb / 1024:.1f} | {run.growth_mb:+.1f} | {run.before.fds} / {run.after.fds} | "
            f"{run.after.sqlite_fds} | {rate} | {run.upstream_requests:,} ({run.upstream_failed:,}) | "
            f"{run.errors:,} | {len(run.failures)} | {'ok' if ok(run) else 'OVER'} |"
        )
    rows.append(f"| goal | | | | <= {GOAL_MB:g} | back to before | 0 | | | | 0 | |")
    return "\n".join(rows)


async def soak(calls: int, sessions: int, directory: Path) -> list[Run]:
    """All three phases, warm-ups a tenth of each (at least 1,000 calls and 20 sessions)."""
    return [
        await soak_stdio(calls, max(1000, calls // 10), directory / "stdio"),
        await soak_sessions("streamable-http", sessions, max(20, sessions // 10), directory / "http"),
        await soak_sessions("sse", sessions, max(20, sessions // 10), directory / "sse"),
    ]


def failures(runs: list[Run]) -> Iterator[str]:
    for run in runs:
        for failure in run.failures:
            yield f"{run.name}: {failure}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description="Soak the server: RSS, fds and SQLite files before and after."
    )
    parser.add_argument("--calls", type=int, default=20_000, help="stdio calls (default 20,000)")
    parser.add_argument("--sessions", type=int, default=500, help="sessions per HTTP transport (default 500)")
    args = parser.parse_args(argv)
    if not LINUX:
        print("bench.soak: skipped: it measures the server through /proc, which only Linux has")
        return 0
    with tempfile.TemporaryDirectory(prefix="openrouter-soak-") as directory:
        runs = anyio.run(soak, args.calls, args.sessions, Path(directory))
    print(table(runs))
    for failure in list(failures(runs))[:20]:
        print(failure, file=sys.stderr)
    for run in runs:
        if run.failures:
            print(f"{run.name}, the server's stderr ends:\n{run.log}", file=sys.stderr)
    return 0 if all(ok(run) for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
