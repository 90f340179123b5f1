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

from .conftest import FAKE_BASE_URL, FAST_RETRY
from .fake_upstream import FakeOpenRouter
from .helpers import call

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-LEAKCANARY-0f9e8d7c6b5a49382716"


def echo_key_in_error(request: httpx2.Request) -> httpx2.Response:
    # A hostile or careless upstream that echoes the credential it rejects.
    return httpx2.Response(400, json={"error": {"message": f"Bad header {request.headers.get('authorization')}"}})


async def run_scenario(settings: Settings, upstream: FakeOpenRouter, tool: str, arguments: dict[str, Any]) -> str:
    async with Client(create_server(settings, transport=upstream.transport(), retry=FAST_RETRY)) as client:
        return (await call(client, tool, arguments)).model_dump_json()


async def test_the_key_appears_nowhere(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(api_key=SecretStr(KEY), base_url=FAKE_BASE_URL)
    seen: list[str] = [repr(settings), str(settings), repr(Catalog(settings))]

    def fresh() -> FakeOpenRouter:
        return FakeOpenRouter(api_key=KEY)

    used = fresh()
    seen.append(await run_scenario(settings, used, "list_models_for_user", {}))
    assert used.requests[0].headers["authorization"] == f"Bearer {KEY}"  # it was really sent
    endpoints = fresh()
    seen.append(await run_scenario(settings, endpoints, "list_model_endpoints", {"id": "openai/gpt-4o"}))
    assert endpoints.requests[-1].headers["authorization"] == f"Bearer {KEY}"  # sent there too
    for tool, arguments in [("list_models", {}), ("count_models", {}), ("list_models", {"limit": 10_000})]:
        seen.append(await run_scenario(settings, fresh(), tool, arguments))
    rejected = fresh()
    rejected.api_key = "another-key"
    seen.append(await run_scenario(settings, rejected, "list_models_for_user", {}))
    echoing = fresh()
    echoing.fail = echo_key_in_error
    echoed = await run_scenario(settings, echoing, "list_models_for_user", {})
    seen.append(echoed)
    echoing_endpoints = fresh()
    echoing_endpoints.fail = echo_key_in_error
    seen.append(await run_scenario(settings, echoing_endpoints, "list_model_endpoints", {"id": "openai/gpt-4o"}))
    down = fresh()
    down.go_down()
    seen.append(await run_scenario(settings, down, "list_models_for_user", {}))
    seen.append(await run_scenario(settings, down, "list_models", {}))

    assert '"isError":true' in echoed.replace(" ", "") or '"is_error":true' in echoed.replace(" ", "")
    assert "[redacted]" in echoed
    seen.extend(record.getMessage() for record in caplog.records)
    seen.extend(str(record.exc_info) for record in caplog.records if record.exc_info)
    for text in seen:
        assert KEY not in text
        assert "LEAKCANARY" not in text
