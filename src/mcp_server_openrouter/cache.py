"""An in-memory answer cache: TTL, single flight, stale-while-revalidate, stale-if-error.

Keyed by normalized query. Within the TTL a hit makes no upstream request. A cold miss runs one
fetch however many callers ask at once: the others wait for it (single flight). After the TTL the
old value is answered at once while one background refresh runs (stale-while-revalidate); a
failed refresh keeps the old value and remembers the failure (stale-if-error), and a key whose
fetch just failed is not fetched again for ``retry_after_failure`` seconds — or for the upstream's
own ``Retry-After``, when it gave a shorter one — so a dead upstream is not hammered by every
call. Time comes from an injected clock.
"""

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Literal, TypeVar

import anyio

logger = logging.getLogger(__name__)

V = TypeVar("V")

Spawn = Callable[[Callable[[], Coroutine[Any, Any, None]]], object]
"""Runs a coroutine function in the background (a task group's ``start_soon``)."""


@dataclass(slots=True)
class Entry(Generic[V]):
    value: V
    fetched_at: datetime
    error: str | None = None
    """The last refresh failure, kept until a refresh succeeds (which stores a new entry)."""
    quiet_until: datetime | None = None
    """No refresh before this time (after a failure)."""


@dataclass(frozen=True, slots=True)
class Lookup(Generic[V]):
    value: V
    fetched_at: datetime
    state: Literal["fetched", "fresh", "stale"]
    """``fetched`` by this call, ``fresh`` from the cache within the TTL, ``stale`` past it."""
    error: str | None = None
    """For stale answers: why the last refresh failed, if it did."""


@dataclass(slots=True)
class _Flight:
    done: anyio.Event = field(default_factory=anyio.Event)
    value: object = None
    error: BaseException | None = None
    abandoned: bool = False


class QueryCache:
    """See the module docstring. ``on_store(key, value)`` runs after every successful fetch."""

    def __init__(
        self,
        *,
        ttl: float,
        clock: Callable[[], datetime],
        retry_after_failure: float = 30.0,
        max_entries: int = 256,
    ) -> None:
        self.ttl = timedelta(seconds=ttl)
        self._clock = clock
        self._retry_after_failure = timedelta(seconds=retry_after_failure)
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, Entry[object]] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._failures: dict[Hashable, tuple[datetime, Exception]] = {}
        """Cold keys whose fetch failed: not fetched again before the time given."""
        self._spawn: Spawn | None = None
        self.on_store: Callable[[Hashable, object], Awaitable[None]] | None = None

    def attach(self, spawn: Spawn | None) -> None:
        """Where background refreshes run; without one, stale entries are refreshed inline."""
        self._spawn = spawn

    def peek(self, key: Hashable) -> Entry[object] | None:
        """The entry for ``key`` whatever its age, without fetching."""
        return self._entries.get(key)

    async def get(self, key: Hashable, fetch: Callable[[], Awaitable[V]]) -> Lookup[V]:
        """The value for ``key``: cached, refreshed in the background, or fetched once for all callers.

        Raises what ``fetch`` raised when there is no value at all (cold miss or recent failure).
        """
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            if now - entry.fetched_at < self.ttl:
                return Lookup(entry.value, entry.fetched_at, "fresh")  # type: ignore[arg-type]
            if key not in self._flights and (entry.quiet_until is None or now >= entry.quiet_until):
                if self._spawn is not None and self.ttl:  # TTL 0 means "always fetch": refresh inline
                    self._spawn(lambda: self._refresh(key, fetch))
                else:
                    await self._refresh(key, fetch)
                    entry = self._entries[key]
                    if entry.error is None:
                        return Lookup(entry.value, entry.fetched_at, "fetched")  # type: ignore[arg-type]
            return Lookup(entry.value, entry.fetched_at, "stale", entry.error)  # type: ignore[arg-type]
        failure = self._failures.get(key)
        if failure is not None and now < failure[0]:
            raise failure[1]
        value = await self._single_flight(key, fetch)
        stored = self._entries[key]
        return Lookup(value, stored.fetched_at, "fetched")

    def _quiet_until(self, exc: Exception) -> datetime:
        """When to try again after ``exc``: the failure window, or sooner if the upstream said so."""
        window = self._retry_after_failure
        hint = getattr(exc, "retry_after", None)
        if isinstance(hint, int | float) and hint >= 0:
            window = min(window, timedelta(seconds=hint))
        return self._clock() + window

    async def _refresh(self, key: Hashable, fetch: Callable[[], Awaitable[object]]) -> None:
        try:
            await self._single_flight(key, fetch)
        except Exception as exc:
            entry = self._entries.get(key)
            if entry is not None:
                entry.error = str(exc)
                entry.quiet_until = self._quiet_until(exc)
            logger.warning("Refresh failed, keeping the cached answer: %s", exc)

    async def _single_flight(self, key: Hashable, fetch: Callable[[], Awaitable[V]]) -> V:
        while (flight := self._flights.get(key)) is not None:
            await flight.done.wait()
            if flight.abandoned:
                continue  # the leader was cancelled: the next caller leads
            if flight.error is not None:
                raise flight.error
            return flight.value  # type: ignore[return-value]
        flight = _Flight()
        self._flights[key] = flight
        try:
            value = await fetch()
        except Exception as exc:
            flight.error = exc
            self._failures[key] = (self._quiet_until(exc), exc)
            raise
        except BaseException:
            flight.abandoned = True
            raise
        else:
            flight.value = value
            self._failures.pop(key, None)
            self._store(key, value)
        finally:
            del self._flights[key]
            flight.done.set()
        if self.on_store is not None:
            await self.on_store(key, value)
        return value

    def _store(self, key: Hashable, value: object) -> None:
        self._entries[key] = Entry(value, self._clock())
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
