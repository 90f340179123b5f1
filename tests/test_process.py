"""Process-level behaviour: stdout is only protocol on stdio; the ASGI factory under uvicorn workers."""

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from .conftest import ROOT
from .fake_upstream import FakeOpenRouter, serve
from .faulty_upstream import STALL, FaultyUpstream
from .helpers import call, structured
from .processes import HANDSHAKE, free_port, listening

pytestmark = pytest.mark.anyio


def test_stdout_carries_nothing_but_protocol_messages_even_at_debug(tmp_path: Path) -> None:
    messages: list[dict[str, Any]] = [
        *HANDSHAKE,
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "count_models", "arguments": {}}},
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "list_models", "arguments": {"limit": -1}},
        },
    ]
    with serve(FakeOpenRouter()) as base_url, tempfile.TemporaryFile("w+") as errlog:
        process = subprocess.Popen(
            [sys.executable, "-m", "mcp_server_openrouter", "--log-level", "DEBUG"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errlog,
            text=True,
            env={**os.environ, "OPENROUTER_BASE_URL": base_url, "OPENROUTER_CACHE_DIR": str(tmp_path)},
        )
        assert process.stdin is not None
        assert process.stdout is not None
        watchdog = threading.Timer(60, process.kill)  # a hung server fails the test instead of hanging it
        watchdog.start()
        try:
            process.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
            process.stdin.flush()
            replies: list[dict[str, Any]] = []
            while {r.get("id") for r in replies} < {1, 2, 3, 4}:
                line = process.stdout.readline()
                assert line, "the server closed stdout early"
                replies.append(json.loads(line))  # every line is JSON: nothing else on stdout
            process.stdin.close()
            rest = process.stdout.read()
            process.wait(timeout=30)
        finally:
            watchdog.cancel()
            process.stdout.close()
        errlog.seek(0)
        stderr = errlog.read()

    assert rest.strip() == ""
    assert all(r["jsonrpc"] == "2.0" for r in replies)
    assert {r["id"] for r in replies if "id" in r} == {1, 2, 3, 4}
    assert "DEBUG" in stderr  # the logs went to stderr


def test_a_stdio_server_exits_promptly_when_stdin_closes_with_a_fetch_stuck(tmp_path: Path) -> None:
    messages: list[dict[str, Any]] = [
        *HANDSHAKE,
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_models", "arguments": {}}},
    ]
    with FaultyUpstream(FakeOpenRouter(), default=STALL) as upstream:
        process = subprocess.Popen(
            [sys.executable, "-m", "mcp_server_openrouter"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={
                **os.environ,
                "OPENROUTER_BASE_URL": upstream.base_url,
                "OPENROUTER_CACHE_DIR": str(tmp_path),
                "OPENROUTER_ANSWER_TIMEOUT": "0.5",  # fires: the fake holds every request
                "OPENROUTER_TIMEOUT": "300",  # never fires: exiting must not wait for the fetch
                "OPENROUTER_TOTAL_TIMEOUT": "600",
            },
        )
        assert process.stdin is not None
        assert process.stdout is not None
        watchdog = threading.Timer(120, process.kill)
        watchdog.start()
        try:
            process.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
            process.stdin.flush()
            replies = [json.loads(process.stdout.readline()) for _ in range(2)]
            assert upstream.counts == {"/api/v1/models": 1}  # the fetch is still held
            process.stdin.close()
            code = process.wait(timeout=60)  # far less than the fetch's 600 s bound
        finally:
            watchdog.cancel()
            process.stdout.close()

    assert code == 0
    (answer,) = [r for r in replies if r.get("id") == 2]
    assert answer["result"]["structuredContent"]["source"]["kind"] == "snapshot"


async def test_the_app_factory_serves_stateless_requests_from_several_uvicorn_workers(tmp_path: Path) -> None:
    port = free_port()
    with serve(FakeOpenRouter()) as base_url:
        env = {
            **os.environ,
            "OPENROUTER_BASE_URL": base_url,
            "OPENROUTER_CACHE_DIR": str(tmp_path),
            "PYTHONPATH": str(ROOT / "src"),
        }
        command = [sys.executable, "-m", "uvicorn", "--factory", "mcp_server_openrouter.http:app_factory"]
        counts: list[int] = []
        with listening([*command, "--port", str(port), "--workers", "2", "--log-level", "warning"], port, env):
            with anyio.fail_after(60):
                for mode in ("auto", "legacy", "auto", "legacy"):
                    async with Client(f"http://127.0.0.1:{port}/mcp", mode=mode) as client:  # type: ignore[arg-type]
                        counts.append(structured(await call(client, "count_models"))["count"])

    assert counts == [414, 414, 414, 414]
