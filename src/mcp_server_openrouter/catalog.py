"""Where answers come from: the live upstream, else the last live data seen, else the snapshot.

:class:`Catalog` is the seam between the MCP tools and the OpenRouter client. It owns the one
``httpx2.AsyncClient`` (opened by the server's lifespan, shared by every session) and labels each
answer with its :class:`Provenance`, so a tool can say "live", "cached (since …)" or "bundled
snapshot of …" instead of passing old data off as fresh.

Fallback happens only when the upstream *cannot be reached or is failing* (connection errors,
timeouts, 429, 5xx, unparseable bodies). A 4xx about our own request is the caller's to fix and
is raised, not papered over with old data.
"""

import difflib
import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Generic, Literal, TypeVar

import anyio
import httpx2

from . import __version__
from .config import Settings
from .offline import OfflineUnsupportedError, filter_locally, load_snapshot, snapshot_datetime
from .openrouter import (
    APIConnectionError,
    InternalServerError,
    InvalidResponseError,
    Model,
    ModelsQuery,
    OpenRouterClient,
    RateLimitError,
)

logger = logging.getLogger(__name__)

# Errors that mean "OpenRouter is unreachable or failing", as opposed to "your request is wrong".
UPSTREAM_DOWN = (APIConnectionError, InternalServerError, RateLimitError, InvalidResponseError)

FULL_CATALOG = ModelsQuery(output_modalities=("all",))
_REMEMBERED_QUERIES = 64


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an answer's data came from and how old it is."""

    kind: Literal["live", "cached", "snapshot"]
    as_of: datetime
    reason: str | None = None
    """Why the answer is not live (the upstream failure), if it is not."""

    def describe(self) -> str:
        """One short line for the model, e.g. ``live OpenRouter data, 2026-11-21 10:04 UTC``."""
        if self.kind == "snapshot":
            text = f"OFFLINE: bundled catalog snapshot of {self.as_of:%Y-%m-%d}"
        elif self.kind == "cached":
            text = f"OFFLINE: last live OpenRouter data, from {self.as_of:%Y-%m-%d %H:%M} UTC"
        else:
            return f"live OpenRouter data, {self.as_of:%Y-%m-%d %H:%M} UTC"
        return f"{text} ({self.reason})" if self.reason else text


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    value: T
    provenance: Provenance


class ModelSet:
    """A full catalog plus the lookups resources, completion and ``get_model`` need; built once."""

    def __init__(self, models: list[Model]) -> None:
        self.models = models
        self.by_id: dict[str, Model] = {m.id: m for m in models}
        self.sorted_ids: list[str] = sorted(self.by_id)
        """Stable order for cursor paging."""
        self.newest: list[Model] = sorted(models, key=lambda m: -(m.created or 0))

    def close_matches(self, wanted: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` existing IDs that look like ``wanted`` (substring hits first, then fuzzy)."""
        needle = wanted.strip().lower()
        hits = [i for i in self.sorted_ids if needle and needle in i.lower()]
        hits.sort(key=len)
        fuzzy = difflib.get_close_matches(wanted, self.sorted_ids, n=limit, cutoff=0.5)
        return list(dict.fromkeys([*hits, *fuzzy]))[:limit]


@cache
def _snapshot_set() -> ModelSet:
    return ModelSet(load_snapshot().models)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _down_reason(exc: Exception) -> str:
    return f"OpenRouter unreachable: {exc}"


class Catalog:
    """Catalog queries with provenance and offline fallback. See the module docstring."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._clock = clock
        self._client: OpenRouterClient | None = None
        self._users = 0
        self._lock = anyio.Lock()
        self._last_good: OrderedDict[ModelsQuery, Answer[list[Model]]] = OrderedDict()
        self._full: Answer[ModelSet] | None = None
        self._full_lock = anyio.Lock()
        self._listeners: list[Callable[[], Awaitable[None]]] = []

    @property
    def has_api_key(self) -> bool:
        return self._settings.api_key is not None

    @asynccontextmanager
    async def running(self) -> AsyncGenerator["Catalog"]:
        """Open the HTTP client for the first user, close it after the last (ref-counted)."""
        async with self._lock:
            if self._client is None:
                self._client = OpenRouterClient.create(
                    base_url=self._settings.base_url,
                    api_key=self._settings.api_key,
                    timeout=self._settings.timeout,
                    user_agent=f"mcp-server-openrouter/{__version__}",
                    transport=self._transport,
                )
            self._users += 1
        try:
            yield self
        finally:
            with anyio.CancelScope(shield=True):
                await self._release()

    async def _release(self) -> None:
        async with self._lock:
            self._users -= 1
            client = self._client
            if self._users == 0 and client is not None:
                self._client = None
                await client.aclose()

    @property
    def client(self) -> OpenRouterClient:
        if self._client is None:
            raise RuntimeError("Catalog used outside of Catalog.running()")
        return self._client

    def _remember(self, query: ModelsQuery, answer: Answer[list[Model]]) -> None:
        self._last_good[query] = answer
        self._last_good.move_to_end(query)
        while len(self._last_good) > _REMEMBERED_QUERIES:
            self._last_good.popitem(last=False)

    def _offline_base(self, reason: str) -> Answer[ModelSet]:
        """The fullest catalog we have without the network: last live full list, else the snapshot."""
        full = self._full
        if full is not None and full.provenance.kind != "snapshot":
            return Answer(full.value, replace(full.provenance, kind="cached", reason=reason))
        snapshot = load_snapshot()
        return Answer(_snapshot_set(), Provenance("snapshot", snapshot_datetime(snapshot.date), reason))

    def _fallback(self, query: ModelsQuery, exc: Exception) -> Answer[list[Model]]:
        reason = _down_reason(exc)
        logger.warning("Answering from offline data: %s", reason)
        seen = self._last_good.get(query)
        if seen is not None:
            return Answer(seen.value, replace(seen.provenance, kind="cached", reason=reason))
        base = self._offline_base(reason)
        try:
            return Answer(filter_locally(base.value.models, query), base.provenance)
        except OfflineUnsupportedError as unsupported:
            raise OfflineUnsupportedError(unsupported.what, reason) from exc

    async def models(self, query: ModelsQuery) -> Answer[list[Model]]:
        """All models matching ``query`` (unpaged), with provenance.

        Raises :class:`~.offline.OfflineUnsupportedError` when offline and the query needs the
        upstream, and any non-"down" :class:`~.openrouter.OpenRouterError` as is.
        """
        if query == FULL_CATALOG:
            full = await self.full()
            return Answer(full.value.models, full.provenance)
        try:
            result = await self.client.list_models(query)
        except UPSTREAM_DOWN as exc:
            return self._fallback(query, exc)
        answer = Answer(result.models, Provenance("live", self._clock()))
        self._remember(query, answer)
        return answer

    def on_ids_changed(self, listener: Callable[[], Awaitable[None]]) -> None:
        """Call ``listener`` whenever a new full catalog has a different set of IDs than the last one."""
        self._listeners.append(listener)

    def _is_fresh(self, provenance: Provenance) -> bool:
        return provenance.kind == "live" and self._clock() - provenance.as_of < timedelta(
            seconds=self._settings.cache_ttl
        )

    async def full(self) -> Answer[ModelSet]:
        """The whole catalog (every output modality): live and reused for ``cache_ttl`` seconds,
        else the last one seen, else the snapshot. One fetch at a time; concurrent callers wait
        for it instead of fetching again."""
        current = self._full
        if current is not None and self._is_fresh(current.provenance):
            return current
        async with self._full_lock:
            current = self._full
            if current is not None and self._is_fresh(current.provenance):
                return current
            try:
                result = await self.client.list_models(FULL_CATALOG)
            except UPSTREAM_DOWN as exc:
                reason = _down_reason(exc)
                logger.warning("Full catalog from offline data: %s", reason)
                answer = self._offline_base(reason)
            else:
                answer = Answer(ModelSet(result.models), Provenance("live", self._clock()))
            self._full = answer
        if current is not None and current.value.by_id.keys() != answer.value.by_id.keys():
            await self._notify_ids_changed()
        return answer

    async def _notify_ids_changed(self) -> None:
        for listener in self._listeners:
            try:
                await listener()
            except Exception:  # a client that went away must not fail the request that noticed
                logger.exception("A catalog-change listener failed")

    async def count(self, query: ModelsQuery) -> Answer[int]:
        """How many models match ``query``; uses ``/models/count`` when only modalities are given."""
        if query == ModelsQuery(output_modalities=query.output_modalities):
            try:
                count = await self.client.count_models(query.output_modalities)
            except UPSTREAM_DOWN as exc:
                fallback = self._fallback(query, exc)
                return Answer(len(fallback.value), fallback.provenance)
            return Answer(count, Provenance("live", self._clock()))
        answer = await self.models(query)
        return Answer(len(answer.value), answer.provenance)

    async def user_models(self) -> Answer[list[Model]]:
        """The key owner's models. No offline fallback: account settings are not in any snapshot."""
        result = await self.client.list_user_models()
        return Answer(result.models, Provenance("live", self._clock()))
