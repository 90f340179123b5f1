"""Catalog history: how long :func:`diff` takes on full catalogs, and the bundled seed's size.

Diffs the bundled catalog snapshot (2026-08-18, all output modalities, 549 models) against
(a) an equal copy (a live catalog that did not change), (b) a copy with every record changed (a
price, the context, a parameter: the worst case), and (c) the real step 2026-05-12 → 2026-08-18.
Median of several runs; the target is 50 ms. Run: ``uv run python -m bench.history``.
"""

import copy
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from mcp_server_openrouter.history.events import diff
from mcp_server_openrouter.history.seed import SEED_FILE, load_seed
from tests.fake_upstream import load_snapshot

RUNS = 21
TARGET_MS = 50
SINCE = datetime(2026, 8, 18, tzinfo=UTC)
SEEN_AT = datetime(2026, 8, 19, tzinfo=UTC)


def median_ms(run: Callable[[], object]) -> float:
    times: list[float] = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def every_record_changed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    changed = copy.deepcopy(records)
    for record in changed:
        record["pricing"]["prompt"] = "0.123"
        record["context_length"] = record["context_length"] + 1
        record["supported_parameters"] = [*record["supported_parameters"], "bench_parameter"]
    return changed


def main() -> None:
    base = load_seed().base
    cases = {
        "unchanged copy (549 -> 549)": copy.deepcopy(base),
        "every record changed (549 -> 549)": every_record_changed(base),
    }
    older = load_snapshot("models-aiscanner-2026-05-12.json.gz")
    print(f"diff, median of {RUNS} runs (target <= {TARGET_MS} ms):")
    for label, new in cases.items():
        events = diff(base, new, since=SINCE, seen_at=SEEN_AT)
        ms = median_ms(lambda new=new: diff(base, new, since=SINCE, seen_at=SEEN_AT))
        print(f"  {label:<45} {ms:7.2f} ms  {len(events):>5} events")
    events = diff(older, base, since=SINCE, seen_at=SEEN_AT)
    ms = median_ms(lambda: diff(older, base, since=SINCE, seen_at=SEEN_AT))
    print(f"  {'real step 2026-05-12 -> 2026-08-18 (356 -> 549)':<45} {ms:7.2f} ms  {len(events):>5} events")

    blob = resources.files("mcp_server_openrouter").joinpath("data", SEED_FILE).read_bytes()
    seed = load_seed()
    print(f"seed: {len(blob):,} bytes gzipped, {len(seed.events):,} events over {len(seed.snapshots)} snapshots")


if __name__ == "__main__":
    main()
