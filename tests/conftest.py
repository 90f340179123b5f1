import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter import diskcache
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import RetryPolicy
from mcp_server_openrouter.server import create_server

from .fake_upstream import FakeOpenRouter

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
