"""recommend_models' picker, an MCP Apps view: what ``tools/list`` and ``resources/read`` say of it,
that clients without Apps get the same answer, and what it draws in a real headless Chromium fed
a real result (the fake upstream's catalog) through the MCP Apps protocol (see ``apps_host``).

The browser test needs Debian's chromium, which ``python3 dev.py test`` installs when it can (root,
apt-get). Where it cannot, the test skips and says why; under CI (``CI=true``) it fails instead, so
that a CI machine without the browser cannot pass by skipping it.
"""

import json
import os
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import ClientExtension
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp_types import CallToolResult, TextResourceContents
from playwright.async_api import ConsoleMessage, FrameLocator, Page, Request, Route, expect
from pydantic import SecretStr

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.render.detail import URI_PREFIX
from mcp_server_openrouter.server import create_server
from mcp_server_openrouter.ui import PICKER_URI, picker_html

from . import apps_host
from .conftest import FAKE_BASE_URL, FAST_RETRY, TEST_KEY
from .fake_upstream import FakeOpenRouter

pytestmark = pytest.mark.anyio

ARGUMENTS: dict[str, Any] = {"task": "coding", "supported_parameters": ["tools"]}
TIMEOUT_MS = 60_000
"""For each wait on the page: generous, as on a busy CI machine; nothing waits this long when it works."""
NETWORK = re.compile(
    r"https?:|\b(src|href|action|srcset|ping)\s*=|url\(|@import|\bfetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon",
    re.IGNORECASE,
)
"""Anything in the view that could reach the network (or name a place on it)."""


class AppsClient(ClientExtension):
    """A client that says it renders MCP Apps (as Claude Desktop or VS Code do)."""

    identifier = EXTENSION_ID

    def settings(self) -> dict[str, Any]:
        return {"mimeTypes": [APP_MIME_TYPE]}


def chromium() -> None:
    """Skip (or, under CI, fail) when there is no browser to run."""
    missing = apps_host.chromium_missing()
    if missing is None:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI must run the browser test: {missing}")
    pytest.skip(missing)


def test_without_chromium_the_browser_tests_skip_but_not_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apps_host, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"dev\.py test installs"):
        chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser test"):
        chromium()


async def test_tools_list_points_recommend_models_at_the_picker(client: Client) -> None:
    listed = await client.list_tools()
    meta = {tool.name: tool.meta for tool in listed.tools}
    assert meta.pop("recommend_models") == {"ui": {"resourceUri": PICKER_URI}}
    assert set(meta.values()) == {None}  # no other tool has a view
    # The extension is advertised as the SDK does: its identifier, no settings.
    assert client.server_capabilities.extensions == {EXTENSION_ID: {}}


async def test_the_picker_is_one_self_contained_html_file(client: Client) -> None:
    read = await client.read_resource(PICKER_URI)
    (content,) = read.contents
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == APP_MIME_TYPE
    assert content.meta == {"ui": {"prefersBorder": True}}  # no csp domains: it loads and fetches nothing
    html = content.text
    assert html == picker_html()
    assert html.startswith("<!doctype html>")
    assert NETWORK.search(html) is None, NETWORK.search(html)
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";"))
    assert directives["default-src"] == "'none'"  # so connect-src, frame-src, font-src: none
    assert directives["script-src"] == directives["style-src"] == "'unsafe-inline'"
    # The model resources it reads through the host, for context lengths, are this server's.
    assert f'"{URI_PREFIX}"' in html
    # It is not in resources/list, which stays the catalog's (the spec lets UI-only resources out).
    listed = await client.list_resources()
    assert PICKER_URI not in {r.uri for r in listed.resources}


async def test_text_only_results_leave_the_tool_unbound(upstream: FakeOpenRouter) -> None:
    settings = Settings(api_key=SecretStr(TEST_KEY), base_url=FAKE_BASE_URL, timeout=5, results="text")
    async with Client(create_server(settings, transport=upstream.transport(), retry=FAST_RETRY)) as client:
        listed = await client.list_tools()
        assert {tool.meta is None for tool in listed.tools} == {True}  # no structured content to draw


async def test_clients_with_and_without_apps_get_the_same_answer(upstream: FakeOpenRouter, settings: Settings) -> None:
    server = create_server(settings, transport=upstream.transport(), retry=FAST_RETRY)
    async with Client(server) as plain, Client(server, extensions=[AppsClient()]) as apps:
        await plain.call_tool("recommend_models", ARGUMENTS)  # then both answer from the same cache
        results = [await c.call_tool("recommend_models", ARGUMENTS) for c in (plain, apps)]
        tools = [await c.list_tools() for c in (plain, apps)]
    assert results[0].structured_content == results[1].structured_content
    assert results[0].content == results[1].content
    assert tools[0] == tools[1]


@dataclass
class Picker:
    """The page of a host showing the picker a real recommend_models call."""

    page: Page
    frame: FrameLocator
    """The view's."""
    result: CallToolResult
    errors: list[str]
    """Console errors (a CSP violation is one) and uncaught exceptions, of every frame."""
    requests: list[str]
    """Every URL the page asked for (none is answered)."""


@pytest.fixture
async def picker(client: Client, request: pytest.FixtureRequest) -> AsyncGenerator[Picker]:
    """A browser page whose host shows the picker a real recommend_models call (``ARGUMENTS``, or
    the test's own through indirect parametrization)."""
    chromium()
    call = await apps_host.called(client, getattr(request, "param", ARGUMENTS))
    async with apps_host.browser() as browser:
        page = await browser.new_page(viewport={"width": 900, "height": 700})
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        requests: list[str] = []

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(message.text)

        async def refuse(route: Route, request: Request) -> None:
            requests.append(request.url)
            await route.abort()

        page.on("console", console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.context.route("**/*", refuse)
        frame = await call.show(page, client)
        yield Picker(page, frame, call.result, errors, requests)


async def test_the_picker_draws_the_frontier_in_a_browser(picker: Picker, client: Client, tmp_path: Path) -> None:
    page, frame = picker.page, picker.frame
    structured = picker.result.structured_content
    assert structured is not None
    columns: list[str] = structured["columns"]
    rows: list[list[Any]] = structured["rows"]
    at = {name: columns.index(name) for name in columns}
    frontier = [r for r in rows if r[at["dominated_by"]] is None]
    near = [r for r in rows if r[at["dominated_by"]] is not None]
    assert frontier
    assert near  # the fake upstream's catalog has both: the test sees both drawn
    expect.set_options(timeout=TIMEOUT_MS)

    await expect(frame.locator("#app")).to_have_attribute("data-state", "ready")
    # One point per frontier row and per near miss, each kind drawn apart.
    await expect(frame.locator("#chart .point.frontier")).to_have_count(len(frontier))
    await expect(frame.locator("#chart .point.near-miss")).to_have_count(len(near))
    await expect(frame.locator("#chart .point.frontier circle.mark")).to_have_count(len(frontier))
    await expect(frame.locator("#chart .point.near-miss path.mark")).to_have_count(len(near))
    await expect(frame.locator("#x-label")).to_have_text("cost per request (USD, log scale)")
    # The score's name and what it is, or less of it where the chart is too short for it all.
    task, score = structured["task"], structured["score"]
    labels = [f"{task}: {score}", score, f"{task} score"]
    await expect(frame.locator("#y-label")).to_have_text(re.compile("^(" + "|".join(map(re.escape, labels)) + ")$"))
    await expect(frame.locator("#title")).to_have_text(f"Best {task} models at each price")
    await expect(frame.locator("#subtitle")).to_contain_text(structured["workload"])
    await expect(frame.locator("#subtitle")).to_contain_text("supported_parameters=tools")
    free = [r for r in rows if r[at["usd_request"]] == 0]
    await expect(frame.locator("#chart .x-tick", has_text=re.compile("^free$"))).to_have_count(1 if free else 0)

    # Hover: the model's id, score, cost, share, and its context length, read through the host.
    await expect(frame.locator("#app")).to_have_attribute("data-context", "done")
    best = rows[0]
    await frame.locator('#chart .point[data-index="0"]').hover()
    tooltip = frame.locator("#tooltip")
    await expect(tooltip).to_be_visible()
    await expect(frame.locator("#tooltip-id")).to_have_text(best[at["id"]])
    await expect(tooltip).to_contain_text(str(best[at[task]]))
    await expect(tooltip).to_contain_text(f"${best[at['usd_request']]:.3g}")  # 3 significant digits
    await expect(tooltip).to_contain_text(f"{best[at['share_pct']]}%")
    record = await client.read_resource(URI_PREFIX + best[at["id"]])
    (content,) = record.contents
    assert isinstance(content, TextResourceContents)
    await expect(tooltip).to_contain_text(f"{json.loads(content.text)['context_length']:,} tokens")
    # A near miss: what beats it, and a line to it.
    miss = near[0]
    await frame.locator(f'#chart .point[data-index="{rows.index(miss)}"]').hover()
    await expect(frame.locator("#tooltip-id")).to_have_text(miss[at["id"]])
    await expect(tooltip).to_contain_text(f"beaten by{miss[at['dominated_by']]}")
    await expect(frame.locator("#chart .beaten-by")).to_have_count(1)

    # The table: a row each, in the result's order; a header click sorts, a second reverses.
    ids = frame.locator('#table tbody td[data-key="id"]')
    await expect(ids).to_have_text([r[at["id"]] for r in rows])
    header = frame.locator('#table th[data-key="usd_request"]')
    await header.click()
    await expect(header).to_have_attribute("aria-sort", "ascending")
    cheapest_first = sorted(range(len(rows)), key=lambda i: (rows[i][at["usd_request"]], i))
    await expect(ids).to_have_text([rows[i][at["id"]] for i in cheapest_first])
    await header.click()
    await expect(header).to_have_attribute("aria-sort", "descending")
    costliest_first = sorted(range(len(rows)), key=lambda i: (-rows[i][at["usd_request"]], i))
    await expect(ids).to_have_text([rows[i][at["id"]] for i in costliest_first])
    by_score = frame.locator(f'#table th[data-key="{task}"]')
    await by_score.click()
    await expect(by_score).to_have_attribute("aria-sort", "ascending")
    await expect(header).to_have_attribute("aria-sort", "none")
    worst_first = sorted(range(len(rows)), key=lambda i: (rows[i][at[task]], i))
    await expect(ids).to_have_text([rows[i][at["id"]] for i in worst_first])

    shot = tmp_path / "picker.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")

    # The protocol as the view spoke it: ui/initialize first, then initialized, then its reads.
    log: list[dict[str, Any]] = await page.evaluate("window.hostLog")
    assert log[0]["method"] == "ui/initialize"
    assert log[0]["params"]["protocolVersion"] == "2026-01-26"
    assert set(log[0]["params"]) == {"appInfo", "appCapabilities", "protocolVersion"}
    methods = [m.get("method") for m in log]
    assert methods[1] == "ui/notifications/initialized"
    reads = [m["params"]["uri"] for m in log if m.get("method") == "resources/read"]
    assert sorted(reads) == sorted({URI_PREFIX + r[at["id"]] for r in rows})
    assert "ui/notifications/size-changed" in methods
    assert picker.errors == []  # no script error, no CSP violation
    assert picker.requests == []  # the view loaded nothing and sent nothing


async def test_the_picker_shows_the_text_of_a_result_without_structured_content(picker: Picker) -> None:
    """Only the text of a result without ``structuredContent`` (``OPENROUTER_MCP_RESULTS=text``):
    shown as it is, not parsed. Here the fixture's page is reloaded with such a result, once the
    view it shows has read what it reads."""
    page = picker.page
    expect.set_options(timeout=TIMEOUT_MS)
    await expect(picker.frame.locator("#app")).to_have_attribute("data-context", "done")
    result = apps_host.wire(picker.result)
    text = result["content"][0]["text"]
    html = picker_html()
    await page.set_content(apps_host.HOST_PAGE)
    setup = {"html": html, "tool": {}, "arguments": ARGUMENTS, "result": {"content": result["content"]}}
    await page.evaluate("setup => window.hostStart({...setup, hostContext: {}})", setup)
    frame = page.frame_locator("#view")
    await expect(frame.locator("#app")).to_have_attribute("data-state", "text")
    await expect(frame.locator("#text")).to_have_text(text)
    await expect(frame.locator("#chart .point")).to_have_count(0)
    assert picker.errors == []


@pytest.mark.parametrize("picker", [{"task": "coding", "harness": "claude-code"}], indirect=True)
async def test_ranked_by_a_harness_the_chart_is_by_measured_session_cost(picker: Picker) -> None:
    """The frontier of a harness is by its measured session cost: that is the chart's x axis, and
    every row (each has one) is drawn where its session cost puts it."""
    structured = picker.result.structured_content
    assert structured is not None
    assert "unmeasured" in structured["counts"]
    columns: list[str] = structured["columns"]
    sessions = [r[columns.index("usd_session")] for r in structured["rows"]]
    assert sessions
    assert None not in sessions
    expect.set_options(timeout=TIMEOUT_MS)
    await expect(picker.frame.locator("#app")).to_have_attribute("data-state", "ready")
    await expect(picker.frame.locator("#x-label")).to_have_text("median cost per session (USD, log scale)")
    await expect(picker.frame.locator("#chart .point")).to_have_count(len(sessions))
    assert picker.errors == []
    assert picker.requests == []
