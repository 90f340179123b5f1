"""The datasets' request budget is one per key across processes (issue 24): counted in SQLite in
the cache directory, by a hash of the key, and never in the way of an answer when the file fails."""

import logging
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp_types import CallToolResult
from pydantic import SecretStr

from mcp_server_openrouter.catalog.budget import BudgetSpentError, RequestBudget, file_name
from mcp_server_openrouter.catalog.keys import account_of

from .conftest import FAKE_BASE_URL, TEST_KEY
from .fake_upstream import FakeOpenRouter
from .helpers import Clock, call, server_for, text_of

DATASETS = ("/api/v1/benchmarks", "/api/v1/datasets/rankings-daily", "/api/v1/classifications/task")
ACCOUNT = account_of(SecretStr(TEST_KEY))


def budget(path: Path | None, clock: Clock, **limits: int) -> RequestBudget:
    return RequestBudget(
        "the test budget", clock, per_minute=limits.get("minute", 30), per_day=limits.get("day", 500), path=path
    )


def taken(budget: RequestBudget, times: int, account: str = ACCOUNT) -> int:
    """How many of ``times`` requests the budget let go."""
    sent = 0
    for _ in range(times):
        try:
            budget.take(account)
        except BudgetSpentError:
            continue
        sent += 1
    return sent


def test_two_processes_of_one_key_share_its_minute(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / file_name(FAKE_BASE_URL)
    first, second = budget(path, clock), budget(path, clock)

    assert taken(first, 20) == 20
    assert taken(second, 20) == 10  # the other process already sent 20 of the minute's 30
    with pytest.raises(BudgetSpentError, match="may go in 60 s"):
        first.take(ACCOUNT)

    clock.advance(60)
    assert taken(second, 40) == 30


def test_the_day_is_shared_too_and_ages_out(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / file_name(FAKE_BASE_URL)
    first, second = budget(path, clock, minute=1000, day=50), budget(path, clock, minute=1000, day=50)
    assert taken(first, 30) + taken(second, 30) == 50
    clock.advance(23 * 3600)
    with pytest.raises(BudgetSpentError, match="may go in 3600 s"):
        second.take(ACCOUNT)
    clock.advance(3600)
    assert taken(second, 60) == 50
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM sent").fetchone() == (50,)  # the old day was deleted


def test_accounts_are_apart_and_the_file_holds_no_key(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / file_name(FAKE_BASE_URL)
    other = account_of(SecretStr("sk-or-v1-OTHER-KEY-0123456789"))
    shared = budget(path, clock)

    assert taken(shared, 30) == 30
    assert taken(shared, 30, other) == 30  # another key has its own budget

    for file in tmp_path.iterdir():
        content = file.read_bytes()
        assert TEST_KEY.encode() not in content
        assert b"OTHER-KEY" not in content
    assert account_of(None) != ACCOUNT


def test_a_rate_limit_holds_back_every_process(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / file_name(FAKE_BASE_URL)
    told, other = budget(path, clock), budget(path, clock)

    told.hold(ACCOUNT, 90)
    with pytest.raises(BudgetSpentError, match="may go in 90 s"):
        other.take(ACCOUNT)
    clock.advance(91)
    other.take(ACCOUNT)


def test_processes_racing_for_the_last_requests_never_exceed_the_minute(tmp_path: Path) -> None:
    """Real processes, one instant (a fixed clock: the verdict does not depend on how fast they run)."""
    path = tmp_path / file_name(FAKE_BASE_URL)
    script = textwrap.dedent(
        f"""
        from datetime import UTC, datetime
        from pathlib import Path
        from mcp_server_openrouter.catalog.budget import BudgetSpentError, RequestBudget
        budget = RequestBudget("race", lambda: datetime(2026, 12, 3, tzinfo=UTC), per_minute=30, per_day=500,
                               path=Path({str(path)!r}), timeout=60)
        sent = 0
        for _ in range(25):
            try:
                budget.take("account")
            except BudgetSpentError:
                continue
            sent += 1
        print(sent)
        """
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        for _ in range(3)
    ]
    sent = [int(run.communicate(timeout=120)[0]) for run in runs]

    assert sum(sent) == 30, sent


def test_an_unusable_file_counts_in_the_process_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mcp_server_openrouter.catalog.budget")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    spent = budget(blocker / file_name(FAKE_BASE_URL), Clock())

    assert taken(spent, 40) == 30  # the process's own count still keeps the limit

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "Counting the test budget in this process only" in warnings[0].getMessage()
    assert "not-a-directory" in warnings[0].getMessage()


def test_a_corrupt_file_is_started_afresh(tmp_path: Path) -> None:
    path = tmp_path / file_name(FAKE_BASE_URL)
    path.write_bytes(b"this is not an SQLite database, just junk " * 100)
    fresh = budget(path, Clock())
    assert taken(fresh, 31) == 30
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM sent").fetchone() == (30,)


def test_no_file_means_this_process_alone() -> None:
    alone = budget(None, Clock())
    assert taken(alone, 31) == 30


@pytest.mark.anyio
async def test_two_servers_on_one_cache_directory_send_at_most_the_minute(
    upstream: FakeOpenRouter, tmp_path: Path
) -> None:
    """Two server processes of one key (here two servers in one process, each with its own catalog
    and counting, as separate processes have) ask 40 distinct dataset questions: 30 go out."""
    clock = Clock()
    questions: list[dict[str, Any]] = [
        {"period": period, "modality": modality}
        for period in ("day", "week", "month")
        for modality in ("text", "image", "audio", "tool_calling")
    ] + [
        {"period": period, "context_bucket": bucket}
        for period in ("day", "week", "month")
        for bucket in ("1K", "10K", "100K", "1M", "10M")
    ]
    questions = (questions * 2)[:40]
    key = SecretStr(TEST_KEY)
    async with (
        Client(server_for(upstream, clock=clock, api_key=key, cache_dir=tmp_path)) as one,
        Client(server_for(upstream, clock=clock, api_key=key, cache_dir=tmp_path)) as two,
    ):
        results: list[CallToolResult] = []
        with anyio.fail_after(120):
            for i, question in enumerate(questions):
                results.append(await call(one if i % 2 else two, "list_model_rankings", question))

    assert len([r for r in upstream.requests if r.url.path in DATASETS]) == 30
    for result in results[30:]:  # the budget is spent: refused, or the copy the other server saved
        assert "the next request may go in" in text_of(result)


def test_accounts_with_nothing_left_to_count_are_forgotten() -> None:
    """Per-request keys: every key a user brought is an account; a day later it holds nothing."""
    clock = Clock()
    counted = budget(None, clock)
    for n in range(100):
        counted.take(f"account-{n}")
    clock.advance(24 * 3600)
    counted.take("today")
    assert list(counted._sent) == ["today"]
