"""The answer cache: TTL, single flight, stale-while-revalidate, stale-if-error, failure backoff."""

from datetime import UTC, datetime, timedelta

import anyio
import pytest
from mcp import Client

from mcp_server_openrouter.catalog.cache import Lookup, QueryCache, StillFetching, weight

from .fake_upstream import FakeOpenRouter
from .helpers import call, poll, server_for, structured

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 21, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Upstream:
    """A fetch function that counts calls, can be held open, and can fail."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = anyio.Event()
        self.hold = False
        self.fail: Exception | None = None

    async def fetch(self) -> str:
        self.calls += 1
        if self.hold:
            await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return f"value-{self.calls}"


async def test_a_hit_within_the_ttl_fetches_nothing() -> None:
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock)

    first = await cache.get("k", upstream.fetch)
    clock.advance(59)
    second = await cache.get("k", upstream.fetch)

    assert (first.state, first.value) == ("fetched", "value-1")
    assert (second.state, second.value, second.fetched_at) == ("fresh", "value-1", T0)
    assert upstream.calls == 1


async def test_concurrent_cold_calls_share_one_fetch() -> None:
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock)
    upstream.hold = True
    results: list[str] = []

    async def one() -> None:
        results.append((await cache.get("k", upstream.fetch)).value)

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            for _ in range(100):
                group.start_soon(one)
            await anyio.wait_all_tasks_blocked()
            upstream.release.set()

    assert upstream.calls == 1
    assert results == ["value-1"] * 100


async def test_a_failed_cold_fetch_reaches_every_waiter_and_is_not_retried_at_once() -> None:
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock, retry_after_failure=30)
    upstream.fail = ConnectionError("down")

    with pytest.raises(ConnectionError):
        await cache.get("k", upstream.fetch)
    clock.advance(29)
    with pytest.raises(ConnectionError):
        await cache.get("k", upstream.fetch)
    assert upstream.calls == 1
    clock.advance(2)
    upstream.fail = None
    recovered = await cache.get("k", upstream.fetch)

    assert (recovered.state, recovered.value) == ("fetched", "value-2")


async def test_past_the_ttl_the_old_value_answers_while_one_background_refresh_runs() -> None:
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock)
    await cache.get("k", upstream.fetch)
    clock.advance(61)
    upstream.hold = True
    stale: list[Lookup[str]] = []

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            cache.attach(group.start_soon)
            stale = [await cache.get("k", upstream.fetch) for _ in range(5)]
            await anyio.wait_all_tasks_blocked()
            assert upstream.calls == 2  # five stale answers, one refresh
            upstream.release.set()
    refreshed = await cache.get("k", upstream.fetch)

    assert all((s.state, s.value, s.error) == ("stale", "value-1", None) for s in stale)
    assert (refreshed.state, refreshed.value) == ("fresh", "value-2")


async def test_a_failed_refresh_keeps_the_old_value_and_says_why() -> None:
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock, retry_after_failure=30)
    await cache.get("k", upstream.fetch)
    clock.advance(61)
    upstream.fail = ConnectionError("connection refused")

    first = await cache.get("k", upstream.fetch)  # no task group: refreshed inline
    clock.advance(10)
    second = await cache.get("k", upstream.fetch)  # failed 10 s ago: not refetched

    assert (first.state, first.value, first.error) == ("stale", "value-1", "connection refused")
    assert (second.state, second.fetched_at) == ("stale", T0)
    assert upstream.calls == 2


async def test_a_cancelled_leader_hands_the_fetch_to_the_next_caller() -> None:
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock)
    upstream.hold = True
    got: list[str] = []
    leader = anyio.CancelScope()

    async def lead() -> None:
        with leader:
            await cache.get("k", upstream.fetch)

    async def follow() -> None:
        got.append((await cache.get("k", upstream.fetch)).value)

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            group.start_soon(lead)
            await anyio.wait_all_tasks_blocked()  # the leader's fetch is under way
            group.start_soon(follow)
            await anyio.wait_all_tasks_blocked()  # the follower waits for it
            leader.cancel()
            await anyio.wait_all_tasks_blocked()  # the follower now fetches itself
            assert upstream.calls == 2
            upstream.release.set()

    assert got == ["value-2"]


async def test_past_the_answer_deadline_a_cold_call_gives_up_and_the_fetch_fills_the_cache_later() -> None:
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock, answer_timeout=0.05)  # fires because the fetch is held
    upstream.hold = True

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            cache.attach(group.start_soon)
            with pytest.raises(StillFetching, match=r"no answer within 0\.05 s"):
                await cache.get("k", upstream.fetch)
            with pytest.raises(StillFetching):  # joins the overdue fetch: no second one, no wait
                await cache.get("k", upstream.fetch)
            upstream.release.set()
            while True:
                await anyio.sleep(0.01)
                if cache.peek("k") is not None:
                    break
    filled = await cache.get("k", upstream.fetch)

    assert (filled.state, filled.value) == ("fresh", "value-1")
    assert upstream.calls == 1


async def test_while_one_fetch_is_overdue_other_cold_calls_do_not_wait() -> None:
    clock = Clock()
    held, other = Upstream(), Upstream()
    cache = QueryCache(ttl=60, clock=clock, answer_timeout=600)
    held.hold = other.hold = True

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            cache.attach(group.start_soon)
            cache.answer_timeout = 0.05
            with pytest.raises(StillFetching):
                await cache.get("a", held.fetch)
            cache.answer_timeout = 600  # a second key alone would wait up to 600 s...
            with pytest.raises(StillFetching):
                await cache.get("b", other.fetch)  # ...but "a" is overdue: OpenRouter is not answering
            await anyio.wait_all_tasks_blocked()
            assert (held.calls, other.calls) == (1, 1)  # the second fetch was still started
            held.release.set()
            other.release.set()


async def test_entries_are_bounded_least_recently_used_first() -> None:
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock, max_entries=2)

    for key in ("a", "b", "a", "c"):
        await cache.get(key, upstream.fetch)

    assert cache.peek("a") is not None
    assert cache.peek("b") is None
    assert cache.peek("c") is not None


class Catalogish:
    """A value holding records the way a full catalog (``ModelSet``) does."""

    def __init__(self, count: int) -> None:
        self.models = list(range(count))


def test_a_value_weighs_the_records_it_holds() -> None:
    assert [weight([1, 2, 3]), weight(Catalogish(549)), weight(()), weight(42), weight("a string")] == [3, 549, 1, 1, 1]


async def test_entries_are_bounded_by_the_records_they_hold() -> None:
    """Issue 24: a bound on entries alone let 256 filtered answers of hundreds of models each stay."""
    clock = Clock()
    cache = QueryCache(ttl=60, clock=clock, max_entries=256, max_weight=10)

    async def records(count: int) -> list[int]:
        return list(range(count))

    for key in ("a", "b", "c"):
        await cache.get(key, lambda: records(4))
    assert [cache.peek(k) is not None for k in ("a", "b", "c")] == [False, True, True]  # 8 of 10
    await cache.get("whole", lambda: records(25))
    assert [cache.peek(k) is not None for k in ("b", "c", "whole")] == [False, False, True]  # alone, over
    for n in range(1000):
        await cache.get(("q", n), lambda n=n: records(n % 7))
    assert sum(len(e.value) for k in [("q", n) for n in range(1000)] if (e := cache.peek(k))) <= 10


async def test_10000_distinct_failing_keys_leave_a_bounded_memory_of_failures() -> None:
    """Issue 24: a failure was remembered until its key succeeded, so every distinct query asked
    while OpenRouter was down (a new ``q`` each time) stayed, with its exception and traceback."""
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock, retry_after_failure=30, max_entries=256)
    upstream.fail = ConnectionError("down")

    for n in range(10_000):
        with pytest.raises(ConnectionError):
            await cache.get(("q", n), upstream.fetch)
    held = cache._failures  # pyright: ignore[reportPrivateUsage] -- what the process holds

    assert len(held) == 256
    with pytest.raises(ConnectionError):
        await cache.get(("q", 9_999), upstream.fetch)  # the latest are still held back...
    assert upstream.calls == 10_000  # ...without a fetch
    clock.advance(31)
    with pytest.raises(ConnectionError):
        await cache.get(("q", 10_000), upstream.fetch)
    assert list(held) == [("q", 10_000)]  # past their quiet time, the others hold nothing back: gone


def frames(exc: BaseException) -> int:
    count, tb = 0, exc.__traceback__
    while tb is not None:
        count, tb = count + 1, tb.tb_next
    return count


async def test_a_failure_raised_to_many_callers_does_not_collect_their_frames() -> None:
    """Issue 24: raising the same exception object again adds the raiser's frames to its traceback,
    so a remembered failure asked for 1,000 times held 1,000 callers' frames (and their locals)."""
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=60, clock=clock, retry_after_failure=30)
    upstream.fail, upstream.hold = ConnectionError("down"), True
    seen: list[int] = []

    async def ask() -> None:
        try:
            await cache.get("k", upstream.fetch)
        except ConnectionError as exc:
            seen.append(frames(exc))

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            cache.attach(group.start_soon)
            for _ in range(100):  # one flight: 100 callers wait for it
                group.start_soon(ask)
            await anyio.wait_all_tasks_blocked()
            upstream.release.set()
        for _ in range(1000):  # then it is remembered: 1,000 callers are refused at once
            await ask()

    assert upstream.calls == 1
    assert len(set(seen[:100])) == 1  # each waiter: its own frames and the fetch's
    assert len(set(seen[100:])) == 1  # each later caller: its own frames
    assert max(seen) < 20


# -- through the server ------------------------------------------------------------------------


async def test_100_concurrent_identical_list_models_calls_make_one_upstream_request() -> None:
    upstream = FakeOpenRouter()
    server = server_for(upstream)
    pages: list[int] = []

    async def one(client: Client) -> None:
        pages.append(structured(await call(client, "list_models", {"supported_parameters": ["tools"]}))["total"])

    with anyio.fail_after(60):
        async with Client(server) as client, anyio.create_task_group() as group:
            for _ in range(100):
                group.start_soon(one, client)

    assert len(upstream.requests) == 1
    assert len(pages) == 100
    assert len(set(pages)) == 1


async def test_equivalent_queries_share_a_cache_entry(client: Client, upstream: FakeOpenRouter) -> None:
    first = structured(await call(client, "list_models", {"supported_parameters": ["tools", "seed"]}))
    second = structured(await call(client, "list_models", {"supported_parameters": "seed,tools", "offset": 25}))

    assert len(upstream.requests) == 1
    assert first["source"]["kind"] == "live"
    assert second["source"]["kind"] == "cached"
    assert second["source"]["as_of"] == first["source"]["as_of"]


async def test_warm_calls_say_cached_and_old_ones_say_stale_while_refreshing() -> None:
    clock = Clock()
    upstream = FakeOpenRouter()
    server = server_for(upstream, cache_ttl=60, clock=clock)
    with anyio.fail_after(60):
        async with Client(server) as client:
            live = structured(await call(client, "count_models", {"q": "gpt"}))
            clock.advance(30)
            cached = structured(await call(client, "count_models", {"q": "gpt"}))
            clock.advance(31)
            stale = structured(await call(client, "count_models", {"q": "gpt"}))
            clock.advance(1)
            renewed = await poll(client, "count_models", {"q": "gpt"}, lambda r: r["source"]["kind"] != "stale")

    assert [r["source"]["kind"] for r in (live, cached, stale, renewed)] == ["live", "cached", "stale", "cached"]
    assert stale["source"]["note"] == "refreshing in the background"
    assert renewed["source"]["as_of"] > live["source"]["as_of"]


async def test_a_zero_ttl_fetches_every_time_but_still_falls_back_to_the_old_value() -> None:
    clock, upstream = Clock(), Upstream()
    cache = QueryCache(ttl=0, clock=clock, retry_after_failure=0)

    async with anyio.create_task_group() as group:
        cache.attach(group.start_soon)  # even with background refreshes available
        first = await cache.get("k", upstream.fetch)
        second = await cache.get("k", upstream.fetch)
        upstream.fail = ConnectionError("down")
        third = await cache.get("k", upstream.fetch)
        assert [(r.state, r.value) for r in (first, second, third)] == [
            ("fetched", "value-1"),
            ("fetched", "value-2"),
            ("stale", "value-2"),
        ]
        assert third.error == "down"
