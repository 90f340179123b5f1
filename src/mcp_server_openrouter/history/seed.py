"""The catalog history bundled with the package (``data/history-seed.json.gz``).

``scripts/build_history_seed.py`` makes it from the real catalog snapshots in ``tests/data``: the
changes between consecutive snapshots, 2025-05-22 to 2026-08-18, each dated to the pair of
snapshot days it happened between. The bundled catalog snapshot (``data/catalog-snapshot.json.gz``)
is the :attr:`Seed.base` the first live catalog is compared with.
"""

import gzip
import json
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any, cast

from mcp_server_openrouter.history.events import Event, Kind, Seed

SEED_FILE = "history-seed.json.gz"
SNAPSHOT_FILE = "catalog-snapshot.json.gz"
"""The bundled catalog snapshot: the history's base here, the offline catalog in :mod:`..catalog.offline`."""


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _read(name: str) -> Any:
    blob = resources.files("mcp_server_openrouter").joinpath("data", name).read_bytes()
    return json.loads(gzip.decompress(blob))


@cache
def load_seed() -> Seed:
    """The bundled history, read once per process, on first need (shared: do not mutate it)."""
    payload = _read(SEED_FILE)
    days: dict[str, datetime] = {}

    def when(text: str) -> datetime:
        if text not in days:
            days[text] = _midnight(date.fromisoformat(text))
        return days[text]

    events = [
        Event(model_id, cast("Kind", kind), field, before, after, when(since), when(seen_at))
        for since, seen_at, model_id, kind, field, before, after in payload["events"]
    ]
    snapshots = [date.fromisoformat(s["date"]) for s in payload["snapshots"]]
    base = _read(SNAPSHOT_FILE)
    return Seed(
        events=events,
        snapshots=snapshots,
        base=base["data"],
        base_at=_midnight(date.fromisoformat(base["snapshot_date"])),
    )
