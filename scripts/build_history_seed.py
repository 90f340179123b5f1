"""Build the bundled catalog history, ``src/mcp_server_openrouter/data/history-seed.json.gz``.

It diffs each pair of consecutive real catalog snapshots in ``tests/data`` (see SOURCES.md there)
with :func:`mcp_server_openrouter.history.events.diff`, dating each change to "after the older
snapshot's day, by the newer one's". The older captures are plain ``GET /models`` (text-output
models), so the 2026-08-18 step uses that capture's ``text`` file; the ``all`` file is the package's
catalog snapshot, which the first live catalog is compared with.

The output is reproducible: the same bytes on every run (sorted keys, no gzip timestamp or name).
Run from anywhere: ``python scripts/build_history_seed.py [--out PATH]``; it prints the size.

Format: ``{"version": 1, "snapshots": [{"date", "models", "source"}, ...], "events": [[since,
seen_at, model_id, kind, field, before, after], ...]}``, dates ``YYYY-MM-DD``, oldest first.
"""

import argparse
import gzip
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from mcp_server_openrouter.history.events import diff

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
OUT = ROOT / "src" / "mcp_server_openrouter" / "data" / "history-seed.json.gz"
LIMIT = 300_000
"""Most bytes the seed may take in the package."""

SNAPSHOTS = (
    ("models-pydantic-llm-tester-2025-05-22.json.gz", "madviking/pydantic-llm-tester"),
    ("models-obsidian-openchat-2025-11-10.json.gz", "ItsDalk-Lane/obsidian-openchat"),
    ("models-openrouter-free-api-2026-01-28.json.gz", "Xiechengqi/openrouter-free-api"),
    ("models-aiscanner-2026-05-12.json.gz", "sinkers/aiscanner"),
    ("models-unified-llm-pricing-text-2026-08-18.json.gz", "anuran-roy/unified-llm-pricing"),
)
"""The snapshots, oldest first, with the repository each was committed to."""


def snapshot_day(name: str) -> date:
    """The date in a snapshot's file name (``models-…-YYYY-MM-DD.json.gz``)."""
    return date.fromisoformat(name.removesuffix(".json.gz")[-10:])


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def build(data: Path = DATA) -> bytes:
    """The seed file's bytes."""
    snapshots: list[dict[str, Any]] = []
    events: list[list[str | None]] = []
    previous: tuple[date, list[dict[str, Any]]] | None = None
    for name, source in SNAPSHOTS:
        day = snapshot_day(name)
        records: list[dict[str, Any]] = json.loads(gzip.decompress((data / name).read_bytes()))["data"]
        snapshots.append({"date": day.isoformat(), "models": len(records), "source": source})
        if previous is not None:
            since, old = previous
            for e in diff(old, records, since=_midnight(since), seen_at=_midnight(day)):
                events.append([since.isoformat(), day.isoformat(), e.model_id, e.kind, e.field, e.before, e.after])
        previous = (day, records)
    payload = {"version": 1, "snapshots": snapshots, "events": events}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write it (default: {OUT.relative_to(ROOT)})")
    out: Path = parser.parse_args(argv).out
    blob = build()
    out.write_bytes(blob)
    events = len(json.loads(gzip.decompress(blob))["events"])
    print(f"{out}: {len(blob):,} bytes ({events:,} events; limit {LIMIT:,})")
    return 0 if len(blob) <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
