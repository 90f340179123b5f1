"""Say a lasting problem of the cache directory once, not at every save.

A cache directory that is read-only, full, gone or not ours fails every save the same way: the
catalog after each refresh, each dataset, each history recording, each counted request. A warning
per failure would repeat one fact hundreds of times a day and bury the log. So each problem of a
place (the cache directory) is a warning the first time, naming the place, what failed and the
error, and then only a debug line; once something is saved there again, the problem is over, and
a new failure is news again. The problem is the error's kind (full, read-only, missing, no
permission, locked, corrupt, or the error's own name), so the saved catalog's ``ENOSPC`` and the
history's ``SQLITE_FULL`` are one problem, said once.

One registry per process (:data:`PROBLEMS`), shared by everything that writes there; it imports
nothing of the package, so every layer may use it.
"""

import errno
import logging
import os
import sqlite3
import threading
from pathlib import Path

_KINDS = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EROFS: "read-only",
    errno.EACCES: "not writable",
    errno.EPERM: "not writable",
    errno.ENOENT: "missing",
    errno.ENOTDIR: "missing",
}
_SQLITE_KINDS = {
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_READONLY: "read-only",
    sqlite3.SQLITE_PERM: "not writable",
    sqlite3.SQLITE_CANTOPEN: "cannot be opened",
    sqlite3.SQLITE_BUSY: "locked",
    sqlite3.SQLITE_LOCKED: "locked",
    sqlite3.SQLITE_CORRUPT: "corrupt",
    sqlite3.SQLITE_NOTADB: "corrupt",
    sqlite3.SQLITE_IOERR: "I/O error",
}
"""By SQLite's primary result code (the low byte of an extended one such as ``SQLITE_IOERR_WRITE``)."""


FULL_BELOW = 1024 * 1024
"""Bytes free below which a file system is full: a 1 MB catalog does not fit, whatever SQLite says."""


def kind_of(exc: BaseException, place: Path | None = None) -> str:
    """What is wrong, in a word or two: the same for an ``OSError`` and SQLite's report of it.

    SQLite often hides the cause: a full disk can be ``disk I/O error`` (its shared memory cannot
    grow), a read-only one ``unable to open database file``. So the state of ``place`` itself is
    asked first: read-only, (nearly) full, missing or not writable, when it is one of those."""
    state = _state_of(place) if place is not None else None
    if state is not None:
        return state
    if isinstance(exc, OSError) and exc.errno is not None:
        return _KINDS.get(exc.errno, errno.errorcode.get(exc.errno, f"errno {exc.errno}"))
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_KINDS.get(code & 0xFF, str(getattr(exc, "sqlite_errorname", code)))
    return type(exc).__name__


def _state_of(place: Path) -> str | None:
    """``place``'s trouble as the file system tells it, or ``None`` (none seen, or no ``statvfs``)."""
    try:
        stat = os.statvfs(place)
    except FileNotFoundError:
        return "missing"
    except (OSError, AttributeError):  # AttributeError: Windows has no statvfs
        return None
    if stat.f_flag & os.ST_RDONLY:
        return "read-only"
    if stat.f_bavail * stat.f_frsize < FULL_BELOW:
        return "full"
    if not os.access(place, os.W_OK):
        return "not writable"
    return None


class Problems:
    """The problems standing per place, each warned about once (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._standing: dict[tuple[str, str], set[str]] = {}
        """(place, kind) -> the writers that met it and have not saved since."""

    def report(
        self, logger: logging.Logger, place: Path, writer: str, exc: BaseException, message: str, *args: object
    ) -> bool:
        """Log ``message % args`` as a warning if this kind of problem is new at ``place``, else at
        debug level; ``True`` when it was the warning. ``writer`` names what failed (the catalog, the
        history...): the problem is over once every writer that met it has saved again, so a small
        save that still fits on a full disk does not make the next large one news."""
        key = (str(place), kind_of(exc, place))
        with self._lock:
            writers = self._standing.setdefault(key, set())
            new = not writers
            writers.add(writer)
        if new:
            logger.warning(
                f"{message} [{key[1]}: said once; repeats are logged at debug level until a save works]", *args
            )
        else:
            logger.debug(message, *args)
        return new

    def cleared(self, place: Path, writer: str) -> None:
        """``writer`` saved at ``place``: the problems it met there are over for it."""
        if not self._standing:  # the usual case, nothing standing: no lock taken
            return
        with self._lock:
            for key in [k for k in self._standing if k[0] == str(place)]:
                self._standing[key].discard(writer)
                if not self._standing[key]:
                    del self._standing[key]


PROBLEMS = Problems()
