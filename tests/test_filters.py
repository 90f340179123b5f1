"""Every ``GET /models`` filter of the spec: sent upstream as documented, checked, run offline with
the upstream's meaning where the records allow, refused by name where they do not, and quality
shown where it was asked about."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import pytest
from mcp import Client

from mcp_server_openrouter.catalog.offline import load_snapshot
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server
from mcp_server_openrouter.tools.arguments import FILTERS
from mcp_server_openrouter.tools.schema import brief

from .fake_upstream import FakeOpenRouter
from .helpers import call, ids_of, priced_per_token, rows_of, structured, text_of

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 1, tzinfo=UTC)
MILLION = Decimal(1_000_000)
INDEX_NAMES = ("intelligence", "coding", "agentic")

SENT: list[tuple[dict[str, Any], dict[str, str]]] = [
    ({"min_price": 0.5}, {"min_price": "0.5"}),
    ({"max_price": 2}, {"max_price": "2"}),
    ({"min_output_price": 1, "max_output_price": 12.5}, {"min_output_price": "1", "max_output_price": "12.5"}),
    ({"arch": " Claude "}, {"arch": "Claude"}),
    ({"providers": ["Together", "DeepInfra", "Together"]}, {"providers": "DeepInfra,Together"}),
    ({"providers": "DeepInfra,Together"}, {"providers": "DeepInfra,Together"}),
    ({"distillable": True}, {"distillable": "true"}),
    ({"distillable": False}, {"distillable": "false"}),
    ({"zdr": True}, {"zdr": "true"}),
    ({"zdr": False}, {}),  # the spec has only "true": false means "no constraint"
    ({"region": "eu"}, {"region": "eu"}),
    ({"min_age_days": 7, "max_age_days": 90}, {"min_age_days": "7", "max_age_days": "90"}),
    *(
        ({f"min_{n}_index": 40, f"max_{n}_index": 70.5}, {f"min_{n}_index": "40", f"max_{n}_index": "70.5"})
        for n in INDEX_NAMES
    ),
    (
        {"min_tool_success_rate": 0.9, "max_tool_success_rate": 1},
        {"min_tool_success_rate": "0.9", "max_tool_success_rate": "1"},
    ),
    ({"min_context": 128000}, {"context": "128000"}),
    ({"sort": "coding-high-to-low"}, {"sort": "coding-high-to-low"}),
]


@pytest.mark.parametrize(("arguments", "expected"), SENT, ids=[",".join(a) + f"-{i}" for i, (a, _) in enumerate(SENT)])
@pytest.mark.parametrize("tool", ["list_models", "count_models"])
async def test_each_filter_reaches_the_upstream_as_the_spec_says(
    client: Client, upstream: FakeOpenRouter, tool: str, arguments: dict[str, Any], expected: dict[str, str]
) -> None:
    if tool == "count_models" and "sort" in arguments:
        pytest.skip("count_models has no sort")
    result = await call(client, tool, arguments)

    assert not result.is_error, text_of(result)
    # the catalog's request (zdr also fetches /endpoints/zdr beside it, media pages their prices)
    catalog = next(i for i, path in enumerate(upstream.paths) if path.startswith("/api/v1/models"))
    assert upstream.params(catalog) == expected


@pytest.mark.parametrize("tool", ["list_models", "count_models"])
async def test_providers_named_by_slug_or_tag_are_sent_by_name(
    client: Client, upstream: FakeOpenRouter, tool: str
) -> None:
    # The filter takes names (spec: "OpenAI,Anthropic"); list_model_endpoints shows tags.
    arguments = {"providers": ["deepinfra/fp8", "OPENAI", "openai", "Together"]}
    result = await call(client, tool, arguments)

    assert not result.is_error, text_of(result)
    assert upstream.paths == ["/api/v1/providers", "/api/v1/models"]
    assert upstream.params() == {"providers": "DeepInfra,OpenAI,Together"}  # unknown ones as given


async def test_providers_are_sent_as_given_when_the_provider_list_cannot_be_had(
    client: Client, upstream: FakeOpenRouter
) -> None:
    upstream.answer_with("/providers", 404, {"error": {"code": 404, "message": "Not Found"}})
    result = await call(client, "list_models", {"providers": ["deepinfra"]})

    assert not result.is_error, text_of(result)
    assert upstream.params() == {"providers": "deepinfra"}


def test_the_sent_cases_cover_every_filter() -> None:
    covered = {name for arguments, _ in SENT for name in arguments}
    assert set(FILTERS) - covered <= {
        "supported_parameters",
        "input_modalities",
        "output_modalities",
        "model_authors",
        "q",
        "category",
    }


async def test_both_tools_publish_the_same_filters(client: Client) -> None:
    tools = {t.name: t.input_schema["properties"] for t in (await client.list_tools()).tools}

    assert set(tools["count_models"]) == set(FILTERS)
    for name, schema in tools["count_models"].items():
        full = tools["list_models"][name]
        described = tools["list_models"].get(name.replace("min_", "max_", 1), {}).get("description")
        assert full.get("description") or described or "enum" in full, name  # count_models points there
        assert schema == brief(tools["list_models"][name]), name  # its type; the server checks the rest


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"region": "asia"}, "region: Input should be 'eu' or 'us' (got 'asia')"),
        ({"min_price": 5, "max_price": 1}, "min_price (5) is greater than max_price (1): no model can match"),
        ({"min_output_price": 3, "max_output_price": 2}, "min_output_price (3) is greater than max_output_price (2)"),
        ({"min_age_days": 30, "max_age_days": 7}, "min_age_days (30) is greater than max_age_days (7)"),
        (
            {"min_coding_index": 80, "max_coding_index": 20},
            "min_coding_index (80) is greater than max_coding_index (20)",
        ),
        ({"min_tool_success_rate": 0.9, "max_tool_success_rate": 0.5}, "min_tool_success_rate (0.9) is greater"),
        ({"min_tool_success_rate": 90}, "min_tool_success_rate: Input should be less than or equal to 1 (got 90)"),
        ({"max_age_days": -1}, "max_age_days: Input should be greater than or equal to 0 (got -1)"),
        ({"min_intelligence_index": -5}, "min_intelligence_index: Input should be greater than or equal to 0"),
        ({"distillable": "maybe"}, "distillable: Input should be a valid boolean"),
        ({"arch": "x" * 41}, "arch: String should have at most 40 characters"),
    ],
)
async def test_wrong_values_get_an_error_naming_the_argument_and_what_is_allowed(
    client: Client, upstream: FakeOpenRouter, arguments: dict[str, Any], says: str
) -> None:
    for tool in ("list_models", "count_models"):
        result = await call(client, tool, arguments)
        assert result.is_error
        assert says in text_of(result)
    assert upstream.requests == []


# -- offline: local semantics against expectations computed here from the raw records ------------


@pytest.fixture
async def offline() -> AsyncIterator[Client]:
    async with Client(create_server(Settings(offline=True), clock=lambda: NOW)) as session:
        yield session


RAW = [m.raw for m in load_snapshot().catalog.models]


def sub(record: dict[str, Any], key: str) -> dict[str, Any]:
    value = record.get(key)
    return cast(dict[str, Any], value) if isinstance(value, dict) else {}


def placements(raw: dict[str, Any]) -> list[dict[str, Any]]:
    value = sub(raw, "benchmarks").get("design_arena")
    return [cast(dict[str, Any], p) for p in cast(list[Any], value or []) if isinstance(p, dict)]


def price(raw: dict[str, Any], key: str) -> Decimal | None:
    value = sub(raw, "pricing").get(key)
    if value is None or not priced_per_token(raw):  # never compared with token prices
        return None
    number = Decimal(str(value))
    return None if number < 0 else number * MILLION


def index(raw: dict[str, Any], name: str) -> float | None:
    value = sub(sub(raw, "benchmarks"), "artificial_analysis").get(f"{name}_index")
    return float(value) if isinstance(value, int | float) else None


def best_elo(raw: dict[str, Any]) -> float | None:
    elos = [float(p["elo"]) for p in placements(raw) if isinstance(p.get("elo"), int | float)]
    return max(elos) if elos else None


def age(raw: dict[str, Any]) -> int | None:
    created = raw.get("created")
    return int((NOW.timestamp() - created) // 86_400) if isinstance(created, int) and created > 0 else None


def within(value: Decimal | float | int | None, low: float | None, high: float | None) -> bool:
    if value is None:
        return False
    return (low is None or value >= Decimal(str(low))) and (high is None or value <= Decimal(str(high)))


async def all_ids(client: Client, arguments: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = structured(
            await call(
                client, "list_models", {**arguments, "output_modalities": ["all"], "limit": 100, "offset": offset}
            )
        )
        ids += ids_of(page)
        offset = page.get("next_offset")
    return ids


Keep = Callable[[dict[str, Any]], bool]
Score = Callable[[dict[str, Any]], float | None]


def priced(key: str, low: float | None, high: float | None) -> Keep:
    return lambda r: within(price(r, key), low, high)


def aged(low: int | None, high: int | None) -> Keep:
    return lambda r: within(age(r), low, high)


def indexed(name: str, low: float | None, high: float | None) -> Keep:
    return lambda r: within(index(r, name), low, high)


LOCAL: list[tuple[dict[str, Any], Keep]] = [
    ({"min_price": 1}, priced("prompt", 1, None)),
    ({"min_price": 0.5, "max_price": 3}, priced("prompt", 0.5, 3)),
    ({"max_output_price": 2}, priced("completion", None, 2)),
    ({"min_output_price": 10, "max_output_price": 30}, priced("completion", 10, 30)),
    ({"min_age_days": 200}, aged(200, None)),
    ({"min_age_days": 100, "max_age_days": 150}, aged(100, 150)),
    *(({f"min_{n}_index": 50}, indexed(n, 50, None)) for n in INDEX_NAMES),
    *(({f"max_{n}_index": 30}, indexed(n, None, 30)) for n in INDEX_NAMES),
    (
        {"min_coding_index": 40, "max_intelligence_index": 50},
        lambda r: indexed("coding", 40, None)(r) and indexed("intelligence", None, 50)(r),
    ),
]


@pytest.mark.parametrize(("arguments", "keep"), LOCAL, ids=[",".join(a) for a, _ in LOCAL])
async def test_offline_filters_mean_what_the_upstream_means(
    offline: Client, arguments: dict[str, Any], keep: Keep
) -> None:
    expected = [r["id"] for r in RAW if keep(r)]

    assert expected  # the case selects something
    assert len(expected) < len(RAW)  # and leaves something out
    assert await all_ids(offline, arguments) == expected
    counted = structured(await call(offline, "count_models", {**arguments, "output_modalities": ["all"]}))
    assert counted["count"] == len(expected)


def by_index(name: str) -> Score:
    return lambda r: index(r, name)


@pytest.mark.parametrize(
    ("sort", "score"),
    [
        ("intelligence-high-to-low", by_index("intelligence")),
        ("coding-high-to-low", by_index("coding")),
        ("agentic-high-to-low", by_index("agentic")),
        ("design-arena-elo-high-to-low", best_elo),
    ],
)
async def test_offline_quality_sorts_put_the_best_first_and_the_unscored_last(
    offline: Client, sort: str, score: Score
) -> None:
    scored = sorted((r for r in RAW if score(r) is not None), key=lambda r: -(score(r) or 0))
    expected = [r["id"] for r in scored] + [r["id"] for r in RAW if score(r) is None]

    assert await all_ids(offline, {"sort": sort}) == expected


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"category": "programming"}, "the 'category' filter"),
        ({"arch": "Claude"}, "the 'arch' filter"),
        ({"providers": ["DeepInfra"]}, "the 'providers' filter"),
        ({"distillable": True}, "the 'distillable' filter"),
        ({"zdr": True}, "the 'zdr' filter"),
        ({"region": "eu"}, "the 'region' filter"),
        ({"min_tool_success_rate": 0.9}, "the 'min_tool_success_rate' filter"),
        ({"max_tool_success_rate": 0.5}, "the 'max_tool_success_rate' filter"),
        ({"sort": "most-popular"}, "sort='most-popular'"),
        ({"sort": "throughput-high-to-low"}, "sort='throughput-high-to-low'"),
        ({"sort": "latency-low-to-high"}, "sort='latency-low-to-high'"),
    ],
)
async def test_filters_the_records_cannot_answer_are_refused_offline_by_name(
    offline: Client, arguments: dict[str, Any], named: str
) -> None:
    result = await call(offline, "list_models", arguments)

    assert result.is_error
    assert f"{named} needs its live data" in text_of(result)


# -- quality is visible ---------------------------------------------------------------------------


async def test_a_list_sorted_by_an_index_shows_it_and_the_values_are_the_records(offline: Client) -> None:
    result = await call(
        offline, "list_models", {"sort": "coding-high-to-low", "output_modalities": ["all"], "limit": 100}
    )
    page = structured(result)
    raw = {r["id"]: r for r in RAW}

    assert page["columns"] == ["id", "context", "max_output", "usd_in", "usd_out", "coding", "flags"]
    description = {t.name: t.description or "" for t in (await offline.list_tools()).tools}["list_models"]
    assert "intelligence/coding/agentic (Artificial Analysis 0-100)" in description
    for record in rows_of(page):
        assert record["coding"] == index(raw[record["id"]], "coding")
    lines = text_of(result).splitlines()
    assert lines[1] == "Columns: id context max_output usd_in usd_out coding [flags]"
    first = rows_of(page)[0]
    assert lines[2].split(" ")[5] == f"{first['coding']:g}"


async def test_a_list_bounded_by_indices_shows_each_of_them(offline: Client) -> None:
    page = structured(
        await call(
            offline,
            "list_models",
            {"min_intelligence_index": 40, "max_agentic_index": 60, "output_modalities": ["all"]},
        )
    )
    assert page["columns"] == ["id", "context", "max_output", "usd_in", "usd_out", "intelligence", "agentic", "flags"]
    assert page["total"] > 0
    assert all(r["intelligence"] >= 40 and r["agentic"] <= 60 for r in rows_of(page))


async def test_an_unsorted_unbounded_list_shows_no_quality_column(client: Client) -> None:
    page = structured(await call(client, "list_models", {"sort": "newest"}))
    assert page["columns"] == ["id", "context", "max_output", "usd_in", "usd_out", "flags"]


async def test_get_model_shows_the_indices_and_the_best_arena_placements(client: Client) -> None:
    raw = next(r for r in RAW if index(r, "coding") is not None and placements(r))
    result = await call(client, "get_model", {"ids": [raw["id"]]})
    (model,) = structured(result)["models"]

    for name in INDEX_NAMES:
        assert model.get(name) == index(raw, name)
    best = sorted(placements(raw), key=lambda p: (p.get("rank") or 10**6, -(p.get("elo") or 0)))[:2]
    expected = ", ".join(
        ("" if p["arena"] == "models" else f"{p['arena']}/") + f"{p['category']} #{p['rank']} {p['elo']:g}"
        for p in best
    )
    assert model["arena"] == expected
    assert f"Design Arena best (category #rank Elo): {expected}" in text_of(result)
    assert "intelligence/coding/agentic: Artificial Analysis index" in structured(result)["legend"]
    assert "Artificial Analysis indices (0-100): intelligence" in text_of(result)
