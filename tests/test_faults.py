"""Upstream faults, end to end: a real loopback server misbehaves, the whole MCP server runs above it.

Each test drives ``create_server`` through the SDK's ``Client`` against
:class:`~tests.faulty_upstream.FaultyUpstream` (real sockets, its own threads) with :data:`RETRY`
(2 retries, 10-20 ms backoff, ``Retry-After`` capped at 50 ms). No verdict depends on how fast
the machine is: every timeout a test does not want to fire is :data:`GENEROUS` (30 s), and the
ones it wants to fire are caused by the fake, which hangs (``HANG``: the 0.25 s request timeout
fires) or stalls until released. Calls are guarded by ``fail_after`` so a hang fails the test;
how long they took is printed (``pytest -rP``), never asserted.

Cold start (:func:`test_each_fault_end_to_end`): ``list_models``, ``count_models``, ``get_model``
and ``list_models_for_user`` run at once, one upstream fetch each; requests are *per fetch*.

==============================  ==================================================  ===================
fault                           outcome                                             upstream requests
==============================  ==================================================  ===================
connection refused              snapshot 2026-08-18, note names ConnectError;       0 received
                                ``list_models_for_user``: error sentence            (3 attempted)
reset mid-body (RST)            snapshot, note names ReadError; user: error         3 (1 + 2 retries)
read timeout (never answers)    snapshot, note "did not answer ... in time"         3 (3 x 0.25 s)
total_timeout ends the retries  snapshot, note "no answer within 1 s"               fewer than allowed
slow answer within the bound    live                                                1
500, 502 (HTML page), 503       snapshot, note "HTTP 5xx", no HTML anywhere         3
429 without Retry-After         snapshot; user: "rate-limiting ... Retry shortly"   3
429 with Retry-After: 1         as above, "Retry in 1 s"; waits the 50 ms cap       3
429, Retry-After past deadline  snapshot at once: a retry that cannot fit is        1
                                not attempted
200 with malformed JSON         snapshot, note "not valid JSON"                     1 (not retried)
200 with a truncated body       snapshot, note names RemoteProtocolError            3
200, drifted records            live, no record lost, raw record verbatim           1
healthy (control)               live                                                1
==============================  ==================================================  ===================

Every case then repeats the calls: within the 30 s failure window (or the TTL) none of them makes
a request. ``read_resource`` of ``openrouter/auto`` always answers and never adds a request
(the full catalog is cached or its failure is remembered).

Sequences:

* upstream down at start-up (refused): the first call answers from the snapshot dated
  2026-08-18 after 3 attempts; once the upstream is back, nothing is fetched until the failure
  window has passed (injected clock +31 s), then ``live`` (1 request).
* recovering after 5xx: 3 requests → snapshot, then 0 within 30 s, then 1 → ``live``.
* a short outage within one fetch (502, then a reset, then OK): ``live`` after 3 requests.
* stale-while-revalidate (warm cache past its TTL, refresh fails with 503 / malformed JSON):
  the old data at once (``stale``, "refreshing in the background"), then ``stale`` with
  "refresh failed: ..." in ``note``; 1 + 3 / 1 + 1 requests; after the window a refresh
  succeeds (+1) and the data is ``cached`` again with the new date. A refresh that stalls
  leaves every answer ``stale`` until it is released, then ``cached``.

After a 429 with ``Retry-After: 1`` the tool tells the model "Retry in 1 s", and the failure is
remembered only that long, so a retry after the hinted delay reaches OpenRouter again. The answer
deadline (``OPENROUTER_ANSWER_TIMEOUT``) has its own tests in ``test_answer_deadline.py``.
"""

import json
import logging
import socket
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp_types import CallToolResult, TextResourceContents
from pydantic import SecretStr

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import RetryPolicy
from mcp_server_openrouter.server import create_server

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter
from .faulty_upstream import (
    DRIFTED,
    HANG,
    MALFORMED_JSON,
    NEW_FIELD,
    OK,
    RESET_MID_BODY,
    STALL,
    TRUNCATED,
    FaultyUpstream,
    Mode,
    base_url,
    closed_port,
    slow,
    status,
)
from .helpers import Clock, structured, text_of

pytestmark = pytest.mark.anyio

RETRY = RetryPolicy(retries=2, backoff=0.01, max_backoff=0.02, retry_after_cap=0.05)
GENEROUS = 30.0
"""Request timeout, fetch bound and answer deadline of every case that does not want them to fire."""
HUNG = 0.25
"""Request timeout of the cases whose upstream hangs: it fires because the fake never answers."""
GUARD = 120.0
"""``fail_after`` around every call: a hang fails the test instead of stalling it."""
TTL = 60.0
FAILURE_WINDOW = 30
"""Seconds a failed key is not fetched again (``QueryCache.retry_after_failure``)."""
SNAPSHOT_AS_OF = "2026-08-18T00:00:00Z"
CLIENT_LOGGER = "mcp_server_openrouter.openrouter.client"
MODELS, COUNT, USER = "/api/v1/models", "/api/v1/models/count", "/api/v1/models/user"
DATASETS = ("/api/v1/benchmarks", "/api/v1/datasets/rankings-daily")
"""What get_model adds with the key: asked beside the catalog, once, never retried."""


def split_counts(counts: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Requests per path: the catalog's, and the datasets'."""
    return (
        {path: n for path, n in counts.items() if path not in DATASETS},
        {path: n for path, n in counts.items() if path in DATASETS},
    )


PROBE = "openrouter/auto"
TEXT_MODELS = 414
"""Text-output models in the 2026-08-18 catalog: the default filter's total, live or offline."""


@dataclass(slots=True)
class Timed:
    result: CallToolResult
    seconds: float


@dataclass(slots=True)
class Bound:
    """Remembers the slowest call, to print: how long a call took is reported, never asserted."""

    worst: float = 0.0

    def check(self, seconds: float) -> None:
        self.worst = max(self.worst, seconds)


def settings_for(
    url: str, *, timeout: float = GENEROUS, total_timeout: float = GENEROUS, answer_timeout: float = GENEROUS
) -> Settings:
    return Settings(
        api_key=SecretStr(TEST_KEY),
        base_url=url,
        timeout=timeout,
        total_timeout=total_timeout,
        answer_timeout=answer_timeout,
        cache_ttl=TTL,
    )


async def timed_call(client: Client, bound: Bound, tool: str, arguments: dict[str, Any] | None = None) -> Timed:
    start = time.monotonic()
    with anyio.fail_after(GUARD):
        result = await client.call_tool(tool, arguments or {})
    seconds = time.monotonic() - start
    bound.check(seconds)
    return Timed(result, seconds)


async def all_tools(client: Client, bound: Bound) -> dict[str, Timed]:
    """One call of each tool, concurrently (one upstream fetch each), timed one by one."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {
        "list": ("list_models", {"limit": 5}),
        "count": ("count_models", {}),
        "get": ("get_model", {"ids": [PROBE, "anthropic/claude-sonnet-4.5"]}),
        "user": ("list_models_for_user", {"limit": 1}),
    }
    out: dict[str, Timed] = {}

    async def one(name: str, tool: str, arguments: dict[str, Any]) -> None:
        out[name] = await timed_call(client, bound, tool, arguments)

    async with anyio.create_task_group() as group:
        for name, (tool, arguments) in calls.items():
            group.start_soon(one, name, tool, arguments)
    return out


async def read_probe(client: Client, bound: Bound) -> dict[str, Any]:
    start = time.monotonic()
    with anyio.fail_after(GUARD):
        result = await client.read_resource(f"openrouter://models/{PROBE}")
    bound.check(time.monotonic() - start)
    (content,) = result.contents
    assert isinstance(content, TextResourceContents)
    return json.loads(content.text)


def retry_delays(caplog: pytest.LogCaptureFixture) -> list[float]:
    """The waits before each retry, as the client logged them (``Retrying /models in 0.05 s ...``)."""
    return [
        float(r.getMessage().split(" in ", 1)[1].split(" s ", 1)[0])
        for r in caplog.records
        if r.name == CLIENT_LOGGER and r.getMessage().startswith("Retrying /")
    ]


def retries_logged(caplog: pytest.LogCaptureFixture) -> int:
    return len(retry_delays(caplog))


def assert_readable_error(result: CallToolResult, tool: str, *expected: str) -> None:
    """A failed call: the SDK's prefix, then a plain sentence about OpenRouter; no traceback, HTML or key."""
    assert result.is_error
    message = text_of(result)
    assert message.startswith(f"Error executing tool {tool}: OpenRouter "), message
    for part in expected:
        assert any(alternative in message for alternative in part.split("|")), message
    for leak in ("Traceback", 'File "', "<html", "<body", TEST_KEY):
        assert leak not in message, message
    assert len(message) < 300, message


def assert_labelled_offline(source: dict[str, Any], *expected: str) -> None:
    """Bundled-snapshot data, dated, with a note that says why it is not live."""
    assert source["kind"] == "snapshot", source
    assert source["as_of"] == SNAPSHOT_AS_OF
    note: str = source["note"]
    assert note.startswith("OpenRouter unavailable: "), note
    for part in expected:
        assert any(alternative in note for alternative in part.split("|")), note
    assert "<html" not in note
    assert "Traceback" not in note


@contextmanager
def upstream_for(mode: Mode | None) -> Generator[tuple[str, FaultyUpstream | None]]:
    """A faulty upstream answering every request with ``mode``; ``None``: a port that refuses."""
    if mode is None:
        yield base_url(closed_port()), None
        return
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY), default=mode) as upstream:
        yield upstream.base_url, upstream


# -- every fault, cold start --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    mode: Mode | None
    """``None``: connection refused (nothing listens)."""
    live: bool
    attempts: int | None
    """Requests one fetch makes (the upstream receives them unless refused); ``None``: the fetch's
    bound cut the retries short, after at least one and fewer than the policy allows."""
    note: tuple[str, ...] = ()
    """Parts of the snapshot's ``note`` (and, unless ``error`` is set, of the error sentence); ``a|b``:
    either."""
    error: tuple[str, ...] | None = None
    """Parts of ``list_models_for_user``'s error sentence, when they differ from ``note``."""
    timeout: float = GENEROUS
    total_timeout: float = GENEROUS
    retry: RetryPolicy = RETRY
    max_delay: float | None = None
    """The longest wait before a retry that the client may log (a capped ``Retry-After``)."""
    min_seconds: float = 0.0
    """A lower bound every call must take: the fake made it wait that long (never a speed verdict)."""


CASES = [
    pytest.param(Case(None, live=False, attempts=3, note=("(ConnectError)",)), id="connection-refused"),
    pytest.param(Case(RESET_MID_BODY, live=False, attempts=3, note=("(ReadError)",)), id="reset-mid-body"),
    pytest.param(
        Case(
            HANG,
            live=False,
            attempts=3,
            note=("did not answer", "in time (ReadTimeout)"),
            timeout=HUNG,
        ),
        id="read-timeout",
    ),
    pytest.param(
        Case(
            HANG,
            live=False,
            attempts=None,
            # The bound ends the retries either by cancelling an attempt ("no answer within 1 s") or,
            # when an attempt's own 0.4 s timeout ends so late (a busy machine) that the next retry
            # cannot fit before it, by not attempting that retry (the attempt's timeout is raised).
            note=("gave no answer within 1 s|did not answer /models",),
            timeout=0.4,
            total_timeout=1.0,
            retry=RetryPolicy(retries=100, backoff=0.01, max_backoff=0.02),
        ),
        id="total-timeout-ends-retries",
    ),
    pytest.param(Case(slow(0.2), live=True, attempts=1, min_seconds=0.2), id="slow-within-bound"),
    pytest.param(Case(status(500), live=False, attempts=3, note=("HTTP 500: Upstream says",)), id="http-500"),
    pytest.param(
        Case(status(502, html=True), live=False, attempts=3, note=("HTTP 502: (an HTML error page",)),
        id="http-502-html",
    ),
    pytest.param(Case(status(503), live=False, attempts=3, note=("HTTP 503: Upstream says",)), id="http-503"),
    pytest.param(
        Case(status(429), live=False, attempts=3, note=("HTTP 429",), error=("(HTTP 429)", "Retry shortly")),
        id="http-429",
    ),
    pytest.param(
        Case(
            status(429, retry_after="1"),
            live=False,
            attempts=3,
            note=("HTTP 429",),
            error=("(HTTP 429)", "Retry in 1 s"),
            max_delay=0.05,  # 2 waits of the 50 ms cap, never 2 x 1 s
        ),
        id="http-429-retry-after",
    ),
    pytest.param(
        Case(
            status(429, retry_after="60"),
            live=False,
            attempts=1,
            note=("HTTP 429",),
            error=("Retry in 60 s",),
            retry=RetryPolicy(retries=2, backoff=0.01, max_backoff=0.02, retry_after_cap=120),
            max_delay=0.0,  # the 60 s wait would overrun the 30 s fetch bound: not attempted
        ),
        id="http-429-retry-after-past-deadline",
    ),
    pytest.param(Case(MALFORMED_JSON, live=False, attempts=1, note=("not valid JSON",)), id="malformed-json"),
    pytest.param(Case(TRUNCATED, live=False, attempts=3, note=("(RemoteProtocolError)",)), id="truncated-body"),
    pytest.param(Case(DRIFTED, live=True, attempts=1), id="drifted-records"),
    pytest.param(Case(OK, live=True, attempts=1), id="healthy"),
]


@pytest.mark.parametrize("case", CASES)
async def test_each_fault_end_to_end(case: Case, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=CLIENT_LOGGER)
    bound = Bound()
    fetches = 4  # /models (list), /models/count, /models?output_modalities=all (get_model), /models/user
    with upstream_for(case.mode) as (url, upstream):
        server = create_server(
            settings_for(url, timeout=case.timeout, total_timeout=case.total_timeout), retry=case.retry, clock=Clock()
        )
        async with Client(server, cache=None) as client:
            first = await all_tools(client, bound)
            resource = await read_probe(client, bound)
            received, datasets = split_counts(upstream.counts if upstream is not None else {})
            second = await all_tools(client, bound)
            await read_probe(client, bound)
            received_again, datasets_again = split_counts(upstream.counts if upstream is not None else {})
    print(f"slowest call: {bound.worst:.3f} s")  # pytest -rP shows it

    # (a) the outcome
    listed, counted, got = (structured(first[n].result) for n in ("list", "count", "get"))
    assert listed["total"] == counted["count"] == TEXT_MODELS
    assert [m["id"] for m in got["models"]] == [PROBE, "anthropic/claude-sonnet-4.5"]
    assert resource["id"] == PROBE
    if case.live:
        for answer in (listed, counted, got, structured(first["user"].result)):
            assert answer["source"]["kind"] == "live"
            assert "note" not in answer["source"]
        assert structured(first["user"].result)["total"] == 549
        for name in ("list", "count", "get", "user"):
            assert structured(second[name].result)["source"]["kind"] == "cached"
    else:
        for answer in (listed, counted, got):
            assert_labelled_offline(answer["source"], *case.note)
        assert_readable_error(
            first["user"].result, "list_models_for_user", *(case.note if case.error is None else case.error)
        )
        for name in ("list", "count", "get"):
            assert structured(second[name].result)["source"] == structured(first[name].result)["source"]
        assert text_of(second["user"].result) == text_of(first["user"].result)

    # (b) the upstream requests: `attempts` per fetch, and none for the repeat within the window;
    # each dataset once at most (once the host fails, nothing more is sent to it for a while)
    assert received_again == received
    assert datasets_again == datasets
    assert all(n == 1 for n in datasets.values())
    if case.live:
        assert datasets.keys() == set(DATASETS)
    if case.attempts is None:  # cut short by the fetch's bound: how many fit depends on the machine
        assert upstream is not None
        assert received.keys() == {MODELS, COUNT, USER}
        assert fetches <= sum(received.values()) < fetches * (1 + case.retry.retries)
    else:
        expected = {} if upstream is None else {MODELS: 2 * case.attempts, COUNT: case.attempts, USER: case.attempts}
        assert received == expected
        assert retries_logged(caplog) == fetches * (case.attempts - 1)
    if case.max_delay is not None:
        assert all(delay <= case.max_delay for delay in retry_delays(caplog)), retry_delays(caplog)

    # (c) the slow case did wait for the fake (a lower bound the fake causes, never a speed verdict)
    assert all(t.seconds >= case.min_seconds for t in first.values())


async def test_drifted_records_are_kept_and_served_verbatim() -> None:
    bound = Bound()
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY), default=DRIFTED) as upstream:
        async with Client(
            create_server(settings_for(upstream.base_url), retry=RETRY, clock=Clock()), cache=None
        ) as client:
            got = structured(
                (await timed_call(client, bound, "get_model", {"ids": ["anthropic/claude-sonnet-4.5"]})).result
            )
            record = await read_probe(client, bound)
            listed = structured((await timed_call(client, bound, "list_models", {"output_modalities": ["all"]})).result)
        catalog = split_counts(upstream.counts)[0]  # beside it, the page's media prices (their own paths)
        assert {path: n for path, n in catalog.items() if path.startswith(MODELS)} == {MODELS: 1}

    (model,) = got["models"]
    assert got["source"]["kind"] == "live"
    assert model["usd_in"] == 3  # 0.000003 sent as a JSON number, still exact
    assert model["usd_out"] == 15
    assert "description" not in model
    assert listed["total"] == 549  # no record skipped
    assert listed["source"]["kind"] == "cached"
    assert record["id"] == PROBE
    assert record[NEW_FIELD] == {"tier": "beta", "weights": [0.7, 0.3]}  # unknown fields kept verbatim
    assert record["pricing"]["prompt"] == -1
    assert record["supported_parameters"] is None
    assert record["architecture"]["input_modalities"] is None
    assert "description" not in record
    assert record["derived"] == {"usd_per_million_tokens": {"prompt": "variable", "completion": "variable"}}
    print(f"slowest call: {bound.worst:.3f} s")


# -- sequences ------------------------------------------------------------------------------------


async def test_upstream_down_at_start_up_answers_from_the_snapshot_then_recovers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=CLIENT_LOGGER)
    clock = Clock()
    bound = Bound()
    port = closed_port()
    server = create_server(settings_for(base_url(port)), retry=RETRY, clock=clock)
    async with Client(server, cache=None) as client:
        first = await timed_call(client, bound, "list_models", {"limit": 3})
        page = structured(first.result)
        assert_labelled_offline(page["source"], "Could not reach OpenRouter for /models (ConnectError)")
        assert "OFFLINE: bundled catalog snapshot of 2026-08-18" in text_of(first.result)
        assert page["total"] == TEXT_MODELS
        assert retries_logged(caplog) == 2  # 3 connection attempts, all refused

        detail = structured((await timed_call(client, bound, "get_model", {"ids": [PROBE]})).result)
        assert_labelled_offline(detail["source"], "ConnectError")
        assert "not asked again before 10:00:30 UTC" in detail["source"]["note"]
        assert (await read_probe(client, bound))["id"] == PROBE
        assert retries_logged(caplog) == 2  # OpenRouter is known down: another query sends nothing

        with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY), port=port) as upstream:
            clock.advance(FAILURE_WINDOW - 1)
            still = structured((await timed_call(client, bound, "list_models", {"limit": 3})).result)
            assert still["source"]["kind"] == "snapshot"
            assert upstream.total == 0  # within the failure window: not fetched again

            clock.advance(2)
            back = structured((await timed_call(client, bound, "list_models", {"limit": 3})).result)
            assert back["source"] == {"kind": "live", "as_of": "2026-11-21T10:00:31Z"}
            assert back["rows"] == page["rows"]
            detail = structured((await timed_call(client, bound, "get_model", {"ids": [PROBE]})).result)
            assert detail["source"]["kind"] == "live"
            assert split_counts(upstream.counts)[0] == {MODELS: 2}
    assert retries_logged(caplog) == 2
    print(f"slowest call: {bound.worst:.3f} s")


async def test_recovering_after_server_errors() -> None:
    clock = Clock()
    bound = Bound()
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY)) as upstream:
        upstream.script(status(503), status(502, html=True), status(500))
        async with Client(
            create_server(settings_for(upstream.base_url), retry=RETRY, clock=clock), cache=None
        ) as client:
            failed = structured((await timed_call(client, bound, "count_models")).result)
            assert_labelled_offline(failed["source"], "HTTP 500")
            assert failed["count"] == TEXT_MODELS
            assert upstream.counts == {COUNT: 3}

            clock.advance(FAILURE_WINDOW - 1)
            again = structured((await timed_call(client, bound, "count_models")).result)
            assert again["source"] == failed["source"]
            assert upstream.total == 3

            clock.advance(2)
            live = structured((await timed_call(client, bound, "count_models")).result)
            assert live["count"] == TEXT_MODELS
            assert live["source"] == {"kind": "live", "as_of": "2026-11-21T10:00:31Z"}
            assert upstream.counts == {COUNT: 4}
    print(f"slowest call: {bound.worst:.3f} s")


async def test_retries_ride_out_a_short_outage() -> None:
    bound = Bound()
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY)) as upstream:
        upstream.script(status(502, html=True), RESET_MID_BODY)
        async with Client(
            create_server(settings_for(upstream.base_url), retry=RETRY, clock=Clock()), cache=None
        ) as client:
            page = structured((await timed_call(client, bound, "list_models", {"limit": 1})).result)
        assert upstream.counts == {MODELS: 3}
    assert page["source"]["kind"] == "live"
    assert page["total"] == TEXT_MODELS
    print(f"slowest call: {bound.worst:.3f} s")


async def poll_list(client: Client, bound: Bound, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Call ``list_models`` until its answer satisfies ``done`` (a background refresh has ended)."""
    with anyio.fail_after(GUARD):
        while True:
            page = structured((await timed_call(client, bound, "list_models", {"limit": 5})).result)
            if done(page):
                return page
            await anyio.sleep(0.02)


@pytest.mark.parametrize(
    ("mode", "attempts", "why"),
    [
        pytest.param(status(503), 3, "refresh failed: OpenRouter answered HTTP 503", id="http-503"),
        pytest.param(
            MALFORMED_JSON, 1, "refresh failed: OpenRouter's /models answer is not valid JSON", id="malformed"
        ),
    ],
)
async def test_stale_while_revalidate_keeps_old_data_when_the_refresh_fails(
    mode: Mode, attempts: int, why: str
) -> None:
    clock = Clock()
    bound = Bound()
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY)) as upstream:
        async with Client(
            create_server(settings_for(upstream.base_url), retry=RETRY, clock=clock), cache=None
        ) as client:
            warm = structured((await timed_call(client, bound, "list_models", {"limit": 5})).result)
            assert warm["source"] == {"kind": "live", "as_of": "2026-11-21T10:00:00Z"}

            upstream.default = mode
            clock.advance(TTL + 1)
            stale = structured((await timed_call(client, bound, "list_models", {"limit": 5})).result)
            assert stale["source"] == {**warm["source"], "kind": "stale", "note": "refreshing in the background"}
            assert stale["rows"] == warm["rows"]

            stale = await poll_list(client, bound, lambda page: "refresh failed" in page["source"].get("note", ""))
            assert stale["source"]["kind"] == "stale"
            assert stale["source"]["as_of"] == warm["source"]["as_of"]
            assert stale["source"]["note"].startswith(why)
            assert stale["rows"] == warm["rows"]
            assert upstream.counts == {MODELS: 1 + attempts}  # polling within the window fetched nothing

            upstream.default = OK
            clock.advance(FAILURE_WINDOW + 1)
            await timed_call(client, bound, "list_models", {"limit": 5})  # stale again; starts a refresh
            fresh = await poll_list(client, bound, lambda page: page["source"]["kind"] == "cached")
            assert fresh["source"] == {"kind": "cached", "as_of": "2026-11-21T10:01:32Z"}
            assert upstream.counts == {MODELS: 2 + attempts}
    print(f"slowest call: {bound.worst:.3f} s")


async def test_a_stalled_refresh_never_delays_an_answer() -> None:
    clock = Clock()
    bound = Bound()
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY)) as upstream:
        async with Client(
            create_server(settings_for(upstream.base_url), retry=RETRY, clock=clock), cache=None
        ) as client:
            warm = structured((await timed_call(client, bound, "list_models", {"limit": 5})).result)

            upstream.default = STALL  # every request now waits until released: the refresh cannot end
            clock.advance(TTL + 1)
            for _ in range(5):
                stale = structured((await timed_call(client, bound, "list_models", {"limit": 5})).result)
                assert stale["source"] == {**warm["source"], "kind": "stale", "note": "refreshing in the background"}
                assert stale["rows"] == warm["rows"]

            upstream.release()
            fresh = await poll_list(client, bound, lambda page: page["source"]["kind"] == "cached")
            assert fresh["source"] == {"kind": "cached", "as_of": "2026-11-21T10:01:01Z"}
            assert upstream.counts == {MODELS: 2}  # five stale answers, one refresh
    print(f"slowest call: {bound.worst:.3f} s")


# -- the faulty server itself ---------------------------------------------------------------------


def test_shutdown_frees_hung_requests_promptly() -> None:
    with FaultyUpstream(default=HANG) as upstream:
        clients = [socket.create_connection(("127.0.0.1", upstream.port), timeout=1) for _ in range(3)]
        for sock in clients:
            sock.sendall(b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        deadline = time.monotonic() + 30  # generous: only a broken server takes long
        while upstream.total < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert upstream.counts == {MODELS: 3}
    try:  # leaving the block joined every thread within its shutdown bound, or raised
        for sock in clients:
            assert sock.recv(1) == b""  # closed without an answer
    finally:
        for sock in clients:
            sock.close()


async def test_a_retry_after_hint_given_to_the_model_is_honoured() -> None:
    clock = Clock()
    bound = Bound()
    with FaultyUpstream(FakeOpenRouter(api_key=TEST_KEY)) as upstream:
        upstream.script(*[status(429, retry_after="1")] * 3)
        async with Client(
            create_server(settings_for(upstream.base_url), retry=RETRY, clock=clock), cache=None
        ) as client:
            limited = (await timed_call(client, bound, "list_models_for_user", {"limit": 1})).result
            assert_readable_error(limited, "list_models_for_user", "Retry in 1 s.")
            assert upstream.counts == {USER: 3}

            clock.advance(2)  # the model did as told: it waited 1 s (and then some) and asked again
            again = (await timed_call(client, bound, "list_models_for_user", {"limit": 1})).result
        assert upstream.counts == {USER: 4}
    assert structured(again)["source"]["kind"] == "live"
