"""MCP Apps views (the ``io.modelcontextprotocol/ui`` extension): ``recommend_models``' picker.

The picker (``picker.html``, one self-contained file: inline CSS and JavaScript, no network) draws
the result's price-quality frontier, quality against cost per request on a log scale (against the
measured session cost when the result is ranked by a harness), with the near misses apart, details
on hover and a sortable table. It is fed by the host over ``postMessage``
(``ui/initialize``, then ``ui/notifications/tool-input`` and ``ui/notifications/tool-result`` with
the ``CallToolResult``); with ``serverResources`` it reads ``openrouter://models/{id}`` through the
host for each row's context length, which the result does not carry.

**Wiring.** The resource is registered through the SDK's :class:`~mcp.server.apps.Apps` extension
(``MCPServer(extensions=[apps()])``), which serves it as ``text/html;profile=mcp-app`` and
advertises the extension under ``capabilities.extensions``. The tool is *not* registered with
``@apps.tool``: that path hands a bare function to ``MCPServer.add_tool``, which would build a plain
``Tool`` and lose what :func:`..tools.base.build_tool` makes (a :class:`~..tools.base.CatalogTool`:
unknown arguments refused, errors worded, result channels, slimmed schemas). So :func:`bind` stamps
``_meta.ui.resourceUri`` on the tool ``build_tools`` already built, when the server is assembled.

**Graceful degradation** (SEP-2133): the tool's result is the same for every client; the only
addition is that ``_meta`` in ``tools/list`` (15 tokens). A client without Apps ignores it. With
``OPENROUTER_MCP_RESULTS=text`` there is no ``structuredContent`` to draw, so the tool is not bound.
The ``ui://`` resource is left out of ``resources/list`` (the spec allows it: hosts find it
through the tool), which stays the catalog's.
"""

from functools import cache
from importlib.resources import files

from mcp.server.apps import Apps
from mcp.server.mcpserver.tools import Tool

from mcp_server_openrouter.config import Results

PICKER_URI = "ui://openrouter/picker"
PICKER_TOOL = "recommend_models"


@cache
def picker_html() -> str:
    """The picker's HTML, as shipped in the package."""
    return files(__name__).joinpath("picker.html").read_text(encoding="utf-8")


def apps() -> Apps:
    """The Apps extension with the picker's ``ui://`` resource (no CSP domains: it fetches nothing)."""
    extension = Apps()
    extension.add_html_resource(
        PICKER_URI,
        picker_html(),
        name="picker",
        title="Price-quality picker",
        description="recommend_models' frontier as a chart (quality against cost per request) and a sortable table.",
        prefers_border=True,
    )
    return extension


def bind(tools: list[Tool], results: Results = "both") -> list[Tool]:
    """``tools``, with ``recommend_models`` pointing at the picker (``_meta.ui.resourceUri``), unless
    ``results`` sends no structured content for it to draw."""
    if results == "text":
        return tools
    for tool in tools:
        if tool.name == PICKER_TOOL:
            tool.meta = {**(tool.meta or {}), "ui": {"resourceUri": PICKER_URI}}
    return tools
