"""The session-cost dataset (``GET /datasets/session-cost``): parsed with the drift rules, shown by
``recommend_models`` and ``estimate_cost``, ranked by in ``recommend_models`` when a harness is
named. Every expected value is computed here from the fake's own cells and records."""

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import anyio
import httpx2
import pytest
from mcp import Client
from pydantic import SecretStr

from mcp_server_openrouter.openrouter.datasets import (
    SESSION_COST_LIMIT,
    SESSION_COST_PAGES,
    SessionCostQuery,
    merge_session_costs,
    parse_session_costs,
)

from .conftest import TEST_KEY
from .fake_upstream import FakeOpenRouter
from .helpers import Clock, call, server_for, structured, text_of
from .test_recommend_models import request_cost, score, table, text_models

pytestmark = pytest.mark.anyio

PATH = "/api/v1/datasets/session-cost"
DATASETS = (PATH, "/api/v1/benchmarks", "/api/v1/datasets/rankings-daily", "/api/v1/classifications/task")
CITATION = "Source: OpenRouter (session costs, CC BY 4.0), as of 2026-11-23."
"""The fake's ``meta.window_end_date`` is 2026-11-23."""
RANGES = {"1-turn": (1, 1), "2-9-turns": (2, 9), "10-49-turns": (10, 49), "50-plus-turns": (50, 10**9)}


def valid(cell: Any) -> bool:
    """Whether a raw cell is well formed, by the spec's types (written apart from the parser)."""
    if not isinstance(cell, dict):
        return False
    record = cast(dict[str, Any], cell)
    usd = record.get("median_session_cost_usd")
    return (
        all(isinstance(record.get(k), str) and record[k] for k in ("app_slug", "model_permaslug", "turn_range"))
        and isinstance(usd, int | float)
        and not isinstance(usd, bool)
        and usd >= 0
    )


def cells_of(upstream: FakeOpenRouter) -> dict[tuple[str, str, str], Decimal]:
    """(app, permaslug, turn range) → median USD, the first of duplicates, from the fake's raw cells."""
    out: dict[tuple[str, str, str], Decimal] = {}
    for cell in upstream.session_cells():
        if valid(cell):
            key = (cell["app_slug"], cell["model_permaslug"], cell["turn_range"])
            out.setdefault(key, Decimal(str(cell["median_session_cost_usd"])))
    return out


def permaslugs(upstream: FakeOpenRouter) -> dict[str, str]:
    return {r["id"]: r.get("canonical_slug") or r["id"] for r in upstream.models}


def default_harness(upstream: FakeOpenRouter, ids: list[str], turns: str) -> str:
    """The harness measuring the most of ``ids``, then the most models, then by slug."""
    cells, slugs = cells_of(upstream), permaslugs(upstream)
    apps = sorted({app for app, _, _ in cells})

    def rank(app: str) -> tuple[int, int, str]:
        shown = sum((app, slugs[i], turns) in cells for i in ids)
        return (-shown, -len({s for a, s, t in cells if a == app and t == turns}), app)

    return min(apps, key=rank)


def sessions(answer: dict[str, Any]) -> str:
    """recommend_models' words on the session costs: ``usage``'s, after the usage shares' own."""
    usage: str = answer["usage"]
    start = max(usage.find("usd_session: "), usage.find("no session costs"), usage.find("none of these"))
    assert start >= 0, usage
    return usage[start:]


def dataset_requests(upstream: FakeOpenRouter) -> list[httpx2.Request]:
    return [r for r in upstream.requests if r.url.path == PATH]


# -- parsing --------------------------------------------------------------------------------


def test_cells_parse_with_drift_skipped_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    upstream = FakeOpenRouter()
    body = {"data": upstream.session_cells(), "meta": {"as_of": "2026-11-24T02:00:00.000Z", "window_days": 30}}
    caplog.set_level(logging.WARNING)

    parsed = parse_session_costs(body)

    raw = upstream.session_cells()
    expected = cells_of(upstream)
    assert {(c.app_slug, c.permaslug, c.turn_range): c.usd for c in parsed.cells} == expected
    assert len(parsed.cells) == len(expected)  # the duplicate is dropped, the first kept
    assert parsed.skipped == sum(not valid(c) for c in raw) > 0
    assert parsed.received == len(raw)
    assert f"Skipped {parsed.skipped} malformed session-cost cell(s)" in caplog.text
    first = raw[0]
    assert parsed.cost(first["app_slug"], first["model_permaslug"], first["turn_range"]) == Decimal(
        str(first["median_session_cost_usd"])
    )
    odd = [c for c in parsed.cells if c.turn_range not in RANGES]
    assert [(c.turn_range, c.app_name) for c in odd] == [("100-plus-turns", first["app_slug"])]  # no name: the slug
    assert (parsed.window_days, parsed.window_end, parsed.day()) == (30, None, "2026-11-24")  # no end: as_of's day
    assert parsed.raw is body
    assert list(parsed.apps()) == sorted({c["app_slug"] for c in raw if valid(c)})


@pytest.mark.parametrize(
    ("meta", "window"),
    [
        ({"as_of": "2026-05-12T02:00:00.000Z", "window_days": None, "window_end_date": None}, (None, None)),
        ({"as_of": 7, "window_days": "30", "window_end_date": 20261123}, (None, None)),
        (None, (None, None)),
        ({"as_of": "2026-05-12", "window_days": 30, "window_end_date": "2026-05-11"}, (30, "2026-05-11")),
    ],
)
def test_meta_of_any_shape_is_read_or_left_unknown(meta: Any, window: tuple[Any, Any]) -> None:
    parsed = parse_session_costs({"data": [], "meta": meta})

    assert (parsed.window_days, parsed.window_end) == window
    assert parsed.cells == []
    assert parsed.as_of == (meta["as_of"] if isinstance(meta, dict) and isinstance(meta["as_of"], str) else "unknown")


@pytest.mark.parametrize("body", [[], "x", None, {"data": "nope"}, {}, {"data": {"cells": []}}])
def test_an_unusable_envelope_is_an_error(body: Any) -> None:
    with pytest.raises(ValueError, match=r"expected a JSON object|no 'data'"):
        parse_session_costs(body)


def test_medians_are_exact_as_written() -> None:
    cell = {"app_slug": "a", "model_permaslug": "m/x", "turn_range": "1-turn", "median_session_cost_usd": 1.74}
    huge = {**cell, "app_slug": "b", "median_session_cost_usd": 10**400}

    parsed = parse_session_costs({"data": [cell, huge]})

    assert parsed.cost("a", "m/x", "1-turn") == Decimal("1.74")
    assert parsed.cost("b", "m/x", "1-turn") == Decimal(10**400)


def test_pages_merge_into_one_body_that_parses_the_same() -> None:
    upstream = FakeOpenRouter()
    raw = upstream.session_cells()
    pages = [parse_session_costs({"data": raw[i : i + 30], "meta": {"as_of": "x"}}) for i in range(0, len(raw), 30)]

    merged = merge_session_costs(pages, complete=False)
    again = parse_session_costs(merged.raw)

    assert {(c.app_slug, c.permaslug, c.turn_range): c.usd for c in merged.cells} == cells_of(upstream)
    assert merged.cells == again.cells
    assert (merged.received, merged.skipped) == (len(raw), sum(not valid(c) for c in raw))
    assert not merged.complete
    assert not again.complete  # a truncated listing stays marked so when saved


def test_the_query_sends_the_spec_parameters() -> None:
    assert SessionCostQuery().params() == {"limit": "500"}
    assert SessionCostQuery("claude-code", "a/b", "1-turn", 10, 20).params() == {
        "app_slug": "claude-code",
        "model": "a/b",
        "turn_range": "1-turn",
        "limit": "10",
        "offset": "20",
    }


def test_the_fake_honours_the_filters_and_paging_as_the_api_does() -> None:
    upstream = FakeOpenRouter()
    everything = [c for c in upstream.session_cells() if valid(c)]

    def ask(**params: str) -> httpx2.Response:
        return upstream.session_costs(httpx2.QueryParams(params))

    one = everything[5]
    only = ask(app_slug=one["app_slug"], model=one["model_permaslug"], turn_range=one["turn_range"]).json()["data"]
    assert one in only
    assert all(c["model_permaslug"] == one["model_permaslug"] for c in only)
    assert len(ask().json()["data"]) == min(100, len(upstream.session_cells()))  # the spec's default limit
    assert ask(limit="3", offset="2").json()["data"] == upstream.session_cells()[2:5]
    assert ask(limit="501").status_code == ask(offset="5001").status_code == 400


# -- recommend_models -----------------------------------------------------------------------


async def test_rows_carry_the_median_session_cost_in_the_harness_measuring_most_of_them(
    client: Client, upstream: FakeOpenRouter
) -> None:
    result = await call(client, "recommend_models", {"task": "coding", "limit": 20})
    answer = structured(result)
    text = text_of(result)

    rows = table(answer)
    turns = "10-49-turns"
    harness = default_harness(upstream, [r["id"] for r in rows], turns)
    cells, slugs = cells_of(upstream), permaslugs(upstream)
    assert answer["columns"] == ["id", "coding", "usd_request", "usd_session", "share_pct", "dominated_by"]
    assert any(row["usd_session"] is not None for row in rows)
    for row in rows:
        measured = cells.get((harness, slugs[row["id"]], turns))
        assert row["usd_session"] == (None if measured is None else float(measured))
    name = next(c["app_name"] for c in upstream.session_cells() if valid(c) and c["app_slug"] == harness)
    assert sessions(answer).startswith(f"usd_session: median USD of a 10-49-turn session in {name} (harness: ")
    assert sessions(answer).endswith(CITATION)
    for other in {app for app, _, _ in cells}:
        assert other in sessions(answer)  # the others a call may name
    assert sessions(answer) in text
    assert "usd_session" in text.splitlines()[2]
    assert answer["counts"]["unpriced"] == 0  # ranked by the request's cost, as before
    (request,) = dataset_requests(upstream)
    assert request.url.params["limit"] == str(SESSION_COST_LIMIT)
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"


def frontier(candidates: dict[str, tuple[float, Decimal]]) -> set[str]:
    def dominates(a: tuple[float, Decimal], b: tuple[float, Decimal]) -> bool:
        return a[0] >= b[0] and a[1] <= b[1] and (a[0] > b[0] or a[1] < b[1])

    return {m for m, v in candidates.items() if not any(dominates(w, v) for w in candidates.values())}


@pytest.mark.parametrize(
    ("harness", "turns", "turn_range"),
    [("claude-code", None, "10-49-turns"), ("Hermes Agent", 60, "50-plus-turns"), ("CLINE", 12, "10-49-turns")],
)
async def test_a_harness_ranks_the_frontier_by_its_measured_session_cost(
    client: Client, upstream: FakeOpenRouter, harness: str, turns: int | None, turn_range: str
) -> None:
    arguments: dict[str, Any] = {"task": "coding", "harness": harness, "limit": 20}
    if turns is not None:
        arguments["turns"] = turns
    result = await call(client, "recommend_models", arguments)
    answer = structured(result)

    cells, slugs = cells_of(upstream), permaslugs(upstream)
    app = next(
        c["app_slug"]
        for c in upstream.session_cells()
        if valid(c) and harness.lower() in (c["app_slug"], str(c.get("app_name")).lower())
    )
    records = [r for r in text_models(upstream) if not r["id"].endswith(":batch")]
    candidates = {
        r["id"]: (s, cells[(app, slugs[r["id"]], turn_range)])
        for r in records
        if (s := score(r, "coding")) is not None and (app, slugs[r["id"]], turn_range) in cells
    }
    best = frontier(candidates)
    rows = table(answer)
    shown = [row for row in rows if row["dominated_by"] is None]
    near = [row for row in rows if row["dominated_by"] is not None]
    assert len(candidates) > len(best) >= 1
    assert {row["id"] for row in shown} == best
    assert [row["coding"] for row in shown] == sorted((row["coding"] for row in shown), reverse=True)
    for row in rows:
        record = next(r for r in records if r["id"] == row["id"])
        assert (row["coding"], Decimal(str(row["usd_session"]))) == candidates[row["id"]]
        cost = request_cost(record, 2_000, 500)
        assert row["usd_request"] == (None if cost is None else float(cost))
    for row in near:
        mine, theirs = candidates[row["id"]], candidates[row["dominated_by"]]
        assert theirs[0] >= mine[0]
        assert theirs[1] <= mine[1]
        assert theirs != mine
    scored = [r for r in records if score(r, "coding") is not None]
    assert answer["counts"]["unmeasured"] == len(scored) - len(candidates)
    assert "unpriced" not in answer["counts"]
    words = {"10-49-turns": "10-49-turn", "50-plus-turns": "50+-turn"}[turn_range]
    assert sessions(answer).startswith(f"usd_session: median USD of a {words} session in ")
    assert f"(harness: {app})" in sessions(answer)  # named: the others are not offered
    text = text_of(result)
    assert text.startswith("Best coding models at each session cost (")
    assert f"{answer['counts']['unmeasured']} without a measured session in " in text
    assert sessions(answer) in text
    for row in shown:
        assert f"{row['id']} {row['coding']} " in text


async def test_an_unknown_harness_names_the_closest(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(client, "recommend_models", {"harness": "claude"})
    missing = await call(client, "recommend_models", {"harness": "x" * 60})
    long = await call(client, "recommend_models", {"harness": "x" * 10_000})

    apps = sorted({app for app, _, _ in cells_of(upstream)})
    assert result.is_error
    assert text_of(result).startswith("Error executing tool recommend_models: unknown harness 'claude': try ")
    tried = text_of(result).split(": try ")[1].split(" (")[0].split(", ")
    assert tried[0] == "claude-code"
    assert set(tried) <= set(apps)
    assert missing.is_error
    assert len(text_of(missing)) < 300
    assert "try " in text_of(missing)
    assert long.is_error
    assert "harness: String should have at most 60 characters" in text_of(long)


async def test_a_turn_range_the_harness_lacks_is_refused_with_the_ranges_it_has(
    client: Client, upstream: FakeOpenRouter
) -> None:
    cells = cells_of(upstream)
    apps = {app for app, _, _ in cells}
    lacking = next(app for app in sorted(apps) if (app, "1-turn") not in {(a, t) for a, _, t in cells})

    result = await call(client, "recommend_models", {"harness": lacking, "turns": 1})
    none = await call(client, "recommend_models", {"harness": lacking, "turns": 0})

    assert result.is_error
    assert f"{lacking} has no 1-turn sessions measured: pass turns in one of its ranges (" in text_of(result)
    assert none.is_error
    assert "turns (0) is the number of turns of a session: at least 1" in text_of(none)


async def test_without_a_key_the_answer_says_so_and_only_ranking_by_harness_is_refused(
    upstream: FakeOpenRouter,
) -> None:
    async with Client(server_for(upstream)) as client:
        plain = await call(client, "recommend_models", {})
        ranked = await call(client, "recommend_models", {"harness": "claude-code"})
        estimate = await call(client, "estimate_cost", {"ids": ["x-ai/grok-4.6"], "input_tokens": 1000})
        named = await call(
            client, "estimate_cost", {"ids": ["x-ai/grok-4.6"], "input_tokens": 1000, "harness": "claude-code"}
        )
    async with Client(server_for(upstream, keys="per-request")) as client:
        team = await call(client, "recommend_models", {"harness": "claude-code"})

    assert sessions(structured(plain)) == "no session costs (no API key)."
    assert "usd_session" not in structured(plain)["columns"]
    assert "no session costs (no API key)." in text_of(plain)
    assert ranked.is_error
    assert text_of(ranked) == (
        "Error executing tool recommend_models: harness needs an API key (OpenRouter's session costs are keyed): "
        "set OPENROUTER_API_KEY in the MCP server's environment; without harness, models are ranked by the cost "
        "of a request"
    )
    assert team.is_error
    assert "send your OpenRouter API key in the X-OpenRouter-API-Key header" in text_of(team)
    assert structured(estimate)["legend"].endswith(" no session costs (no API key).")
    assert text_of(estimate).endswith("; no session costs (no API key).")
    said = "no session costs (harness needs an API key: set OPENROUTER_API_KEY in the MCP server's environment)."
    assert structured(named)["legend"].endswith(said)
    assert text_of(named).endswith(said)
    assert dataset_requests(upstream) == []


# -- estimate_cost --------------------------------------------------------------------------


@pytest.mark.parametrize("harness", [None, "hermes-agent"])
async def test_estimate_cost_adds_the_measured_session_in_both_channels(
    client: Client, upstream: FakeOpenRouter, harness: str | None
) -> None:
    cells, slugs = cells_of(upstream), permaslugs(upstream)
    measured = [r["id"] for r in text_models(upstream) if ("hermes-agent", slugs[r["id"]], "10-49-turns") in cells]
    ids = [*measured[:3], "openai/gpt-4o", "openrouter/auto"]
    arguments: dict[str, Any] = {"ids": ids, "input_tokens": 1000, "output_tokens": 100}
    if harness is not None:
        arguments["harness"] = harness
    result = await call(client, "estimate_cost", arguments)
    answer = structured(result)
    text = text_of(result)

    app = harness or default_harness(upstream, ids, "10-49-turns")
    lines = {line.split(": ")[0]: line for line in text.splitlines()[1:-1]}
    for row in answer["estimates"]:
        value = cells.get((app, slugs[row["id"]], "10-49-turns"))
        said = lines[row["id"]].rpartition("; usd_session ")
        if value is None:
            assert "usd_session" not in row, row["id"]
            assert not said[1], row["id"]
        else:
            assert Decimal(row["usd_session"]) == Decimal(said[2]) == value, row["id"]
    assert sum("usd_session" in row for row in answer["estimates"]) >= 1
    assert "median USD of a 10-49-turn session in " in answer["legend"]
    assert answer["legend"].endswith(CITATION)
    assert text.splitlines()[-1].endswith(CITATION)
    assert f"(harness: {app}" in text.splitlines()[-1]


async def test_estimate_cost_names_an_unknown_harness_and_says_when_none_is_measured(
    client: Client, upstream: FakeOpenRouter
) -> None:
    unknown = await call(client, "estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": 1, "harness": "kilo"})
    none = structured(
        await call(client, "estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": 1, "harness": "kilo-code"})
    )

    assert ("kilo-code", permaslugs(upstream)["openai/gpt-4o"], "10-49-turns") not in cells_of(upstream)
    assert unknown.is_error
    assert "unknown harness 'kilo': try kilo-code" in text_of(unknown)
    assert none["legend"].endswith("none of these models has a measured 10-49-turn session in Kilo Code.")
    assert "usd_session" not in none["estimates"][0]


async def test_a_model_without_a_permaslug_is_looked_up_by_its_id(upstream: FakeOpenRouter) -> None:
    record = next(r for r in upstream.models if r["id"] == "openai/gpt-4o")
    record.pop("canonical_slug", None)
    cells = upstream.session_cells()
    upstream.session_cost_cells = [
        *cells,
        {
            "app_slug": "cline",
            "app_name": "Cline",
            "model_permaslug": "openai/gpt-4o",
            "turn_range": "10-49-turns",
            "median_session_cost_usd": 3.25,
        },
    ]
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY))) as client:
        answer = structured(
            await call(client, "estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": 1, "harness": "cline"})
        )

    assert answer["estimates"][0]["usd_session"] == "3.25"


# -- freshness, budget ----------------------------------------------------------------------


async def test_a_saved_copy_answers_labelled_stale_when_openrouter_is_down_or_offline(
    upstream: FakeOpenRouter, tmp_path: Path
) -> None:
    key = SecretStr(TEST_KEY)
    ask = {"task": "coding", "harness": "claude-code", "limit": 20}
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path)) as client:
        live = structured(await call(client, "recommend_models", ask))
    upstream.go_down()
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path)) as client:
        down = await call(client, "recommend_models", ask)
        estimate = structured(
            await call(client, "estimate_cost", {"ids": ["x-ai/grok-4.6"], "input_tokens": 1, "harness": "claude-code"})
        )
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path, offline=True)) as client:
        offline = structured(await call(client, "recommend_models", ask))
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path / "empty")) as client:
        nothing = await call(client, "recommend_models", ask)
        unlabelled = structured(await call(client, "estimate_cost", {"ids": ["x-ai/grok-4.6"], "input_tokens": 1}))

    assert structured(down)["rows"] == live["rows"] == offline["rows"]  # the session costs saved by the first run
    stale = sessions(structured(down))
    assert stale.startswith(sessions(live).removesuffix(f"; {CITATION}") + " (STALE: from ")
    assert stale.endswith(CITATION)
    assert stale in text_of(down)
    assert "(STALE: from " in estimate["legend"]
    assert "(STALE: from " in sessions(offline)
    assert nothing.is_error
    assert "OpenRouter" in text_of(nothing)
    assert unlabelled["legend"].endswith(" no session costs (OpenRouter unavailable).")
    assert len(list(tmp_path.glob("dataset-*.json"))) >= 1


async def test_answering_from_the_saved_copy_again_and_again_warns_of_its_drift_once(
    upstream: FakeOpenRouter, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """While OpenRouter is down every call answers from the saved copy; its skipped cells are said
    when it is first read, not at every call (each re-read parsed it again, and warned again)."""
    key = SecretStr(TEST_KEY)
    ask = {"task": "coding", "harness": "claude-code"}
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path)) as client:
        assert not (await call(client, "recommend_models", ask)).is_error
    upstream.go_down()
    caplog.set_level(logging.WARNING)
    caplog.clear()
    async with Client(server_for(upstream, api_key=key, cache_dir=tmp_path)) as client:
        answers = [await call(client, "recommend_models", {**ask, "limit": n}) for n in (3, 4, 5)]
    assert all("(STALE: from " in text_of(a) for a in answers)
    drift = [r.getMessage() for r in caplog.records if "malformed session-cost" in r.getMessage()]
    assert len(drift) == 1, drift


async def test_one_fetch_pages_through_every_cell_each_page_counted_in_the_shared_budget(
    upstream: FakeOpenRouter,
) -> None:
    """1,100 cells: three pages, three requests of the datasets' 30 a minute; the rankings get the rest."""
    slugs = list(permaslugs(upstream).values())
    upstream.session_cost_cells = [
        {
            "app_name": f"App {n % 7}",
            "app_slug": f"app-{n % 7}",
            "median_session_cost_usd": n / 100,
            "model_permaslug": slugs[n % len(slugs)],
            "turn_range": list(RANGES)[n % 4],
        }
        for n in range(1_100)
    ]
    questions = [{"period": p, "modality": m} for p in ("day", "week", "month") for m in ("text", "image", "audio")]
    questions += [{"period": p, "context_bucket": b} for p in ("day", "week", "month") for b in ("1K", "10K", "1M")]
    questions += [{"period": p, "context_bucket": "10M"} for p in ("day", "week", "month")]
    questions += [{"period": p, "context_bucket": "100K"} for p in ("day", "week", "month")]
    questions += [{"period": p, "modality": "tool_calling"} for p in ("day", "week", "month")]
    questions += [{"period": p} for p in ("day", "week", "month")]
    async with Client(server_for(upstream, clock=Clock(), api_key=SecretStr(TEST_KEY), answer_timeout=600)) as client:
        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                for _ in range(10):  # at once: one flight
                    group.start_soon(call, client, "estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": 1})
        answers = [await call(client, "list_model_rankings", q) for q in questions]

    pages = dataset_requests(upstream)
    assert [r.url.params.get("offset", "0") for r in pages] == ["0", "500", "1000"]
    assert len(questions) == 30
    assert len([r for r in upstream.requests if r.url.path in DATASETS]) == 30
    assert sum(a.is_error and "the next request may go in" in text_of(a) for a in answers) == len(pages)


async def test_pages_stop_at_the_bound_and_the_answer_says_the_cells_are_the_first_only(
    upstream: FakeOpenRouter,
) -> None:
    slug = permaslugs(upstream)["x-ai/grok-4.6"]
    upstream.session_cost_cells = [
        {"app_slug": f"app-{n}", "model_permaslug": slug, "turn_range": "10-49-turns", "median_session_cost_usd": n}
        for n in range(SESSION_COST_LIMIT * SESSION_COST_PAGES + 10)
    ]
    async with Client(server_for(upstream, api_key=SecretStr(TEST_KEY))) as client:
        answer = structured(await call(client, "estimate_cost", {"ids": ["x-ai/grok-4.6"], "input_tokens": 1}))

    assert len(dataset_requests(upstream)) == SESSION_COST_PAGES
    assert f"; of the first {SESSION_COST_LIMIT * SESSION_COST_PAGES} cells)" in answer["legend"]


async def test_a_rate_limit_on_the_dataset_is_said_and_never_retried(client: Client, upstream: FakeOpenRouter) -> None:
    upstream.answer_with("/datasets/session-cost", 429, {"error": {"code": 429, "message": "slow down"}})

    estimate = structured(await call(client, "estimate_cost", {"ids": ["openai/gpt-4o"], "input_tokens": 1}))
    ranked = await call(client, "recommend_models", {"harness": "claude-code"})

    assert estimate["legend"].endswith(" no session costs (rate-limited).")
    assert ranked.is_error
    assert "OpenRouter" in text_of(ranked)
    assert len(dataset_requests(upstream)) == 1
