"""Prices that are not per token are never shown, bounded, sorted or estimated as token prices.

OpenRouter's schema calls every ``prompt``/``completion`` price "USD per token"; its guides say
text-to-speech is priced per character of input text and speech-to-text per second (or minute, or
hour) of audio, or per token, by provider; video and rerank models are listed at 0 and priced
elsewhere. Expectations below come from the raw records and those rules (``helpers.priced_per_token``).
"""

import json
from decimal import Decimal
from typing import Any

import pytest
from mcp import Client

from .fake_upstream import FakeOpenRouter, load_snapshot
from .helpers import call, priced_per_token, rows_of, structured, text_of

pytestmark = pytest.mark.anyio

TTS = "fish-audio/s1"  # prompt "0.000015": USD 15 per 1M characters
STT = "openai/whisper-1"  # prompt "0.006": USD per minute of audio, which the list does not say
VIDEO = "kwaivgi/kling-v3.0-std"  # listed at "0", and the fake's /videos/models gives it no SKUs (null)
RAW = {r["id"]: r for r in load_snapshot()}


async def rows_by_id(client: Client, **arguments: Any) -> dict[str, dict[str, Any]]:
    page = structured(await call(client, "list_models", {"output_modalities": ["all"], "limit": 100, **arguments}))
    return {row["id"]: row for row in rows_of(page)}


async def test_rows_say_each_price_in_its_own_unit_in_both_channels(client: Client) -> None:
    result = await call(
        client, "list_models", {"output_modalities": ["speech", "transcription", "video"], "limit": 100}
    )
    rows = {row["id"]: row for row in rows_of(structured(result))}
    lines = {line.split(" ")[0]: line for line in text_of(result).splitlines()}

    assert (rows[TTS]["usd_in"], rows[TTS]["usd_out"]) == ("15/Mchars", 0)
    assert rows[STT]["usd_in"] == "0.006/?"
    assert (rows[VIDEO]["usd_in"], rows[VIDEO]["usd_out"]) == ("unlisted", "unlisted")
    assert lines[TTS].split(" ")[3:5] == ["15/Mchars", "0"]
    assert lines[STT].split(" ")[3] == ".006/?"
    assert lines[VIDEO].split(" ")[3:5] == ["unlisted", "unlisted"]
    for row in rows.values():  # nothing of these kinds reads as a token price, nor as free unless it is
        if not priced_per_token(RAW[row["id"]]):  # (null: a video model's SKUs price the output only)
            assert isinstance(row["usd_in"], str) or row["usd_in"] in (0, None), row["id"]


@pytest.mark.parametrize("where", ["live", "offline"])
async def test_price_bounds_leave_out_prices_that_are_not_per_token(
    client: Client, upstream: FakeOpenRouter, where: str
) -> None:
    if where == "offline":
        upstream.go_down()
    rows = await rows_by_id(client, max_price=1)

    assert rows
    assert all(priced_per_token(RAW[model_id]) for model_id in rows)
    assert "hexgrad/kokoro-82m" not in rows  # USD 0.62 per 1M characters is not "at most USD 1 per 1M tokens"
    expected = {
        r["id"] for r in RAW.values() if priced_per_token(r) and 0 <= Decimal(r["pricing"]["prompt"]) * 1_000_000 <= 1
    }
    assert set(rows) <= expected


async def test_a_price_sort_puts_prices_that_are_not_per_token_last(client: Client, upstream: FakeOpenRouter) -> None:
    upstream.go_down()  # sorted here, by the documented rule
    ids: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = structured(
            await call(
                client,
                "list_models",
                {"output_modalities": ["all"], "sort": "pricing-low-to-high", "limit": 100, "offset": offset},
            )
        )
        ids += [row[0] for row in page["rows"]]
        offset = page.get("next_offset")

    first_other = next(i for i, model_id in enumerate(ids) if not priced_per_token(RAW[model_id]))
    assert all(not priced_per_token(RAW[model_id]) or _unknown(RAW[model_id]) for model_id in ids[first_other:])
    assert ids.index(STT) > ids.index("openai/gpt-4o")


def _unknown(record: dict[str, Any]) -> bool:
    return any(Decimal(str(record["pricing"].get(k, "-1"))) < 0 for k in ("prompt", "completion"))


async def test_get_model_and_the_resource_say_the_price_in_words(client: Client) -> None:
    result = await call(client, "get_model", {"ids": [TTS, STT, VIDEO]})
    tts, stt, video = structured(result)["models"]

    assert "usd_in" not in tts
    assert tts["price"] == "USD 15 per 1M input characters"
    assert stt["price"] == "USD 0.006 per unstated unit"
    assert video["price"] == "not in OpenRouter's model list"
    assert "price: USD 15 per 1M input characters" in text_of(result)
    assert "price: when not per token" in structured(result)["legend"]
    read = await client.read_resource(f"openrouter://models/{TTS}")
    body = json.loads(read.contents[0].text)  # type: ignore[union-attr]
    assert "prompt" not in body["derived"]["usd_per_million_tokens"]
    assert body["derived"]["price"] == tts["price"]


async def test_estimate_cost_never_prices_a_token_workload_at_another_unit(client: Client) -> None:
    result = await call(client, "estimate_cost", {"ids": [TTS, STT, VIDEO, "openai/gpt-4o"], "input_tokens": 1000})
    rows = {row["id"]: row for row in structured(result)["estimates"]}

    assert next(iter(rows)) == "openai/gpt-4o"  # the one that could be estimated comes first
    assert rows[TTS]["usd"] == rows[STT]["usd"] == rows[VIDEO]["usd"] == "not estimated"
    assert "per character of input text" in rows[TTS]["notes"][0]
    assert "a unit OpenRouter does not state" in rows[STT]["notes"][0]
    assert "not in OpenRouter's model list" in rows[VIDEO]["notes"][0]
    assert f"{TTS}: not estimated; note: priced per character" in text_of(result)


async def test_endpoints_of_a_speech_model_show_its_unit_and_explain_it(client: Client) -> None:
    result = await call(client, "list_model_endpoints", {"id": TTS})
    page = structured(result)

    first = rows_of(page)[0]
    assert first["usd_in"] == "15/Mchars"
    assert "N/Mchars = USD per 1M characters of input text" in page["legend"]
    assert "N/Mchars = USD per 1M characters of input text" in text_of(result)


@pytest.mark.parametrize("sort", ["pricing-low-to-high", "pricing-high-to-low"])
async def test_speech_models_sort_among_themselves_by_price_per_character(
    client: Client, upstream: FakeOpenRouter, sort: str
) -> None:
    upstream.go_down()  # sorted here
    page = structured(await call(client, "list_models", {"output_modalities": ["speech"], "sort": sort, "limit": 100}))

    per_char = [Decimal(str(RAW[model_id]["pricing"]["prompt"])) for model_id in (r[0] for r in page["rows"])]
    assert per_char == sorted(per_char, reverse=sort == "pricing-high-to-low")
    assert len(per_char) == len([r for r in RAW.values() if "speech" in r["architecture"]["output_modalities"]])
