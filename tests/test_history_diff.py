"""The catalog history (issue 19): :func:`diff` over the real snapshots and synthetic records, and
the bundled seed.

The expectations over the real snapshots are computed here from the raw records, with simpler code
than ``diff`` (sets of IDs, ``Decimal`` comparisons), so a wrong rule in ``diff`` shows up.
"""

import gzip
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from mcp_server_openrouter.history.events import KINDS, Event, author, diff, normalise_price, same_price
from mcp_server_openrouter.history.seed import load_seed

from .fake_upstream import load_snapshot

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "src" / "mcp_server_openrouter" / "data" / "history-seed.json.gz"
CATALOG_SNAPSHOT = ROOT / "src" / "mcp_server_openrouter" / "data" / "catalog-snapshot.json.gz"

STEPS = (
    "models-pydantic-llm-tester-2025-05-22.json.gz",
    "models-obsidian-openchat-2025-11-10.json.gz",
    "models-openrouter-free-api-2026-01-28.json.gz",
    "models-aiscanner-2026-05-12.json.gz",
    "models-unified-llm-pricing-text-2026-08-18.json.gz",
)
PAIRS = list(pairwise(STEPS))

# Pricing keys that changed meaning when ``expiration_date`` appeared (late 2025): not compared
# across that step. ``overrides`` (tiers) and ``discount`` are never compared.
MEANING_CHANGED = {"image", "internal_reasoning", "audio", "input_cache_write"}
NOT_PRICES = {"overrides", "discount"}
PLAIN_DECIMAL = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$")

T0 = datetime(2026, 8, 18, tzinfo=UTC)
T1 = datetime(2026, 8, 19, 12, 30, tzinfo=UTC)


def day_of(name: str) -> datetime:
    day = date.fromisoformat(name.removesuffix(".json.gz")[-10:])
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def carried(records: list[dict[str, Any]], field: str) -> bool:
    return any(field in r for r in records)


def price_keys(records: list[dict[str, Any]]) -> set[str]:
    return {k for r in records for k in r["pricing"]} - NOT_PRICES


def slug(record: dict[str, Any]) -> str | None:
    target = record.get("alias_target")
    return None if target is None else target["slug"]


def expected_events(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """What changed, computed the plain way (real records have no junk). Prices as Decimals."""
    was = {r["id"]: r for r in old}
    now = {r["id"]: r for r in new}
    expected: set[tuple[Any, ...]] = set()
    expected |= {(i, "added", None, None, now[i]["name"]) for i in now.keys() - was.keys()}
    expected |= {(i, "removed", None, was[i]["name"], None) for i in was.keys() - now.keys()}
    keys = price_keys(old) & price_keys(new)
    if carried(old, "expiration_date") != carried(new, "expiration_date"):
        keys -= MEANING_CHANGED
    for i in was.keys() & now.keys():
        a, b = was[i], now[i]
        for key in keys:
            x = Decimal(a["pricing"].get(key, "0"))
            y = Decimal(b["pricing"].get(key, "0"))
            if abs(x - y) > max(abs(x), abs(y)) * Decimal("1e-14"):
                expected.add((i, "price", key, x, y))
        if a["context_length"] != b["context_length"]:
            expected.add((i, "context", None, str(a["context_length"]), str(b["context_length"])))
        x_out = a["top_provider"]["max_completion_tokens"]
        y_out = b["top_provider"]["max_completion_tokens"]
        if x_out != y_out:
            expected.add((i, "max_output", None, x_out and str(x_out), y_out and str(y_out)))
        x_params, y_params = set(a["supported_parameters"]), set(b["supported_parameters"])
        expected |= {(i, "capability", p, "yes", "no") for p in x_params - y_params}
        expected |= {(i, "capability", p, "no", "yes") for p in y_params - x_params}
        if carried(old, "expiration_date") and carried(new, "expiration_date"):
            x_exp, y_exp = a.get("expiration_date"), b.get("expiration_date")
            if x_exp != y_exp:
                expected.add((i, "expiration", None, x_exp, y_exp))
        if carried(old, "alias_target") and carried(new, "alias_target"):
            x_alias, y_alias = slug(a), slug(b)
            if x_alias != y_alias:
                expected.add((i, "alias", None, x_alias, y_alias))
    return expected


def as_tuple(event: Event) -> tuple[Any, ...]:
    if event.kind == "price":
        assert event.before is not None
        assert event.after is not None
        return (event.model_id, "price", event.field, Decimal(event.before), Decimal(event.after))
    return (event.model_id, event.kind, event.field, event.before, event.after)


def sort_key(event: Event) -> tuple[str, int, str]:
    return (event.model_id, KINDS.index(event.kind), event.field or "")


@pytest.mark.parametrize(("older", "newer"), PAIRS, ids=[f"{a[-18:-8]}..{b[-18:-8]}" for a, b in PAIRS])
def test_each_real_step_finds_what_changed_and_nothing_else(older: str, newer: str) -> None:
    old, new = load_snapshot(older), load_snapshot(newer)

    events = diff(old, new, since=day_of(older), seen_at=day_of(newer))

    assert {as_tuple(e) for e in events} == expected_events(old, new)
    assert len(events) == len({(e.model_id, e.kind, e.field) for e in events})  # one event per change
    assert events == sorted(events, key=sort_key)
    assert all((e.since, e.seen_at) == (day_of(older), day_of(newer)) for e in events)
    for e in events:
        if e.kind == "price":
            assert PLAIN_DECIMAL.match(e.before or ""), e
            assert PLAIN_DECIMAL.match(e.after or ""), e
    kinds = Counter(e.kind for e in events)
    assert {"added", "removed", "price", "context", "max_output", "capability"} <= kinds.keys()


def test_the_real_steps_rule_out_schema_drift() -> None:
    may, aug = load_snapshot(STEPS[3]), load_snapshot(STEPS[4])
    nov, jan = load_snapshot(STEPS[1]), load_snapshot(STEPS[2])

    # 2025-11 -> 2026-01: zero prices dropped from the records, expiration_date added, and `image`
    # went from per image to per image token: none of that is a change to a model.
    step = diff(nov, jan, since=T0, seen_at=T1)
    assert not [e for e in step if e.kind == "expiration"]
    assert not [e for e in step if e.kind == "price" and e.field in MEANING_CHANGED]
    # 2026-05 -> 2026-08: new pricing keys and alias_target appear; a float re-rounded is one price.
    step = diff(may, aug, since=T0, seen_at=T1)
    fields = {e.field for e in step if e.kind == "price"}
    assert not fields & {"input_cache_write_1h", "image_token", "image_output", "audio_output", "input_audio_cache"}
    assert not [e for e in step if e.kind == "alias"]
    assert not [e for e in step if e.before == "0.00000008333333333333334" and e.after == "0.0000000833333333333333"]
    assert {(e.model_id, e.before, e.after) for e in step if e.kind == "expiration"} >= {
        ("z-ai/glm-5-turbo", None, "2098-12-31")
    }


# --- Synthetic records --------------------------------------------------------------------------


def model(model_id: str = "acme/one", **fields: Any) -> dict[str, Any]:
    """A 2026-shaped record; ``fields`` replace its top-level fields."""
    record: dict[str, Any] = {
        "id": model_id,
        "name": f"Acme: {model_id}",
        "context_length": 128000,
        "pricing": {"prompt": "0.000003", "completion": "0.000015"},
        "top_provider": {"context_length": 128000, "max_completion_tokens": 8192, "is_moderated": False},
        "supported_parameters": ["max_tokens", "temperature"],
        "expiration_date": None,
    }
    record.update(fields)
    return record


def changes(old: list[Any], new: list[Any]) -> list[tuple[Any, ...]]:
    return [(e.model_id, e.kind, e.field, e.before, e.after) for e in diff(old, new, since=T0, seen_at=T1)]


def test_added_and_removed_carry_the_name_and_the_times() -> None:
    (removed, added) = diff([model("a/old")], [model("b/new", name=None)], since=T0, seen_at=T1)

    assert added == Event("b/new", "added", None, None, None, T0, T1)
    assert removed == Event("a/old", "removed", None, "Acme: a/old", None, T0, T1)


def test_an_unchanged_catalog_has_no_events() -> None:
    assert changes([model(), model("x/y")], [model("x/y"), model()]) == []
    assert changes([], []) == []


@pytest.mark.parametrize(
    ("before", "after", "event"),
    [
        ({"prompt": "0.000003"}, {"prompt": "0"}, ("prompt", "0.000003", "0")),  # newly free
        ({"prompt": "0.000003"}, {"prompt": "-1"}, ("prompt", "0.000003", "-1")),  # variable (router)
        ({"prompt": "-1"}, {"prompt": "0.0000005"}, ("prompt", "-1", "0.0000005")),
        ({"prompt": "0.0000030000000000000000000"}, {"prompt": "0.0000040"}, ("prompt", "0.000003", "0.000004")),
        ({"input_cache_read": "0.0000003"}, {}, ("input_cache_read", "0.0000003", "0")),  # omitted: zero
        ({}, {"input_cache_read": "3E-7"}, ("input_cache_read", "0", "0.0000003")),
        ({"web_search": "0.01"}, {"web_search": "0.005"}, ("web_search", "0.01", "0.005")),
    ],
)
def test_a_price_change_is_one_exact_event_per_key(
    before: dict[str, str], after: dict[str, str], event: tuple[str, str, str]
) -> None:
    catalog = [
        model("other/one", pricing={"prompt": "1", "completion": "1", "input_cache_read": "1", "web_search": "1"})
    ]
    old = model(pricing={"completion": "0.000015", "prompt": "0.000003", **before})
    new = model(pricing={"completion": "0.000015", "prompt": "0.000003", **after})

    assert changes([old, *catalog], [new, *catalog]) == [("acme/one", "price", *event)]


def test_prices_are_compared_as_numbers_and_junk_is_skipped() -> None:
    catalog = [model("other/one", pricing={"prompt": "1", "completion": "1", "image": "1", "request": "1"})]
    old = model(pricing={"prompt": "0.0000030000000000000000000", "completion": "abc", "image": "1", "request": "2"})
    new = model(pricing={"prompt": "0.000003", "completion": "0.00002", "image": None, "request": [1]})
    assert changes([old, *catalog], [new, *catalog]) == []

    old = model(pricing={"prompt": 0.000003, "completion": "NaN", "image": "Infinity", "request": True})
    new = model(pricing={"prompt": "0.000003", "completion": "1", "image": "1", "request": "1"})
    assert changes([old, *catalog], [new, *catalog]) == []

    # One price re-rounded by a binary float is not a change; a real move of the same size is.
    old = model(pricing={"prompt": "0.00000008333333333333334", "completion": "0.0000000833"})
    new = model(pricing={"prompt": "0.0000000833333333333333", "completion": "0.0000000834"})
    assert changes([old], [new]) == [("acme/one", "price", "completion", "0.0000000833", "0.0000000834")]


def test_tiers_discounts_and_records_without_prices_give_no_price_event() -> None:
    old = [
        model(pricing={"prompt": "1", "completion": "1", "overrides": [{"min_prompt_tokens": 1, "prompt": "2"}]}),
        model("b/b", pricing={"prompt": "1", "completion": "1", "discount": 0.1}),
        model("c/c", pricing=None),
        model("d/d", pricing="junk"),
    ]
    new = [
        model(pricing={"prompt": "1", "completion": "1", "overrides": []}),
        model("b/b", pricing={"prompt": "1", "completion": "1", "discount": 0.5}),
        model("c/c"),
        model("d/d"),
    ]
    assert changes(old, new) == []


def test_catalogs_without_comparable_prices_still_diff_the_rest() -> None:
    old = [model(pricing={"overrides": []}, context_length=1)]
    new = [model(pricing={"prompt": "1", "overrides": []}, context_length=2)]
    assert changes(old, new) == [("acme/one", "context", None, "1", "2")]


def test_a_pricing_key_only_one_catalog_carries_gives_no_event() -> None:
    # The 2026-08 schema adds keys: a model priced for them did not change.
    old = [model(), model("b/b")]
    new = [
        model(pricing={"prompt": "0.000003", "completion": "0.000015", "input_cache_write_1h": "0.000006"}),
        model("b/b"),
    ]
    assert changes(old, new) == []
    assert changes(new, old) == []


def test_keys_that_changed_meaning_compare_only_within_one_schema() -> None:
    def record(image: str, *, schema_2026: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {"pricing": {"prompt": "0.000003", "completion": "0.000015", "image": image}}
        return model(**fields) if schema_2026 else {k: v for k, v in model(**fields).items() if k != "expiration_date"}

    per_image, per_token = record("0.0048", schema_2026=False), record("0.000003", schema_2026=True)
    assert changes([per_image], [per_token]) == []
    assert changes([per_image], [record("0.0024", schema_2026=False)]) == [
        ("acme/one", "price", "image", "0.0048", "0.0024")
    ]
    assert changes([per_token], [record("0.000002", schema_2026=True)]) == [
        ("acme/one", "price", "image", "0.000003", "0.000002")
    ]


def test_context_and_max_output() -> None:
    top = {"context_length": 1, "is_moderated": False}
    old = [
        model(),
        model("b/b", top_provider={**top, "max_completion_tokens": None}),
        model("c/c", top_provider={**top, "max_completion_tokens": 4096}),
        model("d/d", top_provider=None),
        model("e/e", context_length="junk", top_provider="junk"),
    ]
    new = [
        model(context_length=200000),
        model("b/b", top_provider={**top, "max_completion_tokens": 16384}),
        model("c/c", top_provider=top),
        model("d/d"),
        model("e/e", context_length=1, top_provider={**top, "max_completion_tokens": True}),
    ]
    assert changes(old, new) == [
        ("acme/one", "context", None, "128000", "200000"),
        ("b/b", "max_output", None, None, "16384"),
        ("c/c", "max_output", None, "4096", None),
        ("d/d", "max_output", None, None, "8192"),
    ]


def test_capabilities_gained_and_lost() -> None:
    old = [model(supported_parameters=["tools", "temperature", "seed"]), model("b/b", supported_parameters=None)]
    new = [model(supported_parameters=["temperature", "seed", "reasoning", "tool_choice", 7]), model("b/b")]
    assert changes(old, new) == [
        ("acme/one", "capability", "reasoning", "no", "yes"),
        ("acme/one", "capability", "tool_choice", "no", "yes"),
        ("acme/one", "capability", "tools", "yes", "no"),
    ]
    new = [model(supported_parameters=["temperature", "seed", "reasoning", "tool_choice", [], {}]), model("b/b")]
    assert changes(old, new) == [
        ("acme/one", "capability", "reasoning", "no", "yes"),
        ("acme/one", "capability", "tool_choice", "no", "yes"),
        ("acme/one", "capability", "tools", "yes", "no"),
    ]


def test_a_junk_parameter_is_no_capability() -> None:
    assert changes([model(supported_parameters=["seed", 7, None])], [model(supported_parameters=["seed"])]) == []


def test_expiration_set_moved_and_cleared() -> None:
    old = [model("a/a"), model("b/b", expiration_date="2026-09-01"), model("c/c", expiration_date="2026-09-01")]
    new = [
        model("a/a", expiration_date="2026-10-01"),
        model("b/b", expiration_date="2026-12-31"),
        {k: v for k, v in model("c/c").items() if k != "expiration_date"},  # missing: none
    ]
    assert changes(old, new) == [
        ("a/a", "expiration", None, None, "2026-10-01"),
        ("b/b", "expiration", None, "2026-09-01", "2026-12-31"),
        ("c/c", "expiration", None, "2026-09-01", None),
    ]
    assert changes(old[:1], [model("a/a", expiration_date=20261001)]) == []  # junk: no event
    # Before 2026-01 no record had the field: no model "gained" an expiration.
    older = [{k: v for k, v in r.items() if k != "expiration_date"} for r in old]
    assert changes(older, new) == []


def test_alias_retargeted() -> None:
    def alias(slug: str | None) -> dict[str, Any]:
        return model("~acme/latest", alias_target=None if slug is None else {"name": slug, "slug": slug})

    assert changes([alias("acme/one-1"), model()], [alias("acme/one-2"), model()]) == [
        ("~acme/latest", "alias", None, "acme/one-1", "acme/one-2")
    ]
    assert changes([alias(None)], [alias("acme/one-2")]) == [("~acme/latest", "alias", None, None, "acme/one-2")]
    # 2026-05 had alias IDs but no alias_target: no event when it first appears.
    assert changes([model("~acme/latest")], [alias("acme/one-2")]) == []
    for junk in ({"name": "x"}, "acme/one-3"):
        assert changes([alias("acme/one-1")], [model("~acme/latest", alias_target=junk)]) == []


def test_junk_records_are_skipped() -> None:
    old: list[Any] = [None, 1, "acme/one", [], {}, {"id": 7}, {"id": ""}, model(), model("b/b")]
    new: list[Any] = [{"name": "no id"}, model(), model("b/b"), model("b/b", context_length=1)]
    assert changes(old, new) == []  # of two records with one ID, the first counts
    assert changes([MappingProxyType(model())], [MappingProxyType(model(context_length=1))]) == [
        ("acme/one", "context", None, "128000", "1")
    ]
    assert changes([model(), {"id": "x/y", "pricing": 5, "context_length": None}], [model()]) == [
        ("x/y", "removed", None, None, None)
    ]


def test_events_come_in_a_fixed_order() -> None:
    old = [model("b/b"), model("a/a", supported_parameters=["seed", "tools"]), model("c/c")]
    new = [
        model("a/a", context_length=1, pricing={"prompt": "1", "completion": "2"}, supported_parameters=["stop"]),
        model("b/b", expiration_date="2027-01-01"),
        model("0/new"),
    ]
    kinds = [(e.model_id, e.kind, e.field) for e in diff(old, new, since=T0, seen_at=T1)]
    assert kinds == [
        ("0/new", "added", None),
        ("a/a", "price", "completion"),
        ("a/a", "price", "prompt"),
        ("a/a", "context", None),
        ("a/a", "capability", "seed"),
        ("a/a", "capability", "stop"),
        ("a/a", "capability", "tools"),
        ("b/b", "expiration", None),
        ("c/c", "removed", None),
    ]


@pytest.mark.parametrize(
    ("raw", "exact"),
    [
        ("0.0000030000000000000000000", "0.000003"),
        ("0", "0"),
        ("0.000", "0"),
        ("-0", "0"),
        ("-1", "-1"),
        ("10", "10"),
        ("1E+1", "10"),
        ("1e-7", "0.0000001"),
        (" 0.5 ", "0.5"),
        (2, "2"),
        (0.25, "0.25"),
        ("abc", None),
        ("NaN", None),
        ("1e999999999", None),
        ("1e-65", None),
        ("1e-64", "0." + "0" * 63 + "1"),
        ("-Infinity", None),
        ("", None),
        (None, None),
        (True, None),
        ([], None),
    ],
)
def test_normalise_price(raw: object, exact: str | None) -> None:
    assert normalise_price(raw) == exact


def test_author() -> None:
    assert [author(i) for i in ("openai/gpt-5", "~anthropic/claude-latest", "openrouter")] == [
        "openai",
        "anthropic",
        "openrouter",
    ]


def test_same_price() -> None:
    assert same_price("0", "0")
    assert same_price("0.00000008333333333333334", "0.0000000833333333333333")
    assert not same_price("0", "0.0000000000000000001")
    assert not same_price("0.000003", "0.0000030001")
    assert not same_price("-1", "1")


# --- The bundled seed ---------------------------------------------------------------------------


def test_the_seed_is_what_the_script_makes_now(tmp_path: Path) -> None:
    out = tmp_path / "seed.json.gz"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_history_seed.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"{len(out.read_bytes()):,} bytes" in done.stdout
    assert out.read_bytes() == SEED.read_bytes(), "stale seed: run python scripts/build_history_seed.py"


def test_the_seed_is_small_and_dated() -> None:
    blob = SEED.read_bytes()
    payload = json.loads(gzip.decompress(blob))

    assert len(blob) <= 300_000
    assert payload["version"] == 1
    assert payload["snapshots"] == [
        {"date": day_of(name).date().isoformat(), "models": len(load_snapshot(name)), "source": source}
        for name, source in zip(
            STEPS,
            [
                "madviking/pydantic-llm-tester",
                "ItsDalk-Lane/obsidian-openchat",
                "Xiechengqi/openrouter-free-api",
                "sinkers/aiscanner",
                "anuran-roy/unified-llm-pricing",
            ],
            strict=True,
        )
    ]
    assert [e[:2] for e in payload["events"]] == sorted(e[:2] for e in payload["events"])  # oldest first


def test_load_seed_round_trips_the_diffs_of_the_snapshots() -> None:
    seed = load_seed()

    expected: list[Event] = []
    for older, newer in PAIRS:
        expected += diff(load_snapshot(older), load_snapshot(newer), since=day_of(older), seen_at=day_of(newer))
    assert seed.events == expected
    assert seed.snapshots == [day_of(name).date() for name in STEPS]
    assert all(e.since.tzinfo is UTC and e.seen_at.tzinfo is UTC for e in seed.events)
    snapshot = json.loads(gzip.decompress(CATALOG_SNAPSHOT.read_bytes()))
    assert seed.base == snapshot["data"]
    assert seed.base_at == datetime(2026, 8, 18, tzinfo=UTC)
    assert load_seed() is seed  # read once
