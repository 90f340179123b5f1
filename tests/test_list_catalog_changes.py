"""list_catalog_changes: the bundled history offline, live changes recorded and dated, gaps said,
models about to disappear with replacements, and "are these IDs still listed?"."""

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.history.seed import load_seed

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter, load_snapshot
from .helpers import Clock, call, poll, server_for, structured, text_of

pytestmark = pytest.mark.anyio

TTL = 300


def rows(answer: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """Every row with the date group it is in."""
    return [(group["when"], row) for group in answer["changes"] for row in group["rows"]]


def record(models: list[dict[str, Any]], model_id: str) -> dict[str, Any]:
    return next(m for m in models if m["id"] == model_id)


async def test_a_fresh_install_answers_from_the_bundled_history_offline(tmp_path: Path) -> None:
    seed = load_seed()
    async with Client(server_for(FakeOpenRouter(), offline=True, cache_dir=tmp_path)) as client:
        result = await call(client, "list_catalog_changes", {"since": "2025-01-01", "limit": 100})
        added = await call(client, "list_catalog_changes", {"since": "2025-01-01", "kinds": ["added"], "limit": 5})
        recent = await call(client, "list_catalog_changes", {"since": 7})

    answer = structured(result)
    assert answer["total"] == len(seed.events)
    assert answer["next_offset"] == 100
    newest = sorted(seed.events, key=lambda e: (-e.seen_at.timestamp(), e.model_id, e.kind, e.field or ""))[:100]
    models = [
        e.model_id
        for i, e in enumerate(newest)
        if i == 0 or (e.model_id, e.seen_at) != (newest[i - 1].model_id, newest[i - 1].seen_at)
    ]
    assert [row[0] for _, row in rows(answer)] == models  # one row per model and date
    assert sum(row[1].count("; ") + 1 for _, row in rows(answer)) == 100  # its changes joined
    labels = {when for when, _ in rows(answer)}
    assert labels <= {
        f"between {a:%Y-%m-%d} and {b:%Y-%m-%d}" for a, b in zip(seed.snapshots, seed.snapshots[1:], strict=False)
    }
    assert answer["history"].startswith(f"from {seed.snapshots[0]:%Y-%m-%d} ({len(seed.snapshots)} snapshots to ")
    assert answer["source"]["kind"] == "snapshot"
    assert "nothing recorded" not in answer["history"]
    text = text_of(result)
    assert "between 2026-05-12 and 2026-08-18:" in text
    assert "next page: offset=100" in text
    assert all(row[1] == "added" for _, row in rows(structured(added)))
    assert structured(added)["total"] == len([e for e in seed.events if e.kind == "added"])
    assert structured(recent)["total"] == 0
    assert structured(recent)["history"].endswith("; nothing recorded after 2026-08-18")


async def test_live_catalogs_are_recorded_and_dated_to_the_day(tmp_path: Path) -> None:
    upstream = FakeOpenRouter()
    clock = Clock()
    models = upstream.models
    async with Client(server_for(upstream, clock=clock, cache_dir=tmp_path, cache_ttl=TTL)) as client:
        first = structured(await call(client, "list_catalog_changes", {"since": 1}))
        earlier = structured(await call(client, "get_model", {"ids": [models[10]["id"]]}))  # remembered...
        # OpenRouter changes its catalog: one model goes, one comes, one price drops, one gains tools.
        upstream.models = copy.deepcopy(models)
        gone = upstream.models.pop(5)["id"]
        newcomer = {**copy.deepcopy(upstream.models[0]), "id": "acme/rocket-1", "name": "Acme: Rocket 1"}
        upstream.models.append(newcomer)
        cheaper = upstream.models[10]
        cheaper["pricing"]["prompt"] = "0"
        tooled = next(m for m in upstream.models if "tools" not in (m.get("supported_parameters") or []))
        tooled["supported_parameters"] = [*(tooled.get("supported_parameters") or []), "tools"]
        clock.advance(TTL + 1)  # the cached catalog is stale: the next call refreshes it in the background
        await poll(client, "get_model", {"ids": ["openrouter/auto"]}, lambda a: a["source"]["kind"] == "cached")
        result = await call(client, "list_catalog_changes", {"since": 1})
        detail = structured(await call(client, "get_model", {"ids": [cheaper["id"]]}))

    assert first["total"] == 0  # the live catalog is the bundled snapshot: nothing changed
    answer = structured(result)
    day = f"{clock.now:%Y-%m-%d}"
    found = {(row[0], row[1]) for when, row in rows(answer) if when == day}
    before = Decimal(record(models, cheaper["id"])["pricing"]["prompt"]) * 1_000_000
    before_text = format(before.normalize(), "f")
    assert (gone, "removed") in found
    assert ("acme/rocket-1", "added") in found
    assert (tooled["id"], "+tools") in found
    price = [row[1] for _, row in rows(answer) if row[0] == cheaper["id"]]
    assert len(price) == 1, price
    assert price[0].startswith(f"in {before_text}→0"), price
    assert price[0].endswith("(free)"), price
    assert answer["total"] == 4
    assert detail["models"][0]["price_changes"] == f"{price[0]} ({day})"  # ...and forgotten on recording
    assert "price_changes" not in earlier["models"][0] or day not in earlier["models"][0]["price_changes"]
    assert f"{day}:" in text_of(result)


async def test_the_first_live_catalog_after_the_snapshot_is_dated_between(tmp_path: Path) -> None:
    upstream = FakeOpenRouter()
    upstream.models = [m for m in upstream.models if m["id"] != "openai/gpt-4o"]

    async with Client(server_for(upstream, clock=Clock(), cache_dir=tmp_path)) as client:
        answer = structured(await call(client, "list_catalog_changes", {"ids": ["openai/gpt-4o"]}))

    (when, row), *_ = rows(answer)
    assert row == ["openai/gpt-4o", "removed"]
    assert when == "between 2026-08-18 and 2026-11-21"
    assert answer["listed"]["openai/gpt-4o"].startswith(
        "no, removed between 2026-08-18 and 2026-11-21; suggested: openai/"
    )


async def test_ids_say_whether_each_is_still_listed(tmp_path: Path) -> None:
    async with Client(server_for(FakeOpenRouter(), offline=True, cache_dir=tmp_path)) as client:
        answer = structured(
            await call(client, "list_catalog_changes", {"ids": ["openai/gpt-4o", "nobody/never-was-1"], "limit": 5})
        )

    assert answer["listed"]["openai/gpt-4o"] == "yes"
    assert answer["listed"]["nobody/never-was-1"] == "no"  # no record, no author's models: no suggestion
    assert all(row[0] == "openai/gpt-4o" for _, row in rows(answer))


def expiring_catalog(today: date) -> list[dict[str, Any]]:
    """The main snapshot with three removal dates set relative to ``today``."""
    models = load_snapshot()
    record(models, "z-ai/glm-4.5")["expiration_date"] = (today + timedelta(days=3)).isoformat()
    record(models, "~anthropic/claude-haiku-latest")["expiration_date"] = (today + timedelta(days=10)).isoformat()
    record(models, "openai/gpt-4o")["expiration_date"] = (today + timedelta(days=200)).isoformat()
    return models


async def test_expiring_lists_models_about_to_go_soonest_first_with_suggestions(tmp_path: Path) -> None:
    clock = Clock()
    today = clock.now.date()
    upstream = FakeOpenRouter(expiring_catalog(today))
    async with Client(server_for(upstream, clock=clock, cache_dir=tmp_path)) as client:
        result = await call(client, "list_catalog_changes", {"kinds": ["expiring"]})
        wider = structured(await call(client, "list_catalog_changes", {"kinds": ["expiring"], "within_days": 365}))
        mixed = await call(client, "list_catalog_changes", {"kinds": ["expiring", "added"]})

    answer = structured(result)
    assert answer["columns"] == ["model", "suggested", "why"]
    assert [(when, row[0]) for when, row in rows(answer)] == [
        ("2026-08-24 (passed, still listed)", "nvidia/nemotron-nano-12b-v2-vl:free"),  # as the snapshot has it
        (f"{today + timedelta(days=3)} (3 days)", "z-ai/glm-4.5"),
        (f"{today + timedelta(days=10)} (10 days)", "~anthropic/claude-haiku-latest"),
    ]
    alias = rows(answer)[2][1]
    assert alias[1:] == ["anthropic/claude-haiku-4.5", "the alias's target"]
    glm = rows(answer)[1][1]
    assert glm[1] is not None
    assert glm[1].startswith("z-ai/")
    assert glm[1] != "z-ai/glm-4.5"
    assert "suggestion" in text_of(result)
    assert [row[0] for _, row in rows(wider)][-1] == "openai/gpt-4o"
    assert mixed.is_error
    assert "ask for it alone" in text_of(mixed)


def test_the_same_authors_closest_model_that_does_all_it_did_is_suggested() -> None:
    from mcp_server_openrouter.openrouter import parse_model_list
    from mcp_server_openrouter.replacements import suggest

    base = {
        "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["text"]},
        "supported_parameters": ["tools", "response_format"],
    }
    raw = [
        {**base, "id": "acme/old", "created": 100, "pricing": {"prompt": "0.000002", "completion": "0.000008"}},
        {**base, "id": "acme/near", "created": 200, "pricing": {"prompt": "0.0000021", "completion": "0.000008"}},
        {**base, "id": "acme/far", "created": 300, "pricing": {"prompt": "0.00002", "completion": "0.00008"}},
        {
            **base,
            "id": "acme/blind",
            "created": 400,
            "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
            "pricing": {"prompt": "0.000002", "completion": "0.000008"},
        },
        {**base, "id": "other/near", "created": 500, "pricing": {"prompt": "0.000002", "completion": "0.000008"}},
    ]
    models = {m.id: m for m in parse_model_list({"data": raw}).models}
    gone = models.pop("acme/old")

    suggestion = suggest("acme/old", gone, models, {}, date(2026, 11, 21))
    moved = suggest("acme/old", gone, models, {"acme/old": "acme/far"}, date(2026, 11, 21))

    assert suggestion is not None
    assert suggestion.model_id == "acme/near"
    assert suggestion.reason == "same author, newer, does all it did, closest price"
    assert moved is not None
    assert (moved.model_id, moved.reason) == (
        "acme/far",
        "an alias that pointed at it points here now",
    )


@pytest.mark.parametrize(
    ("since", "says"),
    [("yesterday", "neither a date (YYYY-MM-DD) nor a number of days"), (99_999, "more than the 3650")],
)
async def test_a_bad_since_is_refused_with_what_to_send(client: Client, since: Any, says: str) -> None:
    result = await call(client, "list_catalog_changes", {"since": since})

    assert result.is_error
    assert says in text_of(result)


async def test_a_since_date_and_days_mean_the_same(tmp_path: Path) -> None:
    clock = Clock()
    async with Client(server_for(FakeOpenRouter(), clock=clock, offline=True, cache_dir=tmp_path)) as client:
        by_date = structured(await call(client, "list_catalog_changes", {"since": "2026-06-01"}))
        days = (clock.now - datetime(2026, 6, 1, tzinfo=UTC)).days
        by_days = structured(await call(client, "list_catalog_changes", {"since": days + 1}))

    assert by_date["total"] == by_days["total"] > 0


async def test_the_key_is_not_needed_and_not_sent(tmp_path: Path) -> None:
    upstream = FakeOpenRouter(api_key=TEST_KEY)
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY), cache_dir=tmp_path)) as client:
        result = await call(client, "list_catalog_changes", {})

    assert not result.is_error
    assert all("authorization" not in r.headers for r in upstream.requests)
