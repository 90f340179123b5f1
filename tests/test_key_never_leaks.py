"""The API key appears in no result, error, log line or repr, whatever happens upstream."""

import logging
from typing import Any

import httpx2
import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server

from .conftest import FAKE_BASE_URL
from .fake_upstream import FakeOpenRouter
from .helpers import call

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-LEAKCANARY-0f9e8d7c6b5a49382716"


def echo_key_in_error(request: httpx2.Request) -> httpx2.Response:
    # A hostile or careless upstream that echoes the credential it rejects.
    return httpx2.Response(400, json={"error": {"message": f"Bad header {request.headers.get('authorization')}"}})


async def test_the_key_appears_nowhere(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    upstream = FakeOpenRouter(api_key=KEY)
    settings = Settings(api_key=SecretStr(KEY), base_url=FAKE_BASE_URL)
    seen: list[str] = [repr(settings), str(settings), repr(Catalog(settings))]

    async with Client(create_server(settings, transport=upstream.transport())) as client:
        scenarios: list[tuple[str, dict[str, Any]]] = [
            ("list_models", {}),
            ("count_models", {}),
            ("list_models_for_user", {}),
            ("list_models", {"limit": 10_000}),
        ]
        for tool, arguments in scenarios:
            seen.append((await call(client, tool, arguments)).model_dump_json())
        upstream.api_key = "another-key"
        seen.append((await call(client, "list_models_for_user")).model_dump_json())
        upstream.fail = echo_key_in_error
        echoed = await call(client, "list_models_for_user")
        seen.append(echoed.model_dump_json())
        upstream.go_down()
        seen.append((await call(client, "list_models_for_user")).model_dump_json())
        seen.append((await call(client, "list_models")).model_dump_json())

    assert echoed.is_error
    assert "[redacted]" in echoed.model_dump_json()
    assert upstream.requests[2].headers["authorization"] == f"Bearer {KEY}"  # it was really used
    seen.extend(record.getMessage() for record in caplog.records)
    seen.extend(str(record.exc_info) for record in caplog.records if record.exc_info)
    for text in seen:
        assert KEY not in text
        assert "LEAKCANARY" not in text
