"""A small MCP Apps host in a real headless Chromium, for the picker's test and its screenshot.

The host page loads a view's HTML into a sandboxed iframe (``sandbox="allow-scripts"``, ``srcdoc``:
an opaque origin, as hosts give views) and speaks the host's side of the MCP Apps protocol
(ext-apps specification 2026-01-26): it answers ``ui/initialize``, waits for
``ui/notifications/initialized``, then sends ``ui/notifications/tool-input`` and
``ui/notifications/tool-result`` (the real ``CallToolResult``); it sizes the iframe from
``ui/notifications/size-changed``, and forwards the view's ``resources/read`` to the real server
(``forward``). Every message the view sends is kept in ``window.hostLog``.

Debian's chromium (``/usr/bin/chromium``, which ``python3 dev.py test`` installs) is driven by the
``playwright`` package; ``playwright install`` is never needed (its browser downloads are not on a
package registry).
"""

import json
import os
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.server.apps import APP_MIME_TYPE
from mcp_types import CallToolResult, TextResourceContents, Tool
from playwright.async_api import Browser, FrameLocator, Page, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root on CI's machine
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium's own connections (to Google) are refused by the closed network: none are made.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST_CONTEXT: dict[str, Any] = {
    "theme": "light",
    "displayMode": "inline",
    "availableDisplayModes": ["inline"],
    "platform": "desktop",
    "locale": "en-US",
}
HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>MCP Apps test host</title>
<style>body { margin: 0; background: #fff; } iframe { display: block; width: 100%; height: 120px; border: 0; }</style>
</head><body><script>
window.hostLog = [];
window.hostStart = (setup) => {
  const frame = document.createElement("iframe");
  frame.id = "view";
  frame.setAttribute("sandbox", "allow-scripts");
  const reply = (message) => {
    if (frame.contentWindow) frame.contentWindow.postMessage({ jsonrpc: "2.0", ...message }, "*"); // else: torn down
  };
  window.addEventListener("message", async (event) => {
    if (event.source !== frame.contentWindow) return;
    const message = event.data;
    window.hostLog.push(message);
    if (!message || message.jsonrpc !== "2.0" || typeof message.method !== "string") return;
    const isRequest = message.id !== undefined && message.id !== null;
    if (message.method === "ui/initialize") {
      reply({ id: message.id, result: {
        protocolVersion: "2026-01-26",
        hostInfo: { name: "mcp-server-openrouter test host", version: "1" },
        hostCapabilities: { serverResources: {}, serverTools: {} },
        hostContext: { ...setup.hostContext, toolInfo: { tool: setup.tool } },
      } });
    } else if (message.method === "ui/notifications/initialized") {
      reply({ method: "ui/notifications/tool-input", params: { arguments: setup.arguments } });
      reply({ method: "ui/notifications/tool-result", params: setup.result });
    } else if (message.method === "ui/notifications/size-changed") {
      if (typeof message.params.height === "number") frame.style.height = message.params.height + "px";
    } else if (isRequest && (message.method === "resources/read" || message.method === "ping")) {
      try {
        const result = message.method === "ping" ? {} : await window.mcpForward(message.method, message.params);
        reply({ id: message.id, result });
      } catch (error) {
        reply({ id: message.id, error: { code: -32603, message: String(error) } });
      }
    } else if (isRequest) {
      reply({ id: message.id, error: { code: -32601, message: "Method not found" } });
    }
  });
  frame.srcdoc = setup.html;
  document.body.appendChild(frame);
};
</script></body></html>"""

Forward = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or ``None``."""
    if CHROMIUM.exists():
        return None
    return f"{CHROMIUM} is missing (python3 dev.py test installs Debian's chromium when it runs as root with apt-get)"


def wire(value: Any) -> Any:
    """An MCP object as it travels: JSON, by alias, without nulls."""
    return json.loads(value.model_dump_json(by_alias=True, exclude_none=True))


def forwarding(client: Client) -> Forward:
    """The host's proxy of the view's requests to the server (``resources/read`` only)."""

    async def forward(method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method != "resources/read":
            raise ValueError(f"{method} is not forwarded")
        return wire(await client.read_resource(str(params["uri"])))

    return forward


async def ui_html(client: Client, uri: str) -> str:
    """The ``ui://`` resource's HTML, checking it is served as an MCP App."""
    read = await client.read_resource(uri)
    (content,) = read.contents
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == APP_MIME_TYPE
    return content.text


@asynccontextmanager
async def browser() -> AsyncGenerator[Browser]:
    """Debian's headless chromium."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, env={**os.environ, "TZ": "UTC"}
        )
        try:
            yield launched
        finally:
            await launched.close()


async def show(
    page: Page,
    *,
    html: str,
    tool: dict[str, Any],
    arguments: dict[str, Any],
    result: dict[str, Any],
    forward: Forward,
    host_context: dict[str, Any] | None = None,
) -> FrameLocator:
    """Load the view into ``page``'s host and hand it the call; the view's frame."""
    await page.expose_function("mcpForward", forward)  # pyright: ignore[reportUnknownMemberType] -- a bare Callable
    await page.set_content(HOST_PAGE)
    setup = {
        "html": html,
        "tool": tool,
        "arguments": arguments,
        "result": result,
        "hostContext": host_context or HOST_CONTEXT,
    }
    await page.evaluate("setup => window.hostStart(setup)", setup)
    return page.frame_locator("#view")


@dataclass(frozen=True, slots=True)
class Call:
    """What a host shows the view of one ``recommend_models`` call: the tool as listed, the view's
    HTML (from the tool's ``_meta.ui.resourceUri``) and the result."""

    tool: Tool
    html: str
    arguments: dict[str, Any]
    result: CallToolResult

    async def show(self, page: Page, client: Client) -> FrameLocator:
        """Load the view into ``page``'s host and hand it this call; the view's frame."""
        return await show(
            page,
            html=self.html,
            tool=wire(self.tool),
            arguments=self.arguments,
            result=wire(self.result),
            forward=forwarding(client),
        )


async def called(client: Client, arguments: dict[str, Any]) -> Call:
    """``recommend_models(arguments)`` as a host with Apps makes it: the listed tool, its view, the result."""
    (tool,) = [t for t in (await client.list_tools()).tools if t.name == "recommend_models"]
    assert tool.meta is not None
    html = await ui_html(client, tool.meta["ui"]["resourceUri"])
    result = await client.call_tool("recommend_models", arguments)
    assert not result.is_error, result
    return Call(tool, html, arguments, result)
