"""Answers without the upstream: last live data, else the bundled snapshot, always labelled."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from mcp import Client

from mcp_server_openrouter.catalog.offline import OfflineUnsupportedError, filter_locally, load_snapshot
from mcp_server_openrouter.openrouter import Model, ModelsQuery, parse_model_list

from .fake_upstream import FakeOpenRouter
from .fake_upstream import load_snapshot as load_test_snapshot
from .helpers import call, ids_of, priced_per_token, structured, text_of

pytestmark = pytest.mark.anyio


def models() -> list[Model]:
    return parse_model_list({"data": load_test_snapshot()}).models


def ids(selected: list[Model]) -> list[str]:
    return [m.id for m in selected]


# -- the bundled snapshot ------------------------------------------------------------------


def test_bundled_snapshot_is_the_dated_full_catalog() -> None:
    snapshot = load_snapshot()

    assert snapshot.as_of == datetime(2026, 8, 18, tzinfo=UTC)  # midnight UTC of the snapshot's day
    assert ids(snapshot.catalog.models) == [m["id"] for m in load_test_snapshot()]
    assert {m for model in snapshot.catalog.models for m in model.architecture.output_modalities} >= {
        "text",
        "image",
        "audio",
    }


# -- through the tools -----------------------------------------------------------------


async def test_unreachable_upstream_answers_from_the_snapshot_with_its_date(
    client: Client, upstream: FakeOpenRouter
) -> None:
    upstream.go_down()

    result = await call(client, "list_models", {"supported_parameters": ["tools"], "min_context": 128000, "limit": 3})

    page = structured(result)
    assert page["source"]["kind"] == "snapshot"
    assert page["source"]["as_of"] == "2026-08-18T00:00:00Z"
    assert "ConnectError" in page["source"]["note"]
    assert (
        text_of(result)
        .splitlines()[0]
        .endswith(
            "Data: OFFLINE: bundled catalog snapshot of 2026-08-18 "
            "(OpenRouter unavailable: Could not reach OpenRouter for /models (ConnectError))."
        )
    )
    expected = upstream.select({"supported_parameters": "tools", "context": "128000"})
    assert page["total"] == len(expected)
    assert ids_of(page) == [m["id"] for m in expected[:3]]


async def test_a_query_seen_live_is_answered_from_that_data_when_upstream_fails(
    client: Client, upstream: FakeOpenRouter
) -> None:
    live = structured(await call(client, "list_models", {"q": "gemini"}))
    upstream.go_down()

    cached = structured(await call(client, "list_models", {"q": "gemini"}))

    assert cached["source"]["kind"] == "cached"
    assert cached["source"]["as_of"] == live["source"]["as_of"]
    assert cached["rows"] == live["rows"]
    assert cached["total"] == live["total"]


async def test_the_last_live_full_catalog_beats_the_snapshot_for_new_queries(
    client: Client, upstream: FakeOpenRouter
) -> None:
    upstream.models = upstream.models[:50]  # "today's" catalog differs from the snapshot
    structured(await call(client, "list_models", {"output_modalities": ["all"]}))
    upstream.go_down()

    page = structured(await call(client, "list_models", {"output_modalities": ["all"], "q": "qwen"}))

    assert page["source"]["kind"] == "cached"
    assert page["total"] == len([m for m in upstream.models if "qwen" in m["id"] or "Qwen" in m["name"]])


@pytest.mark.parametrize(
    ("arguments", "named", "offered"),
    [
        ({"category": "programming"}, "the 'category' filter", "filters available offline: supported_parameters, "),
        ({"min_tool_success_rate": 0.9}, "the 'min_tool_success_rate' filter", "filters available offline: "),
        ({"sort": "most-popular"}, "sort='most-popular'", "sorts available offline: newest, pricing-low-to-high"),
    ],
)
async def test_filters_only_upstream_can_compute_are_refused_offline_naming_what_works(
    client: Client, upstream: FakeOpenRouter, arguments: dict[str, Any], named: str, offered: str
) -> None:
    upstream.go_down()

    result = await call(client, "list_models", arguments)

    assert result.is_error
    message = text_of(result)
    assert named in message
    assert "OpenRouter unavailable" in message
    assert offered in message
    listed = message.split(offered.split(":")[0] + ": ")[1].split(")")[0].split(", ")
    if "filters" in offered:
        assert "min_context" in listed
        assert "min_age_days" in listed
        assert not {"category", "providers", "zdr", "region", "min_tool_success_rate"} & set(listed)


async def test_server_errors_and_rate_limits_also_fall_back(client: Client, upstream: FakeOpenRouter) -> None:
    import httpx2

    for status in (500, 502, 503, 429):
        upstream.fail = lambda _, status=status: httpx2.Response(status, text="<html>busy</html>")
        page = structured(await call(client, "list_models", {"limit": 1}))
        assert page["source"]["kind"] == "snapshot"
        assert "<html>" not in page["source"]["note"]


# -- local filter semantics (documented in mcp_server_openrouter.catalog.offline) -------------------


def test_local_default_is_text_output_like_upstream() -> None:
    selected = filter_locally(models(), ModelsQuery())

    assert len(selected) == 414
    assert all("text" in m.architecture.output_modalities for m in selected)


def test_local_output_modalities_match_any_and_all_keeps_everything() -> None:
    catalog = models()

    either = filter_locally(catalog, ModelsQuery(output_modalities=("image", "audio")))
    assert {m.id for m in either} == {
        m.id for m in catalog if {"image", "audio"} & set(m.architecture.output_modalities)
    }
    assert len(filter_locally(catalog, ModelsQuery(output_modalities=("all",)))) == 549


def test_local_input_modalities_and_parameters_must_all_be_supported() -> None:
    selected = filter_locally(
        models(), ModelsQuery(input_modalities=("image", "file"), supported_parameters=("tools", "seed"))
    )

    assert selected
    for model in selected:
        assert {"image", "file"} <= set(model.architecture.input_modalities)
        assert {"tools", "seed"} <= set(model.supported_parameters)


def test_local_max_price_is_per_million_input_tokens_and_excludes_variable_prices() -> None:
    selected = filter_locally(models(), ModelsQuery(output_modalities=("all",), max_price=Decimal("0.1")))

    assert selected
    assert all(m.pricing.prompt is not None and 0 <= m.pricing.prompt * 1_000_000 <= Decimal("0.1") for m in selected)
    assert "openrouter/auto" not in ids(selected)


def test_local_context_authors_and_search() -> None:
    catalog = models()

    big = filter_locally(catalog, ModelsQuery(context=1_000_000))
    assert big
    assert all(m.context_length >= 1_000_000 for m in big)
    anthropic = filter_locally(catalog, ModelsQuery(model_authors=("anthropic",)))
    assert anthropic
    assert all(m.id.lstrip("~").startswith("anthropic/") for m in anthropic)
    assert any(m.id.startswith("~anthropic/") for m in anthropic)
    by_name = filter_locally(catalog, ModelsQuery(q="CLAUDE"))
    assert by_name
    assert all("claude" in (m.id + m.name).lower() for m in by_name)


def test_local_sorts() -> None:
    catalog = models()

    newest = filter_locally(catalog, ModelsQuery(sort="newest"))
    created = [m.created or 0 for m in newest]
    assert created == sorted(created, reverse=True)
    widest = filter_locally(catalog, ModelsQuery(sort="context-high-to-low"))
    assert [m.context_length for m in widest] == sorted((m.context_length for m in widest), reverse=True)
    cheap = filter_locally(catalog, ModelsQuery(sort="pricing-low-to-high", output_modalities=("all",)))
    ranked = [
        m
        for m in cheap
        if m.pricing.prompt is not None
        and m.pricing.prompt >= 0
        and m.pricing.completion is not None
        and priced_per_token(m.raw)
    ]
    means = [(Decimal(m.raw["pricing"]["prompt"]) + Decimal(m.raw["pricing"]["completion"])) / 2 for m in ranked]
    assert means == sorted(means)
    assert cheap[: len(ranked)] == ranked  # then the unknown, variable and not-per-token prices, last
    assert any(m.pricing.prompt is not None and m.pricing.prompt < 0 for m in cheap[len(ranked) :])
    assert "openai/whisper-1" in [m.id for m in cheap[len(ranked) :]]  # per minute: never ranked with tokens
    dear = filter_locally(catalog, ModelsQuery(sort="pricing-high-to-low"))
    assert dear[0].pricing.prompt is not None
    assert dear[0].pricing.prompt > 0


@pytest.mark.parametrize("query", [ModelsQuery(category="legal"), ModelsQuery(sort="top-weekly")])
def test_local_filtering_refuses_what_only_upstream_knows(query: ModelsQuery) -> None:
    with pytest.raises(OfflineUnsupportedError):
        filter_locally(models(), query)


async def test_no_offline_data_at_all_is_a_sentence_not_an_internal_error(
    client: Client, upstream: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of file descriptors (slow clients hold them all), even the package's snapshot cannot be opened."""
    import errno

    from mcp.shared.exceptions import MCPError

    from mcp_server_openrouter.catalog import fallback

    def no_descriptors() -> Any:
        raise OSError(errno.EMFILE, "Too many open files")

    real = fallback.load_snapshot
    monkeypatch.setattr(fallback, "load_snapshot", no_descriptors)
    upstream.go_down()

    listed = await call(client, "list_models", {"limit": 3})
    assert listed.is_error
    assert "the bundled snapshot could not be read ([Errno 24] Too many open files)" in text_of(listed)
    with pytest.raises(MCPError, match=r"The catalog could not be had: .*Too many open files"):
        await client.read_resource("openrouter://models/openai/gpt-4o")

    monkeypatch.setattr(fallback, "load_snapshot", real)  # descriptors again: the next call answers
    assert structured(await call(client, "list_models", {"limit": 3}))["source"]["kind"] == "snapshot"
