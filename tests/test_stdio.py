"""The real process boundary: ``python -m mcp_server_openrouter`` over stdio with the SDK's client."""

import sys
import tempfile
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter, serve
from .helpers import TOOL_NAMES, call, ids_of, structured, text_of

pytestmark = pytest.mark.anyio


async def test_server_process_answers_over_stdio_against_a_loopback_upstream(tmp_path: Path) -> None:
    upstream = FakeOpenRouter(api_key=TEST_KEY)
    with serve(upstream) as base_url, tempfile.TemporaryFile("w+") as errlog:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "mcp_server_openrouter", "--log-level", "DEBUG"],
            env={
                "OPENROUTER_BASE_URL": base_url,
                "OPENROUTER_API_KEY": TEST_KEY,
                "OPENROUTER_CACHE_DIR": str(tmp_path / "cache"),
            },
            cwd=tmp_path,
        )
        with anyio.fail_after(60):
            async with Client(stdio_client(params, errlog=errlog)) as client:
                tools = await client.list_tools()
                listed = await call(client, "list_models", {"supported_parameters": ["tools"], "limit": 2})
                counted = await call(client, "count_models", {"output_modalities": ["all"]})
                mine = await call(client, "list_models_for_user", {"limit": 1})
        errlog.seek(0)
        stderr = errlog.read()

    assert sorted(t.name for t in tools.tools) == sorted(TOOL_NAMES)
    page = structured(listed)
    assert page["source"]["kind"] == "live"
    assert ids_of(page) == [m["id"] for m in upstream.select({"supported_parameters": "tools"})[:2]]
    assert structured(counted)["count"] == 549
    assert structured(mine)["total"] == 549
    assert "Models 1-1 of 549" in text_of(mine)
    assert [r.url.path for r in upstream.requests] == ["/api/v1/models", "/api/v1/models/count", "/api/v1/models/user"]
    assert upstream.requests[0].headers["user-agent"].startswith("mcp-server-openrouter/")
    assert TEST_KEY not in stderr
