"""Render docs/picker.png: recommend_models' picker (an MCP Apps view) showing a real result.

The real server answers ``recommend_models(task="coding", supported_parameters=["tools"])`` from
the test suite's fake upstream (tests/fake_upstream.py: real catalog snapshots, a fake rankings
dataset), and the test host (tests/apps_host.py) shows the result to the picker in Debian's
headless chromium over the MCP Apps protocol, as tests/test_picker_ui.py does; one point is
hovered: the costliest near miss, with what beats it. Needs /usr/bin/chromium (``python3 dev.py
test`` installs it as root); with ``pngquant`` on PATH (Debian: ``apt-get install pngquant``) the
PNG is also quantized, to about a third of its size:

    .venv/bin/python -m scripts.screenshot_picker [--out docs/picker.png]
"""

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import anyio
from mcp import Client
from playwright.async_api import ViewportSize, expect
from pydantic import SecretStr

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.server import create_server
from tests import apps_host
from tests.fake_upstream import FakeOpenRouter

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-or-screenshot"
ARGUMENTS = {"task": "coding", "supported_parameters": ["tools"]}
SIZE = ViewportSize(width=900, height=600)


async def render(out: Path) -> None:
    missing = apps_host.chromium_missing()
    if missing:
        raise SystemExit(missing)
    settings = Settings(
        api_key=SecretStr(KEY),
        base_url="http://fake-openrouter.test/api/v1",
        cache_dir=Path(tempfile.mkdtemp(prefix="openrouter-screenshot-")),  # never the user's real cache
    )
    upstream = FakeOpenRouter(api_key=KEY)
    async with Client(create_server(settings, transport=upstream.transport())) as client:
        call = await apps_host.called(client, ARGUMENTS)
        result = call.result
        assert result.structured_content is not None
        columns, rows = result.structured_content["columns"], result.structured_content["rows"]
        cost, beaten = columns.index("usd_request"), columns.index("dominated_by")
        hovered = max((i for i, row in enumerate(rows) if row[beaten] is not None), key=lambda i: rows[i][cost])
        async with apps_host.browser() as browser:
            page = await browser.new_page(viewport=SIZE, device_scale_factor=1)
            frame = await call.show(page, client)
            expect.set_options(timeout=60_000)
            await expect(frame.locator("#app")).to_have_attribute("data-context", "done")
            await frame.locator(f'#chart .point[data-index="{hovered}"]').hover()
            await expect(frame.locator("#tooltip")).to_be_visible()
            await page.screenshot(
                path=str(out), clip={"x": 0, "y": 0, "width": SIZE["width"], "height": SIZE["height"]}
            )
    quantize(out)


def quantize(png: Path) -> None:
    """``png`` in at most 256 colours, when pngquant is there and keeps the quality high."""
    pngquant = shutil.which("pngquant")
    if pngquant is None:
        return
    command = [pngquant, "--quality", "80-100", "--speed", "1", "--strip", "--force", "--output", str(png), str(png)]
    subprocess.run(command, check=False)  # 99: the quality would drop; the PNG stays as it is


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "picker.png")
    out: Path = parser.parse_args().out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    anyio.run(render, out)
    print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
