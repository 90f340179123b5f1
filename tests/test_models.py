"""Parsing OpenRouter's ``/models`` payloads: six real snapshots, then single drifted or broken records."""

import copy
import json
import logging
from decimal import Decimal
from typing import Any

import pytest

from mcp_server_openrouter.openrouter import Model, ModelList, Pricing, parse_model_list
from mcp_server_openrouter.openrouter.models import Architecture, TopProvider, parse_count

from .fake_upstream import MAIN_SNAPSHOT, SNAPSHOTS, _load, load_snapshot

LOGGER = "mcp_server_openrouter.openrouter.models"

EXPECTED_COUNTS: dict[str, int] = {
    "models-unified-llm-pricing-all-2026-08-18.json.gz": 549,
    "models-unified-llm-pricing-text-2026-08-18.json.gz": 414,
    "models-aiscanner-2026-05-12.json.gz": 356,
    "models-openrouter-free-api-2026-01-28.json.gz": 347,
    "models-obsidian-openchat-2025-11-10.json.gz": 341,
    "models-pydantic-llm-tester-2025-05-22.json.gz": 321,
}


def _envelope(name: str) -> dict[str, Any]:
    """A fresh copy of a snapshot's whole response body."""
    return json.loads(_load(name))


def _record(**fields: Any) -> dict[str, Any]:
    """A minimal, valid record of the current schema, with ``fields`` replaced or added."""
    record: dict[str, Any] = {
        "id": "acme/widget-1",
        "canonical_slug": "acme/widget-1-20260801",
        "name": "Acme: Widget 1",
        "created": 1786000000,
        "description": "A test model.",
        "context_length": 131072,
        "architecture": {
            "modality": "text+image->text",
            "input_modalities": ["text", "image"],
            "output_modalities": ["text"],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        "top_provider": {"context_length": 131072, "max_completion_tokens": 8192, "is_moderated": False},
        "per_request_limits": None,
        "supported_parameters": ["max_tokens", "temperature", "tools"],
        "default_parameters": {"temperature": 0.7},
    }
    record.update(fields)
    return record


def _parse_one(record: Any) -> Model:
    result = parse_model_list({"data": [record]})
    assert result.skipped == 0
    assert len(result.models) == 1
    return result.models[0]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


# -- the real snapshots -----------------------------------------------------------------------


def test_every_snapshot_has_an_expected_count() -> None:
    assert sorted(EXPECTED_COUNTS) == SNAPSHOTS


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_every_real_snapshot_parses_without_skipping_a_record(name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    payload = _envelope(name)

    result = parse_model_list(payload)

    models = EXPECTED_COUNTS[name]
    assert result.skipped == 0
    assert _warnings(caplog) == []
    assert len(result.models) == models
    assert [m.id for m in result.models] == [r["id"] for r in payload["data"]]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_model_raw_is_the_identical_upstream_dict(name: str) -> None:
    payload = _envelope(name)
    pristine = copy.deepcopy(payload["data"])

    result = parse_model_list(payload)

    for model, record, original in zip(result.models, payload["data"], pristine, strict=True):
        assert model.raw is record
        assert model.raw == original


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_every_string_price_in_every_snapshot_parses_to_the_exact_decimal(name: str) -> None:
    checked = 0
    for model in parse_model_list(_envelope(name)).models:
        raw_pricing: dict[str, Any] = model.raw["pricing"]
        for key, value in raw_pricing.items():
            if key == "overrides":
                for tier, raw_tier in zip(model.pricing.overrides, value, strict=True):
                    # Some 2026-08 tiers are time windows (utc_start/utc_end) with no min_prompt_tokens.
                    assert tier.min_prompt_tokens == raw_tier.get("min_prompt_tokens")
                    assert tier.prompt == Decimal(raw_tier["prompt"])
                    assert tier.completion == Decimal(raw_tier["completion"])
                continue
            assert key in Pricing.model_fields
            parsed = getattr(model.pricing, key)
            assert isinstance(parsed, Decimal)
            assert parsed.as_tuple() == Decimal(value).as_tuple(), (model.id, key, value)
            checked += 1
    assert checked > 900


def test_a_23_decimal_price_keeps_every_digit() -> None:
    raw = "0.00000008333333333333334"
    result = parse_model_list(_envelope("models-aiscanner-2026-05-12.json.gz"))
    model = next(m for m in result.models if m.id == "google/gemini-3.1-flash-lite")

    price = model.pricing.input_cache_write
    assert model.raw["pricing"]["input_cache_write"] == raw
    assert price == Decimal(raw)
    assert price is not None
    assert price.as_tuple() == Decimal(raw).as_tuple()
    assert len(price.as_tuple().digits) == 16
    assert price != Decimal(float(raw))
    assert price * 1_000_000 == Decimal("0.08333333333333334")


def test_router_models_parse_minus_one_prices_and_a_null_provider_context() -> None:
    models = {m.id: m for m in parse_model_list(_envelope(MAIN_SNAPSHOT)).models}

    for router in ("openrouter/auto", "openrouter/bodybuilder", "openrouter/pareto-code", "openrouter/fusion"):
        assert models[router].pricing.prompt == Decimal(-1)
        assert models[router].pricing.completion == Decimal(-1)
        assert models[router].top_provider.context_length is None


def test_main_snapshot_alias_ids_keep_their_tilde_and_alias_target() -> None:
    models = {m.id: m for m in parse_model_list(_envelope(MAIN_SNAPSHOT)).models}

    alias = models["~deepseek/deepseek-v4-flash-latest"]
    assert alias.author == "deepseek"
    assert alias.alias_target is not None
    assert alias.alias_target.slug == "deepseek/deepseek-v4-flash-0731"
    assert alias.alias_target.name == "DeepSeek: DeepSeek V4 Flash 0731"
    assert "google/gemini-3.7-flash:batch" in models
    assert "dots-studio/dots-3-note-preview:free" in models


def test_main_snapshot_price_overrides_parse_as_decimal_tiers() -> None:
    models = {m.id: m for m in parse_model_list(_envelope(MAIN_SNAPSHOT)).models}

    (tier,) = models["bytedance-seed/seed-2.0-code"].pricing.overrides
    assert tier.min_prompt_tokens == 128000
    assert tier.prompt == Decimal("0.000001")
    assert tier.completion == Decimal("0.000006")


def test_oldest_snapshot_without_canonical_slug_or_default_parameters_uses_defaults() -> None:
    result = parse_model_list(_envelope("models-pydantic-llm-tester-2025-05-22.json.gz"))

    assert all(m.canonical_slug is None for m in result.models)
    assert all(m.default_parameters is None for m in result.models)
    assert all(m.reasoning is None and m.alias_target is None for m in result.models)


def test_load_snapshot_records_parse_one_by_one_like_the_whole_list() -> None:
    records = load_snapshot()
    whole = parse_model_list({"data": records})

    assert [_parse_one(r) for r in records] == whole.models


# -- prices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("0.000002", Decimal("0.000002")),
        (0.000002, Decimal("0.000002")),
        (1e-7, Decimal("0.0000001")),
        (0.1, Decimal("0.1")),
        (0, Decimal("0")),
        (15, Decimal("15")),
        ("0", Decimal("0")),
        ("-1", Decimal(-1)),
        (-1, Decimal(-1)),
        (" 0.5 ", Decimal("0.5")),
        ("1E-7", Decimal("0.0000001")),
        ("", None),
        (None, None),
    ],
    ids=repr,
)
def test_a_price_parses_to_the_same_decimal_as_its_string_form(sent: Any, expected: Decimal | None) -> None:
    model = _parse_one(_record(pricing={"prompt": sent, "completion": "0"}))

    assert model.pricing.prompt == expected
    if expected is not None:
        assert isinstance(model.pricing.prompt, Decimal)
    assert model.pricing.completion == Decimal(0)


def test_a_float_price_has_no_binary_float_artifacts() -> None:
    model = _parse_one(_record(pricing={"prompt": 0.000002, "completion": 0.0000025}))

    assert model.pricing.prompt == Decimal("0.000002")
    assert model.pricing.prompt != Decimal.from_float(0.000002)
    assert model.pricing.completion == Decimal("0.0000025")


@pytest.mark.parametrize("price", [True, False, "free", "NaN", "Infinity", "-inf", [], {}, {"usd": "1"}], ids=repr)
def test_a_record_with_an_unusable_price_is_skipped(price: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    good = _record(id="acme/good")
    bad = _record(id="acme/bad-price", pricing={"prompt": price, "completion": "0.000002"})

    result = parse_model_list({"data": [bad, good]})

    assert [m.id for m in result.models] == ["acme/good"]
    assert result.skipped == 1
    assert _warnings(caplog) == ["Skipped malformed model record #0 (id='acme/bad-price'): invalid pricing.prompt"]


# -- drift on single records ------------------------------------------------------------------


def test_a_record_missing_optional_fields_uses_defaults() -> None:
    record = _record()
    for key in ("canonical_slug", "default_parameters", "description", "architecture", "top_provider"):
        del record[key]

    model = _parse_one(record)

    assert model.canonical_slug is None
    assert model.default_parameters is None
    assert model.description is None
    assert model.architecture == Architecture()
    assert model.architecture.input_modalities == []
    assert model.architecture.output_modalities == []
    assert model.architecture.modality is None
    assert model.top_provider == TopProvider()
    assert model.top_provider.context_length is None
    assert model.top_provider.max_completion_tokens is None
    assert model.context_length == 131072


def test_a_record_with_only_an_id_parses_with_every_default() -> None:
    model = _parse_one({"id": "acme/bare"})

    assert model.id == "acme/bare"
    assert model.name == ""
    assert model.context_length == 0
    assert model.pricing == Pricing()
    assert model.pricing.prompt is None
    assert model.pricing.overrides == []
    assert model.supported_parameters == []
    assert model.created is None
    assert model.raw == {"id": "acme/bare"}


def test_null_where_a_list_was_becomes_an_empty_list() -> None:
    record = _record(supported_parameters=None)
    record["architecture"]["input_modalities"] = None
    record["architecture"]["output_modalities"] = None
    record["pricing"]["overrides"] = None

    model = _parse_one(record)

    assert model.supported_parameters == []
    assert model.architecture.input_modalities == []
    assert model.architecture.output_modalities == []
    assert model.pricing.overrides == []
    assert model.raw["supported_parameters"] is None


def test_null_context_length_becomes_zero() -> None:
    model = _parse_one(_record(context_length=None))

    assert model.context_length == 0


def test_null_nested_objects_are_accepted_where_the_field_is_optional() -> None:
    model = _parse_one(_record(default_parameters=None, reasoning=None, alias_target=None, description=None))

    assert model.default_parameters is None
    assert model.reasoning is None
    assert model.alias_target is None
    assert model.description is None


def test_unknown_new_fields_are_ignored_but_kept_in_raw() -> None:
    record = _record(
        benchmarks_v2={"arena": {"elo": 1402}},
        per_request_limits={"prompt_tokens": 1000},
        links={"details": "/api/v1/models/acme/widget-1/endpoints"},
    )
    record["pricing"]["teleport"] = "0.5"
    record["architecture"]["quantization"] = "fp8"
    record["top_provider"]["region"] = "eu"

    model = _parse_one(record)

    dumped = model.model_dump()
    assert "benchmarks_v2" not in dumped
    assert "teleport" not in dumped["pricing"]
    assert "quantization" not in dumped["architecture"]
    assert "region" not in dumped["top_provider"]
    assert model.raw["benchmarks_v2"] == {"arena": {"elo": 1402}}
    assert model.pricing.prompt == Decimal("0.000001")


def test_unknown_modality_and_parameter_strings_are_kept_as_is() -> None:
    record = _record(supported_parameters=["tools", "telepathy", "max_tokens"])
    record["architecture"]["input_modalities"] = ["text", "smell"]
    record["architecture"]["output_modalities"] = ["hologram", "text"]
    record["architecture"]["modality"] = "text+smell->hologram"

    model = _parse_one(record)

    assert model.supported_parameters == ["tools", "telepathy", "max_tokens"]
    assert model.architecture.input_modalities == ["text", "smell"]
    assert model.architecture.output_modalities == ["hologram", "text"]
    assert model.architecture.modality == "text+smell->hologram"


@pytest.mark.parametrize(
    ("model_id", "author"),
    [
        ("~anthropic/claude-haiku-latest", "anthropic"),
        ("meta-llama/llama-3.3-70b-instruct:free", "meta-llama"),
        ("google/gemini-3.7-flash:batch", "google"),
        ("openai/gpt-4o", "openai"),
        ("openrouter/auto", "openrouter"),
        ("~x-ai/grok-latest", "x-ai"),
    ],
)
def test_model_ids_are_kept_verbatim_and_author_strips_a_leading_tilde(model_id: str, author: str) -> None:
    model = _parse_one(_record(id=model_id))

    assert model.id == model_id
    assert model.author == author


def test_reasoning_and_alias_target_of_the_2026_schema_parse() -> None:
    model = _parse_one(
        _record(
            id="~acme/widget-latest",
            reasoning={
                "mandatory": False,
                "default_enabled": True,
                "supported_efforts": ["low", "high", "ludicrous"],
                "default_effort": "high",
                "supports_max_tokens": True,
                "budget": 9,
            },
            alias_target={"name": "Acme: Widget 1", "slug": "acme/widget-1"},
        )
    )

    assert model.reasoning is not None
    assert model.reasoning.supported_efforts == ["low", "high", "ludicrous"]
    assert model.reasoning.default_effort == "high"
    assert model.alias_target is not None
    assert model.alias_target.slug == "acme/widget-1"


# -- malformed records ------------------------------------------------------------------------


def test_malformed_records_are_skipped_and_logged_without_sinking_the_list(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    first = _record(id="acme/first", name="First")
    data: list[Any] = [
        first,
        {k: v for k, v in _record().items() if k != "id"},
        "acme/a-string-not-a-record",
        _record(id="acme/list-pricing", pricing=[{"prompt": "0.000001"}]),
        _record(id="acme/second"),
        _record(id="acme/first", name="First again"),
        None,
        42,
        _record(id=""),
        _record(id=None),
        _record(id="acme/third"),
    ]

    result = parse_model_list({"data": data, "total_count": len(data)})

    assert [m.id for m in result.models] == ["acme/first", "acme/second", "acme/third"]
    assert result.models[0].name == "First"
    assert result.models[0].raw is first
    assert result.skipped == 8
    messages = _warnings(caplog)
    assert len(messages) == 8
    assert messages[0] == "Skipped malformed model record #1 (id=None): invalid id"
    assert messages[1].startswith("Skipped malformed model record #2 (id=None)")
    assert messages[2] == "Skipped malformed model record #3 (id='acme/list-pricing'): invalid pricing"
    assert messages[3] == "Skipped duplicate model record #5 (id='acme/first')"
    assert messages[4].startswith("Skipped malformed model record #6 (id=None)")
    assert messages[5].startswith("Skipped malformed model record #7 (id=None)")
    assert messages[6] == "Skipped malformed model record #8 (id=''): invalid id"
    assert messages[7] == "Skipped malformed model record #9 (id=None): invalid id"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("architecture", "text->text"),
        ("top_provider", ["x"]),
        ("supported_parameters", "tools"),
        ("context_length", "a lot"),
        ("default_parameters", ["temperature"]),
        ("created", "yesterday"),
    ],
)
def test_a_record_with_a_wrongly_typed_field_is_skipped(
    field: str, value: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)

    result = parse_model_list({"data": [_record(id="acme/bad", **{field: value}), _record(id="acme/good")]})

    assert [m.id for m in result.models] == ["acme/good"]
    assert result.skipped == 1
    (message,) = _warnings(caplog)
    assert message.startswith("Skipped malformed model record #0 (id='acme/bad'): invalid ")
    assert field in message


def test_a_list_with_every_record_broken_is_empty_not_an_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)

    result = parse_model_list({"data": ["x", {}, None]})

    assert result == ModelList(models=[], skipped=3)
    assert len(_warnings(caplog)) == 3


def test_a_broken_record_in_a_real_snapshot_costs_only_that_record(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    records = load_snapshot()
    records[10]["pricing"] = ["not", "an", "object"]
    del records[20]["id"]

    result = parse_model_list({"data": records, "total_count": 549})

    assert len(result.models) == 547
    assert result.skipped == 2
    assert len(_warnings(caplog)) == 2


# -- envelopes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        [],
        [{"id": "acme/widget-1"}],
        "data",
        None,
        42,
        {},
        {"models": [{"id": "acme/widget-1"}]},
        {"data": None},
        {"data": {"id": "acme/widget-1"}},
        {"data": "acme/widget-1"},
    ],
    ids=repr,
)
def test_parse_model_list_rejects_a_payload_without_a_data_list(payload: Any) -> None:
    with pytest.raises(ValueError, match=r"JSON object"):
        parse_model_list(payload)


def test_an_empty_data_list_parses_to_no_models() -> None:
    assert parse_model_list({"data": [], "total_count": 0}) == ModelList(models=[], skipped=0)


@pytest.mark.parametrize(("payload", "count"), [({"data": {"count": 0}}, 0), ({"data": {"count": 419}}, 419)])
def test_parse_count_accepts_a_non_negative_integer(payload: Any, count: int) -> None:
    assert parse_count(payload) == count


@pytest.mark.parametrize(
    "payload",
    [
        {"data": {"count": -1}},
        {"data": {"count": True}},
        {"data": {"count": False}},
        {"data": {}},
        {"data": {"count": None}},
        {"data": {"count": "419"}},
        {"data": {"count": 419.0}},
        {"data": 419},
        {"count": 419},
        {},
        [],
        None,
    ],
    ids=repr,
)
def test_parse_count_rejects_a_missing_negative_or_non_integer_count(payload: Any) -> None:
    with pytest.raises(ValueError, match=r"non-negative integer"):
        parse_count(payload)
