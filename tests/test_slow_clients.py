"""Slow clients over HTTP, against the real server process: one that sends its request a byte at a
time (slowloris), one that never reads what it is sent. Other clients are still answered.

The slow clients are raw sockets. One that never reads has a small receive buffer and a small
segment size (``TCP_MAXSEG``, as on a real network: on loopback the kernel would otherwise buffer
megabytes for it), so that a few answers fill what the kernels hold and the rest waits in the
server. The ordinary clients are the SDK's ``Client``. No verdict depends on the machine's speed:
every wait is bounded by a generous ``fail_after`` (a blocked server never answers, so the bound
catches it), durations are printed, never asserted, and the timeouts that fire are the server's,
triggered by a client that never completes (nothing a busy machine could finish late).

The file-descriptor tests run the server under a small ``RLIMIT_NOFILE`` (32): a slow client
costs the server one descriptor for as long as it is held, and the limit makes "more slow clients
than the process can hold" a few dozen sockets instead of tens of thousands.
"""

import asyncio
import contextlib
import errno
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.sse import sse_client

from mcp_server_openrouter.__main__ import main
from mcp_server_openrouter.config import SettingsError

from .fake_upstream import FakeOpenRouter, serve
from .processes import free_port
from .test_http import app_for, serving

pytestmark = pytest.mark.anyio

GUARD = 60
"""Seconds any wait may take before the test fails: a blocked server never answers."""
FD_LIMIT = 32
RUN_LIMITED = (
    "import resource, runpy; "
    f"resource.setrlimit(resource.RLIMIT_NOFILE, ({FD_LIMIT}, {FD_LIMIT})); "
    "runpy.run_module('mcp_server_openrouter', run_name='__main__', alter_sys=True)"
)
"""``python -c`` this, then the CLI's arguments: the server, with at most ``FD_LIMIT`` descriptors."""
HANDSHAKE_ERA = "2025-11-25"
MODERN = "2026-07-28"
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": {"name": "raw-socket", "version": "1"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
LIST_CHANGED = "notifications/resources/list_changed"

needs_rlimit = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_NOFILE is POSIX")


# -- the server process -------------------------------------------------------------------------


@contextmanager
def server_process(args: list[str], env: dict[str, str], *, fd_limit: bool = False) -> Generator[int]:
    """Run the CLI (``args`` after ``python -m mcp_server_openrouter``) until the block ends, once
    it listens; yields its port. On leaving, the process must stop within ``GUARD`` seconds of
    SIGTERM (it is killed, and the test fails, if not); its stderr is printed if the block failed."""
    port = free_port()
    prefix = ["-c", RUN_LIMITED] if fd_limit else ["-m", "mcp_server_openrouter"]
    command = [sys.executable, *prefix, *args, "--port", str(port)]
    with tempfile.TemporaryFile("w+") as stderr:
        failed = False
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr
        )
        try:
            deadline = time.monotonic() + GUARD
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    assert process.poll() is None, f"the server exited with {process.returncode}"
                    assert time.monotonic() < deadline, f"the server did not listen within {GUARD} s"
                    time.sleep(0.05)
            yield port
        except BaseException:
            failed = True  # the block's own failure is the one to see, not shutdown's
            stderr.seek(0)
            print("server stderr (last lines):", *stderr.read().splitlines()[-30:], sep="\n")
            raise
        finally:
            started = time.monotonic()
            process.terminate()
            try:
                process.wait(timeout=GUARD)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                print(f"the server did not stop within {GUARD} s of SIGTERM: killed")
                if not failed:
                    raise AssertionError(f"the server did not stop within {GUARD} s of SIGTERM") from None
            else:
                print(f"the server stopped {time.monotonic() - started:.2f} s after SIGTERM")


def server_env(base_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"OPENROUTER_BASE_URL": base_url, "OPENROUTER_CACHE_DIR": str(tmp_path / "cache"), **extra}


# -- raw clients --------------------------------------------------------------------------------


def non_reader(port: int) -> socket.socket:
    """A connected socket that will not read: a small receive buffer and small segments."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    with contextlib.suppress(AttributeError, OSError):  # not everywhere; without it the kernels buffer more
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    sock.settimeout(GUARD)
    sock.connect(("127.0.0.1", port))
    return sock


def post_bytes(port: int, path: str, message: dict[str, Any], headers: dict[str, str] | None = None) -> bytes:
    body = json.dumps(message).encode()
    head = {
        "Host": f"127.0.0.1:{port}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **(headers or {}),
    }
    return (
        f"POST {path} HTTP/1.1\r\n".encode()
        + "".join(f"{k}: {v}\r\n" for k, v in head.items()).encode()
        + b"\r\n"
        + body
    )


def read_response(reader: Any) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response (a Content-Length or chunks) from a socket's ``makefile("rb")``."""
    status = int(reader.readline().split()[1])
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") != "chunked":
        return status, headers, reader.read(int(headers.get("content-length", "0")))
    body = b""
    while size := int(reader.readline().split(b";")[0], 16):
        body += reader.read(size)
        reader.readline()
    reader.readline()
    return status, headers, body


def modern_post(port: int, method: str, params: dict[str, Any], request_id: int | str = 1) -> bytes:
    """A 2026-07-28 request (no session: the envelope in ``_meta``, the method in the headers)."""
    message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": {**params, "_meta": ENVELOPE}}
    headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method}
    if method == "tools/call":
        headers["Mcp-Name"] = params["name"]
    return post_bytes(port, "/mcp", message, headers)


def initialize(request_id: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "initialize",
        "params": {"protocolVersion": HANDSHAKE_ERA, "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
    }


INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def list_resources(request_id: int) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": "resources/list"}


PAGES = 20
"""``resources/list`` answers (about 22 kB each) a non-reading client asks for: several times
what the kernels hold for it, so the rest waits in the server."""


def open_sse_and_stop_reading(port: int, stack: contextlib.ExitStack) -> str:
    """A legacy SSE session whose stream is never read past its first event; returns its
    message path. Its handshake and ``PAGES`` resource pages are posted (202s read, answers
    sent on the stream nobody reads)."""
    stream = stack.enter_context(non_reader(port))
    stream.sendall(f"GET /sse HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
    seen = b""
    while b"session_id=" not in seen or not seen.endswith(b"\r\n\r\n"):
        seen += stream.recv(1)  # up to the end of the endpoint event, and no further
    path = seen.split(b"data: ")[1].split(b"\r\n")[0].decode()
    poster = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=GUARD))
    reader = poster.makefile("rb")
    for message in (initialize(), INITIALIZED, *(list_resources(10 + n) for n in range(PAGES))):
        poster.sendall(post_bytes(port, path, message))
        assert read_response(reader)[0] == 202
    return path


# -- ordinary clients ---------------------------------------------------------------------------


class Heard:
    """The ``list_changed`` notifications a client received."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, message: Any) -> None:
        if getattr(getattr(message, "root", message), "method", None) == LIST_CHANGED:
            self.count += 1

    async def more_than(self, count: int) -> None:
        with anyio.fail_after(GUARD):
            while self.count <= count:  # noqa: ASYNC110 - polled: the SDK offers no event
                await anyio.sleep(0.01)


@asynccontextmanager
async def timed(what: str) -> AsyncGenerator[None]:
    started = time.monotonic()
    with anyio.fail_after(GUARD):
        yield
    print(f"{what}: {time.monotonic() - started:.3f} s")


async def a_change_reaches_everyone(
    upstream: FakeOpenRouter, first: Client, first_heard: Heard, later_heard: Heard, modern: Client
) -> None:
    """The catalog loses a model; ``first``'s next call notices: it answers, the 2026-07-28 client
    ``modern`` gets the event on its listen stream, and both handshake-era clients hear of it."""
    async with modern.listen(resources_list_changed=True) as subscription:
        upstream.models = upstream.models[1:]
        async with timed("the call that noticed the change"):
            await first.list_resources()
        async with timed("the modern client's event"):
            event = await subscription.__anext__()
    assert type(event).__name__ == "ResourcesListChanged"
    await later_heard.more_than(0)
    await first_heard.more_than(0)


# -- a client that never reads its stream -------------------------------------------------------


async def test_a_client_that_never_reads_its_sse_stream_holds_up_no_call_and_no_notification(
    tmp_path: Path,
) -> None:
    """Legacy SSE carries a session's answers and notifications on one stream. When its client
    stops reading, sending on it waits forever: the notification that the catalog's IDs changed
    must not make the call that noticed wait, nor the clients in line after the stuck one.
    Nor may the stuck stream hold up shutdown: uvicorn's graceful shutdown waited for it forever,
    now ``GRACEFUL_SHUTDOWN`` seconds (10) at most (``server_process`` checks that SIGTERM stops
    the server; the stuck client outlives it)."""
    upstream = FakeOpenRouter()
    first_heard, later_heard = Heard(), Heard()
    with serve(upstream) as base_url, contextlib.ExitStack() as stuck:
        env = server_env(base_url, tmp_path, OPENROUTER_CACHE_TTL="0", MCP_SEND_TIMEOUT="3600")  # every call fetches
        with server_process(["--transport", "sse"], env) as port:
            url = f"http://127.0.0.1:{port}/sse"
            async with Client(sse_client(url), mode="legacy", cache=None, message_handler=first_heard) as first:
                async with timed("first call"):
                    await first.list_resources()  # the catalog the next changes are told against
                open_sse_and_stop_reading(port, stuck)
                async with (
                    Client(sse_client(url), mode="legacy", cache=None, message_handler=later_heard) as later,
                    Client(sse_client(url), cache=None) as modern,
                ):
                    assert modern.protocol_version == MODERN
                    async with timed("a call of a client in line after the stuck one"):
                        await later.list_tools()
                    await a_change_reaches_everyone(upstream, first, first_heard, later_heard, modern)
                    seen = (first_heard.count, later_heard.count)

                    upstream.models = upstream.models[1:]  # and again: the stuck one holds up no later change
                    async with timed("the call that noticed the second change"):
                        await later.call_tool("get_model", {"ids": ["openai/gpt-4o"]})
                    await later_heard.more_than(seen[1])
                    await first_heard.more_than(seen[0])
                    async with timed("a call after both changes"):
                        await modern.call_tool("count_models", {})


async def test_streamable_http_clients_that_never_read_hold_up_no_one(tmp_path: Path) -> None:
    """Streamable HTTP gives each answer its own stream: a handshake-era session whose standalone
    stream and answers are never read, and a 2026-07-28 listen stream and answers never read,
    block nobody else's call or notification. (A regression guard: this held before issue 24.)"""
    upstream = FakeOpenRouter()
    first_heard, later_heard = Heard(), Heard()
    with serve(upstream) as base_url:
        env = server_env(base_url, tmp_path, OPENROUTER_CACHE_TTL="0", MCP_SEND_TIMEOUT="3600")
        with server_process(["--transport", "streamable-http"], env) as port, contextlib.ExitStack() as stuck:
            url = f"http://127.0.0.1:{port}/mcp"
            async with Client(url, mode="legacy", cache=None, message_handler=first_heard) as first:
                await first.list_resources()
                # A handshake-era session: initialized, its standalone stream opened, then unread pages.
                setup = stuck.enter_context(socket.create_connection(("127.0.0.1", port), timeout=GUARD))
                reader = setup.makefile("rb")
                setup.sendall(post_bytes(port, "/mcp", initialize()))
                status, headers, _ = read_response(reader)
                assert status == 200
                session = {"Mcp-Session-Id": headers["mcp-session-id"], "MCP-Protocol-Version": HANDSHAKE_ERA}
                setup.sendall(post_bytes(port, "/mcp", INITIALIZED, session))
                assert read_response(reader)[0] == 202
                standalone = stuck.enter_context(non_reader(port))
                get = f"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
                standalone.sendall((get + "".join(f"{k}: {v}\r\n" for k, v in session.items()) + "\r\n").encode())
                pages = stuck.enter_context(non_reader(port))
                pages.sendall(b"".join(post_bytes(port, "/mcp", list_resources(10 + n), session) for n in range(PAGES)))
                # A 2026-07-28 listen stream, and unread pages.
                listen = stuck.enter_context(non_reader(port))
                listen.sendall(
                    modern_post(port, "subscriptions/listen", {"notifications": {"resourcesListChanged": True}})
                )
                modern_pages = stuck.enter_context(non_reader(port))
                modern_pages.sendall(b"".join(modern_post(port, "resources/list", {}, n) for n in range(PAGES)))
                async with (
                    Client(url, mode="legacy", cache=None, message_handler=later_heard) as later,
                    Client(url, cache=None) as modern,
                ):
                    assert modern.protocol_version == MODERN
                    async with timed("a call while the stuck clients are held"):
                        await later.list_tools()
                    await a_change_reaches_everyone(upstream, first, first_heard, later_heard, modern)
                    async with timed("a call after the change"):
                        await modern.call_tool("count_models", {})


# -- slow clients by the dozen: file descriptors --------------------------------------------------


class Dripper:
    """``count`` connections sending a request's headers a byte every half second (slowloris),
    from a thread, for as long as the block runs; a connection the server closes is not reopened."""

    REQUEST = b"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000 + b"\r\n\r\n"

    def __init__(self, port: int, count: int) -> None:
        self.sockets = [socket.create_connection(("127.0.0.1", port), timeout=GUARD) for _ in range(count)]
        self.closed_by_server = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, daemon=True)

    def _drip(self) -> None:
        sent = 0
        while not self._stop.wait(0.5 if sent else 0):
            byte = self.REQUEST[sent % len(self.REQUEST) : sent % len(self.REQUEST) + 1]
            for sock in list(self.sockets):
                try:
                    sock.send(byte)
                except OSError:  # the server closed it (the first send after its FIN draws the reset)
                    self.sockets.remove(sock)
                    sock.close()
                    self.closed_by_server += 1
            sent += 1

    @contextmanager
    def running(self) -> Generator["Dripper"]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=GUARD)
            for sock in self.sockets:
                sock.close()


async def ordinary_calls(port: int) -> None:
    """A client of each protocol era connects, calls a tool and lists the resources (the first
    time, this caches what the slow clients ask for: with no descriptor left, the server could
    not fetch it)."""
    for mode in ("auto", "legacy"):
        client = Client(f"http://127.0.0.1:{port}/mcp", mode=mode, cache=None)  # type: ignore[arg-type]
        async with timed(f"a {mode} client's connection and calls"), client:
            result = await client.call_tool("list_models", {"limit": 3})
            assert (await client.list_resources()).resources
        assert not result.is_error


@needs_rlimit
async def test_slowloris_connections_by_the_dozen_do_not_lock_others_out(tmp_path: Path) -> None:
    """Twice as many slowloris connections as the process has descriptors: uvicorn alone keeps
    each open for as long as it trickles, so nobody else is ever accepted; each must be closed once
    its request is overdue (``MCP_REQUEST_TIMEOUT``, here 2 s), letting the others in."""
    upstream = FakeOpenRouter()
    with serve(upstream) as base_url:
        env = server_env(base_url, tmp_path, MCP_REQUEST_TIMEOUT="2")
        with server_process(["--transport", "streamable-http"], env, fd_limit=True) as port:
            await ordinary_calls(port)
            with Dripper(port, 2 * FD_LIMIT).running() as dripper:
                await ordinary_calls(port)
                closed = dripper.closed_by_server
    print(f"slowloris connections the server closed: {closed} of {2 * FD_LIMIT}")
    assert closed > 0


@needs_rlimit
async def test_clients_that_never_read_by_the_dozen_do_not_lock_others_out(tmp_path: Path) -> None:
    """As many connections as the process has descriptors, each pipelining 14 ``tools/list`` (about
    180 kB) it never reads: more than the kernels hold for it, so bytes wait in the server. uvicorn
    alone never lets go of such a connection (its writing waits, and so does its keep-alive close,
    for bytes that never leave), so nobody else is ever accepted; each must be aborted once its
    answer makes no progress (``MCP_SEND_TIMEOUT``, here 1 s)."""
    upstream = FakeOpenRouter()
    with serve(upstream) as base_url:
        env = server_env(base_url, tmp_path, MCP_SEND_TIMEOUT="1")
        with server_process(["--transport", "streamable-http"], env, fd_limit=True) as port:
            await ordinary_calls(port)
            pipelined = b"".join(modern_post(port, "tools/list", {}, n) for n in range(14))  # 13 kB each
            with contextlib.ExitStack() as stuck:
                for _ in range(FD_LIMIT):
                    stuck.enter_context(non_reader(port)).sendall(pipelined)
                await ordinary_calls(port)


async def test_a_descriptor_shortage_is_reported_once_not_thousands_of_times_a_second(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Out of descriptors, asyncio reports each failed ``accept()`` with a traceback, up to
    uvicorn's backlog (2048) times a second; formatting them took most of the process's time in
    the descriptor tests above (an ordinary client's answer took up to 37 s with them, 2 to 6 s
    without). While the app runs, the shortage is said once every 10 s; other loop errors are
    logged as before."""
    caplog.set_level(logging.WARNING)
    shortage = {"message": "socket.accept() out of system resource", "exception": OSError(errno.EMFILE, "Too many")}
    async with serving(app_for(FakeOpenRouter())):
        loop = asyncio.get_running_loop()
        for _ in range(2048):
            loop.call_exception_handler(shortage)
        loop.call_exception_handler({"message": "something else went wrong"})
    said = [r.getMessage() for r in caplog.records]
    assert len([m for m in said if "out of system resource" in m or "Out of file descriptors" in m]) == 1
    assert "something else went wrong" in said


def test_the_connection_limits_are_read_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcp_server_openrouter.http import ConnectionLimits  # here: without it, the others still run

    assert ConnectionLimits.from_env({}) == ConnectionLimits(request_timeout=10, send_timeout=30)
    assert ConnectionLimits.from_env({"MCP_REQUEST_TIMEOUT": "2.5", "MCP_SEND_TIMEOUT": " 60 "}) == ConnectionLimits(
        request_timeout=2.5, send_timeout=60
    )
    for bad in ("0", "-1", "3601", "soon", "nan"):
        with pytest.raises(SettingsError, match="MCP_SEND_TIMEOUT"):
            ConnectionLimits.from_env({"MCP_SEND_TIMEOUT": bad})
    monkeypatch.setenv("MCP_REQUEST_TIMEOUT", "soon")
    with pytest.raises(SystemExit) as exit_info:
        main(["--transport", "streamable-http"])  # refused before serving
    assert exit_info.value.code == 2
    assert "MCP_REQUEST_TIMEOUT must be a number of seconds, got 'soon'" in capsys.readouterr().err
