"""estimate_cost: exact totals, checked against sums done here by hand from the snapshot's own
price strings (USD per token), at the edges of every rule the cost module documents."""

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from mcp import Client

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server

from .fake_upstream import FakeOpenRouter, load_snapshot
from .helpers import call, structured, text_of

pytestmark = pytest.mark.anyio

PRICES: dict[str, dict[str, Any]] = {r["id"]: r["pricing"] for r in load_snapshot()}
LONG = "bytedance-seed/seed-2.0-code"  # base 0.0000005 / 0.000003; from 128000 prompt tokens 0.000001 / 0.000006
WINDOWS = "deepseek/deepseek-v4-pro-0813"  # 10:00-01:00 and 04:00-06:00 cheap, 01:00-04:00 and 06:00-10:00 dear
CACHED = "anthropic/claude-sonnet-4.5"


def usd(text: str) -> Decimal:
    return Decimal(text)


def price(model_id: str, key: str, tier: int | None = None) -> Decimal:
    pricing = PRICES[model_id] if tier is None else PRICES[model_id]["overrides"][tier]
    return Decimal(pricing[key])


@pytest.fixture
async def offline() -> AsyncIterator[Client]:
    async with Client(create_server(Settings(offline=True))) as session:
        yield session


async def estimate(client: Client, **arguments: Any) -> dict[str, Any]:
    return structured(await call(client, "estimate_cost", arguments))


def only(page: dict[str, Any]) -> dict[str, Any]:
    (row,) = page["estimates"]
    return row


@pytest.mark.parametrize(
    ("input_tokens", "tier"),
    [(127_999, None), (128_000, 0), (200_000, 0)],
    ids=["below-threshold", "at-threshold", "above-threshold"],
)
async def test_a_long_context_tier_applies_from_its_threshold_inclusive(
    offline: Client, input_tokens: int, tier: int | None
) -> None:
    row = only(await estimate(offline, ids=[LONG], input_tokens=input_tokens, output_tokens=1000, requests=3))

    expected = (price(LONG, "prompt", tier) * input_tokens + price(LONG, "completion", tier) * 1000) * 3
    assert usd(row["usd"]) == expected
    assert usd(row["per_request"]) == expected / 3
    assert row.get("tier") == (None if tier is None else f"prompt {input_tokens} >= 128000 tokens")


@pytest.mark.parametrize(
    ("at", "tier", "window"),
    [
        ("23:59", 0, "10:00-01:00"),
        ("00:30", 0, "10:00-01:00"),  # after midnight, still in the window that wrapped
        ("01:00", 1, "01:00-04:00"),  # the end is exclusive: the next window starts
        ("09:59", 3, "06:00-10:00"),
        ("10:00", 0, "10:00-01:00"),  # the start is inclusive
    ],
)
async def test_time_windows_are_start_inclusive_end_exclusive_and_wrap_midnight(
    offline: Client, at: str, tier: int, window: str
) -> None:
    row = only(await estimate(offline, ids=[WINDOWS], input_tokens=10_000, output_tokens=2_000, at_utc=at))

    expected = price(WINDOWS, "prompt", tier) * 10_000 + price(WINDOWS, "completion", tier) * 2_000
    assert usd(row["usd"]) == expected
    assert row["tier"] == f"{at} UTC in {window} UTC"


async def test_without_a_time_the_base_price_is_used_and_the_windows_are_mentioned(offline: Client) -> None:
    row = only(await estimate(offline, ids=[WINDOWS], input_tokens=10_000))

    assert usd(row["usd"]) == price(WINDOWS, "prompt") * 10_000
    assert "tier" not in row
    assert any("pass at_utc" in note for note in row["notes"])


async def test_cache_reads_and_writes_use_their_own_prices(offline: Client) -> None:
    row = only(
        await estimate(
            offline,
            ids=[CACHED],
            input_tokens=100_000,
            cached_input_tokens=60_000,
            cache_write_tokens=20_000,
            cache_write_1h_tokens=10_000,
            output_tokens=3_000,
            reasoning_tokens=1_000,
            requests=7,
        )
    )

    parts = {
        "input": price(CACHED, "prompt") * 10_000,
        "cache_read": price(CACHED, "input_cache_read") * 60_000,
        "cache_write": price(CACHED, "input_cache_write") * 20_000,
        "cache_write_1h": price(CACHED, "input_cache_write_1h") * 10_000,
        "output": price(CACHED, "completion") * 2_000,
        "reasoning": price(CACHED, "completion") * 1_000,  # no internal_reasoning price: the output price
    }
    assert {k: usd(v) for k, v in row["parts"].items()} == {k: v * 7 for k, v in parts.items()}
    assert usd(row["usd"]) == sum(parts.values()) * 7
    assert "no internal_reasoning price: reasoning billed at the output price" in row["notes"]


async def test_free_models_cost_zero_router_models_are_variable_and_the_cheapest_comes_first(offline: Client) -> None:
    ids = ["openrouter/auto", CACHED, "openrouter/free", LONG]
    result = await call(offline, "estimate_cost", {"ids": ids, "input_tokens": 1_000, "output_tokens": 100})
    page = structured(result)

    assert [r["id"] for r in page["estimates"]] == ["openrouter/free", LONG, CACHED, "openrouter/auto"]
    free, *_, router = page["estimates"]
    assert free["usd"] == "0"
    assert router["usd"] == "variable"
    assert "per_request" not in router
    text = text_of(result)
    assert "openrouter/free: 0 (free)" in text
    assert "openrouter/auto: variable" in text
    assert text.splitlines()[0].startswith("Cost in USD (exact) of 1 request(s) of 1000 input, 100 output tokens")
    assert "usd: total for all requests" in page["legend"]
    assert page["source"]["kind"] == "snapshot"


async def test_a_price_the_workload_needs_but_the_model_lacks_is_an_assumption_not_a_silent_zero(
    offline: Client,
) -> None:
    assert "web_search" not in PRICES[LONG]
    assert "input_cache_read" not in PRICES[LONG]
    row = only(
        await estimate(offline, ids=[LONG], input_tokens=1_000, cached_input_tokens=400, web_searches=2, requests=5)
    )

    assert usd(row["usd"]) == price(LONG, "prompt") * 1_000 * 5  # cached tokens at the input price
    assert "no web_search price listed: web_search counted as 0" in row["notes"]
    assert "no input_cache_read price: cached input billed at the input price" in row["notes"]


async def test_per_unit_prices_are_charged_per_request(offline: Client) -> None:
    priced = next(i for i, p in PRICES.items() if Decimal(p.get("web_search", "0")) > 0 and Decimal(p["prompt"]) >= 0)
    row = only(await estimate(offline, ids=[priced], web_searches=3, requests=4))

    assert usd(row["parts"]["web_search"]) == price(priced, "web_search") * 3 * 4


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"input_tokens": 10, "cached_input_tokens": 20}, "exceed input_tokens (10): they are parts of the input"),
        ({"output_tokens": 5, "reasoning_tokens": 6}, "reasoning_tokens (6) exceed output_tokens (5)"),
        ({"at_utc": "25:00"}, "at_utc: '25:00' is not a time of day; use HH:MM in UTC"),
        ({"requests": 0}, "requests: Input should be greater than or equal to 1"),
        ({"input_tokens": -1}, "input_tokens: Input should be greater than or equal to 0"),
        ({}, "No workload to price: pass input_tokens and/or output_tokens (per request)"),
        ({"requests": 1000}, "No workload to price"),
    ],
)
async def test_impossible_workloads_are_refused_with_what_to_fix(
    offline: Client, arguments: dict[str, Any], says: str
) -> None:
    result = await call(offline, "estimate_cost", {"ids": [LONG], **arguments})

    assert result.is_error
    assert says in text_of(result)


async def test_an_unknown_id_gets_close_matches(offline: Client) -> None:
    result = await call(offline, "estimate_cost", {"ids": ["gpt-4o"], "input_tokens": 1})

    assert result.is_error
    assert "Unknown model ID 'gpt-4o' (did you mean openai/gpt-4o" in text_of(result)


@pytest.mark.parametrize(
    ("input_tokens", "tier", "why"),
    [
        (31_999, None, None),
        (32_000, 0, "prompt 32000 >= 32000 tokens"),
        (128_000, 1, "prompt 128000 >= 32000 tokens; prompt 128000 >= 128000 tokens"),
    ],
)
async def test_when_several_tiers_hold_later_entries_win_per_key(
    offline: Client, input_tokens: int, tier: int | None, why: str | None
) -> None:
    stepped = "qwen/qwen3-max"  # tiers from 32000 and from 128000 prompt tokens, in that order
    row = only(await estimate(offline, ids=[stepped], input_tokens=input_tokens, output_tokens=100))

    expected = price(stepped, "prompt", tier) * input_tokens + price(stepped, "completion", tier) * 100
    assert usd(row["usd"]) == expected
    assert row.get("tier") == why


async def test_a_discount_multiplies_the_prices_by_one_minus_it(client: Client, upstream: FakeOpenRouter) -> None:
    record = next(r for r in upstream.models if r["id"] == LONG)
    record["pricing"] = {**record["pricing"], "discount": 0.25}

    row = only(await estimate(client, ids=[LONG], input_tokens=1_000, output_tokens=1_000))

    expected = (price(LONG, "prompt") + price(LONG, "completion")) * 1_000 * Decimal("0.75")
    assert usd(row["usd"]) == expected
    assert "discount 0.25 applied (prices x 0.75)" in row["notes"]


@pytest.mark.parametrize(("start", "end"), [(1000, 100), ("1000", "0100"), ("10:00", "01:00")])
async def test_get_model_and_estimate_cost_write_a_window_alike_however_its_times_arrive(
    client: Client, upstream: FakeOpenRouter, start: int | str, end: int | str
) -> None:
    record = next(r for r in upstream.models if r["id"] == WINDOWS)
    record["pricing"] = {
        **record["pricing"],
        "overrides": [{**record["pricing"]["overrides"][0], "utc_start": start, "utc_end": end}],
    }

    (detail,) = structured(await call(client, "get_model", {"ids": [WINDOWS]}))["models"]
    row = only(await estimate(client, ids=[WINDOWS], input_tokens=1_000, output_tokens=1_000, at_utc="00:30"))

    assert [tier["when"] for tier in detail["tiers"]] == ["10:00-01:00 UTC"]
    assert row["tier"] == "00:30 UTC in 10:00-01:00 UTC"


def test_an_upstream_window_in_other_digits_is_no_window() -> None:
    """Drift: '²' is a digit to ``str.isdigit`` and not to ``int``; it must not crash the estimate."""
    from mcp_server_openrouter.openrouter.models import utc_minutes

    assert utc_minutes("1²:00") is None
    assert utc_minutes("12:30") == 750
