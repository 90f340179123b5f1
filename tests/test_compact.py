"""Fidelity: every field a list row, table row or detail record shows equals the upstream value.

Runs over every model of all six real snapshots (2025-05 … 2026-08). Prices are checked exactly:
the shown number, read back as a Decimal, equals the upstream decimal string x 1,000,000.
"""

import json
from decimal import Decimal
from typing import Any

import pytest

from mcp_server_openrouter.openrouter import parse_model_list
from mcp_server_openrouter.render.compact import CAPABILITY_PARAMETERS, ROW_COLUMNS, row, table_row
from mcp_server_openrouter.render.detail import detail

from .fake_upstream import SNAPSHOTS, load_snapshot
from .helpers import priced_per_token

MILLION = Decimal(1_000_000)


def expected_price(record: dict[str, Any], key: str) -> Decimal | str | None:
    """The price a row must show, from the raw record: USD per 1M tokens, or, where OpenRouter's
    guides give another unit (speech: per character; transcription: unstated; media listed at 0
    that is no free variant: priced elsewhere), that unit's mark."""
    pricing: dict[str, Any] = record["pricing"]
    raw = pricing.get(key)
    architecture: dict[str, Any] = record.get("architecture") or {}
    outputs: set[str] = set(architecture.get("output_modalities") or [])
    if not priced_per_token(record) and not outputs & {"speech", "transcription"}:
        return "unlisted"
    if raw is None:
        return None
    value = Decimal(str(raw))
    if value < 0:
        return "variable"
    if value == 0:
        return Decimal(0)
    if "speech" in outputs:
        return f"{(value * MILLION).normalize():f}/Mchars" if key == "prompt" else f"{value.normalize():f}/?"
    if "transcription" in outputs:
        return f"{value.normalize():f}/?"
    return value * MILLION


def shown_price(value: Any) -> Decimal | str | None:
    if value is None or isinstance(value, str):
        return value
    return Decimal(str(value))  # what a JSON reader gets back from the number we sent


def expected_caps(params: list[str] | None) -> list[str] | None:
    params = params or []
    caps = [cap for cap, grants in CAPABILITY_PARAMETERS.items() if set(params) & grants]
    return caps or None


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_detail_records_equal_upstream_values_for_every_model(snapshot: str) -> None:
    raw_models = load_snapshot(snapshot)
    parsed = parse_model_list({"data": raw_models})
    assert parsed.skipped == 0

    for raw, model in zip(raw_models, parsed.models, strict=True):
        # Exactly what goes on the wire: dumped without nulls, through JSON text.
        record = json.loads(json.dumps(detail(model).model_dump(mode="json", exclude_none=True)))
        top: dict[str, Any] = raw.get("top_provider") or {}
        arch: dict[str, Any] = raw.get("architecture") or {}
        assert record["id"] == raw["id"]
        assert record.get("context") == (raw["context_length"] or None)
        assert record.get("max_output") == (top.get("max_completion_tokens") or None)
        kinds: set[str] = set(arch.get("output_modalities") or [])
        price = expected_price(raw, "prompt")
        if not kinds & {"speech", "transcription"} and price != "unlisted":
            assert shown_price(record.get("usd_in")) == price, raw["id"]
            assert shown_price(record.get("usd_out")) == expected_price(raw, "completion"), raw["id"]
        else:  # not per token: said in words, never as a token price
            assert "usd_in" not in record, raw["id"]
            assert record["price"], raw["id"]
        inputs: list[str] = arch.get("input_modalities") or []
        outputs: list[str] = arch.get("output_modalities") or []
        shown_inputs, shown_outputs = record.get("modalities", "text>text").split(">")
        assert set(shown_inputs.split("+")) == set(inputs or ["text"])
        assert set(shown_outputs.split("+")) == set(outputs or ["text"])
        assert record.get("caps") == (",".join(expected_caps(raw.get("supported_parameters")) or []) or None)
        assert record.get("expires") == raw.get("expiration_date")
        assert all(value not in (None, "", [], {}) for value in record.values())


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_table_rows_equal_upstream_values_for_every_model(snapshot: str) -> None:
    raw_models = load_snapshot(snapshot)
    parsed = parse_model_list({"data": raw_models})

    for raw, model in zip(raw_models, parsed.models, strict=True):
        cells = table_row(model).split(" ")
        model_id, context, max_output, usd_in, usd_out, *rest = cells
        assert model_id == raw["id"]
        assert context == (str(raw["context_length"]) if raw["context_length"] else "-")
        top: dict[str, Any] = raw.get("top_provider") or {}
        max_completion: int | None = top.get("max_completion_tokens")
        if max_output == "=":  # the same as the context, one token instead of two or three
            assert max_completion == raw["context_length"] > 0
        else:
            assert max_output == (str(max_completion) if max_completion else "-")
        for cell, key in ((usd_in, "prompt"), (usd_out, "completion")):
            assert not cell.startswith("0.")  # ".45": the leading 0 costs a token
            expected = expected_price(raw, key)
            if isinstance(expected, str):
                assert cell == expected.removeprefix("0"), raw["id"]
                continue
            assert (cell if cell in ("variable", "-") else Decimal(cell)) == (expected if expected is not None else "-")
            assert not cell.startswith("-") or cell == "-"
            assert "E" not in cell
        expiry = raw.get("expiration_date")
        assert (f"exp={expiry}" in rest) == bool(expiry)
        caps_cell = next((c for c in rest if c.isupper()), "")
        caps = expected_caps(raw.get("supported_parameters")) or []
        assert ("T" in caps_cell) == ("tools" in caps)
        assert ("R" in caps_cell) == ("reasoning" in caps)
        assert ("S" in caps_cell) == ("structured" in caps)
        assert ("J" in caps_cell) == ("json" in caps and "structured" not in caps)


def test_router_price_minus_one_is_variable_and_free_is_zero() -> None:
    parsed = {m.id: m for m in parse_model_list({"data": load_snapshot()}).models}

    assert row(parsed["openrouter/auto"])[3:5] == ["variable", "variable"]
    assert row(parsed["openrouter/free"])[3:5] == [0, 0]


def test_tiny_and_long_decimal_prices_survive_exactly() -> None:
    record = {
        "id": "x/tiny",
        "pricing": {"prompt": "0.00000001703012", "completion": "0.00000008333333333333334"},
    }
    model = parse_model_list({"data": [record]}).models[0]

    shown = json.loads(json.dumps(detail(model).model_dump(mode="json", exclude_none=True)))
    assert Decimal(str(shown["usd_in"])) == Decimal("0.01703012")
    assert Decimal(str(shown["usd_out"])) == Decimal("0.08333333333333334")
    assert table_row(model) == "x/tiny - - .01703012 .08333333333333334"
    assert row(model) == ["x/tiny", None, None, 0.01703012, 0.08333333333333334, ""]


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_structured_rows_carry_the_same_cells_as_the_table_rows(snapshot: str) -> None:
    for model in parse_model_list({"data": load_snapshot(snapshot)}).models:
        model_id, context, max_output, usd_in, usd_out, flags = row(model)
        text = table_row(model).split(" ", 5)
        assert text[0] == model_id
        assert text[1] == (str(context) if context is not None else "-")
        assert text[2] == ("=" if max_output is not None and max_output == context else str(max_output or "-"))
        for cell, value in ((text[3], usd_in), (text[4], usd_out)):
            if value is None or isinstance(value, str):
                assert cell == ("-" if value is None else value.removeprefix("0"))
            else:
                assert Decimal(cell) == Decimal(repr(value))
        assert (text[5] if len(text) > 5 else "") == flags
        assert ROW_COLUMNS == ["id", "context", "max_output", "usd_in", "usd_out", "flags"]
