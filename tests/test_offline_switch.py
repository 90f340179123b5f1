"""--offline / OPENROUTER_OFFLINE=1: never touch the network, say so in every answer."""

import anyio
import pytest
from mcp import Client

from mcp_server_openrouter.config import Settings

from .fake_upstream import FakeOpenRouter
from .helpers import call, server_for, structured, text_of

pytestmark = pytest.mark.anyio


async def test_offline_mode_serves_everything_from_local_data_without_a_single_request() -> None:
    upstream = FakeOpenRouter()
    server = server_for(upstream, offline=True)

    with anyio.fail_after(60):
        async with Client(server) as client:
            listed = await call(client, "list_models", {"supported_parameters": ["tools"], "limit": 3})
            counted = await call(client, "count_models")
            detail = await call(client, "get_model", {"ids": ["openrouter/auto"]})
            resource = await client.read_resource("openrouter://models/openrouter/auto")
            page = await client.list_resources()
            mine = await call(client, "list_models_for_user")

    assert upstream.requests == []
    for result in (listed, counted, detail):
        source = structured(result)["source"]
        assert source["kind"] == "snapshot"
        assert source["note"] == "offline mode: the network is not used"
    assert "OFFLINE: bundled catalog snapshot of 2026-08-18 (offline mode" in text_of(listed)
    assert structured(counted)["count"] == 414
    assert resource.contents
    assert len(page.resources) == 101  # the provider list, then 100 models
    assert page.resources[0].uri == "openrouter://providers"
    assert mine.is_error
    assert "offline mode" in text_of(mine)


async def test_offline_mode_uses_the_saved_catalog_when_there_is_one(tmp_path: object) -> None:
    upstream = FakeOpenRouter()
    upstream.models = upstream.models[:7]
    online = server_for(upstream)
    async with Client(online) as client:
        await call(client, "count_models", {"output_modalities": ["all"], "q": "a"})  # not the full catalog
        await client.list_resources()  # the full catalog: saved

    offline = server_for(upstream, offline=True)
    async with Client(offline) as client:
        counted = structured(await call(client, "count_models", {"output_modalities": ["all"]}))

    assert counted["count"] == 7
    assert counted["source"]["kind"] == "stale"
    assert "saved catalog" in counted["source"]["note"]
    assert len(upstream.requests) == 2


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("YES", True), ("0", False), ("", False)])
def test_the_environment_switch(value: str, expected: bool) -> None:
    assert Settings.from_env({"OPENROUTER_OFFLINE": value}).offline is expected
