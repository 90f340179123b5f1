"""The cache directory misbehaving under a running server (issue 24): read-only, full, removed,
shared by two servers writing at once. Answers keep coming, nothing saved is torn, and a warning
names each problem once, however many saves meet it.

Real faults where the machine allows them: a small tmpfs (made full with a filler file, or
remounted read-only) needs root on Linux, as CI and this project's machines have; elsewhere the
read-only case uses permissions (which root ignores) and the full case a simulated ``ENOSPC``.
Saves run in the background after a refresh, so the tests wait for them by count (a generous
guard, never a speed verdict).
"""

import contextlib
import errno
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import AsyncGenerator, Generator
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.catalog import diskcache
from mcp_server_openrouter.history import store
from mcp_server_openrouter.openrouter import parse_model_list

from .conftest import FAKE_BASE_URL, TEST_KEY
from .fake_upstream import FakeOpenRouter
from .helpers import Clock, call, server_for, structured

pytestmark = pytest.mark.anyio

TTL = 60.0
CATALOG = diskcache.file_name(FAKE_BASE_URL)
HISTORY = store.file_name(FAKE_BASE_URL)
PERIODS = ("day", "week", "month")


# -- the faults -------------------------------------------------------------------------------


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True, check=False, stdin=subprocess.DEVNULL).returncode == 0


@contextlib.contextmanager
def small_filesystem(where: Path, size: str = "24m") -> Generator[bool]:
    """A tmpfs of ``size`` mounted at ``where``; ``False`` (and a plain folder) where none can be."""
    where.mkdir(parents=True)
    mountable = sys.platform == "linux" and os.geteuid() == 0 and shutil.which("mount") is not None
    mounted = mountable and _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where))
    try:
        yield mounted
    finally:
        if mounted:
            _run("umount", "-l", str(where))


def fill(directory: Path) -> Path:
    """Write a filler file until the file system is full; it is deleted to free the space again."""
    filler = directory / "filler.bin"
    chunk = b"\0" * 65536
    with filler.open("wb") as handle:
        while True:
            try:
                handle.write(chunk)
                handle.flush()
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                return filler


# -- the server, and waiting for its saves ----------------------------------------------------


class Saves:
    """Counts the saves of the full catalog attempted to the cache directory (``diskcache._write``
    calls for it that ended, whatever came of them): the datasets' saves are not counted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self._lock = threading.Lock()
        real = diskcache._write

        def counted(what: str, *args: Any) -> None:
            try:
                real(what, *args)
            finally:
                if what == "the catalog cache":
                    with self._lock:
                        self.count += 1

        monkeypatch.setattr(diskcache, "_write", counted)

    async def wait(self, at_least: int) -> None:
        with anyio.fail_after(60):  # generous: the saves run in worker threads in the background
            while self.count < at_least:  # noqa: ASYNC110 - counted in worker threads, not on the loop
                await anyio.sleep(0.01)


def cache_warnings(caplog: pytest.LogCaptureFixture, directory: Path) -> list[str]:
    """The warnings about ``directory`` (the fake's junk benchmark items have warnings of their own)."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and str(directory) in r.getMessage()]


@contextlib.asynccontextmanager
async def server(upstream: FakeOpenRouter, cache_dir: Path, clock: Clock) -> AsyncGenerator[Client]:
    settings: dict[str, Any] = {"api_key": SecretStr(TEST_KEY), "cache_dir": cache_dir, "cache_ttl": TTL}
    async with Client(server_for(upstream, clock=clock, **settings)) as client:
        yield client


async def one_round(client: Client, upstream: FakeOpenRouter, clock: Clock, saves: Saves, n: int) -> None:
    """A catalog that changed, past the TTL: every kind of save runs once (the catalog, a dataset,
    a history recording, a counted dataset request), and every answer still comes."""
    upstream.models[0]["pricing"]["prompt"] = f"0.00000{n + 1}"
    clock.advance(TTL + 1)
    before = saves.count
    got = structured(await call(client, "get_model", {"ids": ["openai/gpt-4o"]}))  # refreshes in the background
    assert got["models"][0]["id"] == "openai/gpt-4o"
    await saves.wait(before + 1)  # the refreshed catalog's save was tried
    changes = structured(await call(client, "list_catalog_changes", {"since": "2026-01-01"}))
    assert changes["source"]["kind"] in ("live", "cached", "stale")
    ranking = structured(await call(client, "list_model_rankings", {"period": PERIODS[n % 3], "limit": 3}))
    assert ranking["rows"]
    page = structured(await call(client, "list_models", {"q": f"gpt-{n}", "limit": 2}))
    assert page["source"]["kind"] in ("live", "cached", "stale")


def saved_catalog(directory: Path) -> tuple[datetime, list[str]]:
    """The saved catalog, whole: when it was fetched and its IDs (a torn file fails here)."""
    payload = json.loads((directory / CATALOG).read_text(encoding="utf-8"))
    return datetime.fromisoformat(payload["fetched_at"]), [m.id for m in parse_model_list(payload).models]


def assert_sound(directory: Path, *, settled: bool = False) -> None:
    """Nothing torn: the saved catalog parses, the history passes SQLite's check; ``settled`` (the
    server has stopped, so no save is under way): no temporary file is left either."""
    saved_catalog(directory)
    with contextlib.closing(sqlite3.connect(f"file:{directory / HISTORY}?mode=ro", uri=True)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    if settled:
        assert not [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


# -- the cases --------------------------------------------------------------------------------


async def test_a_full_disk(
    tmp_path: Path, upstream: FakeOpenRouter, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    cache = tmp_path / "cache-fs"
    saves, clock = Saves(monkeypatch), Clock()
    with small_filesystem(cache) as mounted:
        if not mounted:
            pytest.skip("no tmpfs can be mounted here (root on Linux); test_a_full_disk_simulated covers it")
        async with server(upstream, cache, clock) as client:
            await one_round(client, upstream, clock, saves, 0)
            before = saved_catalog(cache)
            filler = fill(cache)
            caplog.clear()
            for n in range(1, 5):
                await one_round(client, upstream, clock, saves, n)
            warned = cache_warnings(caplog, cache)
            assert saved_catalog(cache) == before  # the last whole catalog, untouched

            filler.unlink()  # space again: saving resumes, with nothing more to say
            assert_sound(cache)  # (SQLite needs space to open its file, even to read it)
            await one_round(client, upstream, clock, saves, 5)
            after = saved_catalog(cache)
        assert_sound(cache, settled=True)
        assert cache_warnings(caplog, cache) == warned

    assert len(warned) == 1, warned
    assert "[full:" in warned[0]
    assert str(cache) in warned[0]
    assert after[0] > before[0]


async def test_a_full_disk_simulated(
    tmp_path: Path, upstream: FakeOpenRouter, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no small file system can be had: every write of a saved file fails with ENOSPC."""
    caplog.set_level(logging.DEBUG)
    cache = tmp_path / "cache"
    saves, clock = Saves(monkeypatch), Clock()
    full = threading.Event()
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        if full.is_set():
            os.close(fd)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fdopen(fd, *args, **kwargs)  # pyright: ignore[reportUnknownVariableType]

    monkeypatch.setattr(diskcache.os, "fdopen", fdopen)
    async with server(upstream, cache, clock) as client:
        await one_round(client, upstream, clock, saves, 0)
        before = saved_catalog(cache)
        full.set()
        caplog.clear()
        for n in range(1, 5):
            await one_round(client, upstream, clock, saves, n)
        warned = cache_warnings(caplog, cache)
        assert saved_catalog(cache) == before
        full.clear()
        await one_round(client, upstream, clock, saves, 5)
        assert saved_catalog(cache)[0] > before[0]
    assert_sound(cache, settled=True)

    assert len(warned) == 1, warned
    assert "[full:" in warned[0]


@contextlib.contextmanager
def read_only(directory: Path, mounted: bool) -> Generator[None]:
    """Make ``directory`` read-only for this process: a read-only remount, or permissions (not root)."""
    if mounted:
        assert _run("mount", "-o", "remount,ro", str(directory))
        try:
            yield
        finally:
            assert _run("mount", "-o", "remount,rw", str(directory))
    elif os.name == "posix" and os.geteuid() != 0:
        directory.chmod(0o555)
        for file in directory.iterdir():
            file.chmod(0o444)
        try:
            yield
        finally:
            directory.chmod(0o755)
            for file in directory.iterdir():
                file.chmod(0o644)
    else:
        pytest.skip("the directory cannot be made read-only here (root without mount, or not POSIX)")


async def test_a_read_only_cache_directory(
    tmp_path: Path, upstream: FakeOpenRouter, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    cache = tmp_path / "cache-fs"
    saves, clock = Saves(monkeypatch), Clock()
    with small_filesystem(cache) as mounted:
        async with server(upstream, cache, clock) as client:
            await one_round(client, upstream, clock, saves, 0)
            before = saved_catalog(cache)
            caplog.clear()
            with read_only(cache, mounted):
                for n in range(1, 5):
                    await one_round(client, upstream, clock, saves, n)
                history = await call(client, "list_catalog_changes", {"ids": ["openai/gpt-4o"]})
                assert not history.is_error  # answered, from memory if the file cannot be read
            warned = cache_warnings(caplog, cache)
            assert saved_catalog(cache) == before
            await one_round(client, upstream, clock, saves, 5)  # writable again
            assert saved_catalog(cache)[0] > before[0]
        assert_sound(cache, settled=True)

    assert len(warned) == 1, warned
    assert "read-only" in warned[0] or "not writable" in warned[0]
    assert str(cache) in warned[0]


async def test_the_cache_directory_removed_while_running(
    tmp_path: Path, upstream: FakeOpenRouter, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    cache = tmp_path / "cache"
    saves, clock = Saves(monkeypatch), Clock()
    async with server(upstream, cache, clock) as client:
        await one_round(client, upstream, clock, saves, 0)
        caplog.clear()
        # As a user's cleaner would: gone at once (a save finishing in the background can put a
        # file in the folder while ``rmtree`` empties it), then deleted.
        cache.rename(tmp_path / "removed")
        shutil.rmtree(tmp_path / "removed")
        for n in range(1, 4):
            await one_round(client, upstream, clock, saves, n)
        assert_sound(cache)  # made again, whole
        assert saved_catalog(cache)[1] == [m["id"] for m in upstream.models]
    assert_sound(cache, settled=True)

    warned = cache_warnings(caplog, cache)
    removed = [w for w in warned if "removed while the server ran" in w]
    assert len(removed) == 1, warned
    # A save under way in the background as the folder went fails once ("missing"); then every
    # save makes the folder again.
    assert all("[missing:" in w for w in warned if w not in removed), warned
    assert len(warned) <= 2, warned


async def test_two_servers_writing_one_cache_directory_at_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two servers (as two processes would: each its own catalog, cache and history connection)
    refresh, save and record into one directory at the same moments."""
    caplog.set_level(logging.WARNING)
    cache = tmp_path / "cache"
    saves, clock = Saves(monkeypatch), Clock()
    upstreams = (FakeOpenRouter(api_key=TEST_KEY), FakeOpenRouter(api_key=TEST_KEY))
    async with server(upstreams[0], cache, clock) as one, server(upstreams[1], cache, clock) as two:
        for n in range(4):
            async with anyio.create_task_group() as group:
                group.start_soon(one_round, one, upstreams[0], clock, saves, 2 * n)
                group.start_soon(one_round, two, upstreams[1], clock, saves, 2 * n + 1)
            clock.advance(-(TTL + 1))  # both rounds moved the shared clock
        assert_sound(cache)
    assert_sound(cache, settled=True)

    assert cache_warnings(caplog, cache) == []


def test_saves_and_loads_racing_in_threads_never_see_half_a_file(tmp_path: Path) -> None:
    """Eight writers of two different catalogs and a reader, at once: every load is one of them, whole."""
    models = parse_model_list({"data": FakeOpenRouter().models}).models
    catalogs = (models[:300], models[300:])
    disk = diskcache.DiskCatalog(tmp_path, FAKE_BASE_URL)
    disk.save(catalogs[0], Clock().now)
    seen: list[int] = []
    stop = threading.Event()

    def writer(which: int) -> None:
        for _ in range(10):
            disk.save(catalogs[which], Clock().now)

    def reader() -> None:
        while not stop.is_set():
            loaded = disk.load()
            assert loaded is not None
            seen.append(len(loaded[0]))

    threads = [threading.Thread(target=writer, args=(i % 2,)) for i in range(8)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stop.set()
    watcher.join(timeout=120)

    assert seen
    assert set(seen) <= {len(catalogs[0]), len(catalogs[1])}
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
