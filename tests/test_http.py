"""The HTTP transports, served by a real uvicorn on 127.0.0.1, talked to by the SDK's clients."""

import os
import socket
import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr
from starlette.types import ASGIApp

from mcp_server_openrouter.__main__ import main
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.http import HttpOptions, create_app, is_loopback, serving_note

from .conftest import FAKE_BASE_URL, FAST_RETRY
from .fake_upstream import FakeOpenRouter
from .helpers import TOOL_NAMES, call, structured
from .processes import free_port, listening

pytestmark = pytest.mark.anyio

TOKEN = "test-token-5f0c2a"


@asynccontextmanager
async def serving(app: ASGIApp) -> AsyncGenerator[str]:
    """Run ``app`` under uvicorn on an ephemeral loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(partial(server.serve, sockets=[sock]))
            with anyio.fail_after(60):
                while not server.started:  # noqa: ASYNC110 - uvicorn offers no startup event
                    await anyio.sleep(0.01)
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                server.should_exit = True
    finally:  # also when the test failed: a leaked socket would fail a later test (filterwarnings=error)
        sock.close()


def app_for(upstream: FakeOpenRouter, **options: Any) -> ASGIApp:
    return create_app(
        Settings(base_url=FAKE_BASE_URL), HttpOptions(**options), transport=upstream.transport(), retry=FAST_RETRY
    )


async def exercise(client: Client) -> None:
    tools = await client.list_tools()
    assert [t.name for t in tools.tools] == TOOL_NAMES
    page = structured(await call(client, "list_models", {"supported_parameters": ["tools"], "limit": 3}))
    assert len(page["rows"]) == 3
    read = await client.read_resource("openrouter://models/openrouter/auto")
    assert read.contents


@pytest.mark.parametrize(("mode", "era"), [("auto", "2026-07-28"), ("legacy", "2025-11-25")])
async def test_streamable_http_serves_both_protocol_eras(mode: str, era: str) -> None:
    upstream = FakeOpenRouter()
    async with serving(app_for(upstream)) as base:
        with anyio.fail_after(60):
            async with Client(f"{base}/mcp", mode=mode) as client:  # type: ignore[arg-type]
                assert client.protocol_version == era
                await exercise(client)
    assert len(upstream.requests) == 2  # list + full catalog, shared by every request after


async def test_stateless_json_mode_lets_any_process_answer() -> None:
    first, second = FakeOpenRouter(), FakeOpenRouter()
    async with (
        serving(app_for(first, stateless=True, json_response=True)) as a,
        serving(app_for(second, stateless=True, json_response=True)) as b,
    ):
        with anyio.fail_after(60):
            for base in (a, b):
                async with Client(f"{base}/mcp", mode="legacy") as client:
                    await exercise(client)
            # A bare request with no session reaches a "worker" that never saw an initialize.
            async with httpx2.AsyncClient() as http:
                response = await http.post(
                    f"{b}/mcp",
                    json={"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "count_models"}},
                    headers={"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"},
                )
    assert response.status_code == 200
    assert response.json()["result"]["structuredContent"]["count"] == 414


async def test_sse_transport_is_served_for_older_clients() -> None:
    upstream = FakeOpenRouter()
    async with serving(app_for(upstream, transport="sse")) as base:
        with anyio.fail_after(60):
            async with Client(sse_client(f"{base}/sse")) as client:
                await exercise(client)


async def test_a_foreign_origin_is_refused() -> None:
    async with serving(app_for(FakeOpenRouter())) as base, httpx2.AsyncClient() as http:
        response = await http.post(
            f"{base}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers={"Origin": "http://evil.example", "Accept": "application/json, text/event-stream"},
        )
    assert response.status_code == 403


async def test_a_bearer_token_guards_every_endpoint() -> None:
    upstream = FakeOpenRouter()
    async with serving(app_for(upstream, auth_token=SecretStr(TOKEN))) as base:
        async with httpx2.AsyncClient() as http:
            missing = await http.post(f"{base}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
            wrong = await http.post(
                f"{base}/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers={"Authorization": f"Bearer {TOKEN}x"},
            )
        authorized = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"})
        with anyio.fail_after(60):
            async with authorized, Client(streamable_http_client(f"{base}/mcp", http_client=authorized)) as client:
                await exercise(client)
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert TOKEN not in response.text


@pytest.mark.parametrize(
    ("header", "status"),
    [
        pytest.param(f"Bearer {TOKEN}", 200, id="canonical"),
        pytest.param(f"bearer {TOKEN}", 200, id="lower-case-scheme"),
        pytest.param(f"BEARER  {TOKEN}", 200, id="upper-case-scheme-extra-space"),
        pytest.param(f"Basic {TOKEN}", 401, id="other-scheme"),
        pytest.param(TOKEN, 401, id="no-scheme"),
        pytest.param(f"bearer {TOKEN.upper()}", 401, id="token-is-case-sensitive"),
        pytest.param("bearer", 401, id="scheme-only"),
    ],
)
async def test_the_bearer_scheme_is_case_insensitive_and_the_token_is_not(header: str, status: int) -> None:
    request = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"Authorization": header, "Accept": "application/json, text/event-stream"}
    async with (
        serving(app_for(FakeOpenRouter(), auth_token=SecretStr(TOKEN), stateless=True, json_response=True)) as base,
        httpx2.AsyncClient() as http,
    ):
        with anyio.fail_after(60):
            response = await http.post(f"{base}/mcp", json=request, headers=headers)
    assert response.status_code == status, response.text
    assert TOKEN not in response.text


async def test_garbage_and_oversized_requests_are_refused_and_serving_goes_on() -> None:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    async with serving(app_for(FakeOpenRouter(), stateless=True, json_response=True)) as base:
        async with httpx2.AsyncClient() as http:
            garbage = await http.post(f"{base}/mcp", content=b"{not json", headers=headers)
            not_rpc = await http.post(f"{base}/mcp", content=b'{"hello": "world"}', headers=headers)
            huge = await http.post(
                f"{base}/mcp", content=b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}', headers=headers
            )
        with anyio.fail_after(60):
            async with Client(f"{base}/mcp", mode="legacy") as client:
                await exercise(client)
    assert garbage.status_code == 400
    assert garbage.json()["error"]["code"] == -32700
    assert not_rpc.status_code == 400
    assert huge.status_code == 413


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_public_bind_without_a_token_refuses_to_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MCP_AUTH_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["--transport", "streamable-http", "--host", "0.0.0.0"])

    assert exit_info.value.code == 2
    assert "MCP_AUTH_TOKEN" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "port", "line"),
    [
        (HttpOptions(), 8000, "serving streamable-http at http://127.0.0.1:8000/mcp (no authentication)"),
        (
            HttpOptions(host="0.0.0.0", stateless=True, auth_token=SecretStr("t")),
            9000,
            "serving streamable-http, stateless at http://0.0.0.0:9000/mcp (bearer token required)",
        ),
        (HttpOptions(transport="sse", host="::1"), 8001, "serving sse at http://[::1]:8001/sse (no authentication)"),
    ],
)
def test_the_serving_note_says_where_clients_connect_and_how_they_authenticate(
    options: HttpOptions, port: int, line: str
) -> None:
    assert serving_note(options, port) == f"mcp-server-openrouter: {line}"


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
def test_starting_an_http_transport_prints_its_url_to_stderr(transport: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "OPENROUTER_OFFLINE": "1", "OPENROUTER_CACHE_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "mcp_server_openrouter", "--transport", transport, "--port", str(port)]
    with (tmp_path / "stderr").open("w+") as stderr:
        with listening(command, port, env, stderr=stderr):
            pass
        stderr.seek(0)
        printed = stderr.read()

    path = "/sse" if transport == "sse" else "/mcp"
    assert f"serving {transport} at http://127.0.0.1:{port}{path} (no authentication)" in printed


async def test_a_session_dropped_without_ending_it_is_ended_when_idle() -> None:
    """A client gone without a DELETE: its session (~70 KB) is ended after the idle timeout, not
    kept the SDK's 30 minutes (bench.soak: +18 MB per 500 dropped sessions)."""
    headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "gone", "version": "1"}},
    }
    ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    async with serving(app_for(FakeOpenRouter(), session_idle_timeout=1.0)) as base, httpx2.AsyncClient() as http:
        opened = await http.post(f"{base}/mcp", json=initialize, headers=headers)
        session = {**headers, "Mcp-Session-Id": opened.headers["mcp-session-id"]}
        assert (await http.post(f"{base}/mcp", json=ping, headers=session)).status_code == 200
        with anyio.fail_after(60):  # generous: the server's own 1 s timer ends it
            while (await http.post(f"{base}/mcp", json=ping, headers=session)).status_code != 404:  # noqa: ASYNC110
                await anyio.sleep(1.5)  # each ping restarts the clock: wait longer than it between them


def test_a_bad_session_idle_timeout_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_SESSION_IDLE_TIMEOUT", "forever")
    with pytest.raises(SystemExit) as exit_info:
        main(["--transport", "streamable-http", "--port", "1"])
    assert exit_info.value.code == 2
