"""Every model as a resource: template, read, not-found, cursor paging, completion, list_changed."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, ResourceTemplateReference, TextResourceContents

from mcp_server_openrouter.resources import PAGE_SIZE, TEMPLATE

from .fake_upstream import PROVIDERS, SNAPSHOTS, FakeOpenRouter, load_snapshot
from .helpers import poll, server_for

pytestmark = pytest.mark.anyio

MILLION = Decimal(1_000_000)


async def read(client: Client, model_id: str) -> dict[str, Any]:
    with anyio.fail_after(60):
        result = await client.read_resource(f"openrouter://models/{model_id}")
    (content,) = result.contents
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == "application/json"
    assert content.uri == f"openrouter://models/{model_id}"
    return json.loads(content.text)


def tricky_ids(models: list[dict[str, Any]]) -> list[str]:
    ids = [m["id"] for m in models]
    picks = [ids[0], ids[-1], "openrouter/auto"]
    picks += [i for i in ids if i.startswith("~")][:2]
    picks += [i for i in ids if i.endswith(":free")][:1]
    picks += [i for i in ids if ":" in i and not i.endswith(":free")][:2]
    return list(dict.fromkeys(picks))


async def test_the_template_is_offered_with_title_description_and_json_type(client: Client) -> None:
    (template,) = (await client.list_resource_templates()).resource_templates

    assert template.uri_template == "openrouter://models/{+id}" == TEMPLATE
    assert template.title
    assert template.description
    assert template.mime_type == "application/json"


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
async def test_reading_tricky_ids_returns_the_full_upstream_record(snapshot: str) -> None:
    models = load_snapshot(snapshot)
    upstream = FakeOpenRouter(models)
    by_id = {m["id"]: m for m in models}
    async with Client(server_for(upstream)) as client:
        for model_id in tricky_ids(models):
            body = await read(client, model_id)
            derived = body.pop("derived")
            assert body == by_id[model_id]  # every field, unmodified
            prices = derived["usd_per_million_tokens"]
            for key in ("prompt", "completion"):
                raw = Decimal(by_id[model_id]["pricing"][key])
                assert prices[key] == ("variable" if raw < 0 else prices[key])
                if raw >= 0:
                    assert Decimal(prices[key]) == raw * MILLION
    assert upstream.paths == ["/api/v1/models"]  # one full fetch served every read
    assert upstream.params() == {"output_modalities": "all"}


async def test_router_prices_are_variable_in_the_derived_block(client: Client) -> None:
    body = await read(client, "openrouter/auto")

    assert body["pricing"]["prompt"] == "-1"
    assert body["derived"]["usd_per_million_tokens"]["prompt"] == "variable"


async def test_an_unknown_id_is_resource_not_found_with_close_matches(client: Client) -> None:
    with pytest.raises(MCPError) as error:
        await client.read_resource("openrouter://models/anthropic/claude-sonet-4.5")

    assert error.value.error.code == INVALID_PARAMS
    message = error.value.error.message
    assert "Unknown model ID 'anthropic/claude-sonet-4.5'" in message
    assert "anthropic/claude-sonnet-4.5" in message
    assert message.count(", ") <= 2  # at most three suggestions


async def test_following_cursors_lists_every_model_once_in_a_stable_order(client: Client) -> None:
    names: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await client.list_resources(cursor=cursor)
        pages += 1
        models = [r for r in page.resources if r.uri != "openrouter://providers"]
        assert len(page.resources) - len(models) == (1 if pages == 1 else 0)  # the provider list, first
        assert 0 < len(models) <= PAGE_SIZE
        for resource in models:
            assert resource.uri == f"openrouter://models/{resource.name}"
            assert resource.title
            assert resource.description
            assert resource.mime_type == "application/json"
        names.extend(r.name for r in models)
        cursor = page.next_cursor
        if cursor is None:
            break

    expected = sorted(m["id"] for m in load_snapshot())
    assert names == expected
    assert len(set(names)) == len(names) == 549
    assert pages == 6


async def test_a_cursor_survives_a_catalog_change_without_repeats_or_gaps() -> None:
    now = [datetime(2026, 11, 21, tzinfo=UTC)]
    upstream = FakeOpenRouter()
    server = server_for(upstream, cache_ttl=60, clock=lambda: now[0])
    async with Client(server, cache=None) as client:
        first = await client.list_resources()
        upstream.models = [m for m in upstream.models if m["id"] != sorted(r["id"] for r in upstream.models)[150]]
        now[0] += timedelta(seconds=61)
        second = await client.list_resources(cursor=first.next_cursor)

    assert second.resources[0].name > first.resources[-1].name
    assert len(upstream.requests) == 2


@pytest.mark.parametrize("cursor", ["garbage", "YWZ0ZXI", "bm90LW91cnM", "%%%"])
async def test_an_invalid_cursor_is_invalid_params(client: Client, cursor: str) -> None:
    with pytest.raises(MCPError) as error:
        await client.list_resources(cursor=cursor)

    assert error.value.error.code == INVALID_PARAMS
    assert "cursor" in error.value.error.message


async def test_list_and_read_carry_public_cache_hints_matching_the_catalog_ttl(client: Client) -> None:
    listed = await client.list_resources()
    read_result = await client.read_resource("openrouter://models/openrouter/auto")

    for result in (listed, read_result):
        assert result.cache_scope == "public"
        assert result.ttl_ms == 300_000


async def complete(client: Client, value: str) -> tuple[list[str], int | None, bool | None]:
    result = await client.complete(
        ResourceTemplateReference(type="ref/resource", uri=TEMPLATE), {"name": "id", "value": value}
    )
    return result.completion.values, result.completion.total, result.completion.has_more


async def test_completion_puts_prefix_matches_before_substring_matches(client: Client) -> None:
    values, total, has_more = await complete(client, "mistral")

    prefixed = [v for v in values if v.startswith("mistral")]
    assert prefixed
    assert values[: len(prefixed)] == prefixed == sorted(prefixed)
    rest = values[len(prefixed) :]
    assert all("mistral" in v.lower() or "mistral" in v for v in rest)
    assert total == len(values)
    assert has_more is False


async def test_completion_matches_display_names_and_caps_at_100(client: Client) -> None:
    values, total, has_more = await complete(client, "claude")
    assert values
    assert all("claude" in v for v in values)

    many, total, has_more = await complete(client, "o")
    assert len(many) == 100
    assert total is not None
    assert total > 100
    assert has_more is True


async def test_empty_completion_offers_the_newest_models(client: Client) -> None:
    values, total, _ = await complete(client, "")

    newest = [m["id"] for m in sorted(load_snapshot(), key=lambda m: -m["created"])][:100]
    assert values == newest
    assert total == 549


async def test_completion_for_other_arguments_is_empty(client: Client) -> None:
    result = await client.complete(
        ResourceTemplateReference(type="ref/resource", uri=TEMPLATE), {"name": "other", "value": "x"}
    )

    assert result.completion.values == []


async def wait_for(condition: Callable[[], bool]) -> None:
    """Yield to the event loop until ``condition`` holds (bounded by the caller's fail_after)."""
    while not condition():
        await anyio.lowlevel.checkpoint()


async def test_handshake_era_clients_get_list_changed_when_the_catalog_ids_change() -> None:
    now = [datetime(2026, 11, 21, tzinfo=UTC)]
    upstream = FakeOpenRouter()
    notifications: list[str] = []

    async def on_message(message: Any) -> None:
        method = getattr(getattr(message, "root", message), "method", None)
        if method:
            notifications.append(method)

    server = server_for(upstream, cache_ttl=60, clock=lambda: now[0])
    with anyio.fail_after(60):
        async with Client(server, mode="legacy", cache=None, message_handler=on_message) as client:
            caps = client.server_capabilities
            assert caps.resources is not None
            assert caps.resources.list_changed is True
            await client.list_resources()
            now[0] += timedelta(seconds=30)
            await client.list_resources()  # within the TTL: no refetch
            assert len(upstream.requests) == 1
            now[0] += timedelta(seconds=31)
            await client.list_resources()  # stale: answered at once, refreshed in the background
            await poll(client, "get_model", {"ids": ["openai/gpt-4o"]}, lambda r: r["source"]["kind"] != "stale")
            await client.list_resources()  # the refresh had the same IDs: no notification
            assert len(upstream.requests) == 2
            assert notifications == []
            upstream.models = upstream.models[1:]
            now[0] += timedelta(seconds=61)
            await client.list_resources()
            await wait_for(lambda: bool(notifications))

    assert notifications == ["notifications/resources/list_changed"]
    assert len(upstream.requests) == 3


async def test_modern_clients_hear_of_changes_on_a_listen_stream() -> None:
    now = [datetime(2026, 11, 21, tzinfo=UTC)]
    upstream = FakeOpenRouter()
    server = server_for(upstream, cache_ttl=60, clock=lambda: now[0])
    with anyio.fail_after(60):
        async with Client(server, cache=None) as client:
            await client.list_resources()
            async with client.listen(resources_list_changed=True) as subscription:
                upstream.models = upstream.models[:-1]
                now[0] += timedelta(seconds=61)
                await client.list_resources()  # stale answer; the refresh finds one ID gone
                event = await subscription.__anext__()

    assert type(event).__name__ == "ResourcesListChanged"


async def test_the_provider_list_is_a_resource_with_its_source(client: Client, upstream: FakeOpenRouter) -> None:
    first = await client.read_resource("openrouter://providers")
    again = await client.read_resource("openrouter://providers")

    (content,) = first.contents
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == "application/json"
    body = json.loads(content.text)
    assert body["providers"] == [
        PROVIDERS[0],  # every field of the spec's example
        {"name": "DeepInfra", "slug": "deepinfra", "headquarters": "US", "datacenters": ["US"]},
        {"name": "Mistral", "slug": "mistral", "headquarters": "FR"},  # null list and unknown field dropped
    ]  # the junk entry was skipped
    assert body["source"]["kind"] == "live"
    (cached,) = again.contents
    assert isinstance(cached, TextResourceContents)
    assert json.loads(cached.text)["source"]["kind"] in ("live", "cached")  # the client may cache reads too
    assert [r.url.path for r in upstream.requests].count("/api/v1/providers") == 1


async def test_without_openrouter_the_provider_list_is_an_error_saying_so(upstream: FakeOpenRouter) -> None:
    upstream.go_down()
    async with Client(server_for(upstream)) as client:
        with anyio.fail_after(60), pytest.raises(MCPError) as caught:
            await client.read_resource("openrouter://providers")

    assert (
        "The provider list needs OpenRouter, and it could not be used: Could not reach OpenRouter"
        in caught.value.error.message
    )
