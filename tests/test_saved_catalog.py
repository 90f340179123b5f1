"""The last good full catalog survives a restart: saved atomically, loaded when offline."""

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from mcp_server_openrouter.catalog.diskcache import file_name
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server

from .conftest import FAKE_BASE_URL, FAST_RETRY
from .fake_upstream import FakeOpenRouter
from .helpers import call, structured

FILE_NAME = file_name(FAKE_BASE_URL)

pytestmark = pytest.mark.anyio


async def run(upstream: FakeOpenRouter, cache_dir: Path, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    settings = Settings(base_url=FAKE_BASE_URL, cache_dir=cache_dir)
    with anyio.fail_after(60):
        async with Client(create_server(settings, transport=upstream.transport(), retry=FAST_RETRY)) as client:
            return structured(await call(client, tool, arguments))


async def test_a_restart_without_network_answers_from_the_saved_catalog(tmp_path: Path) -> None:
    today = FakeOpenRouter()
    today.models = today.models[:40]  # differs from the bundled snapshot
    await run(today, tmp_path, "get_model", {"ids": [today.models[0]["id"]]})
    saved: dict[str, Any] = json.loads((tmp_path / FILE_NAME).read_text())
    assert [m["id"] for m in saved["data"]] == [m["id"] for m in today.models]
    files = [p for p in tmp_path.iterdir() if not p.name.startswith("history-")]  # the history has its own file
    assert files == [tmp_path / FILE_NAME]  # no temporary file left behind

    down = FakeOpenRouter()
    down.go_down()
    page = await run(down, tmp_path, "list_models", {"output_modalities": ["all"], "limit": 100})

    assert page["total"] == 40
    source: dict[str, Any] = page["source"]
    assert source["kind"] == "stale"
    saved_at = datetime.fromisoformat(saved["fetched_at"]).replace(microsecond=0)
    assert datetime.fromisoformat(str(source["as_of"])) == saved_at
    assert "saved catalog" in source["note"]


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        '{"fetched_at": "yesterday", "data": []}',
        '{"fetched_at": "2026-11-01T00:00:00", "data": []}',
        "[]",
    ],
)
async def test_a_corrupt_saved_catalog_is_ignored_with_a_warning(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / FILE_NAME).write_text(content)
    down = FakeOpenRouter()
    down.go_down()

    with caplog.at_level(logging.WARNING):
        page = await run(down, tmp_path, "count_models", {"output_modalities": ["all"]})

    source = page["source"]
    assert isinstance(source, dict)
    assert source["kind"] == "snapshot"
    assert any("Ignoring" in r.getMessage() and FILE_NAME in r.getMessage() for r in caplog.records)


async def test_an_unwritable_cache_dir_only_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")

    with caplog.at_level(logging.WARNING):
        page = await run(FakeOpenRouter(), blocker / "sub", "get_model", {"ids": ["openrouter/auto"]})

    source = page["source"]
    assert isinstance(source, dict)
    assert source["kind"] == "live"
    assert any("Could not save the catalog cache" in r.getMessage() for r in caplog.records)


async def test_each_upstream_has_its_own_saved_catalog(tmp_path: Path) -> None:
    staging = FakeOpenRouter()
    staging.models = staging.models[:3]
    settings = Settings(base_url="http://staging.test/api/v1", cache_dir=tmp_path)
    async with Client(create_server(settings, transport=staging.transport(), retry=FAST_RETRY)) as client:
        await client.list_resources()
    down = FakeOpenRouter()
    down.go_down()

    page = await run(down, tmp_path, "count_models", {"output_modalities": ["all"]})

    assert page["source"]["kind"] == "snapshot"  # not the staging upstream's 3 models
    assert page["count"] == 549


async def test_an_older_fetch_finishing_late_is_not_saved_nor_served(tmp_path: Path) -> None:
    """Fetches store in the background: one that lost the race to a newer one must not undo it."""
    from mcp_server_openrouter.catalog import Catalog, ModelSet
    from mcp_server_openrouter.catalog.catalog import FULL_CATALOG
    from mcp_server_openrouter.openrouter import parse_model_list

    models = parse_model_list({"data": FakeOpenRouter().models}).models
    older, newer = ModelSet(models[:10]), ModelSet(models[:20])
    catalog = Catalog(Settings(base_url=FAKE_BASE_URL, cache_dir=tmp_path))
    catalog._cache._store(FULL_CATALOG, newer)  # the newer fetch was stored first

    await catalog._stored(FULL_CATALOG, older)

    assert not (tmp_path / FILE_NAME).exists()
    assert catalog._served is None
    await catalog._stored(FULL_CATALOG, newer)
    assert len(json.loads((tmp_path / FILE_NAME).read_text())["data"]) == 20
    assert catalog._served is newer
