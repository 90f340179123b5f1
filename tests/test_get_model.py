"""get_model: full detail records by ID, with close matches for unknown IDs."""

from decimal import Decimal
from typing import Any

import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.openrouter import parse_model_list

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter, load_snapshot
from .helpers import call, server_for, structured, text_of

pytestmark = pytest.mark.anyio

MILLION = Decimal(1_000_000)


def raw(model_id: str) -> dict[str, Any]:
    return next(m for m in load_snapshot() if m["id"] == model_id)


async def test_one_model_in_full(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(client, "get_model", {"ids": ["anthropic/claude-sonnet-4.5"]})
    (model,) = structured(result)["models"]

    source = raw("anthropic/claude-sonnet-4.5")
    assert model["id"] == "anthropic/claude-sonnet-4.5"
    assert model["name"] == source["name"]
    assert "uri" not in model  # said once per answer, in the legend
    assert model["modalities"] == "text+image+file>text"
    assert model["caps"] == "tools,json,structured,reasoning"
    assert model["description"] == source["description"]
    assert model["usd_in"] == 3
    assert model["usd_out"] == 15
    assert model["usd_per_m"] == {"cache_read": 0.3, "cache_write": 3.75, "cache_write_1h": 6}
    assert model["usd_each"] == {"web_search": 0.01}
    assert model["tiers"] == [
        {
            "when": "prompt >= 200000 tokens",
            "usd_in": 6,
            "usd_out": 22.5,
            "usd_per_m": {"cache_read": 0.6, "cache_write": 7.5, "cache_write_1h": 12},
        }
    ]
    assert model["knowledge_cutoff"] == source["knowledge_cutoff"]
    assert model["defaults"] == {k: v for k, v in source["default_parameters"].items() if v is not None}
    (models,) = [r for r in upstream.requests if r.url.path.endswith("/models")]
    assert dict(models.url.params) == {"output_modalities": "all"}
    legend = structured(result)["legend"]
    assert "USD per 1M tokens: usd_in, usd_out, usd_per_m" in legend
    assert "USD each: usd_each" in legend  # this model has a per-search price
    assert "when its 'when' holds" in legend  # and a tier
    assert ("Artificial Analysis" in legend) == ("intelligence" in model)  # only what is there is explained
    assert "resource openrouter://models/{id}" in legend
    text = text_of(result)
    assert text.startswith("anthropic/claude-sonnet-4.5 (Anthropic: Claude Sonnet 4.5)\ncontext 1000000;")
    assert text.endswith("Full upstream record: resource openrouter://models/{id}.")
    assert "USD/1M tokens: in 3, out 15, cache_read 0.3" in text
    assert "tier prompt >= 200000 tokens: in 6, out 22.5" in text
    assert "Data: live OpenRouter data" in text


async def test_time_window_tiers_reasoning_and_aliases(client: Client) -> None:
    page = structured(
        await call(client, "get_model", {"ids": ["deepseek/deepseek-v4-pro", "~anthropic/claude-haiku-latest"]})
    )
    deepseek, alias = page["models"]

    assert [t["when"] for t in deepseek["tiers"]] == [
        "10:00-01:00 UTC",
        "01:00-04:00 UTC",
        "04:00-06:00 UTC",
        "06:00-10:00 UTC",
    ]
    assert deepseek["tiers"][1]["usd_in"] == 1.32
    assert deepseek["reasoning"] == {"efforts": ["xhigh", "high"], "default_effort": "high"}
    assert alias["alias_of"] == raw("~anthropic/claude-haiku-latest")["alias_target"]["slug"]


async def test_several_ids_keep_their_order_and_a_single_string_is_accepted(client: Client) -> None:
    several = structured(
        await call(client, "get_model", {"ids": ["openrouter/auto", "openai/gpt-4", "openrouter/auto"]})
    )
    single = structured(await call(client, "get_model", {"ids": "openai/gpt-4"}))

    assert [m["id"] for m in several["models"]] == ["openrouter/auto", "openai/gpt-4"]
    assert several["models"][0]["usd_in"] == "variable"
    assert [m["id"] for m in single["models"]] == ["openai/gpt-4"]


async def test_unknown_ids_get_close_matches(client: Client) -> None:
    result = await call(
        client, "get_model", {"ids": ["openai/gpt-4", "anthropic/claude-sonet-4.5", "zzz/nothing-like-it"]}
    )

    assert result.is_error
    message = text_of(result)
    assert "'anthropic/claude-sonet-4.5' (did you mean anthropic/claude-sonnet-4.5" in message
    assert "'zzz/nothing-like-it'" in message
    assert "'openai/gpt-4'" not in message


@pytest.mark.parametrize(("ids", "needle"), [([], "at least 1"), ([f"a/{i}" for i in range(11)], "at most 10")])
async def test_id_count_is_bounded(client: Client, ids: list[str], needle: str) -> None:
    result = await call(client, "get_model", {"ids": ids})

    assert result.is_error
    assert "ids" in text_of(result)
    assert needle in text_of(result)


async def test_detail_records_equal_upstream_values_for_every_model(client: Client) -> None:
    raw_by_id = {m["id"]: m for m in load_snapshot()}
    ids = [m.id for m in parse_model_list({"data": list(raw_by_id.values())}).models]
    for start in range(0, len(ids), 10):
        page = structured(await call(client, "get_model", {"ids": ids[start : start + 10]}))
        for record in page["models"]:
            source = raw_by_id[record["id"]]
            pricing = source["pricing"]
            for key, name in (("input_cache_read", "cache_read"), ("internal_reasoning", "reasoning")):
                value = Decimal(pricing.get(key, "0"))
                if value > 0:
                    assert Decimal(str(record["usd_per_m"][name])) == value * MILLION
                else:
                    assert name not in record.get("usd_per_m", {})
            for key, name in (("request", "request"), ("image", "image_in"), ("web_search", "web_search")):
                value = Decimal(pricing.get(key, "0"))
                if value > 0:
                    assert Decimal(str(record["usd_each"][name])) == value
            assert record.get("expires") == source.get("expiration_date")
            assert record.get("description") == ((source.get("description") or "").strip() or None)  # all short here
            for value in record.values():
                assert value not in (None, "", [], {})


async def test_long_old_descriptions_are_cut_with_a_pointer_to_the_full_text(
    upstream: FakeOpenRouter, client: Client
) -> None:
    long_text = "word " * 800
    upstream.models[0] = {**upstream.models[0], "description": long_text}

    (model,) = structured(await call(client, "get_model", {"ids": [upstream.models[0]["id"]]}))["models"]

    assert len(model["description"]) < 1100
    assert model["description"].startswith("word word")
    assert model["description"].endswith(f"… (full text: openrouter://models/{upstream.models[0]['id']})")


async def test_tiny_per_unit_prices_are_written_plainly(client: Client) -> None:
    text = text_of(await call(client, "get_model", {"ids": ["google/gemini-3.7-flash"]}))

    assert "image_in 0.000000375" in text
    assert "e-0" not in text


def evals_of(upstream: FakeOpenRouter, slug: str) -> dict[str, float]:
    """OpenRouter's own evals for ``slug`` in the fake's benchmarks body, in percent."""
    return {
        item["benchmark_type"]: round(100 * (item["primary_score"] if "primary_score" in item else item["accuracy"]), 1)
        for item in upstream.benchmarks()["data"]
        if item["source"] == "openrouter" and item["model_permaslug"] == slug
    }


async def test_with_the_key_a_model_shows_its_evals_and_its_place_last_week(
    client: Client, upstream: FakeOpenRouter
) -> None:
    text_ids = [m["id"] for m in upstream.models if "text" in m["architecture"]["output_modalities"]]
    ranked = next(i for i in text_ids if ":" not in i and evals_of(upstream, raw(i).get("canonical_slug") or i))
    result = await call(client, "get_model", {"ids": [ranked, "openai/gpt-4o"]})
    answer = structured(result)
    first, second = answer["models"]

    slug = raw(ranked).get("canonical_slug") or ranked
    assert first["evals"] == pytest.approx(evals_of(upstream, slug))
    assert "evals" not in second  # no eval of it in the fake
    (request,) = [r for r in upstream.requests if r.url.path.endswith("/datasets/rankings-daily")]
    data = upstream.rankings(request.url.params)["data"]
    week = max(r["date"] for r in data)
    latest = [r for r in data if r["date"] == week]
    total = sum(int(r["total_tokens"]) for r in latest)
    places = sorted((r for r in latest if r["model_permaslug"] != "other"), key=lambda r: -int(r["total_tokens"]))
    place = next(i for i, r in enumerate(places, 1) if r["model_permaslug"] == slug)
    share = round(100 * int(places[place - 1]["total_tokens"]) / total, 2)
    assert first["usage"] == f"#{place} {share:g}%"
    citation = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-11-30."
    assert answer["citation"] == f"usage: week of {week}; {citation}"
    text = text_of(result)
    assert f"usage last week: #{place} {share:g}% of all tokens" in text
    assert "OpenRouter evals (%): gpqa_diamond" in text
    assert citation in text
    assert "evals: OpenRouter's own benchmarks" in answer["legend"]
    keyed = {r.url.path for r in upstream.requests if "authorization" in r.headers}
    assert keyed == {"/api/v1/benchmarks", "/api/v1/datasets/rankings-daily"}


async def test_without_the_key_or_the_datasets_the_record_is_the_catalogs(upstream: FakeOpenRouter) -> None:
    async with Client(server_for(upstream)) as client:
        keyless = structured(await call(client, "get_model", {"ids": ["google/gemini-3.7-flash"]}))
    upstream.answer_with("/benchmarks", 500, {"error": {"message": "boom"}})
    upstream.answer_with("/datasets/rankings-daily", 429, {"error": {"message": "slow down"}})
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY))) as client:
        failing = await call(client, "get_model", {"ids": ["google/gemini-3.7-flash"]})

    assert not failing.is_error
    for answer in (keyless, structured(failing)):
        (model,) = answer["models"]
        assert "evals" not in model
        assert "usage" not in model
        assert "citation" not in answer
    assert "Source: OpenRouter" not in text_of(failing)
    # Asked beside each other, once each, never retried; the 5xx then holds the datasets back for a
    # while (see test_upstream_down), so the rankings may not have been sent at all.
    keyed = [r.url.path for r in upstream.requests if "authorization" in r.headers]
    assert keyed.count("/api/v1/benchmarks") == 1
    assert set(keyed) <= {"/api/v1/benchmarks", "/api/v1/datasets/rankings-daily"}
    assert len(keyed) == len(set(keyed))
