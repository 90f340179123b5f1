"""Real prices for media models (issue 26, part 2): video SKUs from ``/videos/models``, image
prices from ``/images/models/{id}/endpoints``, each in its own unit, in every place a model reads
prices, in both channels; and ``/endpoints/zdr`` kept for the ``zdr`` filter when OpenRouter cannot
be asked.

The fake serves bodies shaped by the spec, with drift, for real models of the main catalog
snapshot, at made-up prices (:mod:`.fake_media`). Expectations are written from those bodies.
"""

import gzip
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp_types import ReadResourceResult, TextResourceContents

from mcp_server_openrouter.catalog import offline
from mcp_server_openrouter.catalog.diskcache import DiskDatasets
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import parse_model_list
from mcp_server_openrouter.openrouter.media import (
    parse_image_endpoints,
    parse_image_models,
    parse_videos,
    parse_zdr,
)
from mcp_server_openrouter.render.compact import MEDIA_LEGEND
from mcp_server_openrouter.server import create_server
from scripts import build_catalog_snapshot as builder

from . import fake_media
from .conftest import FAKE_BASE_URL, FAST_RETRY
from .fake_media import (
    GPT_IMAGE,
    KLING,
    KREA,
    RECRAFT,
    RUNWAY,
    SEEDREAM,
    SEEDREAM_LITE,
    SORA,
    VEO,
    VEO_FAST,
    ZDR_PLAIN,
    ZDR_VARIANT,
)
from .fake_upstream import FakeOpenRouter, load_snapshot, serve
from .helpers import Clock, call, ids_of, poll, rows_of, server_for, structured, text_of

pytestmark = pytest.mark.anyio

CATALOG = {m.id: m for m in parse_model_list({"data": load_snapshot()}).models}
MEDIA_PAGE = {"output_modalities": ["video", "image"], "limit": 100}
VIDEO_PAGE = {"output_modalities": ["video"], "limit": 100}
VIDEOS, IMAGES, ZDR = "/api/v1/videos/models", "/api/v1/images/models", "/api/v1/endpoints/zdr"
DOWN = {"error": {"code": 503, "message": "Service Unavailable"}}


def cells(page: dict[str, Any], model_id: str) -> tuple[Any, Any]:
    row = next(r for r in rows_of(page) if r["id"] == model_id)
    return row["usd_in"], row["usd_out"]


def line_cells(text: str, model_id: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(model_id + " "))
    return line.split(" ")[3:5]


def body_of(read: ReadResourceResult) -> dict[str, Any]:
    (content,) = read.contents
    assert isinstance(content, TextResourceContents)
    return json.loads(content.text)


async def until_saved(path: Path) -> None:
    """Wait for a save that runs in the background after a fetch (bounded: a hang fails the test)."""
    with anyio.fail_after(60):
        while True:
            if path.exists():
                return
            await anyio.sleep(0.005)


# -- parsing ----------------------------------------------------------------------------------


def test_video_prices_parse_through_drift() -> None:
    videos = parse_videos(fake_media.videos())

    assert len(videos.models) == 6  # the record without an ID and the junk are skipped
    veo = videos.pricing(CATALOG[VEO])  # the spec's example, by ID
    assert veo is not None
    assert [(p.unit, p.amount, p.usd, p.side) for p in veo.prices] == [("generate", Decimal("0.50"), False, "out")]
    fast = videos.pricing(CATALOG[VEO_FAST])  # listed under another ID: found by its permaslug
    assert fast is not None
    assert [p.unit for p in fast.prices] == ["duration_seconds_without_audio_720p", "duration_seconds_with_audio_720p"]
    runway = videos.pricing(CATALOG[RUNWAY])  # a number kept; "n/a" and a negative price dropped, never 0
    assert runway is not None
    assert {p.unit: p.amount for p in runway.prices} == {
        "cents_per_second_output": Decimal(12),
        "per_video": Decimal("0.05"),
    }
    assert videos.pricing(CATALOG[KLING]) is None  # pricing_skus: null
    assert videos.pricing(CATALOG["openai/gpt-4o"]) is None
    junks: list[Any] = [[], {"data": None}, {"models": []}]
    for junk in junks:
        with pytest.raises(ValueError, match=r"expected a JSON object|no 'data' list"):
            parse_videos(junk)


def test_image_prices_parse_through_drift() -> None:
    assert parse_image_models(fake_media.image_models()).ids == {SEEDREAM, SEEDREAM_LITE, RECRAFT, GPT_IMAGE, KREA}
    bodies = fake_media.image_endpoints()

    recraft = parse_image_endpoints(bodies[RECRAFT]).pricing()
    assert recraft is not None
    assert [(p.what, p.amount, p.unit, p.side, p.provider) for p in recraft.prices] == [
        ("output_image", Decimal("0.04"), "image", "out", "recraft"),
        ("input_text", Decimal("0.000005"), "token", "in", "recraft"),
        ("output_image", Decimal("0.045"), "image", "out", "fal"),  # no tag: the slug
        ("input_reference", Decimal("0.02"), "megapixel", "in", "fal"),  # a cost sent as a string
        ("a_billable_from_the_future", Decimal("0.01"), "image", "out", "fal"),
    ]  # entries without a unit or a readable cost, and junk, are dropped; a null pricing list is none
    gpt = parse_image_endpoints(bodies[GPT_IMAGE]).pricing()  # wrapped in "data", as /models/{id}/endpoints is
    assert gpt is not None
    assert [(p.amount, p.variant) for p in gpt.prices] == [(Decimal("0.042"), "medium")]
    assert parse_image_endpoints({"id": KREA, "endpoints": []}).pricing() is None
    with pytest.raises(ValueError, match="no 'endpoints' list"):
        parse_image_endpoints({"id": KREA})


def test_the_zdr_list_parses_through_drift() -> None:
    zdr = parse_zdr(fake_media.zdr())

    assert zdr.model_ids == {
        "openai/gpt-4",
        "google/gemini-3.7-flash-20260813",
        "anthropic/claude-opus-5-20260723",
        ZDR_VARIANT,
        "openai/gpt-4o",
    }
    assert zdr.endpoints == 5  # without a model ID, or junk: skipped
    with pytest.raises(ValueError, match="no 'data' list"):
        parse_zdr({"data": "all of them"})


# -- where the model reads prices, in both channels --------------------------------------------------


async def test_list_rows_show_media_prices_in_their_own_units_in_both_channels(
    client: Client, upstream: FakeOpenRouter
) -> None:
    result = await call(client, "list_models", MEDIA_PAGE)
    page, text = structured(result), text_of(result)

    assert cells(page, VEO) == (None, "0.5/generate")
    assert line_cells(text, VEO) == ["-", ".5/generate"]
    assert cells(page, SORA) == (None, "0.3/duration_seconds_720p,0.5/duration_seconds_1080p,+3")
    assert cells(page, SEEDREAM) == (None, "0.05/image")  # the spec's own example
    assert cells(page, SEEDREAM_LITE) == ("0.004/image", "0.035/image,+1")  # the lowest, and one dearer variant
    # per unit, the lowest of the billables the spec documents; per token: per 1M tokens
    assert cells(page, RECRAFT) == ("5/Mtok,0.02/megapixel", "0.04/image,+2")
    assert line_cells(text, RECRAFT) == ["5/Mtok,.02/megapixel", ".04/image,+2"]
    assert cells(page, KLING) == ("unlisted", "unlisted")  # null pricing_skus: as before
    assert cells(page, KREA) == (0, 0)  # listed, priced nowhere: its list prices stand
    assert cells(page, GPT_IMAGE) == (10, 10)  # priced per token in the list: kept, and not looked up
    assert f"{IMAGES}/{GPT_IMAGE}/endpoints" not in upstream.paths
    assert page["note"] == MEDIA_LEGEND
    assert "text output only" not in text  # output_modalities was given: nothing else to note
    assert text.endswith(f"\nNote: {MEDIA_LEGEND}.")  # after the rows, which follow the columns as always


async def test_a_page_without_media_models_asks_nothing_more_and_reads_as_before(
    client: Client, upstream: FakeOpenRouter
) -> None:
    before = await call(client, "list_models", {})
    assert upstream.paths == ["/api/v1/models"]
    await call(client, "list_models", MEDIA_PAGE)
    assert {VIDEOS, IMAGES} <= set(upstream.paths)
    sent = len(upstream.requests)
    after = await call(client, "list_models", {})

    assert len(upstream.requests) == sent  # cached, and nothing of the media asked for it
    assert text_of(after) == text_of(before).replace("live OpenRouter data, ", "OpenRouter data from ").replace(
        " UTC.", " UTC (cached)."
    )
    assert structured(after)["rows"] == structured(before)["rows"]
    assert "N/unit:" not in json.dumps(structured(after)) + text_of(after)


async def test_a_media_models_endpoints_ask_for_no_media_prices(client: Client, upstream: FakeOpenRouter) -> None:
    """list_model_endpoints shows each endpoint's own prices: the media lists would add nothing."""
    result = await call(client, "list_model_endpoints", {"id": SEEDREAM_LITE})
    assert not result.is_error
    assert not {VIDEOS, IMAGES} & set(upstream.paths)
    assert not [p for p in upstream.paths if p.startswith(f"{IMAGES}/")]


async def test_get_model_says_media_prices_in_both_channels(client: Client) -> None:
    result = await call(client, "get_model", {"ids": [VEO, SEEDREAM_LITE, GPT_IMAGE, RECRAFT, KLING]})
    answer = structured(result)
    veo, lite, gpt, recraft, kling = answer["models"]

    assert veo["media"] == "video SKUs, no currency stated: 0.5/generate"
    assert "price" not in veo
    assert "usd_in" not in veo
    assert lite["media"] == "USD: output_image 0.035/image 2K, 0.07/image 4K; input_image 0.004/image"
    assert gpt["usd_in"] == 10
    assert "media" not in gpt
    assert recraft["media"].startswith("USD: output_image 0.04/image [recraft], 0.045/image [fal]; input_text 5/Mtok")
    assert kling["price"] == "not in OpenRouter's model list"
    assert "media" not in kling
    assert "media: prices from OpenRouter's media lists" in answer["legend"]
    assert "media prices, video SKUs, no currency stated: 0.5/generate" in text_of(result)
    assert "media prices, USD: output_image 0.035/image 2K, 0.07/image 4K; input_image 0.004/image" in text_of(result)


async def test_the_resource_carries_media_prices_their_record_and_source(client: Client) -> None:
    body = body_of(await client.read_resource(f"openrouter://models/{VEO}"))
    media = body["derived"]["media"]

    assert media["prices"] == [{"amount": "0.5", "unit": "generate", "usd": False, "side": "out", "what": "generate"}]
    assert media["from"] == "/videos/models"
    assert media["record"]["pricing_skus"] == {"generate": "0.50"}  # the upstream record, as sent
    assert media["source"]["kind"] == "live"
    assert "prompt" not in body["derived"]["usd_per_million_tokens"]
    assert "price" not in body["derived"]
    assert body["pricing"] == {"prompt": "0", "completion": "0"}  # the catalog's record is untouched


async def test_estimate_cost_names_the_media_prices_it_cannot_estimate_from_tokens(client: Client) -> None:
    result = await call(client, "estimate_cost", {"ids": [SORA, RECRAFT, "openai/gpt-4o"], "input_tokens": 1000})
    rows = {row["id"]: row for row in structured(result)["estimates"]}

    assert rows[SORA]["usd"] == rows[RECRAFT]["usd"] == "not estimated"
    assert rows[SORA]["notes"][0] == (
        "priced per video SKU (no currency stated), not per token: 0.3/duration_seconds_720p, "
        "0.5/duration_seconds_1080p, 0.4/duration_seconds_with_audio_720p and 2 more (get_model)"
    )
    assert rows[RECRAFT]["notes"][0].startswith("priced by the image, not per token: USD output_image 0.04/image, ")
    assert f"{SORA}: not estimated; note: priced per video SKU (no currency stated), not per token: 0.3/" in text_of(
        result
    )


# -- failures, deadlines, freshness -------------------------------------------------------------


async def test_a_failing_media_endpoint_leaves_answers_intact_and_holds_back_only_its_family(
    client: Client, upstream: FakeOpenRouter
) -> None:
    upstream.answer_with("/videos/models", 503, DOWN)
    page = structured(await call(client, "list_models", VIDEO_PAGE))

    assert page["source"] == {"kind": "live", "as_of": page["source"]["as_of"]}  # no note: nothing to say
    assert cells(page, VEO) == ("unlisted", "unlisted")  # as before this change
    sent = upstream.paths.count(VIDEOS)
    assert sent >= 1
    detail = structured(await call(client, "get_model", {"ids": [VEO]}))
    assert detail["models"][0]["price"] == "not in OpenRouter's model list"
    assert upstream.paths.count(VIDEOS) == sent  # the media breaker: not asked again meanwhile
    models = upstream.paths.count("/api/v1/models")
    other = structured(await call(client, "list_models", {"q": "gpt", "output_modalities": ["all"]}))
    assert other["source"]["kind"] == "live"  # the catalog's own family was not held back
    assert upstream.paths.count("/api/v1/models") == models + 1


async def test_a_hung_media_endpoint_never_holds_up_the_answer_and_lands_for_the_next_call() -> None:
    upstream = FakeOpenRouter()
    released = anyio.Event()

    async def handle(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == VIDEOS:
            await released.wait()  # a hang that ends on command: the deadline fires because of it
        return upstream.handle(request)

    settings = Settings(base_url=FAKE_BASE_URL, answer_timeout=0.3, timeout=600, total_timeout=600)
    server = create_server(settings, transport=httpx2.MockTransport(handle), retry=FAST_RETRY)
    async with Client(server) as client:
        page = structured(await call(client, "list_models", VIDEO_PAGE))
        assert page["source"]["kind"] == "live"
        assert cells(page, VEO) == ("unlisted", "unlisted")
        released.set()
        landed = await poll(client, "list_models", VIDEO_PAGE, lambda p: cells(p, VEO)[1] != "unlisted")

    assert cells(landed, VEO) == (None, "0.5/generate")
    assert upstream.paths.count(VIDEOS) == 1  # one fetch, joined by every call meanwhile


async def test_media_prices_from_a_saved_copy_say_how_old_they_are_in_both_channels(
    upstream: FakeOpenRouter, private_cache_dir: Path
) -> None:
    clock = Clock()
    async with Client(server_for(upstream, clock=clock)) as client:
        await call(client, "list_models", VIDEO_PAGE)
        await until_saved(DiskDatasets(private_cache_dir, FAKE_BASE_URL).path("media videos"))
    clock.advance(2 * 3600)
    upstream.answer_with("/videos/models", 503, DOWN)  # a restart, and /videos/models now fails

    async with Client(server_for(upstream, clock=clock)) as client:
        result = await call(client, "list_models", VIDEO_PAGE)
        detail = await call(client, "get_model", {"ids": [VEO]})
        read = body_of(await client.read_resource(f"openrouter://models/{VEO}"))

    label = "media prices STALE: from 2026-11-21 10:00 UTC"
    page = structured(result)
    assert cells(page, VEO) == (None, "0.5/generate")
    assert page["source"] == {"kind": "live", "as_of": "2026-11-21T12:00:00Z", "note": label}
    assert f"Data: live OpenRouter data, 2026-11-21 12:00 UTC ({label})." in text_of(result)
    assert structured(detail)["source"]["note"] == label
    assert structured(detail)["models"][0]["media"] == "video SKUs, no currency stated: 0.5/generate"
    assert f"({label})" in text_of(detail)
    source = read["derived"]["media"]["source"]
    assert (source["kind"], source["as_of"]) == ("stale", "2026-11-21T10:00:00Z")
    assert source["note"].startswith("saved copy of the video prices; OpenRouter answered HTTP 503")


async def test_the_zdr_filter_answers_offline_from_a_saved_list_and_is_refused_without_one(
    upstream: FakeOpenRouter, private_cache_dir: Path
) -> None:
    clock = Clock()
    async with Client(server_for(upstream, clock=clock, offline=True)) as client:
        refused = await call(client, "list_models", {"zdr": True})
    assert refused.is_error
    assert "the 'zdr' filter needs its live data" in text_of(refused)

    async with Client(server_for(upstream, clock=clock)) as client:
        assert structured(await call(client, "list_models", {"zdr": True}))["source"]["kind"] == "live"
        await until_saved(DiskDatasets(private_cache_dir, FAKE_BASE_URL).path("zdr"))  # fetched beside it
    assert upstream.paths.count(ZDR) == 1
    clock.advance(5 * 3600)

    said = "zdr: from the saved list of zero-data-retention endpoints of 2026-11-21 10:00 UTC"
    expected = {"openai/gpt-4", ZDR_PLAIN, "anthropic/claude-opus-5", ZDR_VARIANT, "openai/gpt-4o"}
    async with Client(server_for(upstream, clock=clock, offline=True)) as client:
        result = await call(client, "list_models", {"zdr": True, "limit": 100})
        count = structured(await call(client, "count_models", {"zdr": True}))
    page = structured(result)
    assert set(ids_of(page)) == expected
    assert f"{ZDR_PLAIN}:batch" not in ids_of(page)  # a variant is listed by its own ID only
    assert ZDR_VARIANT.removesuffix(":free") not in ids_of(page)
    assert page["source"]["note"] == f"offline mode: the network is not used; {said}"
    assert said in text_of(result)
    assert count["count"] == len(expected)

    upstream.go_down()  # OpenRouter down rather than offline mode: the same list answers
    async with Client(server_for(upstream, clock=clock)) as client:
        down = structured(await call(client, "list_models", {"zdr": True, "limit": 100}))
    assert set(ids_of(down)) == expected
    assert down["source"]["note"].endswith(f"; {said}")


# -- the bundled snapshot ------------------------------------------------------------------------


def test_the_shipped_snapshot_bundles_no_media_and_the_builder_rebuilds_it_byte_for_byte() -> None:
    shipped = Path(offline.__file__).parent.parent / "data" / "catalog-snapshot.json.gz"

    assert offline.load_bundled_media() is None  # no capture has been made: none is made up
    assert builder.build() == shipped.read_bytes()


async def test_a_snapshot_built_with_a_media_capture_answers_media_and_zdr_offline(
    upstream: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(upstream) as url:  # the builder's own capture, of the fake, over real HTTP
        capture = await builder.capture_media(url)
    assert set(capture["image_endpoints"]) == {SEEDREAM, SEEDREAM_LITE, RECRAFT, GPT_IMAGE}  # KREA: 404
    blob = builder.build(media=capture)
    bundle = offline.bundled_media(gzip.decompress(blob))
    assert bundle is not None
    monkeypatch.setattr(offline, "load_bundled_media", lambda: bundle)
    with pytest.raises(ValueError, match="no 'data' list"):
        builder.build(media={**capture, "videos": {"data": "no"}})  # a capture the server could not read

    async with Client(server_for(upstream, offline=True)) as client:
        result = await call(client, "list_models", MEDIA_PAGE)
        zdr = structured(await call(client, "list_models", {"zdr": True, "limit": 100}))

    page = structured(result)
    label = f"media prices OFFLINE: from {bundle.as_of:%Y-%m-%d %H:%M} UTC"
    assert page["source"]["kind"] == "snapshot"
    assert page["source"]["note"] == f"offline mode: the network is not used; {label}"
    assert cells(page, VEO) == (None, "0.5/generate")
    assert cells(page, RECRAFT) == ("5/Mtok,0.02/megapixel", "0.04/image,+2")
    assert label in text_of(result)
    assert ZDR_PLAIN in ids_of(zdr)
    assert "zdr: from the bundled list of zero-data-retention endpoints of" in zdr["source"]["note"]
