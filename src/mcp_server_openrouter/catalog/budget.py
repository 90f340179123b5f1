"""A request budget: never more requests than an upstream allows, whatever the clients do.

OpenRouter's datasets allow 30 requests a minute per key and 500 a day per account (spec
2026-08-22). The answer cache and its single flight already make one request per distinct query
per hour; the budget is the guarantee on top: a request that would exceed either window is not
sent, and the caller learns when the next one may go. Counted per server process, at the moment
a request is sent (requests to these endpoints are never retried, so one fetch is one request).
"""

from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from mcp_server_openrouter.openrouter import OpenRouterError

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


class BudgetSpentError(OpenRouterError):
    """The request was not sent: it would exceed the upstream's limit. ``retry_after``: seconds."""

    def __init__(self, what: str, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"not sent: {what} is spent; the next request may go in {retry_after:.0f} s")


class RequestBudget:
    """At most ``per_minute`` requests in any minute and ``per_day`` in any day (sliding windows)."""

    def __init__(self, what: str, clock: Callable[[], datetime], *, per_minute: int, per_day: int) -> None:
        self._what = what
        self._clock = clock
        self._per_minute = per_minute
        self._per_day = per_day
        self._sent: deque[datetime] = deque()

    def take(self) -> None:
        """Count one request now, or raise :class:`BudgetSpentError` if it would exceed a limit."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= DAY:
            self._sent.popleft()
        waits: list[timedelta] = []
        if len(self._sent) >= self._per_day:
            waits.append(self._sent[-self._per_day] + DAY - now)
        last_minute = [t for t in self._sent if now - t < MINUTE]
        if len(last_minute) >= self._per_minute:
            waits.append(last_minute[-self._per_minute] + MINUTE - now)
        if waits:
            raise BudgetSpentError(self._what, max(w.total_seconds() for w in waits))
        self._sent.append(now)
