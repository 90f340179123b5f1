"""list_model_rankings: shares and rank changes recomputed here from the fake's dataset; the key,
the rate limit, 429 and the citation."""

from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from pydantic import SecretStr

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter
from .helpers import call, server_for, structured, text_of

pytestmark = pytest.mark.anyio

DATASET = "/api/v1/datasets/rankings-daily"


def dataset_requests(upstream: FakeOpenRouter) -> list[httpx2.Request]:
    return [r for r in upstream.requests if r.url.path == DATASET]


async def test_rows_are_the_latest_periods_shares_and_rank_changes(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(client, "list_model_rankings", {"period": "week", "limit": 50})
    answer = structured(result)

    (request,) = dataset_requests(upstream)
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert request.url.params["period"] == "week"
    data = upstream.rankings(request.url.params)["data"]
    latest_day = max(r["date"] for r in data)
    latest = [r for r in data if r["date"] == latest_day]
    before = [r["model_permaslug"] for r in data if r["date"] != latest_day and r["model_permaslug"] != "other"]
    total = sum(int(r["total_tokens"]) for r in latest)
    slugs: dict[str, str] = {}
    for model in sorted(upstream.models, key=lambda m: (":" in m["id"] or m["id"].startswith("~"), len(m["id"]))):
        slugs.setdefault(model.get("canonical_slug") or "", model["id"])  # the plain ID over a variant
    top = [r for r in latest if r["model_permaslug"] != "other"]
    assert len(answer["rows"]) == len(top) == 50
    for rank, (row, raw) in enumerate(zip(answer["rows"], top, strict=True), 1):
        assert row[0] == slugs.get(raw["model_permaslug"], raw["model_permaslug"])
        assert row[1] == pytest.approx(100 * int(raw["total_tokens"]) / total, abs=0.005)
        was = before.index(raw["model_permaslug"]) + 1 if raw["model_permaslug"] in before else None
        assert row[2] == ("new" if was is None else was - rank)  # the rank is the row's place
    assert "new" in [row[2] for row in answer["rows"]]
    assert answer["citation"] == "Source: OpenRouter (openrouter.ai/rankings), as of 2026-11-30T02:00:00Z."
    assert answer["citation"] in text_of(result)


async def test_only_the_dataset_request_carries_the_key(client: Client, upstream: FakeOpenRouter) -> None:
    await call(client, "list_model_rankings", {})

    for request in upstream.requests:
        assert ("authorization" in request.headers) == (request.url.path == DATASET), request.url.path


async def test_without_a_key_one_line_says_a_key_is_needed(upstream: FakeOpenRouter) -> None:
    async with Client(server_for(upstream)) as client:
        result = await call(client, "list_model_rankings", {})

    assert result.is_error
    assert "needs an OpenRouter API key" in text_of(result)
    assert dataset_requests(upstream) == []


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"category": "programming", "language_type": "natural"}, "cannot be combined"),
        ({"category": "programming", "modality": "text"}, "cannot be combined"),
        ({"language_type": "programming", "period": "day"}, "counted weekly"),
    ],
)
async def test_combinations_the_dataset_refuses_are_refused_first(
    client: Client, upstream: FakeOpenRouter, arguments: dict[str, Any], says: str
) -> None:
    result = await call(client, "list_model_rankings", arguments)

    assert result.is_error
    assert says in text_of(result)
    assert dataset_requests(upstream) == []


async def test_a_429_is_said_with_its_retry_after(client: Client, upstream: FakeOpenRouter) -> None:
    upstream.answer_with("/datasets/rankings-daily", 429, {"error": {"message": "Rate limit exceeded"}})
    upstream.overrides["/datasets/rankings-daily"].headers["Retry-After"] = "42"

    result = await call(client, "list_model_rankings", {})

    assert result.is_error
    assert "Retry in 42 s" in text_of(result)
    assert len(dataset_requests(upstream)) == 1  # never retried: each request counts against the limit
    page = structured(await call(client, "list_models", {"limit": 1}))
    assert page["source"]["kind"] == "live"  # the key's limit holds back nothing else


async def test_the_rate_limit_is_never_exceeded_under_100_concurrent_calls(upstream: FakeOpenRouter) -> None:
    slices: list[dict[str, Any]] = [
        {"period": period, **extra}
        for period in ("day", "week", "month")
        for extra in (
            {},
            *({"modality": m} for m in ("text", "image", "image_output", "audio", "tool_calling")),
            *({"context_bucket": b} for b in ("1K", "10K", "100K", "1M", "10M")),
        )
    ]
    assert len(slices) == 33  # more distinct questions than the 30 a minute the dataset allows
    results: list[Any] = []
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY), answer_timeout=600)) as client:

        async def ask(arguments: dict[str, Any]) -> None:
            results.append(await call(client, "list_model_rankings", arguments))

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for i in range(100):
                    group.start_soon(ask, slices[i % len(slices)])

    assert len(dataset_requests(upstream)) == 30
    refused = [r for r in results if r.is_error]
    assert refused
    assert all("the next request may go in" in text_of(r) for r in refused)
