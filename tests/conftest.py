from collections.abc import AsyncIterator

import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server

from .fake_upstream import FakeOpenRouter

FAKE_BASE_URL = "http://fake-openrouter.test/api/v1"
TEST_KEY = "sk-or-v1-TESTKEY-7c1e9d0b5a3f4e2d8c6b"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def upstream() -> FakeOpenRouter:
    return FakeOpenRouter(api_key=TEST_KEY)


@pytest.fixture
def settings() -> Settings:
    return Settings(api_key=SecretStr(TEST_KEY), base_url=FAKE_BASE_URL, timeout=5)


@pytest.fixture
async def client(upstream: FakeOpenRouter, settings: Settings) -> AsyncIterator[Client]:
    async with Client(create_server(settings, transport=upstream.transport())) as session:
        yield session
