"""Heavy work stays off the event loop: parsing an answer (about 1 MB and 500 records for the
whole catalog) and reading the saved catalog run in worker threads, so other sessions go on.

Each test holds the work in its thread until a task on the event loop releases it. Were the work
on the event loop, that task could never run: the held work would give up after its (generous)
wait and the test would fail. No verdict depends on the machine's speed.
"""

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.to_thread
import httpx2
import pytest
from mcp import Client
from mcp_types import CallToolResult

from mcp_server_openrouter.catalog import fallback as fallback_module
from mcp_server_openrouter.catalog.cache import QueryCache
from mcp_server_openrouter.catalog.diskcache import DiskCatalog
from mcp_server_openrouter.catalog.fallback import Fallback
from mcp_server_openrouter.catalog.offline import load_snapshot
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import (
    ModelList,
    ModelsQuery,
    OpenRouterClient,
    RetryPolicy,
    client,
    parse_model_list,
)
from mcp_server_openrouter.server import create_server

from .conftest import FAST_RETRY
from .fake_upstream import FakeOpenRouter

pytestmark = pytest.mark.anyio

GENEROUS = 60.0
NOW = datetime(2026, 12, 1, tzinfo=UTC)


class Hold:
    """Wraps a function so that, in whatever thread calls it, it waits for :meth:`release`."""

    def __init__(self, work: Callable[..., Any]) -> None:
        self.work = work
        self.entered = threading.Event()
        self.released = threading.Event()

    def __call__(self, *args: Any) -> Any:
        self.entered.set()
        if not self.released.wait(GENEROUS):
            raise AssertionError("the event loop never ran while this work was under way")
        return self.work(*args)

    async def release_from_the_event_loop(self) -> None:
        await anyio.to_thread.run_sync(self.entered.wait, GENEROUS)
        self.released.set()  # runs only if the event loop is free while the work waits


async def test_an_answer_is_parsed_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    hold = Hold(client.parse_model_list)
    monkeypatch.setattr(client, "parse_model_list", hold)
    upstream = FakeOpenRouter()
    answers: list[ModelList] = []

    async def fetch() -> None:
        answers.append(await api.list_models(ModelsQuery(output_modalities=("all",))))

    async with OpenRouterClient.create(
        base_url="http://fake.test/api/v1", transport=upstream.transport(), retry=RetryPolicy(retries=0)
    ) as api:
        with anyio.fail_after(GENEROUS * 2):
            async with anyio.create_task_group() as group:
                group.start_soon(fetch)
                await hold.release_from_the_event_loop()

    (answer,) = answers
    assert len(answer.models) == len(upstream.models)


async def test_the_saved_catalog_is_read_in_a_worker_thread_once(tmp_path: Any) -> None:
    disk = DiskCatalog(tmp_path, "http://fake.test/api/v1")
    records = FakeOpenRouter().models[:3]
    disk.save(parse_model_list({"data": records}).models, NOW)
    hold = Hold(disk.load)
    disk.load = hold  # type: ignore[method-assign]
    fallback = Fallback(QueryCache(ttl=60, clock=lambda: NOW), ModelsQuery(), disk, lambda: NOW)
    answers: list[Any] = []

    async def read() -> None:
        answers.append(await fallback.base("down"))

    with anyio.fail_after(GENEROUS * 2):
        async with anyio.create_task_group() as group:
            group.start_soon(read)
            group.start_soon(read)  # arrives while the first read is under way: waits for it
            await hold.release_from_the_event_loop()
        again = await fallback.base("still down")

    first, second = answers
    assert [m.id for m in first.value.models] == [r["id"] for r in records]
    assert second.value is first.value is again.value  # read once
    assert first.provenance.note == "saved catalog; down"


async def test_the_bundled_snapshot_is_parsed_in_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    hold = Hold(load_snapshot)
    monkeypatch.setattr(fallback_module, "load_snapshot", hold)
    load_snapshot.cache_clear()
    fallback = Fallback(
        QueryCache(ttl=60, clock=lambda: NOW), ModelsQuery(), DiskCatalog(tmp_path, "http://x"), lambda: NOW
    )
    answers: list[Any] = []

    async def read() -> None:
        answers.append(await fallback.base("down"))

    try:
        with anyio.fail_after(GENEROUS * 2):
            async with anyio.create_task_group() as group:
                group.start_soon(read)
                await hold.release_from_the_event_loop()
    finally:
        load_snapshot.cache_clear()

    (answer,) = answers
    assert answer.provenance.kind == "snapshot"
    assert answer.provenance.note == "down"
    assert len(answer.value.models) > 100


async def test_the_http_client_opens_on_first_need_with_its_tls_context_built_in_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    hold = Hold(httpx2.create_ssl_context)
    monkeypatch.setattr(httpx2, "create_ssl_context", hold)
    settings = Settings(base_url="http://127.0.0.1:9/api/v1", cache_dir=tmp_path)  # refused: answered offline
    answers: list[CallToolResult] = []

    async def ask(client: Client) -> None:
        answers.append(await client.call_tool("get_model", {"ids": ["openai/gpt-4o"]}))

    with anyio.fail_after(GENEROUS * 2):
        async with Client(create_server(settings, retry=FAST_RETRY)) as client:
            await client.list_tools()
            assert not hold.entered.is_set()  # starting and listing opened no HTTP client
            async with anyio.create_task_group() as group:
                group.start_soon(ask, client)
                await hold.release_from_the_event_loop()

    (answer,) = answers
    assert not answer.is_error
