"""list_models_for_user: needs the key, sends it only there, never shows it."""

from typing import Any

import anyio
import pytest
from mcp import Client

from mcp_server_openrouter.config import Settings

from .conftest import FAKE_BASE_URL, TEST_KEY
from .fake_upstream import FakeOpenRouter
from .helpers import TOOL_NAMES, call, ids_of, server_for, structured, text_of

pytestmark = pytest.mark.anyio


async def test_lists_the_key_owners_models_with_the_compact_shape_and_paging(
    client: Client, upstream: FakeOpenRouter
) -> None:
    page = structured(await call(client, "list_models_for_user", {"limit": 10, "offset": 5}))

    assert upstream.paths == ["/api/v1/models/user"]
    assert upstream.requests[0].headers["authorization"] == f"Bearer {TEST_KEY}"
    assert page["total"] == 549
    assert page["offset"] == 5
    assert page["next_offset"] == 15
    assert ids_of(page) == [m["id"] for m in upstream.models[5:15]]


async def test_without_a_key_it_names_the_variable_and_calls_nothing(upstream: FakeOpenRouter) -> None:
    server = server_for(upstream)
    with anyio.fail_after(60):
        async with Client(server) as client:
            result = await call(client, "list_models_for_user")

    assert result.is_error
    assert "OPENROUTER_API_KEY" in text_of(result)
    assert "MCP Bundle, its 'OpenRouter API key' setting" in text_of(result)
    keyless = [name for name in TOOL_NAMES if name not in ("list_models_for_user", "list_model_rankings")]
    assert f"{', '.join(keyless)} work without a key." in text_of(result)
    assert upstream.requests == []


async def test_a_rejected_key_says_so(client: Client, upstream: FakeOpenRouter) -> None:
    upstream.api_key = "sk-or-v1-some-other-key"

    result = await call(client, "list_models_for_user")

    assert result.is_error
    assert "OpenRouter rejected the API key (HTTP 401)" in text_of(result)
    assert "OPENROUTER_API_KEY" in text_of(result)


async def test_the_public_tools_never_send_the_key(client: Client, upstream: FakeOpenRouter) -> None:
    await call(client, "list_models")
    await call(client, "count_models")
    await call(client, "count_models", {"q": "gpt"})

    assert len(upstream.requests) == 3
    assert all("authorization" not in r.headers for r in upstream.requests)


async def test_per_user_answers_are_cached_per_key_and_never_cross_keys() -> None:
    import httpx2
    from pydantic import SecretStr

    from mcp_server_openrouter.catalog import Catalog

    seen_keys: list[str] = []
    models: dict[str, list[dict[str, Any]]] = {
        "Bearer key-a": [{"id": "a/only-for-a", "pricing": {}}],
        "Bearer key-b": [{"id": "b/only-for-b", "pricing": {}}],
    }

    def handler(request: httpx2.Request) -> httpx2.Response:
        auth = request.headers["authorization"]
        seen_keys.append(auth)
        return httpx2.Response(200, json={"data": models[auth], "total_count": 1, "links": {"next": None}})

    catalog = Catalog(
        Settings(api_key=SecretStr("key-a"), base_url=FAKE_BASE_URL), transport=httpx2.MockTransport(handler)
    )
    with anyio.fail_after(60):
        async with catalog.running():
            a1 = await catalog.user_models()
            b1 = await catalog.user_models(SecretStr("key-b"))
            a2 = await catalog.user_models(SecretStr("key-a"))
            b2 = await catalog.user_models(SecretStr("key-b"))

    assert [m.id for m in a1.value] == [m.id for m in a2.value] == ["a/only-for-a"]
    assert [m.id for m in b1.value] == [m.id for m in b2.value] == ["b/only-for-b"]
    assert (a2.provenance.kind, b2.provenance.kind) == ("cached", "cached")
    assert seen_keys == ["Bearer key-a", "Bearer key-b"]
