"""A stand-in for the history's ``diff``, a hand-made seed, and a writer process for the store tests.

    python -m tests.history_fakes PATH COUNT TIMEOUT

records COUNT catalogs (each one a function of the time it is taken at) into the history at PATH,
after the line ``go`` on stdin; it prints ``ready`` once the store answers, then the time of each
recording it made (those that returned events).
"""

import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from mcp_server_openrouter.history import store
from mcp_server_openrouter.history.events import Event, Seed

BASE_AT = datetime(2025, 5, 1, tzinfo=UTC)
JAN, MAR = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC)


def model(model_id: str, prompt: str = "0.000001", name: str | None = None) -> dict[str, Any]:
    return {"id": model_id, "name": name or model_id, "pricing": {"prompt": prompt, "completion": "0.000002"}}


def fake_diff(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], *, since: datetime, seen_at: datetime
) -> list[Event]:
    """Added and removed by ID, and a change of ``pricing.prompt``."""
    before = {r["id"]: r for r in old}
    after = {r["id"]: r for r in new}
    events = [Event(i, "added", None, None, r.get("name"), since, seen_at) for i, r in after.items() if i not in before]
    events += [
        Event(i, "removed", None, r.get("name"), None, since, seen_at) for i, r in before.items() if i not in after
    ]
    for i in before.keys() & after.keys():
        old_price, new_price = before[i]["pricing"]["prompt"], after[i]["pricing"]["prompt"]
        if old_price != new_price:
            events.append(Event(i, "price", "prompt", old_price, new_price, since, seen_at))
    return events


def make_seed() -> Seed:
    """Three snapshots: GPT-4o's price fell between the first two, Gemini came and Claude 2 went
    between the last two (the base)."""
    return Seed(
        events=[
            Event("openai/gpt-4o", "price", "prompt", "0.000005", "0.0000025", since=JAN, seen_at=MAR),
            Event("anthropic/claude-2", "removed", None, "Claude 2", None, since=MAR, seen_at=BASE_AT),
            Event("google/gemini-2.5-pro", "added", None, None, "Gemini 2.5 Pro", since=MAR, seen_at=BASE_AT),
        ],
        snapshots=[date(2025, 1, 1), date(2025, 3, 1), date(2025, 5, 1)],
        base=[model("openai/gpt-4o", "0.0000025"), model("google/gemini-2.5-pro", "0.00000125")],
        base_at=BASE_AT,
    )


def catalog_at(at: datetime) -> list[dict[str, Any]]:
    """A catalog that differs from any other: a model of its own, and a price that is its time."""
    if at == BASE_AT:
        return make_seed().base
    micros = str((at - datetime(2000, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1))
    return [model("fixed/one", micros), model(f"time/{micros}")]


def main(path: str, count: int, timeout: float) -> None:
    store.diff = fake_diff
    history = store.HistoryStore(Path(path), make_seed(), timeout=timeout)
    history.last_recorded()
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(count):
        at = datetime.now(UTC)
        if history.record(catalog_at(at), at):
            print(at.isoformat(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
