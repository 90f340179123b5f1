"""The catalog history's SQLite store: seeding, recording, queries, several processes, failures."""

import json
import logging
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest

from mcp_server_openrouter.history import store
from mcp_server_openrouter.history.events import Event, Seed
from mcp_server_openrouter.history.store import HistoryStore, file_name

from .history_fakes import BASE_AT, JAN, MAR, catalog_at, fake_diff, make_seed, model

ROOT = Path(__file__).resolve().parent.parent
T1 = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fake_diff_in_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "diff", fake_diff)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / file_name("https://openrouter.ai/api/v1")


def sql(path: Path, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(query, args).fetchall()


def points(*days: date) -> list[tuple[datetime, datetime]]:
    return [(at, at) for at in (datetime.combine(d, datetime.min.time(), UTC) for d in days)]


def stored_catalog(path: Path) -> list[dict[str, Any]]:
    return [json.loads(text) for (text,) in sql(path, "SELECT record FROM last ORDER BY model_id")]


# -- seeding ---------------------------------------------------------------------------------------


def test_a_fresh_store_answers_the_bundled_history(path: Path) -> None:
    history = HistoryStore(path, make_seed())

    events, total = history.events()

    assert total == 3
    assert events == sorted(make_seed().events, key=lambda e: (-e.seen_at.timestamp(), e.model_id))
    assert history.last_recorded() == BASE_AT
    coverage = history.coverage()
    assert coverage.first == JAN
    assert coverage.spans == points(date(2025, 1, 1), date(2025, 3, 1), date(2025, 5, 1))
    assert not coverage.degraded
    assert history.degraded is None
    assert stored_catalog(path) == sorted(make_seed().base, key=lambda r: r["id"])
    assert sql(path, "PRAGMA journal_mode") == [("wal",)]
    assert ("schema_version", "1") in sql(path, "SELECT key, value FROM meta")


def test_the_base_date_is_covered_even_without_a_snapshot_of_that_day(path: Path) -> None:
    seed = make_seed()
    seed = Seed(events=[], snapshots=[date(2025, 1, 1)], base=seed.base, base_at=BASE_AT)

    assert HistoryStore(path, seed).coverage().spans == points(date(2025, 1, 1), date(2025, 5, 1))


def test_each_upstream_has_its_own_file() -> None:
    assert file_name("https://openrouter.ai/api/v1") == file_name("https://openrouter.ai/api/v1/")
    assert file_name("https://openrouter.ai/api/v1") != file_name("http://staging.test/api/v1")
    assert file_name("https://openrouter.ai/api/v1").startswith("history-")


# -- recording -------------------------------------------------------------------------------------


def test_a_recording_stores_the_changes_since_the_one_before(path: Path) -> None:
    history = HistoryStore(path, make_seed())
    first = [model("openai/gpt-4o", "0.000002"), model("google/gemini-2.5-pro", "0.00000125"), model("x-ai/grok-4")]

    changes = history.record(first, T1)

    assert sorted(changes, key=lambda e: e.kind) == [
        Event("x-ai/grok-4", "added", None, None, "x-ai/grok-4", since=BASE_AT, seen_at=T1),
        Event("openai/gpt-4o", "price", "prompt", "0.0000025", "0.000002", since=BASE_AT, seen_at=T1),
    ]
    assert history.events(since=BASE_AT) == (sorted(changes, key=lambda e: e.model_id), 2)
    assert stored_catalog(path) == sorted(first, key=lambda r: r["id"])
    assert history.last_recorded() == T1

    t2 = T1 + timedelta(minutes=10)
    assert history.record(first[1:], t2) == [
        Event("openai/gpt-4o", "removed", None, "openai/gpt-4o", None, since=T1, seen_at=t2)
    ]
    assert history.events(since=T1)[0][0].since == T1
    assert stored_catalog(path) == sorted(first[1:], key=lambda r: r["id"])


def test_a_catalog_older_than_the_last_recorded_one_is_ignored(path: Path) -> None:
    history = HistoryStore(path, make_seed())
    history.record(catalog_at(T1), T1)

    assert history.record([], T1) == []
    assert history.record([], T1 - timedelta(seconds=1)) == []
    assert history.record([], BASE_AT) == []

    assert history.last_recorded() == T1
    assert history.events()[1] == 3 + 4  # the seed, and base -> T1: two models removed, two added
    assert stored_catalog(path) == sorted(catalog_at(T1), key=lambda r: r["id"])


def test_recordings_a_day_apart_or_less_extend_one_span(path: Path) -> None:
    history = HistoryStore(path, make_seed())
    t2, t3 = T1 + timedelta(hours=2), T1 + timedelta(hours=26)
    t4 = t3 + timedelta(days=1, seconds=1)

    for at in (T1, t2, t3, t4):
        history.record(catalog_at(at), at)

    assert history.coverage().spans == [
        *points(date(2025, 1, 1), date(2025, 3, 1), date(2025, 5, 1)),
        (T1, t3),
        (t4, t4),
    ]


def test_a_naive_time_is_taken_as_utc(path: Path) -> None:
    history = HistoryStore(path, make_seed())

    history.record(catalog_at(T1), T1.replace(tzinfo=None))

    assert history.last_recorded() == T1


def test_an_unchanged_catalog_rewrites_no_stored_record(path: Path) -> None:
    history = HistoryStore(path, make_seed())
    history.record(catalog_at(T1), T1)
    before = sql(path, "SELECT rowid, model_id FROM last ORDER BY rowid")

    assert history.record(catalog_at(T1), T1 + timedelta(minutes=5)) == []

    assert sql(path, "SELECT rowid, model_id FROM last ORDER BY rowid") == before
    assert history.last_recorded() == T1 + timedelta(minutes=5)


def test_a_failure_half_way_leaves_the_state_before(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history = HistoryStore(path, make_seed())
    history.last_recorded()  # seeded

    def fail(*_: object) -> None:
        raise RuntimeError("crash after the events were written")

    monkeypatch.setattr(HistoryStore, "_trim", fail)
    with pytest.raises(RuntimeError):
        history.record(catalog_at(T1), T1)

    assert history.events()[1] == 3
    assert history.last_recorded() == BASE_AT
    assert stored_catalog(path) == sorted(make_seed().base, key=lambda r: r["id"])
    assert len(history.coverage().spans) == 3


# -- queries ---------------------------------------------------------------------------------------


@pytest.fixture
def recorded(path: Path) -> HistoryStore:
    """The seed, then at T1: gpt-4o's price falls, grok-4 and a2 are added; at T2: gpt-4o's price
    rises again, gemini is removed."""
    history = HistoryStore(path, make_seed())
    gemini = model("google/gemini-2.5-pro", "0.00000125")
    history.record([model("openai/gpt-4o", "0.000002"), gemini, model("x-ai/grok-4"), model("x-ai/a2")], T1)
    history.record([model("openai/gpt-4o", "0.000003"), model("x-ai/grok-4"), model("x-ai/a2")], T2)
    return history


T2 = T1 + timedelta(hours=1)


def test_events_newest_first_then_by_model_kind_and_field(recorded: HistoryStore) -> None:
    events, total = recorded.events()

    assert total == 8
    assert [(e.seen_at, e.model_id, e.kind) for e in events] == [
        (T2, "google/gemini-2.5-pro", "removed"),
        (T2, "openai/gpt-4o", "price"),
        (T1, "openai/gpt-4o", "price"),
        (T1, "x-ai/a2", "added"),
        (T1, "x-ai/grok-4", "added"),
        (BASE_AT, "anthropic/claude-2", "removed"),
        (BASE_AT, "google/gemini-2.5-pro", "added"),
        (MAR, "openai/gpt-4o", "price"),
    ]


def test_events_filters(recorded: HistoryStore) -> None:
    def ids(**filters: Any) -> list[str]:
        events, total = recorded.events(**filters)
        assert total == len(events)
        return [f"{e.model_id} {e.kind}" for e in events]

    assert ids(since=T1) == ["google/gemini-2.5-pro removed", "openai/gpt-4o price"]
    assert ids(since=MAR, kinds=["added"]) == ["x-ai/a2 added", "x-ai/grok-4 added", "google/gemini-2.5-pro added"]
    assert ids(authors={"x-ai", "anthropic"}) == ["x-ai/a2 added", "x-ai/grok-4 added", "anthropic/claude-2 removed"]
    assert ids(ids=["openai/gpt-4o"], kinds=["price", "removed"], since=JAN) == ["openai/gpt-4o price"] * 3
    assert ids(kinds=[]) == []
    assert ids(since=T2) == []


def test_events_pages_and_counts(recorded: HistoryStore) -> None:
    everything, _ = recorded.events()

    pages = [recorded.events(limit=3, offset=offset) for offset in (0, 3, 6, 9)]

    assert [total for _, total in pages] == [8] * 4
    assert [e for page, _ in pages for e in page] == everything
    assert [len(page) for page, _ in pages] == [3, 3, 2, 0]


def test_price_changes_newest_first(recorded: HistoryStore) -> None:
    changes = recorded.price_changes("openai/gpt-4o")

    assert [(e.before, e.after, e.since, e.seen_at) for e in changes] == [
        ("0.000002", "0.000003", T1, T2),
        ("0.0000025", "0.000002", BASE_AT, T1),
        ("0.000005", "0.0000025", JAN, MAR),
    ]
    assert recorded.price_changes("openai/gpt-4o", limit=1) == changes[:1]
    assert recorded.price_changes("x-ai/grok-4") == []


# -- bounded size ----------------------------------------------------------------------------------


def test_the_oldest_recordings_go_whole_beyond_max_events(path: Path) -> None:
    history = HistoryStore(path, make_seed(), max_events=5)
    times = [T1 + timedelta(minutes=m) for m in range(4)]

    for at in times:
        history.record(catalog_at(at), at)  # 4 events, then 3 a recording

    events, total = history.events(limit=100)
    assert total == 3  # two recordings of 3 would be 6
    assert {e.seen_at for e in events} == {times[3]}
    assert history.coverage().first == times[2]  # the catalog at times[2] is known, not what came before
    assert history.coverage().spans == [(times[2], times[3])]


def test_a_seed_larger_than_max_events_is_cut_at_seeding(path: Path) -> None:
    history = HistoryStore(path, make_seed(), max_events=2)

    events, total = history.events()

    assert total == 2
    assert {e.seen_at for e in events} == {BASE_AT}
    assert history.coverage().spans == points(date(2025, 3, 1), date(2025, 5, 1))


# -- several processes -----------------------------------------------------------------------------


class Writers:
    """Processes recording catalogs into one history (see tests/history_fakes.py); stopped and
    their pipes closed at the end of the test."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, path: Path, count: int, timeout: float = 60) -> subprocess.Popen[str]:
        """A process that records ``count`` catalogs into ``path`` once told to :meth:`go`."""
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.history_fakes", str(path), str(count), str(timeout)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.processes.append(process)
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        return process

    @staticmethod
    def go(process: subprocess.Popen[str]) -> IO[str]:
        """Let it record; the times of the recordings it makes, a line each."""
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write("go\n")
        process.stdin.flush()
        return process.stdout

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=60)
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()


@pytest.fixture
def writers() -> Iterator[Writers]:
    started = Writers()
    yield started
    started.stop()


def by_model_and_kind(event: Event) -> tuple[str, str]:
    return event.model_id, event.kind


def check_history(path: Path) -> list[datetime]:
    """The file is sound, and every recording in it whole and once: its events are exactly the
    changes from the recording before. The times of the recordings, in order."""
    assert sql(path, "PRAGMA integrity_check") == [("ok",)]
    groups: dict[datetime, list[Event]] = defaultdict(list)
    history = HistoryStore(path, make_seed())
    events, total = history.events(since=BASE_AT, limit=1_000_000)
    assert total == len(events)
    for event in events:
        groups[event.seen_at].append(event)
    times = sorted(groups)
    for since, at in zip([BASE_AT, *times], times, strict=False):
        expected = fake_diff(catalog_at(since), catalog_at(at), since=since, seen_at=at)
        assert sorted(groups[at], key=by_model_and_kind) == sorted(expected, key=by_model_and_kind), at
    if times:
        assert history.last_recorded() == times[-1]
        assert stored_catalog(path) == sorted(catalog_at(times[-1]), key=lambda r: r["id"])
        assert history.coverage().spans[-1] == (times[0], times[-1])
    return times


def test_processes_recording_at_once_store_each_recording_whole_and_once(path: Path, writers: Writers) -> None:
    processes = [writers.start(path, 120) for _ in range(3)]
    outputs = [writers.go(process) for process in processes]
    made = [{datetime.fromisoformat(line.strip()) for line in output} for output in outputs]
    for process in processes:
        assert process.wait(timeout=300) == 0

    times = check_history(path)

    assert sum(len(m) for m in made) == len(times)  # no recording made twice
    assert set(times) == set[datetime]().union(*made)
    assert len(times) >= 100  # of 360: a recording is skipped when another process recorded a newer one


def test_a_writer_killed_mid_recording_leaves_a_sound_history(path: Path, writers: Writers) -> None:
    for round in range(1, 4):
        process = writers.start(path, 1_000_000)
        output = writers.go(process)
        for _ in range(5):
            assert output.readline()
        time.sleep(0.01 * round)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert len(check_history(path)) >= 5 * round


# -- failures --------------------------------------------------------------------------------------


def warnings(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def set_aside(path: Path) -> list[str]:
    return sorted(p.name.removeprefix(path.name) for p in path.parent.glob(f"{path.name}.corrupt-*"))


@pytest.mark.parametrize("early", [True, False], ids=["on-opening", "after-working"])
def test_a_garbage_file_is_set_aside_and_a_fresh_history_seeded(
    path: Path, early: bool, caplog: pytest.LogCaptureFixture
) -> None:
    history = HistoryStore(path, make_seed())
    if early:
        path.parent.mkdir(parents=True)
    else:
        history.record(catalog_at(T1), T1)
    path.write_bytes(b"not a database, " * 1000)

    with caplog.at_level(logging.WARNING):
        events, total = history.events()

    assert total == 3
    assert events[0].seen_at == BASE_AT
    assert history.degraded is None
    assert "Setting the corrupt catalog history" in warnings(caplog)
    [aside] = set_aside(path)
    assert aside.startswith(".corrupt-2")
    assert (path.parent / (path.name + aside)).read_bytes().startswith(b"not a database")
    assert history.record(catalog_at(T1), T1)  # compared with the bundled base again


def truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def overwrite_a_page(path: Path) -> None:
    """Garbage over the cells of a page in the middle: quick_check lists it, nothing else notices."""
    data = bytearray(path.read_bytes())
    start = len(data) // 4096 // 2 * 4096
    data[start + 8 : start + 4096] = b"\xff" * (4096 - 8)
    path.write_bytes(data)


@pytest.mark.parametrize("damage", [truncate, overwrite_a_page])
def test_a_damaged_database_is_set_aside(path: Path, damage: Any, caplog: pytest.LogCaptureFixture) -> None:
    history = HistoryStore(path, make_seed())
    for minute in range(30):
        at = T1 + timedelta(minutes=minute)
        history.record([*catalog_at(at), *(model(f"big/{i}", str(minute), "x" * 500) for i in range(50))], at)
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed when the last connection closed
    damage(path)

    with caplog.at_level(logging.WARNING):
        fresh = HistoryStore(path, make_seed())
        assert fresh.events()[1] == 3

    assert "Setting the corrupt catalog history" in warnings(caplog)
    assert len(set_aside(path)) == 1
    assert fresh.last_recorded() == BASE_AT
    assert fresh.degraded is None


def test_a_file_another_process_set_aside_first_is_not_set_aside_again(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database, " * 1000)
    first, other = HistoryStore(path, make_seed()), HistoryStore(path, make_seed())
    connect = HistoryStore._connect

    def other_process_mends_it_meanwhile(self: HistoryStore) -> sqlite3.Connection:
        try:
            return connect(self)
        except sqlite3.DatabaseError:
            if self is first:
                other.last_recorded()
            raise

    monkeypatch.setattr(HistoryStore, "_connect", other_process_mends_it_meanwhile)

    assert first.events()[1] == 3
    assert len(set_aside(path)) == 1


def test_a_corrupt_file_that_cannot_be_set_aside_is_answered_from_memory(
    path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path.parent.mkdir(parents=True)
    for suffix in ("", "-wal"):
        path.with_name(path.name + suffix).write_bytes(b"not a database, " * 1000)

    def rename(self: Path, target: Path) -> None:
        raise PermissionError(f"cannot rename {self.name}")

    monkeypatch.setattr(Path, "rename", rename)
    history = HistoryStore(path, make_seed())

    with caplog.at_level(logging.WARNING):
        assert history.events()[1] == 3

    assert history.degraded is not None
    assert "Could not set" in warnings(caplog)
    assert not path.with_name(path.name + "-wal").exists()  # a stale WAL is never replayed into a fresh file
    assert path.read_bytes().startswith(b"not a database")
    history.close()


def test_two_stores_seeding_one_new_file_seed_it_once(path: Path) -> None:
    path.parent.mkdir(parents=True)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN IMMEDIATE")
    answers: list[int] = []
    waiting = threading.Thread(target=lambda: answers.append(HistoryStore(path, make_seed()).events()[1]))
    waiting.start()
    time.sleep(0.5)  # it found the file unseeded and waits for the lock
    other_seed = Seed(events=make_seed().events[:1], snapshots=[], base=[], base_at=BASE_AT)
    HistoryStore(path, other_seed)._seed_into(holder)
    holder.execute("COMMIT")
    holder.close()
    waiting.join(timeout=60)

    assert answers == [1]


def test_a_database_of_something_else_is_set_aside(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE other (x)")

    with caplog.at_level(logging.WARNING):
        assert HistoryStore(path, make_seed()).events()[1] == 3

    assert "tables of something else" in warnings(caplog)
    assert set_aside(path)


def test_a_file_of_a_newer_version_is_left_alone_and_the_history_kept_in_memory(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 99")
    history = HistoryStore(path, make_seed())

    with caplog.at_level(logging.WARNING):
        assert history.events()[1] == 3
        assert history.record(catalog_at(T1), T1)

    assert history.last_recorded() == T1
    assert history.degraded is not None
    assert history.coverage().degraded
    assert sql(path, "PRAGMA user_version") == [(99,)]
    assert not set_aside(path)
    assert "Keeping the catalog history in memory" in warnings(caplog)
    history.close()


def test_a_locked_database_skips_the_recording_and_still_answers(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    history = HistoryStore(path, make_seed(), timeout=0.2)
    history.record(catalog_at(T1), T1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING):
            assert history.record(catalog_at(T2), T2) == []
            assert history.events()[1] == 3 + 4  # WAL: readers do not wait for the writer
            assert history.degraded is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert "Could not record the catalog in the catalog history" in warnings(caplog)
    assert "database is locked" in warnings(caplog)
    assert history.last_recorded() == T1
    assert history.record(catalog_at(T2), T2)


def test_a_database_locked_for_readers_too_is_answered_from_memory(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    history = HistoryStore(path, make_seed(), timeout=0.2)
    history.record(catalog_at(T1), T1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # no reader either, even in WAL mode
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM events")
    try:
        with caplog.at_level(logging.WARNING):
            assert history.events()[1] == 3  # the bundled history
            assert history.degraded is not None
            assert history.coverage().degraded
            assert history.record(catalog_at(T2), T2) == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert history.events()[1] == 3 + 4
    assert history.degraded is None
    assert not history.coverage().degraded
    history.close()


def test_an_unusable_directory_keeps_the_history_in_memory(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    history = HistoryStore(blocker / "sub" / "history.sqlite", make_seed())

    with caplog.at_level(logging.WARNING):
        assert history.events()[1] == 3
        assert history.record(catalog_at(T1), T1)
        assert history.price_changes("openai/gpt-4o")[0].seen_at == MAR

    assert history.events()[1] == 3 + 4
    assert history.last_recorded() == T1
    assert history.degraded is not None
    assert warnings(caplog).count("Keeping the catalog history in memory") == 1
    history.close()
    history.close()
