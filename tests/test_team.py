"""A team deployment (issue 25): one HTTP server, each user with their own OpenRouter key.

A real uvicorn on loopback serves the app; SDK clients send ``X-OpenRouter-API-Key`` (or, when the
server has no token of its own, ``Authorization: Bearer <key>``). The fake OpenRouter knows two
accounts that may use different models, so whose key a request used shows in the answer.
"""

import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult
from pydantic import SecretStr

from mcp_server_openrouter.catalog import Catalog
from mcp_server_openrouter.catalog.keys import account_of, brought
from mcp_server_openrouter.config import ENV_API_KEY, ENV_KEYS, Settings, SettingsError
from mcp_server_openrouter.http import HttpOptions, create_app
from mcp_server_openrouter.usage import rankings_query

from .conftest import FAKE_BASE_URL, FAST_RETRY
from .fake_upstream import FakeOpenRouter
from .helpers import call, structured, text_of
from .test_http import serving

pytestmark = pytest.mark.anyio

ALICE = "sk-or-v1-ALICE-4b1d9e0c7a2f4e6d8c3b"
BOB = "sk-or-v1-BOB-9e8d7c6b5a4f3e2d1c0b"
TOKEN = "team-token-51c0ffee"
DATASETS = ("/api/v1/benchmarks", "/api/v1/datasets/rankings-daily", "/api/v1/classifications/task")
RANKINGS: list[dict[str, Any]] = [
    *(
        {"period": p, "modality": m}
        for p in ("day", "week", "month")
        for m in ("text", "image", "audio", "tool_calling")
    ),
    *({"period": p, "context_bucket": b} for p in ("day", "week", "month") for b in ("1K", "10K", "100K", "1M", "10M")),
    *({"period": p, "language_type": t} for p in ("week", "month") for t in ("natural", "programming")),
]
"""31 distinct questions of the rankings dataset: more than a key's minute (30)."""


class TeamOpenRouter(FakeOpenRouter):
    """The fake, with two accounts: Alice may use 3 models, Bob 5; datasets answer either key."""

    def __init__(self) -> None:
        super().__init__(api_key=ALICE)
        self.allowed = {ALICE: self.models[:3], BOB: self.models[:5]}
        self.auth: list[tuple[str, str | None]] = []
        """Each request's path and ``Authorization``, as sent."""

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.auth.append((request.url.path, request.headers.get("authorization")))
        return super().handle(request)

    def answer(self, request: httpx2.Request) -> httpx2.Response:
        key = request.headers.get("authorization", "").removeprefix("Bearer ")
        if request.url.path == "/api/v1/models/user" and key in self.allowed:
            data = self.allowed[key]
            return httpx2.Response(200, json={"data": data, "total_count": len(data), "links": {"next": None}})
        if key in self.allowed:  # the datasets and endpoints take either account's key
            request = httpx2.Request("GET", request.url, headers={"authorization": f"Bearer {ALICE}"})
        return super().answer(request)

    def sent_with(self, key: str) -> list[str]:
        """The paths of the requests that carried ``key``."""
        return [path for path, auth in self.auth if auth == f"Bearer {key}"]


def app_for(upstream: FakeOpenRouter, cache_dir: Path, **options: Any) -> Any:
    settings = Settings(base_url=FAKE_BASE_URL, keys="per-request", cache_dir=cache_dir)
    return create_app(settings, HttpOptions(**options), transport=upstream.transport(), retry=FAST_RETRY)


@asynccontextmanager
async def user(base: str, headers: dict[str, str]) -> AsyncGenerator[Client]:
    """An MCP client over streamable HTTP that sends ``headers`` with every request."""
    async with (
        httpx2.AsyncClient(headers=headers) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
    ):
        yield client


def as_user(key: str | None, *, token: bool = True) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {TOKEN}"} if token else {}
    if key is not None:
        headers["X-OpenRouter-API-Key"] = key
    headers["X-Forwarded-Secret"] = "never-sent-upstream"  # another header: it must stay here
    return headers


async def test_two_users_at_once_each_get_their_own_models_and_budget(tmp_path: Path) -> None:
    upstream = TeamOpenRouter()
    results: dict[str, list[CallToolResult]] = {ALICE: [], BOB: []}
    async with (
        serving(app_for(upstream, tmp_path, auth_token=SecretStr(TOKEN))) as base,
        user(base, as_user(ALICE)) as alice,
        user(base, as_user(BOB)) as bob,
    ):

        async def ask(who: str, client: Client) -> None:
            results[who].append(await call(client, "list_models_for_user", {}))
            for question in RANKINGS:
                results[who].append(await call(client, "list_model_rankings", question))

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                group.start_soon(ask, ALICE, alice)
                group.start_soon(ask, BOB, bob)

    assert structured(results[ALICE][0])["total"] == 3
    assert structured(results[BOB][0])["total"] == 5
    for key in (ALICE, BOB):
        sent = [p for p in upstream.sent_with(key) if p in DATASETS]
        assert len(sent) == 30, key  # each key its own minute: neither spent the other's
        refused = [r for r in results[key][1:] if r.is_error]
        assert len(refused) == len(RANKINGS) - 30
        assert all("the next request may go in" in text_of(r) for r in refused), [text_of(r) for r in refused]
    assert all(auth is None or auth in (f"Bearer {ALICE}", f"Bearer {BOB}") for _, auth in upstream.auth)
    for request in upstream.requests:  # one header read, none forwarded
        assert "x-forwarded-secret" not in request.headers
        assert "x-openrouter-api-key" not in request.headers


async def test_a_user_without_a_key_is_told_which_header_to_send(tmp_path: Path) -> None:
    upstream = TeamOpenRouter()
    async with (
        serving(app_for(upstream, tmp_path, auth_token=SecretStr(TOKEN))) as base,
        user(base, as_user(None)) as nobody,
    ):
        mine = await call(nobody, "list_models_for_user", {})
        rankings = await call(nobody, "list_model_rankings", {})
        public = structured(await call(nobody, "list_models", {"limit": 1}))

    for refused in (mine, rankings):
        assert refused.is_error
        assert "X-OpenRouter-API-Key" in text_of(refused)
    assert public["source"]["kind"] == "live"  # the public catalog needs no key
    assert upstream.sent_with(ALICE) == []
    assert all(auth is None for _, auth in upstream.auth)  # nobody's key was used for them


async def test_the_bearer_is_the_key_when_the_server_has_no_token(tmp_path: Path) -> None:
    upstream = TeamOpenRouter()
    async with serving(app_for(upstream, tmp_path)) as base, user(base, {"Authorization": f"Bearer {BOB}"}) as bob:
        mine = structured(await call(bob, "list_models_for_user", {}))
    assert mine["total"] == 5


async def test_with_a_token_the_bearer_is_never_taken_for_a_key(tmp_path: Path) -> None:
    upstream = TeamOpenRouter()
    async with (
        serving(app_for(upstream, tmp_path, auth_token=SecretStr(TOKEN))) as base,
        user(base, as_user(None)) as nobody,
    ):
        refused = await call(nobody, "list_models_for_user", {})
    assert refused.is_error
    assert all(auth is None for _, auth in upstream.auth)


async def test_a_users_key_overrides_the_servers_own_in_the_default_mode(tmp_path: Path) -> None:
    upstream = TeamOpenRouter()
    settings = Settings(base_url=FAKE_BASE_URL, api_key=SecretStr(ALICE), cache_dir=tmp_path)
    app = create_app(settings, HttpOptions(), transport=upstream.transport(), retry=FAST_RETRY)
    async with serving(app) as base, user(base, {"X-OpenRouter-API-Key": BOB}) as bob, user(base, {}) as owner:
        theirs = structured(await call(bob, "list_models_for_user", {}))
        own = structured(await call(owner, "list_models_for_user", {}))
    assert theirs["total"] == 5
    assert own["total"] == 3  # no header: the server's key, as before


async def test_no_key_appears_in_a_log_line_error_file_or_cache_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    upstream = TeamOpenRouter()
    seen: list[str] = []
    async with serving(app_for(upstream, tmp_path / "cache", auth_token=SecretStr(TOKEN))) as base:
        for key in (ALICE, BOB, "sk-or-v1-UNKNOWN-deadbeefdeadbeef"):
            async with user(base, as_user(key)) as client:
                for tool, arguments in [
                    ("list_models_for_user", {}),
                    ("list_model_rankings", {}),
                    ("list_model_rankings", {"task": "all"}),
                    ("get_model", {"ids": ["openai/gpt-4o"]}),
                    ("recommend_models", {"task": "search"}),
                    ("list_model_endpoints", {"id": "openai/gpt-4o"}),
                ]:
                    seen.append((await call(client, tool, arguments)).model_dump_json())

    seen.extend(record.getMessage() for record in caplog.records)
    seen.extend(str(record.exc_info) for record in caplog.records if record.exc_info)
    for file in (tmp_path / "cache").iterdir():
        seen.append(file.name)
        seen.append(file.read_bytes().decode("utf-8", "replace"))
    assert any('"total":3' in text.replace(" ", "") for text in seen)  # the keys were really used
    for text in seen:
        for secret in ("ALICE-4b1d", "BOB-9e8d", "UNKNOWN-deadbeef"):
            assert secret not in text


async def test_what_is_kept_per_key_is_kept_by_a_hash(tmp_path: Path) -> None:
    """The caches' keys (as the server holds them in memory) name accounts, never keys."""
    upstream = TeamOpenRouter()
    catalog = Catalog(
        Settings(base_url=FAKE_BASE_URL, keys="per-request", cache_dir=tmp_path), transport=upstream.transport()
    )
    async with catalog.running():
        for key in (ALICE, BOB):
            with brought(SecretStr(key)), anyio.fail_after(60):
                await catalog.user_models()
                await catalog.endpoints("openai/gpt-4o")
                await catalog.rankings(rankings_query("week", catalog.now().date()))
        held = [repr(k) for cache in (catalog._cache, catalog._datasets) for k in (*cache._entries, *cache._failures)]

    assert any(account_of(SecretStr(ALICE)) in k for k in held)
    for text in held:
        assert ALICE not in text
        assert BOB not in text


def test_per_request_mode_refuses_a_server_key() -> None:
    with pytest.raises(SettingsError, match=f"unset {ENV_API_KEY}"):
        Settings.from_env({ENV_KEYS: "per-request", ENV_API_KEY: ALICE})
    with pytest.raises(SettingsError, match=f"{ENV_KEYS} must be server or per-request"):
        Settings.from_env({ENV_KEYS: "everyone"})
    assert Settings.from_env({ENV_KEYS: "per-request"}).keys == "per-request"
    assert Settings.from_env({}).keys == "server"


def test_the_cli_refuses_what_cannot_work_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mcp_server_openrouter.__main__ import main

    monkeypatch.setenv(ENV_KEYS, "per-request")
    monkeypatch.setenv(ENV_API_KEY, ALICE)
    with pytest.raises(SystemExit) as exit_info:
        main(["--transport", "streamable-http"])
    assert exit_info.value.code == 2
    refusal = capsys.readouterr().err
    assert refusal.count("\n") == 1
    assert f"unset {ENV_API_KEY}" in refusal
    assert ALICE not in refusal

    monkeypatch.delenv(ENV_KEYS)
    with pytest.raises(SystemExit) as exit_info:
        main(["--keys", "per-request", "--transport", "sse"])  # the flag, too
    assert f"unset {ENV_API_KEY}" in capsys.readouterr().err

    monkeypatch.delenv(ENV_API_KEY)
    with pytest.raises(SystemExit) as exit_info:
        main(["--keys", "per-request"])  # stdio has no headers to bring a key in
    assert exit_info.value.code == 2
    assert "stdio has none of" in capsys.readouterr().err
