"""recommend_models: the frontier, computed here again from the fake's raw records, pairwise."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.recommend import NEAR_MISSES

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter
from .helpers import call, priced_per_token, server_for, structured, text_of

pytestmark = pytest.mark.anyio


def score(record: dict[str, Any], task: str) -> float | None:
    benchmarks: dict[str, Any] = record.get("benchmarks") or {}
    indices: dict[str, Any] = benchmarks.get("artificial_analysis") or {}
    value = indices.get(f"{task}_index")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def request_cost(record: dict[str, Any], input_tokens: int, output_tokens: int) -> Decimal | None:
    """One request at the base prices (no tier applies below 32,000 prompt tokens without a time),
    after the discount; None for a variable or missing price, or one not per token."""
    pricing = record["pricing"]
    if not priced_per_token(record) or "prompt" not in pricing or "completion" not in pricing:
        return None
    prompt, completion = Decimal(str(pricing["prompt"])), Decimal(str(pricing["completion"]))
    if prompt < 0 or completion < 0:
        return None
    assert not any(o.get("min_prompt_tokens", 10**9) <= input_tokens for o in pricing.get("overrides", []))
    cost = prompt * input_tokens + completion * output_tokens
    return cost * (1 - Decimal(str(pricing.get("discount") or 0)))


def expected(
    records: list[dict[str, Any]], task: str, input_tokens: int, output_tokens: int
) -> tuple[dict[str, tuple[float, Decimal]], set[str]]:
    """Every candidate (score, cost) and the frontier: those no other candidate dominates."""
    candidates: dict[str, tuple[float, Decimal]] = {}
    for record in records:
        s, c = score(record, task), request_cost(record, input_tokens, output_tokens)
        if s is not None and c is not None and not record["id"].endswith(":batch"):
            candidates[record["id"]] = (s, c)

    def dominates(a: tuple[float, Decimal], b: tuple[float, Decimal]) -> bool:
        return a[0] >= b[0] and a[1] <= b[1] and (a[0] > b[0] or a[1] < b[1])

    frontier = {m for m, v in candidates.items() if not any(dominates(w, v) for w in candidates.values())}
    return candidates, frontier


def table(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer's rows as dicts by column name (the columns depend on what is known)."""
    return [dict(zip(answer["columns"], row, strict=True)) for row in answer["rows"]]


def text_models(upstream: FakeOpenRouter, **must: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in upstream.models
        if "text" in r["architecture"]["output_modalities"]
        and set(must.get("parameters", ())) <= set(r.get("supported_parameters") or [])
    ]


@pytest.mark.parametrize("task", ["coding", "intelligence", "agentic"])
async def test_the_frontier_is_every_candidate_no_other_beats_on_both(
    client: Client, upstream: FakeOpenRouter, task: str
) -> None:
    result = await call(client, "recommend_models", {"task": task, "supported_parameters": ["tools"], "limit": 20})
    answer = structured(result)
    candidates, frontier = expected(text_models(upstream, parameters=["tools"]), task, 2_000, 500)

    check_frontier(answer, candidates, frontier, task, limit=20)
    assert answer["counts"]["considered"] == len(
        [r for r in text_models(upstream, parameters=["tools"]) if not r["id"].endswith(":batch")]
    )
    assert answer["counts"]["unscored"] == len(
        [
            r
            for r in text_models(upstream, parameters=["tools"])
            if score(r, task) is None and not r["id"].endswith(":batch")
        ]
    )
    (models,) = [r for r in upstream.requests if r.url.path.endswith("/models")]
    assert dict(models.url.params) == {"supported_parameters": "tools"}
    assert "authorization" not in models.headers


def check_frontier(
    answer: dict[str, Any],
    candidates: dict[str, tuple[float, Decimal]],
    frontier: set[str],
    task: str,
    *,
    limit: int,
) -> None:
    """The answer's rows are the frontier computed here (best first, spread), then near misses."""
    rows = table(answer)
    shown = [row for row in rows if row["dominated_by"] is None]
    near = [row for row in rows if row["dominated_by"] is not None]
    assert answer["counts"]["frontier"] == len(frontier)
    assert {row["id"] for row in shown} <= frontier
    assert len(shown) == min(limit, len(frontier))
    assert [row[task] for row in shown] == sorted((row[task] for row in shown), reverse=True)  # best first
    best = max(frontier, key=lambda m: candidates[m])
    cheapest = min(frontier, key=lambda m: (candidates[m][1], -candidates[m][0]))
    assert (shown[0]["id"], shown[-1]["id"]) == (best, cheapest)
    for row in shown:
        assert (row[task], Decimal(str(row["usd_request"]))) == candidates[row["id"]]
    assert len(near) == min(NEAR_MISSES, len(candidates) - len(frontier))
    for row in near:
        assert row["id"] not in frontier
        mine, theirs = candidates[row["id"]], candidates[row["dominated_by"]]
        assert theirs[0] >= mine[0]
        assert theirs[1] <= mine[1]
        assert theirs != mine
    others = sorted((v[0] for m, v in candidates.items() if m not in frontier), reverse=True)
    assert [row[task] for row in near] == others[:NEAR_MISSES]  # the best of the rest


async def test_the_workload_sets_the_cost_and_an_assumed_one_is_said(client: Client) -> None:
    assumed = structured(await call(client, "recommend_models", {}))
    stated = structured(await call(client, "recommend_models", {"input_tokens": 100_000, "output_tokens": 0}))

    assert assumed["workload"] == "2000 input + 500 output tokens a request (assumed; pass input_tokens, output_tokens)"
    assert stated["workload"] == "100000 input + 0 output tokens a request"
    assert assumed["task"] == "coding"
    assert len([r for r in table(assumed) if r["dominated_by"] is None]) <= 8


async def test_a_small_limit_spreads_the_frontier_from_best_to_cheapest(
    client: Client, upstream: FakeOpenRouter
) -> None:
    answer = structured(await call(client, "recommend_models", {"task": "intelligence", "limit": 2}))
    candidates, frontier = expected(text_models(upstream), "intelligence", 2_000, 500)

    shown = [row["id"] for row in table(answer) if row["dominated_by"] is None]
    assert len(frontier) > 2
    assert shown == [
        max(frontier, key=lambda m: candidates[m]),
        min(frontier, key=lambda m: (candidates[m][1], -candidates[m][0])),
    ]


async def test_offline_it_answers_from_the_snapshot_and_says_so(client: Client, upstream: FakeOpenRouter) -> None:
    upstream.go_down()
    result = await call(client, "recommend_models", {"task": "agentic", "max_price": 1})
    answer = structured(result)

    assert answer["source"]["kind"] == "snapshot"
    assert "OFFLINE: bundled catalog snapshot" in text_of(result)
    assert answer["counts"]["frontier"] >= 1
    assert all(Decimal(str(row["usd_request"])) >= 0 for row in table(answer))


async def test_both_channels_carry_the_counts_and_the_rows(client: Client) -> None:
    result = await call(client, "recommend_models", {"task": "coding", "limit": 3})
    answer = structured(result)
    text = text_of(result)

    assert f"Considered {answer['counts']['considered']}:" in text
    assert f"{answer['counts']['unscored']} without a coding score" in text
    assert f"{answer['counts']['batch']} ':batch' (asynchronous) variants left out" in text
    for row in answer["rows"]:
        assert row[0] in text


def search_scores(upstream: FakeOpenRouter) -> dict[str, float]:
    """Permaslug → mean primary score in percent over every search benchmark the fake publishes,
    for the models that ran all of them."""
    items = [i for i in upstream.benchmarks()["data"] if str(i.get("benchmark_type", "")).startswith("search_")]
    names = {i["benchmark_type"] for i in items}
    per: dict[str, dict[str, float]] = {}
    for item in items:
        per.setdefault(item["model_permaslug"], {})[item["benchmark_type"]] = 100 * item["primary_score"]
    return {slug: round(sum(s.values()) / len(s), 1) for slug, s in per.items() if set(s) == names}


async def test_search_ranks_by_openrouters_search_evals_with_the_key_sent_only_to_datasets(
    client: Client, upstream: FakeOpenRouter
) -> None:
    result = await call(client, "recommend_models", {"task": "search", "limit": 20})
    answer = structured(result)

    by_slug = search_scores(upstream)
    assert len(by_slug) == 15  # the fake's 16th model ran two of the four: it has no score
    records = [
        {**r, "benchmarks": {"artificial_analysis": {"search_index": by_slug.get(r.get("canonical_slug") or r["id"])}}}
        for r in text_models(upstream)
    ]
    candidates, frontier = expected(records, "search", 2_000, 500)
    check_frontier(answer, candidates, frontier, "search", limit=20)
    assert answer["score"] == "mean of OpenRouter's search evals browsecomp/dsqa/hle/widesearch (0-100)"
    assert answer["counts"]["unscored"] == answer["counts"]["considered"] - len(
        [r for r in records if r["id"] in candidates]
    )
    for request in upstream.requests:
        keyed = request.url.path.endswith(("/benchmarks", "/datasets/rankings-daily", "/datasets/session-cost"))
        assert ("authorization" in request.headers) == keyed, request.url.path
    assert [r.url.path for r in upstream.requests].count("/api/v1/benchmarks") == 1


async def test_rows_carry_last_weeks_share_of_tokens_and_the_citation(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(client, "recommend_models", {"task": "coding", "limit": 20})
    answer = structured(result)

    (request,) = [r for r in upstream.requests if r.url.path.endswith("/datasets/rankings-daily")]
    assert request.url.params["period"] == "week"
    data = upstream.rankings(request.url.params)["data"]
    week = max(r["date"] for r in data)
    total = sum(int(r["total_tokens"]) for r in data if r["date"] == week)
    shares = {
        r["model_permaslug"]: round(100 * int(r["total_tokens"]) / total, 2)
        for r in data
        if r["date"] == week and r["model_permaslug"] != "other"
    }
    slugs = {r["id"]: r.get("canonical_slug") or r["id"] for r in upstream.models}
    rows = table(answer)
    assert any(row["share_pct"] is not None for row in rows)
    for row in rows:
        assert row["share_pct"] == shares.get(slugs[row["id"]])
    citation = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-11-30."
    assert answer["usage"].startswith(f"share_pct: of tokens, week of {week}; {citation} usd_session: ")
    assert citation in text_of(result)
    assert "share_pct" in text_of(result).splitlines()[2]


async def test_without_a_key_it_ranks_offline_data_and_says_what_it_lacks(upstream: FakeOpenRouter) -> None:
    async with Client(server_for(upstream)) as client:
        result = await call(client, "recommend_models", {"task": "coding"})
        refused = await call(client, "recommend_models", {"task": "search"})

    answer = structured(result)
    assert answer["columns"] == ["id", "coding", "usd_request", "dominated_by"]
    assert answer["usage"] == "no usage shares (no API key). no session costs (no API key)."
    assert answer["usage"] in text_of(result)
    assert refused.is_error
    assert text_of(refused) == "Error executing tool recommend_models: " + (
        "task 'search' needs an API key (OpenRouter's search evals are keyed); "
        "coding, intelligence and agentic work without one"
    )
    assert all("authorization" not in r.headers for r in upstream.requests)
    assert not [r for r in upstream.requests if not r.url.path.endswith("/models")]


async def test_search_answers_from_the_saved_evals_when_openrouter_is_down(
    upstream: FakeOpenRouter, tmp_path: Path
) -> None:
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY), cache_dir=tmp_path)) as client:
        live = structured(await call(client, "recommend_models", {"task": "search"}))
    upstream.go_down()
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY), cache_dir=tmp_path)) as client:
        saved = structured(await call(client, "recommend_models", {"task": "search"}))
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY), cache_dir=tmp_path / "empty")) as client:
        nothing = await call(client, "recommend_models", {"task": "search"})

    assert saved["rows"] == live["rows"]  # from the evals and rankings saved by the first run
    week = live["usage"].split()[5].rstrip(";")
    assert saved["usage"].startswith(f"share_pct: of tokens, week of {week} (STALE: from ")
    assert saved["score"].startswith(f"{live['score']} (STALE: from ")
    assert nothing.is_error
    assert "OpenRouter" in text_of(nothing)


async def test_no_search_evals_published_is_said(client: Client, upstream: FakeOpenRouter) -> None:
    upstream.answer_with("/benchmarks", 200, {"data": [], "meta": {"as_of": "2026-11-30"}})

    result = await call(client, "recommend_models", {"task": "search"})

    assert result.is_error
    assert "no search evals" in text_of(result)
