"""Process-level behaviour: stdout is only protocol on stdio; the ASGI factory under uvicorn workers."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from .conftest import ROOT
from .fake_upstream import FakeOpenRouter, serve
from .helpers import call, structured


def test_stdout_carries_nothing_but_protocol_messages_even_at_debug(tmp_path: Path) -> None:
    messages: list[dict[str, Any]] = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "count_models", "arguments": {}}},
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "list_models", "arguments": {"limit": -1}},
        },
    ]
    with serve(FakeOpenRouter()) as base_url:
        done = subprocess.run(
            [sys.executable, "-m", "mcp_server_openrouter", "--log-level", "DEBUG"],
            input="".join(json.dumps(m) + "\n" for m in messages),
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "OPENROUTER_BASE_URL": base_url, "OPENROUTER_CACHE_DIR": str(tmp_path)},
        )

    lines = done.stdout.splitlines()
    replies = [json.loads(line) for line in lines]  # every line is JSON: nothing else on stdout
    assert all(r["jsonrpc"] == "2.0" for r in replies)
    assert {r["id"] for r in replies if "id" in r} == {1, 2, 3, 4}
    assert "DEBUG" in done.stderr  # the logs went to stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.anyio
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
        process = subprocess.Popen(
            [*command, "--port", str(port), "--workers", "2", "--log-level", "warning"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    assert process.poll() is None, "uvicorn exited"
                    assert time.monotonic() < deadline, "uvicorn did not start"
                    await anyio.sleep(0.1)
            counts: list[int] = []
            with anyio.fail_after(60):
                for mode in ("auto", "legacy", "auto", "legacy"):
                    async with Client(f"http://127.0.0.1:{port}/mcp", mode=mode) as client:  # type: ignore[arg-type]
                        counts.append(structured(await call(client, "count_models"))["count"])
        finally:
            process.terminate()
            process.wait(timeout=20)

    assert counts == [414, 414, 414, 414]
