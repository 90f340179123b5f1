"""OpenRouter down is a fact about a family of paths (or the host, when it cannot be reached), not
about one query: once it failed, nothing of that family is sent for the failure window (or its
Retry-After), every call of it answers offline at once, one probe at a time tests recovery, and
the other families are still asked."""

import anyio
import httpx2
import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.catalog.upstream import FAILURE_WINDOW, Upstream, UpstreamDownError
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import InternalServerError, NotFoundError, RetryPolicy

from .conftest import FAKE_BASE_URL, TEST_KEY
from .fake_upstream import FakeOpenRouter
from .helpers import Clock, call, server_for, structured, text_of

pytestmark = pytest.mark.anyio


async def test_while_openrouter_is_down_new_queries_send_nothing_and_answer_offline(upstream: FakeOpenRouter) -> None:
    clock = Clock()
    upstream.go_down()
    async with Client(server_for(upstream, clock=clock)) as client:
        first = structured(await call(client, "list_models", {"limit": 1}))
        assert first["source"]["kind"] == "snapshot"
        assert len(upstream.requests) == 3  # the first failure pays the retries

        clock.advance(FAILURE_WINDOW - 1)
        others = [
            structured(await call(client, "list_models", {"q": "gpt", "limit": 1})),
            structured(await call(client, "count_models", {"supported_parameters": ["tools"]})),
            structured(await call(client, "get_model", {"ids": ["openai/gpt-4o"]})),
        ]
        assert len(upstream.requests) == 3  # new queries, same host: nothing sent
        for answer in others:
            assert answer["source"]["kind"] == "snapshot"
            assert "not asked again before 10:00:30 UTC" in answer["source"]["note"]

        upstream.fail = None  # OpenRouter is back
        clock.advance(2)
        back = structured(await call(client, "list_models", {"q": "gpt", "limit": 1}))
        assert back["source"]["kind"] == "live"
        assert len(upstream.requests) == 4  # one probe, and it succeeded
        again = structured(await call(client, "count_models", {"output_modalities": ["all"]}))
        assert again["source"]["kind"] == "live"


async def test_a_rate_limit_holds_back_every_fetch_for_its_retry_after(upstream: FakeOpenRouter) -> None:
    clock = Clock()
    upstream.fail = lambda _request: httpx2.Response(429, headers={"Retry-After": "90"}, json={"error": "slow down"})
    async with Client(server_for(upstream, clock=clock)) as client:
        structured(await call(client, "list_models", {"limit": 1}))
        sent = len(upstream.requests)

        upstream.fail = None
        clock.advance(FAILURE_WINDOW + 1)  # past the usual window, within the upstream's 90 s
        held = structured(await call(client, "list_models", {"q": "claude", "limit": 1}))
        assert held["source"]["kind"] == "snapshot"
        assert len(upstream.requests) == sent

        clock.advance(60)
        assert structured(await call(client, "list_models", {"q": "claude", "limit": 1}))["source"]["kind"] == "live"


async def test_a_failure_of_one_request_does_not_hold_back_the_host(upstream: FakeOpenRouter) -> None:
    upstream.answer_with("/endpoints", 404, {"error": {"message": "Not Found"}})
    async with Client(server_for(upstream)) as client:
        assert (await call(client, "list_model_endpoints", {"id": "openai/gpt-4o"})).is_error
        page = structured(await call(client, "list_models", {"limit": 1}))

    assert page["source"]["kind"] == "live"


async def test_one_probe_at_a_time_tests_recovery() -> None:
    clock = Clock()
    release = anyio.Event()
    answers: list[str] = []

    async def handle(request: httpx2.Request) -> httpx2.Response:
        answers.append(request.url.path)
        if len(answers) == 1:
            return httpx2.Response(503, json={"error": "down"})
        await release.wait()  # the probe is held until the test lets it answer
        return httpx2.Response(200, json={"data": {"count": 7}})

    upstream = Upstream(
        Settings(base_url=FAKE_BASE_URL, total_timeout=60),
        clock,
        transport=httpx2.MockTransport(handle),
        retry=RetryPolicy(retries=0),
    )
    outcomes: list[object] = []

    async def count() -> None:
        try:
            outcomes.append(await upstream.fetch(lambda api: api.count_models()))
        except UpstreamDownError as exc:
            outcomes.append(exc)

    async with upstream.in_use():
        with anyio.fail_after(60):
            with pytest.raises(InternalServerError):
                await upstream.fetch(lambda api: api.count_models())
            clock.advance(FAILURE_WINDOW + 1)
            async with anyio.create_task_group() as group:
                group.start_soon(count)  # the probe
                await anyio.wait_all_tasks_blocked()
                await count()  # meanwhile: refused at once, nothing sent
                assert isinstance(outcomes[0], UpstreamDownError)
                assert isinstance(outcomes[0].cause, InternalServerError)
                release.set()
            assert outcomes[1] == 7
            assert await upstream.fetch(lambda api: api.count_models()) == 7  # recovered: no probe needed

    assert len(answers) == 3


async def test_a_not_found_is_not_an_outage() -> None:
    sent: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.url.path)
        return httpx2.Response(404, json={"error": "no such model"})

    upstream = Upstream(Settings(base_url=FAKE_BASE_URL), Clock(), transport=httpx2.MockTransport(handle))
    async with upstream.in_use():
        for _ in range(2):
            with anyio.fail_after(60), pytest.raises(NotFoundError):
                await upstream.fetch(lambda api: api.list_endpoints("acme/widget"))

    assert len(sent) == 2


async def test_a_rate_limit_on_the_key_holds_back_only_that_key(upstream: FakeOpenRouter) -> None:
    upstream.answer_with("/models/user", 429, {"error": {"message": "key rate-limited"}})
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY))) as client:
        limited = await call(client, "list_models_for_user", {})
        assert limited.is_error
        assert "rate-limiting" in text_of(limited)
        page = structured(await call(client, "list_models", {"limit": 1}))

    assert page["source"]["kind"] == "live"  # the public catalog is still asked


async def test_a_failing_dataset_does_not_hold_back_the_catalog(upstream: FakeOpenRouter) -> None:
    """Issue 24: a 5xx from a dataset held back /models for 30 s (the breaker was per host)."""
    clock = Clock()
    upstream.answer_with("/datasets/rankings-daily", 503, {"error": {"message": "rankings are down"}})
    async with Client(server_for(upstream, clock=clock, api_key=SecretStr(TEST_KEY))) as client:
        rankings = await call(client, "list_model_rankings", {})
        assert rankings.is_error
        assert "HTTP 503" in text_of(rankings)
        assert upstream.paths == ["/api/v1/datasets/rankings-daily"]  # asked once, never retried

        clock.advance(1)
        page = structured(await call(client, "list_models", {"q": "claude", "limit": 1}))
        assert page["source"]["kind"] == "live"  # the catalog is still asked
        assert not (await call(client, "list_model_endpoints", {"id": "openai/gpt-4o"})).is_error
        assert set(upstream.paths[1:]) == {"/api/v1/models", "/api/v1/models/openai/gpt-4o/endpoints"}

        sent = len(upstream.requests)
        monthly = await call(client, "list_model_rankings", {"period": "month"})  # another query, same family
        assert monthly.is_error
        assert "not asked again before 10:00:30 UTC" in text_of(monthly)
        assert len(upstream.requests) == sent


async def test_an_unreachable_host_holds_back_every_family(upstream: FakeOpenRouter) -> None:
    """A refused connection is the host, not a path: nothing of any family would get through."""
    clock = Clock()
    upstream.go_down()
    async with Client(server_for(upstream, clock=clock, api_key=SecretStr(TEST_KEY))) as client:
        assert structured(await call(client, "list_models", {"limit": 1}))["source"]["kind"] == "snapshot"
        sent = len(upstream.requests)
        clock.advance(1)
        assert (await call(client, "list_model_endpoints", {"id": "openai/gpt-4o"})).is_error
        assert (await call(client, "list_models_for_user", {})).is_error
        assert len(upstream.requests) == sent


async def test_each_family_has_its_own_window_and_probe() -> None:
    clock = Clock()
    failing = {"/api/v1/providers"}
    sent: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.url.path)
        if request.url.path in failing:
            return httpx2.Response(502, json={"error": "bad gateway"})
        return httpx2.Response(200, json={"data": {"count": 7}})

    upstream = Upstream(
        Settings(base_url=FAKE_BASE_URL), clock, transport=httpx2.MockTransport(handle), retry=RetryPolicy(retries=0)
    )
    async with upstream.in_use():
        with anyio.fail_after(60):
            with pytest.raises(InternalServerError):
                await upstream.fetch(lambda api: api.list_providers(), family="catalog")
            assert upstream.down_until("catalog") is not None
            for family in ("endpoints", "datasets", "user"):
                assert upstream.down_until(family) is None
                assert await upstream.fetch(lambda api: api.count_models(), family=family) == 7
            with pytest.raises(UpstreamDownError):
                await upstream.fetch(lambda api: api.count_models(), family="catalog")
            clock.advance(FAILURE_WINDOW + 1)
            failing.clear()
            assert await upstream.fetch(lambda api: api.count_models(), family="catalog") == 7  # the probe
            assert upstream.down_until("catalog") is None

    assert sent.count("/api/v1/models/count") == 4
