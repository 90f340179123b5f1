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


def kind_of(exc: BaseException) -> str:
    """What is wrong, in a word or two: the same for an ``OSError`` and SQLite's report of it."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return _KINDS.get(exc.errno, errno.errorcode.get(exc.errno, f"errno {exc.errno}"))
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_KINDS.get(code & 0xFF, str(getattr(exc, "sqlite_errorname", code)))
    return type(exc).__name__


class Problems:
    """The problems standing per place, each warned about once (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._standing: dict[str, set[str]] = {}

    def report(self, logger: logging.Logger, place: Path, exc: BaseException, message: str, *args: object) -> bool:
        """Log ``message % args`` as a warning if this kind of problem is new at ``place``, else at
        debug level; ``True`` when it was the warning. The message should name what failed and why."""
        kind = kind_of(exc)
        with self._lock:
            kinds = self._standing.setdefault(str(place), set())
            new = kind not in kinds
            kinds.add(kind)
        if new:
            logger.warning(
                f"{message} [{kind}: said once; repeats are logged at debug level until a save works]", *args
            )
        else:
            logger.debug(message, *args)
        return new

    def cleared(self, place: Path) -> None:
        """Something was saved at ``place``: its problems are over."""
        if self._standing:  # the usual case, nothing standing: no lock taken
            with self._lock:
                self._standing.pop(str(place), None)


PROBLEMS = Problems()
