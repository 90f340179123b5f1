"""recommend_models: the frontier, computed here again from the fake's raw records, pairwise."""

from decimal import Decimal
from typing import Any

import pytest
from mcp import Client

from mcp_server_openrouter.recommend import NEAR_MISSES

from .fake_upstream import FakeOpenRouter
from .helpers import call, priced_per_token, structured, text_of

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

    shown = [row for row in answer["rows"] if row[3] is None]
    near = [row for row in answer["rows"] if row[3] is not None]
    assert answer["frontier"] == len(frontier)
    assert {row[0] for row in shown} <= frontier
    assert len(shown) == min(20, len(frontier))
    assert [row[1] for row in shown] == sorted((row[1] for row in shown), reverse=True)  # best first
    best = max(frontier, key=lambda m: candidates[m])
    cheapest = min(frontier, key=lambda m: (candidates[m][1], -candidates[m][0]))
    assert (shown[0][0], shown[-1][0]) == (best, cheapest)
    for model_id, shown_score, usd, _ in shown:
        assert (shown_score, Decimal(str(usd))) == candidates[model_id]
    assert len(near) == NEAR_MISSES
    for model_id, _, _, dominated_by in near:
        assert model_id not in frontier
        mine, theirs = candidates[model_id], candidates[dominated_by]
        assert theirs[0] >= mine[0]
        assert theirs[1] <= mine[1]
        assert theirs != mine
    others = sorted((v[0] for m, v in candidates.items() if m not in frontier), reverse=True)
    assert [row[1] for row in near] == others[:NEAR_MISSES]  # the best of the rest
    assert answer["considered"] == len(
        [r for r in text_models(upstream, parameters=["tools"]) if not r["id"].endswith(":batch")]
    )
    assert answer["unscored"] == len(
        [
            r
            for r in text_models(upstream, parameters=["tools"])
            if score(r, task) is None and not r["id"].endswith(":batch")
        ]
    )
    assert upstream.params() == {"supported_parameters": "tools"}
    assert "authorization" not in upstream.requests[-1].headers


async def test_the_workload_sets_the_cost_and_an_assumed_one_is_said(client: Client) -> None:
    assumed = structured(await call(client, "recommend_models", {}))
    stated = structured(await call(client, "recommend_models", {"input_tokens": 100_000, "output_tokens": 0}))

    assert assumed["workload"] == "2000 input + 500 output tokens a request (assumed; pass input_tokens, output_tokens)"
    assert stated["workload"] == "100000 input + 0 output tokens a request"
    assert assumed["task"] == "coding"
    assert len([r for r in assumed["rows"] if r[3] is None]) <= 8


async def test_a_small_limit_spreads_the_frontier_from_best_to_cheapest(
    client: Client, upstream: FakeOpenRouter
) -> None:
    answer = structured(await call(client, "recommend_models", {"task": "intelligence", "limit": 2}))
    candidates, frontier = expected(text_models(upstream), "intelligence", 2_000, 500)

    shown = [row[0] for row in answer["rows"] if row[3] is None]
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
    assert answer["frontier"] >= 1
    assert all(Decimal(str(row[2])) >= 0 for row in answer["rows"])


async def test_both_channels_carry_the_counts_and_the_rows(client: Client) -> None:
    result = await call(client, "recommend_models", {"task": "coding", "limit": 3})
    answer = structured(result)
    text = text_of(result)

    assert f"Considered {answer['considered']}:" in text
    assert f"{answer['unscored']} without a coding score" in text
    assert f"{answer['batch']} ':batch' (asynchronous) variants left out" in text
    for row in answer["rows"]:
        assert row[0] in text
