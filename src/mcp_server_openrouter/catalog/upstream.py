"""The one OpenRouter client every session shares: opened on first need, closed after the last
user, each fetch bounded by ``OPENROUTER_TOTAL_TIMEOUT``.

Opening is lazy: a server that is only started and listed (an IDE probing its tools) never
builds an HTTP client, and cold start to the first ``tools/list`` does not pay for one. Loading
the CA bundle into a TLS context takes 30-40 ms, so that runs in a worker thread, off the event
loop that every session shares.
"""

from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
import anyio.to_thread
import httpx2

from mcp_server_openrouter import __version__
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import APITimeoutError, OpenRouterClient, RetryPolicy

T = TypeVar("T")


class Upstream:
    """Ref-counted ownership of the :class:`OpenRouterClient` (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._settings = settings
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

    async def fetch(self, call: Callable[[OpenRouterClient], Awaitable[T]]) -> T:
        """Run one upstream fetch (with its retries) within ``total_timeout`` seconds."""
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
