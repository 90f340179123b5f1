"""Build the bundled catalog snapshot, ``src/mcp_server_openrouter/data/catalog-snapshot.json.gz``.

From a real ``GET /models?output_modalities=all`` capture (by default the main one in ``tests/data``,
see SOURCES.md there) and, when one is given (``--media FILE``), a real capture of what OpenRouter
prices outside the model list and of its zero-data-retention endpoints, which the offline path then
answers from (``catalog/offline.py``: ``load_bundled_media``; ``catalog/media.py``).

**No media capture has been made yet**: it needs OpenRouter, which the machine this was written on
could not reach, and none may be made up. So the snapshot shipped today has no ``media``, and
building without ``--media`` writes exactly that file again, byte for byte. To bundle them:

    python scripts/build_catalog_snapshot.py capture-media --out media-capture.json
    python scripts/build_catalog_snapshot.py --media media-capture.json

``capture-media`` asks ``--base-url`` (default OpenRouter's API) for ``GET /videos/models``,
``GET /images/models``, each image model's ``GET /images/models/{id}/endpoints`` (one request each,
one at a time) and ``GET /endpoints/zdr``, without a key (none of them needs one), through the
package's own client, and writes the bodies as received, with the time. Building checks that each
body parses as the server would parse it, and refuses a capture that does not.

Format (sorted as written, compact JSON, gzip level 9 with no timestamp): ``{"snapshot_date":
"YYYY-MM-DD", "source": "...", "total_count": N, ["media": {"captured": ISO-8601 UTC, "source":
"...", "videos": body, "images": body, "image_endpoints": {id: body}, "zdr": body},] "data":
[records]}``; every part of ``media`` is optional.
"""

import argparse
import gzip
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import anyio

from mcp_server_openrouter.openrouter import DEFAULT_BASE_URL, OpenRouterClient, OpenRouterError
from mcp_server_openrouter.openrouter.media import parse_image_endpoints, parse_image_models, parse_videos, parse_zdr

ROOT = Path(__file__).resolve().parent.parent
CAPTURE = ROOT / "tests" / "data" / "models-unified-llm-pricing-all-2026-08-18.json.gz"
OUT = ROOT / "src" / "mcp_server_openrouter" / "data" / "catalog-snapshot.json.gz"
DATE = "2026-08-18"
SOURCE = (
    "GET https://openrouter.ai/api/v1/models?output_modalities=all, captured 2026-08-18 "
    "(anuran-roy/unified-llm-pricing@ef05c3b)"
)
MEDIA_PARTS = ("videos", "images", "image_endpoints", "zdr")


def _read_json(path: Path) -> Any:
    blob = path.read_bytes()
    return json.loads(gzip.decompress(blob) if path.suffix == ".gz" else blob)


def check_media(media: Any) -> dict[str, Any]:
    """A media capture, checked: ``captured`` a UTC time, each body one the server can parse.
    Raises ``ValueError`` naming what is wrong."""
    if not isinstance(media, dict):
        raise ValueError("a media capture is a JSON object")
    capture = cast(dict[str, Any], media)
    captured = datetime.fromisoformat(str(capture.get("captured")))
    if captured.tzinfo is None:
        raise ValueError("'captured' must carry its timezone (UTC)")
    unknown = set(capture) - {"captured", "source", *MEDIA_PARTS}
    if unknown:
        raise ValueError(f"unknown keys in the media capture: {sorted(unknown)}")
    parsers = {"videos": parse_videos, "images": parse_image_models, "zdr": parse_zdr}
    for part, parse in parsers.items():
        if part in capture:
            parse(capture[part])
    endpoints: Any = capture.get("image_endpoints", {})
    if not isinstance(endpoints, dict):
        raise ValueError("'image_endpoints' maps model IDs to bodies")
    for body in cast(dict[str, Any], endpoints).values():
        parse_image_endpoints(body)
    return capture


def build(capture: Path = CAPTURE, *, date: str = DATE, source: str = SOURCE, media: Any = None) -> bytes:
    """The snapshot's bytes (see the module docstring)."""
    body: Any = _read_json(capture)
    records: list[Any] = body["data"]
    payload: dict[str, Any] = {
        "snapshot_date": date,
        "source": source,
        "total_count": body.get("total_count", len(records)),
    }
    if media is not None:
        payload["media"] = check_media(media)
    payload["data"] = records
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    out = io.BytesIO()
    with gzip.GzipFile(filename="catalog-snapshot.json", mode="wb", fileobj=out, compresslevel=9, mtime=0) as handle:
        handle.write(text.encode())
    return out.getvalue()


async def capture_media(base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    """What ``capture-media`` writes: the bodies, as received, and when."""
    async with OpenRouterClient.create(base_url=base_url, user_agent="mcp-server-openrouter snapshot builder") as api:
        captured = datetime.now(UTC).replace(microsecond=0)
        videos = await api.video_models()
        images = await api.image_models()
        endpoints: dict[str, Any] = {}
        for model_id in sorted(images.ids):
            try:
                endpoints[model_id] = (await api.image_endpoints(model_id)).raw
            except OpenRouterError as exc:
                print(f"{model_id}: not captured ({exc})", file=sys.stderr)
        zdr = await api.zdr_endpoints()
    return {
        "captured": captured.isoformat(),
        "source": f"GET {base_url.rstrip('/')}/videos/models, /images/models, /images/models/{{id}}/endpoints, "
        f"/endpoints/zdr, captured {captured:%Y-%m-%d %H:%M} UTC",
        "videos": videos.raw,
        "images": images.raw,
        "image_endpoints": endpoints,
        "zdr": zdr.raw,
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["capture-media"]:
        parser = argparse.ArgumentParser(prog="build_catalog_snapshot.py capture-media")
        parser.add_argument("--out", type=Path, required=True, help="where to write the capture (JSON)")
        parser.add_argument("--base-url", default=DEFAULT_BASE_URL)
        options = parser.parse_args(argv[1:])
        capture = anyio.run(capture_media, options.base_url)
        options.out.write_text(json.dumps(capture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(
            f"{options.out}: {len(capture['image_endpoints'])} image models' endpoints, captured {capture['captured']}"
        )
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--capture", type=Path, default=CAPTURE, help="a GET /models?output_modalities=all body")
    parser.add_argument("--date", default=DATE, help="the catalog capture's day (YYYY-MM-DD)")
    parser.add_argument("--source", default=SOURCE, help="where the catalog capture came from")
    parser.add_argument("--media", type=Path, help="a capture-media file to bundle (none exists yet)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write it (default: {OUT.relative_to(ROOT)})")
    options = parser.parse_args(argv)
    media = _read_json(options.media) if options.media else None
    try:
        blob = build(options.capture, date=options.date, source=options.source, media=media)
    except ValueError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    options.out.write_bytes(blob)
    print(f"{options.out}: {len(blob):,} bytes" + ("" if media is None else ", with media prices"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
