"""Retry policy: which failures are retried, how long to wait, and never past the caller's deadline."""

import anyio
import httpx2
import pytest
from pydantic import SecretStr

from mcp_server_openrouter.openrouter import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    InvalidResponseError,
    OpenRouterClient,
    RateLimitError,
    RetryPolicy,
)
from mcp_server_openrouter.openrouter.errors import APIStatusError, AuthenticationError, status_error

pytestmark = pytest.mark.anyio

POLICY = RetryPolicy(retries=2, backoff=0.5, max_backoff=8, retry_after_cap=10)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_with_backoff(status: int) -> None:
    error = status_error(status, "busy")

    first, second, third = (POLICY.delay(n, error) for n in range(3))

    assert first is not None
    assert 0.25 <= first <= 0.5
    assert second is not None
    assert 0.5 <= second <= 1.0
    assert third is None  # at most two retries


@pytest.mark.parametrize("error", [APIConnectionError("reset"), APITimeoutError("slow")])
def test_connection_failures_are_retried(error: Exception) -> None:
    assert POLICY.delay(0, error) is not None


@pytest.mark.parametrize(
    "error",
    [
        status_error(400, "bad"),
        status_error(401, "who"),
        status_error(403, "no"),
        status_error(404, "where"),
        InvalidResponseError("garbage"),
        ValueError("bug"),
    ],
)
def test_other_failures_are_not_retried(error: Exception) -> None:
    assert POLICY.delay(0, error) is None


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert POLICY.delay(0, RateLimitError(429, "slow down", retry_after=3)) == 3
    assert POLICY.delay(0, RateLimitError(429, "slow down", retry_after=3600)) == 10
    assert POLICY.delay(0, InternalServerError(503, "later", retry_after=2)) == 2


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(retries=10, backoff=1, max_backoff=2)

    assert all((d := policy.delay(n, APIConnectionError("x"))) is not None and d <= 2 for n in range(10))


def scripted(statuses: list[int]) -> tuple[list[int], httpx2.MockTransport]:
    sent: list[int] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        status = statuses[min(len(sent), len(statuses) - 1)]
        sent.append(status)
        if status == 200:
            return httpx2.Response(200, json={"data": {"count": 7}})
        return httpx2.Response(status, json={"error": {"message": "nope"}})

    return sent, httpx2.MockTransport(handler)


async def test_a_transient_failure_then_success_returns_the_success() -> None:
    sent, transport = scripted([503, 502, 200])
    fast = RetryPolicy(retries=2, backoff=0.001, max_backoff=0.002)

    async with OpenRouterClient.create(base_url="http://x.test/api/v1", transport=transport, retry=fast) as client:
        with anyio.fail_after(60):
            assert await client.count_models() == 7

    assert sent == [503, 502, 200]


async def test_giving_up_raises_the_last_error_after_three_attempts() -> None:
    sent, transport = scripted([500])
    fast = RetryPolicy(retries=2, backoff=0.001, max_backoff=0.002)

    async with OpenRouterClient.create(base_url="http://x.test/api/v1", transport=transport, retry=fast) as client:
        with anyio.fail_after(60), pytest.raises(InternalServerError):
            await client.count_models()

    assert sent == [500, 500, 500]


@pytest.mark.parametrize(("status", "error"), [(400, BadRequestError), (401, AuthenticationError)])
async def test_client_errors_are_not_retried(status: int, error: type[APIStatusError]) -> None:
    sent, transport = scripted([status])

    async with OpenRouterClient.create(
        base_url="http://x.test/api/v1", api_key=SecretStr("k"), transport=transport, retry=POLICY
    ) as client:
        with anyio.fail_after(60), pytest.raises(error):
            await client.count_models()

    assert sent == [status]


async def test_a_retry_that_would_overrun_the_deadline_is_not_attempted() -> None:
    sent, transport = scripted([429])
    patient = RetryPolicy(retries=2, backoff=120, max_backoff=120, retry_after_cap=120)

    async with OpenRouterClient.create(base_url="http://x.test/api/v1", transport=transport, retry=patient) as client:
        # A wait of 60-120 s cannot fit in 30 s: the 429 is raised at once instead of a TimeoutError later.
        with anyio.fail_after(30), pytest.raises(RateLimitError):
            await client.count_models()

    assert sent == [429]
