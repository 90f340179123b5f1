"""The catalog's history, as the catalog keeps it: fed by every full catalog served live.

The history itself is :mod:`..history` (the events, the SQLite store, the bundled log). This is
where the catalog meets it: one store per upstream base URL in the cache directory, opened on
first use (the bundled log is read then, not at start-up), and every call runs in a worker thread,
so writing never blocks the event loop. The store answers whatever its file's state (locked,
corrupt, unwritable: see :mod:`..history.store`), so nothing here raises for it.
"""

import threading
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import anyio.to_thread

from mcp_server_openrouter.history.events import Event
from mcp_server_openrouter.history.seed import load_seed
from mcp_server_openrouter.history.store import Coverage, HistoryStore, file_name
from mcp_server_openrouter.openrouter import Model

MAX_REMEMBERED = 4096


@dataclass(frozen=True, slots=True)
class ChangePage:
    events: list[Event]
    """Newest first."""
    total: int
    coverage: Coverage


class CatalogHistory:
    """The history of the catalog of the upstream at ``base_url``, kept in ``directory``."""

    MAX_EVENTS = 50_000
    """About 18 MB at ~350 bytes an event: years of a real catalog's changes (tens a day), in a
    cache directory. Beyond it, the oldest recordings go, whole (see :mod:`..history.store`)."""

    def __init__(self, directory: Path, base_url: str) -> None:
        self.path = directory / file_name(base_url)
        self._store: HistoryStore | None = None
        self._opening = threading.Lock()
        self._prices: dict[tuple[str, int], list[Event]] = {}
        """Price changes already read, per model: ``get_model`` asks on every call, and a thread hop
        and an SQLite query cost more than the rest of the call. Forgotten whenever this process
        records changes (another process's recordings show after this one's next)."""
        self._recorded_at: datetime | None = None
        """The newest catalog this process recorded: one taken no later is not sent to the store
        again (every history question records the catalog it is answered from, usually that one:
        a thread hop and a write transaction saved per call)."""

    def _open(self) -> HistoryStore:
        with self._opening:
            if self._store is None:
                self._store = HistoryStore(self.path, load_seed(), max_events=self.MAX_EVENTS)
            return self._store

    async def record(self, models: list[Model], at: datetime) -> list[Event]:
        """Record a full catalog taken at ``at``: the changes since the last one recorded. An empty
        catalog is never recorded: it would say every model was removed."""
        if not models or (self._recorded_at is not None and at <= self._recorded_at):
            return []
        records = [m.raw or m.model_dump(mode="json") for m in models]
        events = await anyio.to_thread.run_sync(lambda: self._open().record(records, at))
        self._recorded_at = at
        if events:
            self._prices.clear()
        return events

    async def page(
        self,
        *,
        since: datetime | None,
        kinds: Collection[str] | None,
        authors: Collection[str] | None,
        ids: Collection[str] | None,
        limit: int,
        offset: int,
    ) -> ChangePage:
        def query() -> ChangePage:
            store = self._open()
            events, total = store.events(since=since, kinds=kinds, authors=authors, ids=ids, limit=limit, offset=offset)
            return ChangePage(events, total, store.coverage())

        return await anyio.to_thread.run_sync(query)

    async def coverage(self) -> Coverage:
        """When the history watched the catalog."""
        return await anyio.to_thread.run_sync(lambda: self._open().coverage())

    async def price_changes(self, model_ids: Collection[str], limit: int = 3) -> dict[str, list[Event]]:
        """Each model's latest price events, newest first."""
        missing = [i for i in model_ids if (i, limit) not in self._prices]
        if missing:
            read = await anyio.to_thread.run_sync(
                lambda: {model_id: self._open().price_changes(model_id, limit) for model_id in missing}
            )
            if len(self._prices) > MAX_REMEMBERED:  # IDs are the callers': never an unbounded map
                self._prices.clear()
            self._prices.update({(model_id, limit): events for model_id, events in read.items()})
        return {model_id: self._prices[model_id, limit] for model_id in model_ids}

    async def alias_moves(self) -> dict[str, str]:
        """Model an alias pointed at → the model it points at now (its latest move from it)."""

        def query() -> dict[str, str]:
            events, _ = self._open().events(kinds=["alias"], limit=10_000)
            moves: dict[str, str] = {}
            for event in reversed(events):  # oldest first: a later move from the same model wins
                if event.before and event.after:
                    moves[event.before] = event.after
            return moves

        return await anyio.to_thread.run_sync(query)

    async def removed(self, model_ids: Collection[str]) -> dict[str, Event]:
        """The latest ``removed`` event of each of ``model_ids`` that has one."""

        def query() -> dict[str, Event]:
            events, _ = self._open().events(kinds=["removed"], ids=model_ids, limit=10_000)
            latest: dict[str, Event] = {}
            for event in events:  # newest first
                latest.setdefault(event.model_id, event)
            return latest

        return await anyio.to_thread.run_sync(query)
