"""The catalog history in SQLite: the changes seen, and the last catalog recorded (issue 19).

One file per upstream (:func:`file_name`, in the cache directory beside the saved catalog), shared
by every server process on the machine. The decisions:

- **A connection per operation.** Callers run each call in a worker thread; a connection of its own
  needs no lock between threads, costs a fraction of a millisecond to open, and always sees the
  file now at the path (another process may have set a corrupt one aside).
- **WAL.** Readers and the writer never wait for each other: a process answering "what changed"
  is not held up while another records a catalog. ``synchronous=NORMAL``: a power cut may lose the
  last recordings, never corrupt the file.
- **``BEGIN IMMEDIATE`` for a recording.** Reading the last catalog, comparing and writing must be
  one step, or two processes would compare with the same last catalog and store the same changes
  twice. IMMEDIATE takes the write lock before the read, so a second writer waits
  (``busy_timeout``) and then sees the first one's recording; a deferred transaction would instead
  fail at its first write, without waiting.
- **Bounded waits.** A recording that cannot have the lock within the timeout is skipped with a
  warning (the next one compares with the same last catalog: no change is lost, only dated less
  precisely); a read that cannot (in WAL mode only a connection in exclusive locking mode stops
  readers) is answered from the bundled history in memory (:attr:`degraded`).
- **Never torn.** The seeding and each recording are one transaction: a crash leaves the state
  before it.
- **What is kept.** Every event (with its model's author, for filtering), the last recorded
  catalog's raw records (what the next one is compared with; only the records that changed are
  rewritten), the spans of time watched, and the schema version and times in ``meta``.
- **Bounded size.** At most ``max_events`` events, about 350 bytes each on disk (the default is
  some 70 MB, years of changes): beyond, the oldest recordings are deleted whole (never half of
  one) and the coverage then starts at the last one deleted (its catalog is known, not what came
  before it).
- **Never stops an answer.** A database error is logged, never raised; one that lasts (a full or
  read-only cache directory) is said once, not at every recording (:mod:`..logonce`). A file removed
  while the server runs is started afresh from the bundled history, with a warning. A corrupt file is set aside
  (renamed ``<name>.corrupt-<UTC time>``, never deleted) and a fresh one seeded; a file that cannot
  be created or opened at all leaves the store in memory, seeded, for the life of the process.
"""

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from mcp_server_openrouter.history.events import Event, Kind, Seed, author, diff
from mcp_server_openrouter.logonce import PROBLEMS

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
CONTINUOUS = timedelta(days=1)
"""Two recordings at most this far apart extend one span of coverage; further apart, the changes
between them are dated only to "between" the two, and a new span starts."""
BUSY_TIMEOUT = 5.0
"""Seconds to wait for another process's lock before skipping a recording or reading from memory."""

SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE events (id INTEGER PRIMARY KEY, seen_at TEXT NOT NULL, since TEXT NOT NULL,"
    " model_id TEXT NOT NULL, author TEXT NOT NULL, kind TEXT NOT NULL, field TEXT, before TEXT, after TEXT)",
    "CREATE INDEX events_by_time ON events (seen_at DESC, model_id, kind, field)",
    "CREATE INDEX events_by_model ON events (model_id, seen_at DESC)",
    "CREATE TABLE last (model_id TEXT PRIMARY KEY, record TEXT NOT NULL)",
    "CREATE TABLE coverage (start_at TEXT NOT NULL, end_at TEXT NOT NULL)",
)
"""The tables (``executescript`` would commit the seeding transaction half-way). Times are ISO-8601
UTC text of fixed width; ``last`` holds the last recorded catalog's raw records as JSON, one row per
model; ``meta`` the schema version, when the file was seeded and when the last catalog was taken."""
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_LOCKED = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
T = TypeVar("T")


def file_name(base_url: str) -> str:
    """The history file for one upstream base URL."""
    digest = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:12]
    return f"history-{digest}.sqlite"


@dataclass(frozen=True, slots=True)
class Coverage:
    """When the history watched the catalog. Between two spans, changes are dated only to
    "between" the end of one and the start of the next."""

    first: datetime | None
    """How far back the history goes (the start of the first span)."""
    spans: list[tuple[datetime, datetime]]
    """Start and end of each stretch watched continuously, oldest first (a bundled snapshot is a
    span of no length)."""
    degraded: bool = False
    """Answered from the bundled history in memory: the file was locked or unusable."""


class _Corrupt(Exception):
    """The file is an SQLite database, but not a sound one of ours."""


def _utc(at: datetime) -> datetime:
    """``at`` in UTC (naive means UTC)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _text(at: datetime) -> str:
    """ISO-8601 UTC, fixed width, so that text order is time order."""
    return _utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


class HistoryStore:
    """The history of one upstream's catalog in the SQLite file ``path`` (see the module docstring).

    Synchronous: call it from a worker thread. Every method answers, whatever the file's state."""

    def __init__(self, path: Path, seed: Seed, *, max_events: int = 200_000, timeout: float = BUSY_TIMEOUT) -> None:
        self.path = path
        self.max_events = max_events
        self.timeout = timeout
        self.degraded: str | None = None
        """Why the last answer came from the bundled history in memory, or ``None``."""
        self._seed = seed
        self._checked = False  # the file worked in this process (seeded here, or passed a quick_check)
        self._in_memory: str | None = None  # why the file is unusable: everything goes to self._memory
        self._memory: sqlite3.Connection | None = None
        self._memory_lock = threading.Lock()

    # -- the operations ---------------------------------------------------------------------------

    def record(self, records: list[dict[str, Any]], at: datetime) -> list[Event]:
        """Record the catalog ``records`` taken at ``at``: the changes since the last recorded one.

        ``[]`` when a newer catalog is already recorded (by another process), or when the database
        is locked beyond the timeout (with a warning)."""
        at = _utc(at)
        return self._run("record the catalog in", lambda db: self._record(db, records, at), write=True) or []

    def events(
        self,
        *,
        since: datetime | None = None,
        kinds: Collection[str] | None = None,
        authors: Collection[str] | None = None,
        ids: Collection[str] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Event], int]:
        """The events seen after ``since`` (one may have happened before it: see its ``since``),
        newest first, a page of them and how many match. ``None`` filters nothing; an empty
        collection matches nothing."""
        where: list[str] = []
        args: list[Any] = []
        if since is not None:
            where.append("seen_at > ?")
            args.append(_text(since))
        for column, values in (("kind", kinds), ("author", authors), ("model_id", ids)):
            if values is not None:
                values = list(values)
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                args.extend(values)
        condition = f"WHERE {' AND '.join(where)}" if where else ""

        def query(db: sqlite3.Connection) -> tuple[list[Event], int]:
            db.execute("BEGIN")  # one snapshot for the page and the count
            try:
                (total,) = db.execute(f"SELECT count(*) FROM events {condition}", args).fetchone()
                rows = db.execute(
                    f"SELECT * FROM events {condition} ORDER BY seen_at DESC, model_id, kind, field LIMIT ? OFFSET ?",
                    [*args, limit, offset],
                ).fetchall()
            finally:
                db.rollback()  # ends the read transaction: nothing was written
            return [_event(row) for row in rows], total

        return self._read(query)

    def price_changes(self, model_id: str, limit: int = 3) -> list[Event]:
        """The model's latest price events, newest first."""
        return self._read(
            lambda db: [
                _event(row)
                for row in db.execute(
                    "SELECT * FROM events WHERE model_id = ? AND kind = 'price' ORDER BY seen_at DESC, field LIMIT ?",
                    (model_id, limit),
                )
            ]
        )

    def coverage(self) -> Coverage:
        """When the history watched the catalog."""

        def query(db: sqlite3.Connection) -> Coverage:
            rows = db.execute("SELECT start_at, end_at FROM coverage ORDER BY start_at").fetchall()
            spans = [(_time(start), _time(end)) for start, end in rows]
            return Coverage(spans[0][0] if spans else None, spans)

        coverage = self._read(query)
        return Coverage(coverage.first, coverage.spans, degraded=True) if self.degraded else coverage

    def last_recorded(self) -> datetime | None:
        """When the last recorded catalog was taken (the bundled snapshot's date on a fresh store)."""
        return self._read(lambda db: _meta(db, "last_at"))

    def close(self) -> None:
        """Free the in-memory database, if one was made (the file needs no closing)."""
        with self._memory_lock:
            if self._memory is not None:
                self._memory.close()
                self._memory = None

    # -- inside a transaction ---------------------------------------------------------------------

    def _record(self, db: sqlite3.Connection, records: list[dict[str, Any]], at: datetime) -> list[Event]:
        db.execute("BEGIN IMMEDIATE")
        try:
            last_at = _meta(db, "last_at")
            if last_at is not None and at <= last_at:
                db.execute("ROLLBACK")
                return []
            stored = {i: json.loads(text) for i, text in db.execute("SELECT model_id, record FROM last")}
            events = diff(list(stored.values()), records, since=last_at or at, seen_at=at)
            _insert_events(db, events)
            kept = {r["id"]: r for r in records if isinstance(r.get("id"), str)}
            db.executemany("DELETE FROM last WHERE model_id = ?", [(i,) for i in stored.keys() - kept.keys()])
            db.executemany(  # only the records that changed: an unchanged catalog rewrites nothing
                "INSERT OR REPLACE INTO last VALUES (?, ?)",
                [(i, _json(r)) for i, r in kept.items() if stored.get(i) != r],
            )
            db.execute("REPLACE INTO meta VALUES ('last_at', ?)", (_text(at),))
            span = db.execute("SELECT rowid, end_at FROM coverage ORDER BY end_at DESC LIMIT 1").fetchone()
            if span is not None and at - _time(span[1]) <= CONTINUOUS:
                db.execute("UPDATE coverage SET end_at = ? WHERE rowid = ?", (_text(at), span[0]))
            else:
                db.execute("INSERT INTO coverage VALUES (?, ?)", (_text(at), _text(at)))
            self._trim(db)
            db.execute("COMMIT")
        except BaseException:
            db.rollback()  # when an error has not rolled it back already
            raise
        return events

    def _trim(self, db: sqlite3.Connection) -> None:
        """Keep at most ``max_events``: delete the oldest recordings whole; the coverage then starts
        at the last deleted one (the catalog of that time is known, what came before it is not)."""
        row = db.execute("SELECT seen_at FROM events ORDER BY seen_at DESC LIMIT 1 OFFSET ?", (self.max_events,))
        found = row.fetchone()
        if found is None:
            return
        cut: str = found[0]
        db.execute("DELETE FROM events WHERE seen_at <= ?", (cut,))
        db.execute("DELETE FROM coverage WHERE end_at < ?", (cut,))
        db.execute("UPDATE coverage SET start_at = ? WHERE start_at < ?", (cut, cut))

    def _seed_into(self, db: sqlite3.Connection) -> None:
        """Create the schema and seed it from the bundled history, in the caller's transaction."""
        seed = self._seed
        for statement in SCHEMA:
            db.execute(statement)
        _insert_events(db, sorted(seed.events, key=lambda e: e.seen_at))
        db.executemany(
            "INSERT OR REPLACE INTO last VALUES (?, ?)",
            [(r["id"], _json(r)) for r in seed.base if isinstance(r.get("id"), str)],
        )
        points = {datetime.combine(d, time(), UTC) for d in seed.snapshots} | {seed.base_at}
        db.executemany("INSERT INTO coverage VALUES (?, ?)", [(_text(p), _text(p)) for p in sorted(points)])
        meta = {"schema_version": str(SCHEMA_VERSION), "seeded_at": _text(datetime.now(UTC))}
        db.executemany("INSERT INTO meta VALUES (?, ?)", [*meta.items(), ("last_at", _text(seed.base_at))])
        self._trim(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- the file, and what to do when it fails ---------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """A connection to the file, created and seeded if new, checked once per process."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("BEGIN IMMEDIATE")
                try:
                    if db.execute("PRAGMA user_version").fetchone()[0] == 0:  # not seeded by another process
                        if self._checked:  # told here, not by a look before connecting: that races a removal
                            logger.warning(
                                "The catalog history %s was removed while the server ran: "
                                "starting afresh from the bundled history",
                                self.path,
                            )
                        if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                            raise _Corrupt("it holds tables of something else")
                        self._seed_into(db)
                    db.execute("COMMIT")
                except BaseException:
                    db.rollback()  # when an error has not rolled it back already
                    raise
                self._checked = True
            elif version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema version {version}, this program knows {SCHEMA_VERSION}")
            if not self._checked:
                problems = [row[0] for row in db.execute("PRAGMA quick_check")]
                if problems != ["ok"]:
                    raise _Corrupt(" ".join(problems[:3]).replace("\n", " "))
                self._checked = True
        except BaseException:
            db.close()
            raise
        return db

    def _read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        result = self._run("read", query, write=False)
        assert result is not None  # a read always answers, from memory when it must
        return result

    def _run(
        self, what: str, operation: Callable[[sqlite3.Connection], T], *, write: bool, retry: bool = True
    ) -> T | None:
        """``operation`` on the file. On a failure: a corrupt file is set aside and the operation tried
        once more on a fresh one; a file that never worked in this process leaves the store in memory
        for good; otherwise (locked, or failing after it worked) a read is answered from memory and a
        recording skipped, each with a warning."""
        if self._in_memory is not None:
            return self._on_memory(operation, self._in_memory)
        inode = _inode(self.path)
        try:
            db = self._connect()
            try:
                result = operation(db)
            finally:
                db.close()
        except (sqlite3.DatabaseError, _Corrupt, OSError) as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            if retry and (isinstance(exc, _Corrupt) or code in _CORRUPT):
                self._set_aside(exc, inode)
                return self._run(what, operation, write=write, retry=False)
            if code not in _LOCKED and not self._checked:
                logger.warning("Keeping the catalog history in memory: cannot use %s: %s", self.path, exc)
                self._in_memory = f"the history is kept in memory ({self.path} is unusable)"
                return self._on_memory(operation, self._in_memory)
            PROBLEMS.report(
                logger,
                self.path.parent,
                "history",
                exc,
                "Could not %s the catalog history %s: %s",
                what,
                self.path,
                exc,
            )
            if write:
                return None
            return self._on_memory(operation, "the history file could not be read: answered from the bundled history")
        if write:
            PROBLEMS.cleared(self.path.parent, "history")
        self.degraded = None
        return result

    def _on_memory(self, operation: Callable[[sqlite3.Connection], T], reason: str) -> T:
        """``operation`` on the seeded in-memory database (made on first use)."""
        with self._memory_lock:
            if self._memory is None:
                self._memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                self._memory.execute("BEGIN")
                self._seed_into(self._memory)
                self._memory.execute("COMMIT")
            result = operation(self._memory)
        self.degraded = reason
        return result

    def _set_aside(self, exc: BaseException, inode: int | None) -> None:
        """Rename the corrupt file (and its -wal and -shm) so that a fresh one is seeded; not when
        another process already did (the file at the path is not the one that failed)."""
        if inode is None or inode != _inode(self.path):
            return
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        logger.warning("Setting the corrupt catalog history %s aside (.corrupt-%s): %s", self.path, stamp, exc)
        for suffix in ("", "-wal", "-shm"):
            source = self.path.with_name(self.path.name + suffix)
            try:
                source.rename(self.path.with_name(f"{self.path.name}.corrupt-{stamp}{suffix}"))
            except FileNotFoundError:
                pass
            except OSError as error:  # a stale -wal must not be replayed into the fresh file
                logger.warning("Could not set %s aside: %s", source, error)
                if suffix:
                    source.unlink(missing_ok=True)


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def _meta(db: sqlite3.Connection, key: str) -> datetime | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else _time(row[0])


def _insert_events(db: sqlite3.Connection, events: list[Event]) -> None:
    db.executemany(
        "INSERT INTO events (seen_at, since, model_id, author, kind, field, before, after) VALUES (?,?,?,?,?,?,?,?)",
        [
            (_text(e.seen_at), _text(e.since), e.model_id, author(e.model_id), e.kind, e.field, e.before, e.after)
            for e in events
        ],
    )


def _event(row: tuple[Any, ...]) -> Event:
    _, seen_at, since, model_id, _, kind, field, before, after = row
    return Event(model_id, cast(Kind, kind), field, before, after, since=_time(since), seen_at=_time(seen_at))
