"""When to try a failed request again: :class:`RetryPolicy` and the upstream's ``Retry-After``."""

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import APIConnectionError, APIStatusError


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # HTTP-date form: rare for APIs; treated as "no hint"
    return max(seconds, 0.0) if math.isfinite(seconds) else None


RETRYABLE_STATUS = frozenset({408, 429})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries for our GETs (all idempotent): connection errors, timeouts, 408, 429 and 5xx.

    At most ``retries`` more attempts, with exponential backoff (``backoff * 2**n``, capped at
    ``max_backoff``) and full jitter on its upper half; a ``Retry-After`` hint is honoured up to
    ``retry_after_cap``. A retry that would overrun the caller's deadline (an enclosing
    ``anyio.fail_after``) is not attempted: the last error is raised instead.
    """

    retries: int = 2
    backoff: float = 0.5
    max_backoff: float = 8.0
    retry_after_cap: float = 10.0

    def delay(self, attempt: int, exc: Exception) -> float | None:
        """Seconds to wait before retrying after ``exc`` on ``attempt`` (0-based), or ``None``."""
        if attempt >= self.retries:
            return None
        if isinstance(exc, APIStatusError):
            if exc.status_code not in RETRYABLE_STATUS and exc.status_code < 500:
                return None
            if exc.retry_after is not None:
                return min(exc.retry_after, self.retry_after_cap)
        elif not isinstance(exc, APIConnectionError):
            return None
        ceiling = min(self.max_backoff, self.backoff * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)


NO_RETRY = RetryPolicy(retries=0)
"""For requests that must be sent exactly once (rate-limited datasets, counted by the caller)."""
