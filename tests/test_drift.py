"""Every real snapshot (2025-05 … 2026-08) served as the upstream: tools and resources all work."""

import json

import anyio
import pytest
from mcp import Client
from mcp_types import TextResourceContents

from .fake_upstream import SNAPSHOTS, FakeOpenRouter, load_snapshot
from .helpers import call, ids_of, rows_of, server_for, structured

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
async def test_every_schema_era_works_end_to_end(snapshot: str) -> None:
    models = load_snapshot(snapshot)
    upstream = FakeOpenRouter(models)
    text_ids = [m["id"] for m in models if "text" in m["architecture"]["output_modalities"]]
    server = server_for(upstream)

    with anyio.fail_after(60):
        async with Client(server) as client:
            page = structured(await call(client, "list_models", {"limit": 100}))
            tools = structured(await call(client, "list_models", {"supported_parameters": ["tools"], "limit": 5}))
            counted = structured(await call(client, "count_models", {"output_modalities": ["all"]}))
            details = structured(await call(client, "get_model", {"ids": [m["id"] for m in models[:10]]}))
            names: list[str] = []
            cursor: str | None = None
            while True:
                listed = await client.list_resources(cursor=cursor)
                names.extend(r.name for r in listed.resources if r.uri != "openrouter://providers")
                if (cursor := listed.next_cursor) is None:
                    break
            read = await client.read_resource(f"openrouter://models/{models[-1]['id']}")

    assert page["total"] == len(text_ids)
    assert ids_of(page) == text_ids[:100]
    assert all("T" in m["flags"] for m in rows_of(tools))
    assert counted["count"] == len(models)
    assert [d["id"] for d in details["models"]] == [m["id"] for m in models[:10]]
    assert sorted(names) == sorted(m["id"] for m in models)
    (content,) = read.contents
    assert isinstance(content, TextResourceContents)
    body = json.loads(content.text)
    body.pop("derived")
    assert body == models[-1]
