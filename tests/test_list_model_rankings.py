"""list_model_rankings: shares and rank changes recomputed here from the fake's dataset; the key,
the rate limit, 429 and the citation."""

from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.catalog import ModelSet
from mcp_server_openrouter.openrouter import OTHER, RankingRow, Rankings
from mcp_server_openrouter.usage import latest_period

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
    assert answer["citation"] == "Source: OpenRouter (openrouter.ai/rankings), as of 2026-11-30."
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


TASKS = "/api/v1/classifications/task"
DATASETS = (DATASET, TASKS, "/api/v1/benchmarks")


def permaslug_ids(upstream: FakeOpenRouter) -> dict[str, str]:
    ids: dict[str, str] = {}
    for model in sorted(upstream.models, key=lambda m: (":" in m["id"] or m["id"].startswith("~"), len(m["id"]))):
        ids.setdefault(model.get("canonical_slug") or "", model["id"])
    return ids


async def test_task_all_lists_each_tasks_share_of_requests_and_tokens(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(client, "list_model_rankings", {"task": "all"})
    answer = structured(result)

    (request,) = [r for r in upstream.requests if r.url.path == TASKS]
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
    body = upstream.task_shares()["data"]
    tasks = sorted((t for t in body["classifications"] if "display_name" in t), key=lambda t: -t["usage_share"])
    assert answer["columns"] == ["task", "requests_pct", "tokens_pct"]
    assert answer["rows"] == [
        [t["tag"], pytest.approx(100 * t["usage_share"]), pytest.approx(100 * t["token_share"])] for t in tasks
    ]
    assert answer["period"] == "7 days to 2026-11-29"
    assert answer["groups"] == ", ".join(
        f"{m['key']} {round(100 * m['usage_share'])}%" for m in body["macro_categories"]
    )
    assert answer["citation"] == "Source: OpenRouter (openrouter.ai/rankings), as of 2026-11-29."
    text = text_of(result)
    assert answer["citation"] in text
    assert all(f"{row[0]} " in text for row in answer["rows"])
    assert "other_pct" not in answer


async def test_a_task_lists_its_top_models_by_requests(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(client, "list_model_rankings", {"task": "code:debugging", "limit": 3})
    answer = structured(result)

    (task,) = [t for t in upstream.task_shares()["data"]["classifications"] if t["tag"] == "code:debugging"]
    ids = permaslug_ids(upstream)
    assert answer["columns"] == ["model", "requests_pct", "tokens_pct"]
    assert answer["rows"] == [
        [
            ids.get(m["id"], m["id"]),
            pytest.approx(100 * m["tag_usage_share"]),
            pytest.approx(100 * m["tag_token_share"]),
        ]
        for m in task["models"][:3]
    ]
    assert answer["period"] == "code:debugging (Debugging), 7 days to 2026-11-29"
    assert "Source: OpenRouter (openrouter.ai/rankings), as of 2026-11-29." in text_of(result)


@pytest.mark.parametrize(
    ("task", "suggested"),
    [("debugging", "code:debugging"), ("web search", "agent:web_search"), ("CODE:DEBUGGING", None)],
)
async def test_a_task_is_matched_exactly_or_the_closest_are_named(
    client: Client, task: str, suggested: str | None
) -> None:
    result = await call(client, "list_model_rankings", {"task": task})

    if suggested is None:
        assert not result.is_error
        assert structured(result)["period"].startswith("code:debugging")
    else:
        assert result.is_error
        assert f"unknown task {task!r}: try {suggested}" in text_of(result)
        assert "or 'all' for every task" in text_of(result)


@pytest.mark.parametrize(
    "arguments", [{"period": "day"}, {"modality": "text"}, {"category": "programming"}, {"period": "month"}]
)
async def test_a_task_combines_with_no_slice(
    client: Client, upstream: FakeOpenRouter, arguments: dict[str, Any]
) -> None:
    result = await call(client, "list_model_rankings", {"task": "all", **arguments})

    assert result.is_error
    assert "task cannot be combined with" in text_of(result)
    assert not [r for r in upstream.requests if r.url.path in DATASETS]


async def test_a_saved_answer_serves_when_openrouter_is_down_and_in_offline_mode(
    upstream: FakeOpenRouter, tmp_path: Path
) -> None:
    key = SecretStr(TEST_KEY)
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path)) as client:
        live = structured(await call(client, "list_model_rankings", {"period": "month"}))
        tasks = structured(await call(client, "list_model_rankings", {"task": "all"}))
    upstream.go_down()
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path)) as client:
        down = await call(client, "list_model_rankings", {"period": "month"})
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path, offline=True)) as client:
        offline = structured(await call(client, "list_model_rankings", {"task": "all"}))
        unsaved = await call(client, "list_model_rankings", {"period": "day"})

    assert structured(down)["rows"] == live["rows"]
    assert structured(down)["source"]["kind"] == "stale"
    assert "saved copy of the rankings dataset; OpenRouter unavailable" in structured(down)["source"]["note"]
    assert "STALE: OpenRouter data from" in text_of(down)
    assert structured(down)["citation"] == live["citation"]
    assert offline["rows"] == tasks["rows"]
    assert offline["source"]["note"] == "saved copy of the task dataset; offline mode: the network is not used"
    assert unsaved.is_error
    assert "the rankings dataset needs OpenRouter, and the server runs in offline mode" in text_of(unsaved)
    files = sorted(p.name for p in tmp_path.glob("dataset-*.json"))
    assert len(files) == 2  # one per query asked (its slices, not its dates)


async def test_a_corrupt_saved_answer_is_ignored(upstream: FakeOpenRouter, tmp_path: Path) -> None:
    key = SecretStr(TEST_KEY)
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path)) as client:
        await call(client, "list_model_rankings", {"task": "all"})
    (saved,) = tmp_path.glob("dataset-*.json")
    saved.write_text('{"fetched_at": "2026-11-30T00:00:00+00:00", "data": {"data": 7}}')
    upstream.go_down()
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path)) as client:
        result = await call(client, "list_model_rankings", {"task": "all"})

    assert result.is_error
    assert "Could not reach OpenRouter" in text_of(result)


async def test_the_three_datasets_share_one_budget_under_100_concurrent_calls(upstream: FakeOpenRouter) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        *(
            ("list_model_rankings", {"period": p, "modality": m})
            for p in ("day", "week", "month")
            for m in ("text", "image", "audio", "tool_calling")
        ),
        *(
            ("list_model_rankings", {"period": p, "context_bucket": b})
            for p in ("day", "week", "month")
            for b in ("1K", "10K", "100K", "1M", "10M")
        ),
        ("list_model_rankings", {"period": "day"}),
        ("list_model_rankings", {"period": "month"}),
        ("get_model", {"ids": ["openai/gpt-4o"]}),
    ]
    calls[:0] = [("list_model_rankings", {"task": "all"}), ("recommend_models", {"task": "search"})]  # asked first
    results: list[Any] = []
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY), answer_timeout=600)) as client:

        async def ask(tool: str, arguments: dict[str, Any]) -> None:
            results.append(await call(client, tool, arguments))

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for i in range(100):
                    group.start_soon(ask, *calls[i % len(calls)])

    assert len(calls) + 1 > 30  # distinct questions (recommend_models and get_model share last week's)
    sessions = "/api/v1/datasets/session-cost"  # recommend_models' session costs: one more dataset of the budget
    assert len([r for r in upstream.requests if r.url.path in (*DATASETS, sessions)]) == 30
    assert {r.url.path for r in upstream.requests if r.url.path in DATASETS} == set(DATASETS)
    assert any(r.is_error and "the next request may go in" in text_of(r) for r in results)


@pytest.mark.parametrize(
    ("period", "before", "label"),
    [
        ("week", "2026-11-11", "2026-11-18"),  # the week before: no date needed
        ("week", "2026-11-04", "2026-11-18 vs 2026-11-04"),  # a gap in the data is said
        ("day", "2026-11-17", "2026-11-18"),
        ("month", "2026-10-18", "2026-11-18"),
        ("month", "2026-08-18", "2026-11-18 vs 2026-08-18"),
    ],
)
def test_the_period_compared_is_named_only_when_it_is_not_the_one_before(period: Any, before: str, label: str) -> None:
    rows = [RankingRow("2026-11-18", "a/b", 10), RankingRow(before, "a/b", 5), RankingRow("2026-11-18", OTHER, 10)]

    ranking = latest_period(Rankings(rows, "2026-11-19"), ModelSet([]), period)

    assert ranking.label == label
    assert [(p.model, p.share, p.rank, p.change) for p in ranking.places] == [("a/b", 50, 1, 0)]
    assert ranking.other_share == 50
