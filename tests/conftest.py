import logging
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.catalog import diskcache
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import RetryPolicy
from mcp_server_openrouter.server import create_server

from .fake_upstream import FakeOpenRouter

ROOT = Path(__file__).resolve().parent.parent
INTEROP = ROOT / "interop"
FAKE_BASE_URL = "http://fake-openrouter.test/api/v1"
TEST_KEY = "sk-or-v1-TESTKEY-7c1e9d0b5a3f4e2d8c6b"


FAST_RETRY = RetryPolicy(retries=2, backoff=0.001, max_backoff=0.002, retry_after_cap=0.01)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def private_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user cache directory."""
    directory = tmp_path / "cache"
    monkeypatch.setattr(diskcache, "default_cache_dir", lambda: directory)
    monkeypatch.setenv("OPENROUTER_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def upstream() -> FakeOpenRouter:
    return FakeOpenRouter(api_key=TEST_KEY)


@pytest.fixture
def settings() -> Settings:
    return Settings(api_key=SecretStr(TEST_KEY), base_url=FAKE_BASE_URL, timeout=5)


@pytest.fixture
async def client(upstream: FakeOpenRouter, settings: Settings) -> AsyncIterator[Client]:
    async with Client(create_server(settings, transport=upstream.transport(), retry=FAST_RETRY)) as session:
        yield session


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """main() configures the root logger for a process; undo it so later tests log normally."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def interop() -> Path:
    """The pinned npm packages, installed once per checkout."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the interop tests")
    marker = INTEROP / "node_modules/.package-lock.json"
    lock = INTEROP / "package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=INTEROP,
            check=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
        )
    return INTEROP


def uv() -> str:
    bootstrap = ROOT / ".bootstrap" / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")
    found = shutil.which("uv") or (str(bootstrap) if bootstrap.exists() else None)
    if found is None:
        pytest.skip("uv is needed (python3 dev.py test installs it)")
    return found


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built straight from the source tree."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)], check=True, capture_output=True, timeout=300
    )
    (built,) = out.glob("mcp_server_openrouter-*.whl")
    return built


@pytest.fixture(scope="session")
def release(interop: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`python3 dev.py release` into a temporary folder: the folder and what it printed."""
    out = tmp_path_factory.mktemp("release")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/release.py"), "--out-dir", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "UV": uv()},
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out, done.stdout + done.stderr


@pytest.fixture(scope="session", autouse=True)
def measured_server_processes() -> Iterator[None]:
    """Server processes the tests start are measured by coverage too (``patch = ["subprocess"]``):
    the stdio transport and the HTTP slow-client guards run only there. Coverage hands a child its
    settings in ``COVERAGE_PROCESS_CONFIG``, which a test's own ``env=`` for the child would drop,
    so it is added to every environment given to a child (asyncio's and anyio's processes are
    ``subprocess.Popen``s too). Without coverage, nothing changes."""
    carried = {name: value for name, value in os.environ.items() if name.startswith("COVERAGE_")}
    if not carried:
        yield
        return
    original = subprocess.Popen.__init__

    def init(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> None:
        if kwargs.get("env") is not None:
            kwargs["env"] = {**carried, **kwargs["env"]}
        original(self, *args, **kwargs)

    subprocess.Popen.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        subprocess.Popen.__init__ = original  # type: ignore[method-assign]
