"""count_models: the count endpoint when it suffices, the filtered list when filters need it."""

import httpx2
import pytest
from mcp import Client

from .fake_upstream import FakeOpenRouter
from .helpers import call, structured, text_of

pytestmark = pytest.mark.anyio


async def test_plain_count_uses_the_count_endpoint_with_its_upstream_default(
    client: Client, upstream: FakeOpenRouter
) -> None:
    result = await call(client, "count_models")

    assert upstream.paths == ["/api/v1/models/count"]
    assert upstream.params() == {}
    assert structured(result)["count"] == 414
    assert text_of(result).startswith(
        "414 models match, text output only (the default; output_modalities=['all'] for all). Data: live OpenRouter"
    )


@pytest.mark.parametrize(
    ("modalities", "sent", "expected"), [(["all"], "all", 549), (["image"], "image", 45), (["text"], "text", 414)]
)
async def test_output_modalities_go_to_the_count_endpoint_verbatim(
    client: Client, upstream: FakeOpenRouter, modalities: list[str], sent: str, expected: int
) -> None:
    result = await call(client, "count_models", {"output_modalities": modalities})

    assert upstream.paths == ["/api/v1/models/count"]
    assert upstream.params() == {"output_modalities": sent}
    assert structured(result)["count"] == expected == len(upstream.select({"output_modalities": sent}))


async def test_other_filters_count_the_filtered_list(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(
        client, "count_models", {"supported_parameters": ["tools"], "min_context": 128000, "max_price": 1}
    )

    assert upstream.paths == ["/api/v1/models"]
    assert upstream.params() == {"supported_parameters": "tools", "context": "128000", "max_price": "1"}
    assert structured(result)["count"] == 226


async def test_count_result_is_tiny(client: Client) -> None:
    result = await call(client, "count_models", {"q": "gpt"})

    assert len(text_of(result)) < 200
    assert set(structured(result)) == {"count", "note", "source"}


async def test_count_when_upstream_is_down_comes_from_the_snapshot_and_says_so(
    client: Client, upstream: FakeOpenRouter
) -> None:
    upstream.fail = lambda _: httpx2.Response(503, text="upstream connect error")

    result = await call(client, "count_models", {"output_modalities": ["all"]})

    data = structured(result)
    assert data["count"] == 549  # the bundled snapshot is the same 2026-08-18 capture
    assert data["source"]["kind"] == "snapshot"
    assert data["source"]["as_of"].startswith("2026-08-18")
    assert "OFFLINE: bundled catalog snapshot of 2026-08-18" in text_of(result)


async def test_count_rejects_invalid_arguments(client: Client, upstream: FakeOpenRouter) -> None:
    result = await call(client, "count_models", {"limit": 5})

    assert result.is_error
    assert "unknown argument(s) limit" in text_of(result)
    assert upstream.requests == []
