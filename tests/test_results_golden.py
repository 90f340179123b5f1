"""Every answer of a fixed corpus of calls is what ``tests/data/results-golden.json`` recorded."""

import json
from pathlib import Path

from .golden import GOLDEN, record


def test_every_recorded_answer_is_unchanged_in_every_channel(tmp_path: Path) -> None:
    expected = json.loads(GOLDEN.read_text())
    actual = json.loads(json.dumps(record(tmp_path)))
    assert actual.keys() == expected.keys()
    changed = [call for call in expected if actual[call] != expected[call]]
    assert not changed, (
        f"{len(changed)} answer(s) changed, first {changed[0]!r}:\n{json.dumps(actual[changed[0]], indent=1)[:3000]}"
        "\nIf the change is meant, rewrite the record with `uv run python -m tests.golden` and review its diff."
    )
