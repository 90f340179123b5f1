"""A request budget: never more requests than an upstream allows, whatever the clients do, and
however many server processes share the key.

OpenRouter's datasets allow 30 requests a minute per key and 500 a day per account (spec
2026-08-22). The answer cache and its single flight already make one request per distinct query
per hour; the budget is the guarantee on top: a request that would exceed either window is not
sent, and the caller learns when the next one may go. A request is counted at the moment it is
sent (requests to these endpoints are never retried, so one fetch is one request).

**Shared by every process of a key.** One key often serves several processes at once: a stdio
server per IDE window, uvicorn workers. Counted per process, N of them could send N times the
limit. So the requests sent are kept in SQLite, ``budget-<hash of base URL>.sqlite`` in the
cache directory, beside the saved catalog and the history, where every process of this machine
and upstream sees them: a row per request, with its time and the *account* it counts against, a
hash of the key (:func:`.keys.account_of`), never the key. A ``429`` from OpenRouter is kept there too
(:meth:`RequestBudget.hold`): every process waits out its ``Retry-After``, not only the one told.
Checking and counting is one ``BEGIN IMMEDIATE`` transaction, so two processes cannot both take
the last request of a minute; rows older than a day are deleted as they age out.

**Never stops an answer.** The file is a guarantee on top of the cache, not a place answers
depend on: when it cannot be used (read-only, full, locked past :data:`BUSY_TIMEOUT`, removed),
the process decides from its own count, which it always keeps beside the file, and says so once
(:mod:`..logonce`); a corrupt file is deleted and started afresh (it holds nothing but a day of
counts). Losing the file undercounts the other processes' requests for at most a day; OpenRouter
would answer the excess with a 429, which then holds every process back.

Synchronous: :meth:`RequestBudget.take` touches the file, so call it from a worker thread.
"""

import contextlib
import hashlib
import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from mcp_server_openrouter.logonce import PROBLEMS
from mcp_server_openrouter.openrouter import OpenRouterError

logger = logging.getLogger(__name__)

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
BUSY_TIMEOUT = 2.0
"""Seconds to wait for another process's transaction (each takes well under a millisecond)."""
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sent (account TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sent_by_account ON sent (account, at)",
    "CREATE TABLE IF NOT EXISTS held (account TEXT PRIMARY KEY, until REAL NOT NULL)",
)
"""Times are POSIX seconds (the clock's, so that processes agree whatever their time zone)."""
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def file_name(base_url: str) -> str:
    """The budget file for one upstream base URL."""
    digest = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:12]
    return f"budget-{digest}.sqlite"


class BudgetSpentError(OpenRouterError):
    """The request was not sent: it would exceed the upstream's limit. ``retry_after``: seconds."""

    def __init__(self, what: str, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"not sent: {what} is spent; the next request may go in {retry_after:.0f} s")


class RequestBudget:
    """At most ``per_minute`` requests in any minute and ``per_day`` in any day (sliding windows),
    per account, counted in ``path`` when given and usable (see the module docstring), always in
    this process too."""

    def __init__(
        self,
        what: str,
        clock: Callable[[], datetime],
        *,
        per_minute: int,
        per_day: int,
        path: Path | None = None,
        timeout: float = BUSY_TIMEOUT,
    ) -> None:
        self._what = what
        self._clock = clock
        self._per_minute = per_minute
        self._per_day = per_day
        self.path = path
        self._timeout = timeout
        self._lock = threading.Lock()
        self._sent: dict[str, deque[float]] = {}
        """This process's requests per account (POSIX times), oldest first."""
        self._held: dict[str, float] = {}

    def take(self, account: str = "") -> None:
        """Count one request of ``account`` now, or raise :class:`BudgetSpentError` if it would exceed
        a limit (or fall within a hold)."""
        now = self._clock().timestamp()
        with self._lock:
            shared = self._take_shared(account, now)
            if shared is None:  # the file could not be used: this process's own count decides
                self._check(now, self._held.get(account, 0.0), list(self._recent(account, now)))
            self._recent(account, now).append(now)
            self._forget_idle(now)

    def hold(self, account: str, seconds: float) -> None:
        """No request of ``account`` before ``seconds`` from now, in any process (after a 429)."""
        until = self._clock().timestamp() + seconds
        with self._lock:
            self._held[account] = max(until, self._held.get(account, 0.0))
            self._run(lambda db: self._hold_in(db, account, until))

    # -- in this process ----------------------------------------------------------------------

    def _forget_idle(self, now: float) -> None:
        """Drop the accounts with nothing left to count: no request in the last day, no hold. With
        per-request keys every key a user ever brought is an account; none may stay for ever."""
        day = DAY.total_seconds()
        for account in [a for a, sent in self._sent.items() if not sent or now - sent[-1] >= day]:
            if self._held.get(account, 0.0) <= now:
                del self._sent[account]
                self._held.pop(account, None)

    def _recent(self, account: str, now: float) -> deque[float]:
        sent = self._sent.setdefault(account, deque())
        while sent and now - sent[0] >= DAY.total_seconds():
            sent.popleft()
        return sent

    def _check(self, now: float, held_until: float, sent: list[float]) -> None:
        """Raise when one more request now would exceed a window; ``sent`` is the day's, oldest first."""
        waits: list[float] = []
        if held_until > now:
            waits.append(held_until - now)
        if len(sent) >= self._per_day:
            waits.append(sent[-self._per_day] + DAY.total_seconds() - now)
        last_minute = [t for t in sent if now - t < MINUTE.total_seconds()]
        if len(last_minute) >= self._per_minute:
            waits.append(last_minute[-self._per_minute] + MINUTE.total_seconds() - now)
        if waits:
            raise BudgetSpentError(self._what, max(waits))

    # -- in the shared file -------------------------------------------------------------------

    def _take_shared(self, account: str, now: float) -> bool | None:
        """Check and count in the file: ``True`` when counted there, ``None`` when it could not be used."""

        def take(db: sqlite3.Connection) -> bool:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM sent WHERE account = ? AND at <= ?", (account, now - DAY.total_seconds()))
                db.execute("DELETE FROM held WHERE until <= ?", (now,))
                row = db.execute("SELECT until FROM held WHERE account = ?", (account,)).fetchone()
                sent = [at for (at,) in db.execute("SELECT at FROM sent WHERE account = ? ORDER BY at", (account,))]
                self._check(now, max(row[0] if row else 0.0, self._held.get(account, 0.0)), sent)
                db.execute("INSERT INTO sent VALUES (?, ?)", (account, now))
                db.execute("COMMIT")
            except BaseException:
                db.rollback()
                raise
            return True

        return self._run(take)

    @staticmethod
    def _hold_in(db: sqlite3.Connection, account: str, until: float) -> bool:
        db.execute(
            "INSERT INTO held VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET until = max(until, excluded.until)",
            (account, until),
        )
        return True

    def _run(self, operation: Callable[[sqlite3.Connection], bool], *, retry: bool = True) -> bool | None:
        """``operation`` on the file (a connection of its own), or ``None`` when the file cannot be used."""
        if self.path is None:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                for statement in SCHEMA:
                    db.execute(statement)
                done = operation(db)
            finally:
                db.close()
        except (sqlite3.Error, OSError) as exc:
            if retry and getattr(exc, "sqlite_errorcode", None) in _CORRUPT:
                PROBLEMS.report(
                    logger, self.path.parent, "budget", exc, "Starting the request budget %s afresh: %s", self.path, exc
                )
                with contextlib.suppress(OSError):
                    for suffix in ("", "-wal", "-shm"):
                        self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
                return self._run(operation, retry=False)
            PROBLEMS.report(
                logger,
                self.path.parent,
                "budget",
                exc,
                "Counting %s in this process only: cannot use %s: %s",
                self._what,
                self.path,
                exc,
            )
            return None
        PROBLEMS.cleared(self.path.parent, "budget")
        return done
