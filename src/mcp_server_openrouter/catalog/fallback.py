"""The fullest catalog there is without the network, for when OpenRouter cannot answer.

In this order: the last full catalog in memory (the cache's entry), the one saved on disk by this
or an earlier run (:mod:`.diskcache`), the snapshot bundled with the package (:mod:`.offline`).
Filtered queries then run locally (:func:`.offline.filter_locally`), or are refused by name; the
``zdr`` filter runs locally when a list of the endpoints with zero data retention is at hand (saved
after a live ``zdr`` query, or bundled: :mod:`.media`), and the answer says how old that list is.

Reading the saved catalog or the snapshot means parsing about 1 MB of JSON and 500 records
(60-70 ms idle, far more on a loaded machine), so it runs in a worker thread, once per process:
the event loop, and every other session on it, goes on meanwhile.
"""

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime

import anyio
import anyio.to_thread

from mcp_server_openrouter.catalog.answers import Answer, ModelSet, Provenance
from mcp_server_openrouter.catalog.cache import QueryCache
from mcp_server_openrouter.catalog.diskcache import DiskCatalog
from mcp_server_openrouter.catalog.offline import OfflineUnsupportedError, Snapshot, filter_locally, load_snapshot
from mcp_server_openrouter.openrouter import APIConnectionError, Model, ModelsQuery, ZdrEndpoints

SavedZdr = Callable[[str], Awaitable[Answer[ZdrEndpoints] | None]]
"""The zero-data-retention list without the network (``reason``: why it is needed), or ``None``."""


class NoOfflineDataError(APIConnectionError):
    """OpenRouter could not answer, and no offline data could be read either (the package's own
    file could not be opened: the process is out of file descriptors, say)."""


class Fallback:
    """Answers from memory, the saved catalog or the snapshot, labelled with why (``reason``)."""

    def __init__(
        self,
        cache: QueryCache,
        key: ModelsQuery,
        disk: DiskCatalog,
        clock: Callable[[], datetime],
        *,
        zdr: SavedZdr | None = None,
    ) -> None:
        self._cache = cache
        self._zdr = zdr
        self._key = key
        self._disk = disk
        self._clock = clock
        self._lock = anyio.Lock()
        self._loaded = False
        self._saved: Snapshot | None = None

    async def base(self, reason: str) -> Answer[ModelSet]:
        """The fullest catalog without the network: in memory, else on disk, else the snapshot."""
        entry = self._cache.peek(self._key)
        if entry is not None and isinstance(entry.value, ModelSet):
            fresh = self._clock() - entry.fetched_at < self._cache.ttl
            return Answer(entry.value, Provenance("cached" if fresh else "stale", entry.fetched_at, reason))
        saved = await self._saved_catalog()
        if saved is not None:
            models, as_of = saved
            return Answer(models, Provenance("stale", as_of, f"saved catalog; {reason}"))
        models, as_of = await self._bundled(reason)
        return Answer(models, Provenance("snapshot", as_of, reason))

    async def models(self, query: ModelsQuery, reason: str, cause: Exception | None = None) -> Answer[list[Model]]:
        """The models matching ``query``, filtered locally; :class:`OfflineUnsupportedError` names
        a filter or sort only OpenRouter can apply."""
        base = await self.base(reason)
        retention = await self._zdr(reason) if query.zdr and self._zdr is not None else None
        try:
            models = filter_locally(
                base.value.models, query, self._clock(), zdr=retention.value.model_ids if retention else None
            )
        except OfflineUnsupportedError as unsupported:
            raise OfflineUnsupportedError(unsupported.what, reason, sort=unsupported.sort) from cause
        if retention is None:
            return Answer(models, base.provenance)
        when = f"{retention.provenance.as_of:%Y-%m-%d %H:%M} UTC"
        source = "bundled" if retention.provenance.kind == "snapshot" else "saved"
        said = f"zdr: from the {source} list of zero-data-retention endpoints of {when}"
        note = f"{base.provenance.note}; {said}" if base.provenance.note else said
        return Answer(models, dataclasses.replace(base.provenance, note=note))

    async def _saved_catalog(self) -> Snapshot | None:
        if not self._loaded:
            async with self._lock:  # one read: callers arriving meanwhile wait for it, not for nothing
                if not self._loaded:
                    self._saved = await anyio.to_thread.run_sync(self._read_saved)
                    self._loaded = True
        return self._saved

    def _read_saved(self) -> Snapshot | None:
        loaded = self._disk.load()
        if loaded is None:
            return None
        models, fetched_at = loaded
        return Snapshot(ModelSet(models), fetched_at)

    async def _bundled(self, reason: str) -> Snapshot:
        async with self._lock:  # one parse (then cached for the process): callers arriving meanwhile wait for it
            try:
                return await anyio.to_thread.run_sync(load_snapshot)
            except OSError as exc:  # e.g. EMFILE: slow clients hold every descriptor; tried again next call
                raise NoOfflineDataError(f"{reason}, and the bundled snapshot could not be read ({exc})") from exc
