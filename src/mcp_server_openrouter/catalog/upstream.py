"""The one OpenRouter client every session shares: opened on first need, closed after the last
user, each fetch bounded by ``OPENROUTER_TOTAL_TIMEOUT``, and held back while OpenRouter is down.

**Down is per path family, or per host when the host cannot be reached.** OpenRouter's paths fail
apart: its datasets (``/benchmarks``, ``/datasets/*``, ``/classifications/*``) can answer 5xx
while ``/models`` is fine, and a model's ``/endpoints`` or ``/models/user`` can be slow while the
catalog is not. So each :data:`Family` (``catalog``: ``/models``, ``/models/count``,
``/providers``; ``endpoints``; ``datasets``; ``user``; ``media``: the prices of video and image
models, ``/videos/models``, ``/images/models`` and each image model's ``/endpoints``; ``zdr``:
``/endpoints/zdr``) has its own breaker: after a fetch of the
family fails with a timeout, a broken connection, a 5xx or a 429 on a request without the API
key, no fetch of that family is sent for the failure window (30 s, or the upstream's
``Retry-After``): each raises :class:`UpstreamDownError` at once, which the catalog answers from
offline data, so a new query does not pay the retries again, and the other families are still
asked. When the host cannot be reached at all (the connection is refused, cannot be made in
time, or the proxy fails), every family is held back: nothing would get through. After the
window, one fetch of the family at a time is let through as a probe (the others still fail at
once); its success ends the family's outage, its failure starts a new window. A 429 on a request
with the API key limits that key only, and holds back nothing else.

Opening is lazy: a server that is only started and listed (an IDE probing its tools) never
builds an HTTP client, and cold start to the first ``tools/list`` does not pay for one. Loading
the CA bundle into a TLS context takes 30-40 ms, so that runs in a worker thread, off the event
loop that every session shares.
"""

from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Literal, TypeVar, get_args

import anyio
import anyio.to_thread
import httpx2

from mcp_server_openrouter import __version__
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    OpenRouterClient,
    OpenRouterError,
    RateLimitError,
    RetryPolicy,
)

T = TypeVar("T")

FAILURE_WINDOW = 30.0
"""Seconds no fetch is sent after OpenRouter failed, unless its ``Retry-After`` says otherwise."""
MAX_RETRY_AFTER = 600.0
"""The longest ``Retry-After`` honoured: a larger one is taken as this many seconds."""
HOST_DOWN = (APIConnectionError, InternalServerError, RateLimitError)
"""Failures of OpenRouter itself (as opposed to one request's): they hold back the family's fetches."""
UNREACHABLE = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.ProxyError)
"""Causes that mean the host itself cannot be reached: they hold back every family."""

Family = Literal["catalog", "endpoints", "datasets", "user", "media", "zdr"]
"""Paths that fail together (see the module docstring). ``media`` and ``zdr`` are not ``catalog``:
they only add to answers the catalog gives, so their failing must never send ``/models`` answers to
offline data, and a failing ``/models`` must not hold back what they add."""
FAMILIES: tuple[Family, ...] = get_args(Family)


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (an :class:`APIConnectionError`) means no connection could be made at all."""
    return isinstance(exc, APIConnectionError) and isinstance(exc.__cause__, UNREACHABLE)


class _Breaker:
    """One family's outage: until when nothing is sent, why, and whether its probe is out."""

    __slots__ = ("down", "probing")

    def __init__(self) -> None:
        self.down: tuple[datetime, OpenRouterError] | None = None
        self.probing = False


class UpstreamDownError(APIConnectionError):
    """OpenRouter failed a moment ago: nothing was sent. ``retry_after``: seconds until the next probe."""

    def __init__(self, cause: OpenRouterError, until: datetime, now: datetime) -> None:
        self.cause = cause
        self.retry_after = max(0.0, (until - now).total_seconds())
        super().__init__(f"{cause}; not asked again before {until:%H:%M:%S} UTC")


class Upstream:
    """Ref-counted ownership of the :class:`OpenRouterClient` (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], datetime],
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._breakers = {family: _Breaker() for family in FAMILIES}
        self._transport = transport
        self._retry = retry
        self._client: OpenRouterClient | None = None
        self._users = 0
        self._lock = anyio.Lock()

    @asynccontextmanager
    async def in_use(self) -> AsyncGenerator[None]:
        """One user of the client; the last one to leave closes it."""
        async with self._lock:
            self._users += 1
        try:
            yield
        finally:
            with anyio.CancelScope(shield=True):
                async with self._lock:
                    self._users -= 1
                    client = self._client
                    if self._users == 0 and client is not None:
                        self._client = None
                        await client.aclose()

    async def fetch(
        self, call: Callable[[OpenRouterClient], Awaitable[T]], *, family: Family = "catalog", keyed: bool = False
    ) -> T:
        """Run one upstream fetch of ``family`` (with its retries) within ``total_timeout`` seconds,
        unless that family, or the host, is down (see the module docstring). ``keyed``: the request
        carries the API key, so a 429 limits that key, not OpenRouter for everyone: it does not hold
        back other fetches (the answer cache still waits out its ``Retry-After`` for that query)."""
        breaker = self._breakers[family]
        probe = self._admit(breaker)
        try:
            value = await self._fetch(call)
        except HOST_DOWN as exc:
            if not (keyed and isinstance(exc, RateLimitError)):
                down = (self._clock() + timedelta(seconds=self._window(exc)), exc)
                for tripped in self._breakers.values() if unreachable(exc) else (breaker,):
                    if tripped.down is None or tripped.down[0] < down[0]:
                        tripped.down = down
            raise
        else:
            breaker.down = None
            return value
        finally:
            if probe:
                breaker.probing = False

    def down_until(self, family: Family) -> datetime | None:
        """Until when ``family`` is held back, or ``None`` when it is not."""
        down = self._breakers[family].down
        return None if down is None else down[0]

    def _admit(self, breaker: _Breaker) -> bool:
        """Whether this fetch may go out as the probe of an outage (``False``: no outage); raises
        :class:`UpstreamDownError` when it may not go out at all."""
        if breaker.down is None:
            return False
        until, cause = breaker.down
        now = self._clock()
        if now < until or breaker.probing:
            raise UpstreamDownError(cause, until, now)
        breaker.probing = True
        return True

    @staticmethod
    def _window(exc: OpenRouterError) -> float:
        hint = getattr(exc, "retry_after", None)
        if isinstance(hint, int | float) and hint > 0:
            return min(float(hint), MAX_RETRY_AFTER)
        return FAILURE_WINDOW

    async def _fetch(self, call: Callable[[OpenRouterClient], Awaitable[T]]) -> T:
        try:
            with anyio.fail_after(self._settings.total_timeout):
                return await call(await self._open())
        except TimeoutError as exc:
            raise APITimeoutError(f"OpenRouter gave no answer within {self._settings.total_timeout:g} s") from exc

    async def _open(self) -> OpenRouterClient:
        if self._client is None:
            async with self._lock:
                if self._users == 0:
                    raise RuntimeError("OpenRouter fetched from outside of Upstream.in_use()")
                if self._client is None:
                    # A test transport brings its own connections and needs no TLS context.
                    tls = (
                        True
                        if self._transport is not None
                        else await anyio.to_thread.run_sync(httpx2.create_ssl_context)
                    )
                    self._client = OpenRouterClient.create(
                        base_url=self._settings.base_url,
                        api_key=self._settings.api_key,
                        timeout=self._settings.timeout,
                        user_agent=f"mcp-server-openrouter/{__version__}",
                        transport=self._transport,
                        retry=self._retry,
                        verify=tls,
                    )
        return self._client
