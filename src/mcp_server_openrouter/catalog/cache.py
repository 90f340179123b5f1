"""An in-memory answer cache: TTL, single flight, stale-while-revalidate, stale-if-error, answer deadline.

Keyed by normalized query. Within the TTL a hit makes no upstream request. A cold miss runs one
fetch however many callers ask at once: the others join it (single flight). After the TTL the
old value is answered at once while one background refresh runs (stale-while-revalidate); a
failed refresh keeps the old value and remembers the failure (stale-if-error), and a key whose
fetch just failed is not fetched again for ``retry_after_failure`` seconds — or for the upstream's
own ``Retry-After``, when it gave a shorter one — so a dead upstream is not hammered by every
call. Time comes from an injected clock.

**Answer deadline.** Once :meth:`QueryCache.attach` gives it a place to run background work,
every fetch runs there, owned by the cache rather than by the caller, and a caller waits for it
at most ``answer_timeout`` seconds from the moment the fetch started. Past that, :meth:`get`
raises :class:`StillFetching` (a cold key; the caller answers from offline data) or returns the
old value as ``stale`` (a key with a value, when the TTL is 0); the fetch goes on, bounded by
whatever bounds ``fetch`` itself, and fills the cache when it succeeds, so a later call is served
from it. Callers who arrive while a fetch is under way join it within the same deadline. While
some fetch is overdue, OpenRouter is evidently not answering in time, so a call that would start
or join another fetch does not wait at all (the fetch is still started). Without a place to run
background work (unit tests), the first caller fetches inline and there is no deadline.

**Bounded, in memory and in time** (issue 24: in ``bench/soak.py`` the server grew by ~150 MB a
1,000 calls, on its way to over a GB). What it holds:

* *Values*, at most ``max_entries`` of them and at most ``max_weight`` records in all, least
  recently used out first. A value's weight is the records it holds (:func:`weight`): an answer
  can be the whole catalog (about 13 KB a parsed model, 7 MB for 549), so a bound on entries alone
  let 256 distinct filtered queries keep 256 copies of most of it; the default weight bound is a
  few full catalogs. The value just stored is kept even when it alone is over the bound.
* *Failures*, so that a key that just failed is not fetched again at once: only while that holds
  (a failure past its quiet time changes nothing, and is forgotten), and at most ``max_entries``
  of them. They were kept until the same key succeeded, forever for a key that never does: every
  distinct query made while OpenRouter was down, every unknown model ID asked for.
* *Tracebacks*: a failure is raised to every caller that waits for its fetch and to every one that
  asks while it is remembered, and raising the same exception object again adds the raiser's frames
  to its traceback (and keeps them, and the locals of each of those calls, alive as long as the
  exception). So each waiter gets the fetch's own traceback (:attr:`_Flight.trace`) and a
  remembered failure is raised with none: a caller's traceback starts where the cache raises it.
"""

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Sized
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar, cast

import anyio

logger = logging.getLogger(__name__)

V = TypeVar("V")

Spawn = Callable[[Callable[[], Coroutine[Any, Any, None]]], object]
"""Runs a coroutine function in the background (a task group's ``start_soon``)."""

MAX_ENTRIES = 256
MAX_WEIGHT = 4096
"""Records held by all values together: a full catalog is about 550 models of ~13 KB each, so
this is some 50 MB at most, room for the full catalog, the key owner's list and several large
filtered answers (most are far smaller: a default page's query is a few hundred text models)."""


def weight(value: object) -> int:
    """The records ``value`` holds: the length of a list (models, providers) or of the ``models``
    of a value that has them (a full catalog); 1 for anything else (a count, one model's endpoints,
    a dataset: those are bounded by ``max_entries``)."""
    held: object = getattr(value, "models", value)
    if isinstance(held, list | tuple | dict):
        return max(1, len(cast("Sized", held)))
    return 1


class StillFetching(Exception):
    """The answer deadline passed while the fetch for a key without a value goes on in the background."""

    def __init__(self, waited: float) -> None:
        self.waited = waited
        super().__init__(f"no answer within {waited:g} s")


@dataclass(slots=True)
class Entry(Generic[V]):
    value: V
    fetched_at: datetime
    error: str | None = None
    """The last refresh failure, kept until a refresh succeeds (which stores a new entry)."""
    quiet_until: datetime | None = None
    """No refresh before this time (after a failure)."""
    weight: int = 1
    """The records it holds (:func:`weight`)."""


@dataclass(frozen=True, slots=True)
class Lookup(Generic[V]):
    value: V
    fetched_at: datetime
    state: Literal["fetched", "fresh", "stale"]
    """``fetched`` by this call, ``fresh`` from the cache within the TTL, ``stale`` past it."""
    error: str | None = None
    """For stale answers: why the last refresh failed, if it did."""
    waited: float | None = None
    """For stale answers: the refresh this call waited for did not finish within this many seconds."""


@dataclass(slots=True)
class _Flight:
    deadline: float
    """``anyio.current_time()`` past which callers stop waiting for this fetch."""
    done: anyio.Event = field(default_factory=anyio.Event)
    value: Any = None
    fetched_at: datetime | None = None
    error: BaseException | None = None
    trace: TracebackType | None = None
    """``error``'s traceback as the fetch raised it: what each waiter raises it with."""
    abandoned: bool = False


def _stale(entry: Entry[V]) -> Lookup[V]:
    return Lookup(entry.value, entry.fetched_at, "stale", entry.error)


class QueryCache:
    """See the module docstring. ``on_store(key, value)`` runs after every successful fetch."""

    def __init__(
        self,
        *,
        ttl: float,
        clock: Callable[[], datetime],
        retry_after_failure: float = 30.0,
        max_entries: int = MAX_ENTRIES,
        max_weight: int = MAX_WEIGHT,
        answer_timeout: float = float("inf"),
    ) -> None:
        self.ttl = timedelta(seconds=ttl)
        self.answer_timeout = answer_timeout
        self._clock = clock
        self._retry_after_failure = timedelta(seconds=retry_after_failure)
        self._max_entries = max_entries
        self._max_weight = max_weight
        self._entries: OrderedDict[Hashable, Entry[Any]] = OrderedDict()
        """Values of every type, one per key: each key's caller knows the type its fetch returns."""
        self._weight = 0
        """The sum of the entries' weights."""
        self._flights: dict[Hashable, _Flight] = {}
        self._failures: OrderedDict[Hashable, tuple[datetime, Exception]] = OrderedDict()
        """Keys whose fetch failed, oldest failure first: not fetched again before the time given
        (while cold). Only failures still in their quiet time, at most ``max_entries``."""
        self._spawn: Spawn | None = None
        self.on_store: Callable[[Hashable, object], Awaitable[None]] | None = None

    def attach(self, spawn: Spawn | None) -> None:
        """Where fetches run; without one, callers fetch inline (no background refresh, no deadline)."""
        self._spawn = spawn

    def peek(self, key: Hashable) -> Entry[Any] | None:
        """The entry for ``key`` whatever its age, without fetching."""
        return self._entries.get(key)

    async def get(self, key: Hashable, fetch: Callable[[], Awaitable[V]]) -> Lookup[V]:
        """The value for ``key``: cached, refreshed in the background, or fetched once for all callers.

        Raises what ``fetch`` raised when there is no value at all (cold miss or recent failure),
        and :class:`StillFetching` when there is none yet and the answer deadline has passed.
        """
        entry: Entry[V] | None = self._entries.get(key)
        if entry is None:
            return await self._cold(key, fetch)
        self._entries.move_to_end(key)
        return await self._warm(key, entry, fetch)

    async def _cold(self, key: Hashable, fetch: Callable[[], Awaitable[V]]) -> Lookup[V]:
        """No value yet: fetch it (or join the fetch under way), unless it failed a moment ago."""
        failure = self._failures.get(key)
        if failure is not None and self._clock() < failure[0] and key not in self._flights:
            raise failure[1].with_traceback(None)  # not the traceback of the last caller it was raised to
        value, fetched_at = await self._join(key, fetch)
        return Lookup(value, fetched_at, "fetched")

    async def _warm(self, key: Hashable, entry: Entry[V], fetch: Callable[[], Awaitable[V]]) -> Lookup[V]:
        """A value: fresh within the TTL; past it, stale while a refresh runs in the background, or
        (TTL 0: "always fetch") refreshed now, within the answer deadline."""
        now = self._clock()
        if now - entry.fetched_at < self.ttl:
            return Lookup(entry.value, entry.fetched_at, "fresh")
        quiet = key not in self._flights and entry.quiet_until is not None and now < entry.quiet_until
        if quiet:  # the last refresh failed a moment ago
            return _stale(entry)
        if self._spawn is not None and self.ttl:
            self._flight(key, fetch)  # stale-while-revalidate: started (or joined), not awaited
            return _stale(entry)
        try:
            value, fetched_at = await self._join(key, fetch)
        except StillFetching as slow:
            return Lookup(entry.value, entry.fetched_at, "stale", waited=slow.waited)
        except Exception:
            return _stale(self._entries.get(key, entry))  # the failure is recorded on it
        return Lookup(value, fetched_at, "fetched")

    # -- flights --------------------------------------------------------------------------------

    def _flight(self, key: Hashable, fetch: Callable[[], Awaitable[object]]) -> tuple[_Flight, bool]:
        """The fetch under way for ``key``, or a new one started in the background; ``True`` if new."""
        flight = self._flights.get(key)
        if flight is not None:
            return flight, False
        flight = self._flights[key] = _Flight(deadline=anyio.current_time() + self.answer_timeout)
        if self._spawn is not None:
            self._spawn(partial(self._run, key, fetch, flight))
        return flight, True

    async def _join(self, key: Hashable, fetch: Callable[[], Awaitable[V]]) -> tuple[V, datetime]:
        """Wait for the fetch of ``key`` (joined or started): its value and when it was fetched."""
        while True:
            flight, new = self._flight(key, fetch)
            if new and self._spawn is None:
                await self._run(key, fetch, flight)  # inline: this caller leads, and may be cancelled
            if not flight.done.is_set():
                with anyio.move_on_after(self._patience(flight)):
                    await flight.done.wait()
                if not flight.done.is_set():
                    raise StillFetching(self.answer_timeout)
            if flight.abandoned:
                if self._spawn is not None:  # a background fetch is only abandoned at shutdown
                    raise StillFetching(self.answer_timeout)
                continue  # the inline leader was cancelled: the next caller leads
            if flight.error is not None:
                raise flight.error.with_traceback(flight.trace)  # not the frames of the waiters before
            assert flight.fetched_at is not None
            return flight.value, flight.fetched_at

    def _patience(self, flight: _Flight) -> float:
        """Seconds to wait for ``flight``: the rest of its deadline, or none while another is overdue."""
        if self._spawn is None:
            return float("inf")
        now = anyio.current_time()
        if any(other is not flight and now >= other.deadline for other in self._flights.values()):
            return 0.0
        return max(0.0, flight.deadline - now)

    async def _run(self, key: Hashable, fetch: Callable[[], Awaitable[object]], flight: _Flight) -> None:
        """Fetch ``key`` for ``flight``: store the value or remember the failure, then wake the waiters."""
        try:
            value = await fetch()
        except Exception as exc:
            flight.error, flight.trace = exc, exc.__traceback__
            self._failed(key, exc)
            return
        except BaseException:
            flight.abandoned = True
            raise
        else:
            flight.value = value
            self._failures.pop(key, None)
            flight.fetched_at = self._store(key, value)
        finally:
            del self._flights[key]
            flight.done.set()
        if self.on_store is not None:
            try:
                await self.on_store(key, value)
            except Exception:  # it may run in the background: it must not take the task group down
                logger.exception("Storing the answer for %r failed", key)

    def _failed(self, key: Hashable, exc: Exception) -> None:
        quiet_until = self._quiet_until(exc)
        self._failures.pop(key, None)
        self._failures[key] = (quiet_until, exc)
        self._forget_failures()
        entry = self._entries.get(key)
        if entry is not None:  # stale-if-error: keep the value, say why it is old
            entry.error = str(exc)
            entry.quiet_until = quiet_until
            logger.warning("Refresh failed, keeping the cached answer: %s", exc)

    def _quiet_until(self, exc: Exception) -> datetime:
        """When to try again after ``exc``: the failure window, or sooner if the upstream said so."""
        window = self._retry_after_failure
        hint = getattr(exc, "retry_after", None)
        if isinstance(hint, int | float) and hint >= 0:
            window = min(window, timedelta(seconds=hint))
        return self._clock() + window

    def _forget_failures(self) -> None:
        """Drop the failures past their quiet time (they no longer hold a fetch back), then the
        oldest beyond ``max_entries`` (their keys may be fetched again a little sooner)."""
        now = self._clock()
        for key in [k for k, (until, _) in self._failures.items() if now >= until]:
            del self._failures[key]
        while len(self._failures) > self._max_entries:
            self._failures.popitem(last=False)

    def _store(self, key: Hashable, value: object) -> datetime:
        """Keep ``value`` for ``key``, then drop the least recently used values beyond the bounds
        (never the newest: a value over ``max_weight`` alone is still kept, alone)."""
        fetched_at = self._clock()
        entry = Entry(value, fetched_at, weight=weight(value))
        old = self._entries.pop(key, None)
        if old is not None:
            self._weight -= old.weight
        self._entries[key] = entry
        self._weight += entry.weight
        while len(self._entries) > 1 and (len(self._entries) > self._max_entries or self._weight > self._max_weight):
            _, dropped = self._entries.popitem(last=False)
            self._weight -= dropped.weight
        return fetched_at
