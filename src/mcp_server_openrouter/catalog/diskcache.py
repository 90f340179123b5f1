"""The last good full catalog and datasets, persisted so a restart without network still has
recent data.

The catalog: one JSON file per upstream (``catalog-<hash of OPENROUTER_BASE_URL>.json``, so a staging or test
upstream never answers for the real one) in the platform's user cache directory
(``OPENROUTER_CACHE_DIR`` overrides it): ``{"fetched_at": ISO-8601, "data": [upstream records…]}``.
Written atomically (a temporary file in the same directory, then ``os.replace``), so a crash, a
full disk or two processes saving at once never leave half a file: the old one stays until a new
one is whole. A corrupt or unreadable file is ignored with a warning; a directory that cannot be
written (read-only, full, not ours) is said once (:mod:`..logonce`), and one removed while the
server runs is made again at the next save.

OpenRouter's datasets (:class:`DiskDatasets`): the last good body of each query, one file per
query and upstream (``dataset-<hash>.json``, same layout, ``data`` the body as received). The
query names its slices, not its dates: yesterday's rankings of the week are what a restart
without network can still show, and the number of files stays bounded by the slices there are.
"""

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from mcp_server_openrouter.logonce import PROBLEMS
from mcp_server_openrouter.openrouter import Model, parse_model_list

logger = logging.getLogger(__name__)

T = TypeVar("T")

PARSED_KEPT = 64
"""Saved dataset bodies kept parsed (:meth:`DiskDatasets.load_parsed`): a few dozen queries' slices."""


def file_name(base_url: str) -> str:
    """The cache file for one upstream base URL."""
    digest = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:12]
    return f"catalog-{digest}.json"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mcp-server-openrouter", appauthor=False))


class DiskCatalog:
    """Load and save the full catalog of the upstream at ``base_url`` in ``directory``."""

    def __init__(self, directory: Path, base_url: str) -> None:
        self.path = directory / file_name(base_url)

    def save(self, models: list[Model], fetched_at: datetime) -> None:
        """Write atomically; a failure is logged, never raised (the cache is an optimisation)."""
        _write(
            "the catalog cache", self.path, fetched_at, [m.raw or m.model_dump(mode="json") for m in models], "catalog"
        )

    def load(self) -> tuple[list[Model], datetime] | None:
        """The saved catalog and when it was fetched, or ``None`` (missing, unreadable, corrupt)."""
        saved = _read(self.path)
        if saved is None:
            return None
        payload, fetched_at = saved
        try:
            parsed = parse_model_list(payload)
        except ValueError as exc:
            logger.warning("Ignoring the corrupt catalog cache %s: %s", self.path, exc)
            return None
        if not parsed.models:
            logger.warning("Ignoring the catalog cache %s: it holds no models", self.path)
            return None
        return parsed.models, fetched_at


class DiskDatasets:
    """Load and save the last good body of each dataset query of the upstream at ``base_url``."""

    def __init__(self, directory: Path, base_url: str) -> None:
        self._directory = directory
        self._base_url = base_url.rstrip("/")
        self._parsed: OrderedDict[tuple[str, object], tuple[datetime, object]] = OrderedDict()
        """Each saved body as last parsed, by query and parser: see :meth:`load_parsed`."""
        self._lock = threading.Lock()

    def path(self, query: str) -> Path:
        digest = hashlib.sha256(f"{self._base_url} {query}".encode()).hexdigest()[:16]
        return self._directory / f"dataset-{digest}.json"

    def save(self, query: str, body: Any, fetched_at: datetime) -> None:
        """Write atomically; a failure is logged, never raised."""
        _write(f"the {query} dataset", self.path(query), fetched_at, body, "datasets")

    def load(self, query: str) -> tuple[Any, datetime] | None:
        """The saved body of ``query`` (a JSON value, to parse as when it was fetched) and when it was
        fetched, or ``None``."""
        saved = _read(self.path(query))
        if saved is None or not isinstance(saved[0], dict) or "data" not in saved[0]:
            return None
        return cast(dict[str, Any], saved[0])["data"], saved[1]

    def load_parsed(self, query: str, parse: Callable[[Any], T]) -> tuple[T, datetime] | None:
        """:meth:`load`, parsed with ``parse``; the same saved body (the same ``fetched_at``) is parsed
        once. While OpenRouter is down every call answers from the saved copy: parsing it again each
        time repeated its drift warnings (a skipped item) once per call, and its CPU. At most
        :data:`PARSED_KEPT` bodies are kept; a ``ValueError`` of ``parse`` is raised, not kept."""
        saved = self.load(query)
        if saved is None:
            return None
        body, fetched_at = saved
        key = (query, parse)
        with self._lock:
            kept = self._parsed.get(key)
            if kept is not None and kept[0] == fetched_at:
                self._parsed.move_to_end(key)
                return cast(T, kept[1]), fetched_at
        value = parse(body)
        with self._lock:
            self._parsed[key] = (fetched_at, value)
            self._parsed.move_to_end(key)
            while len(self._parsed) > PARSED_KEPT:
                self._parsed.popitem(last=False)
        return value, fetched_at


def _write(what: str, path: Path, fetched_at: datetime, data: Any, writer: str) -> None:
    """``{"fetched_at", "data"}`` to ``path``, atomically; a failure is logged (once while it lasts,
    per ``writer``: see :mod:`..logonce`), never raised."""
    payload = {"fetched_at": fetched_at.isoformat(), "data": data}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        PROBLEMS.report(logger, path.parent, writer, exc, "Could not save %s to %s: %s", what, path, exc)
    else:
        PROBLEMS.cleared(path.parent, writer)


def _read(path: Path) -> tuple[Any, datetime] | None:
    """What :func:`_write` wrote: the whole file (``data`` and ``fetched_at``) and when, or ``None``
    when it is missing, unreadable or not such a file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        PROBLEMS.report(logger, path.parent, "reader", exc, "Ignoring %s: %s", path, exc)
        return None
    try:
        payload: Any = json.loads(text)
        fetched_at = datetime.fromisoformat(payload["fetched_at"])
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at has no timezone")
    except (ValueError, KeyError, TypeError) as exc:
        logger.warning("Ignoring the corrupt cache file %s: %s", path, exc)
        return None
    return payload, fetched_at
