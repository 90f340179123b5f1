"""Where answers come from, and how fresh they are.

:class:`Catalog` is the seam between the MCP layer and the OpenRouter client. It owns the one
OpenRouter client (:mod:`.upstream`, shared by every session) and an answer cache
(:mod:`.cache`), and labels every answer with its :class:`~.answers.Provenance`: ``live``,
``cached``, ``stale`` (answered at once while a refresh runs, or because OpenRouter is failing:
the note says which, and since when) or ``snapshot``.

A call waits for OpenRouter at most ``OPENROUTER_ANSWER_TIMEOUT`` seconds (the cache's answer
deadline); the fetch itself goes on in the background for up to ``OPENROUTER_TOTAL_TIMEOUT``
seconds with its retries and fills the cache when it succeeds. Past the deadline, or on
connection errors, timeouts, 429, 5xx and unparseable answers, the catalog answers from the
fullest data it has without the network (:mod:`.fallback`): the last full catalog in memory, the
one saved on disk, the bundled snapshot, filtering locally (:mod:`.offline`). A 4xx about
the request itself is raised: it is the caller's to fix. ``--offline`` skips the network entirely.
"""

import dataclasses
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import anyio
import anyio.abc
import anyio.to_thread
import httpx2
from pydantic import SecretStr

from mcp_server_openrouter.catalog import budget, diskcache
from mcp_server_openrouter.catalog.answers import Answer, ModelSet, Provenance
from mcp_server_openrouter.catalog.budget import BudgetSpentError, RequestBudget
from mcp_server_openrouter.catalog.cache import Lookup, QueryCache, StillFetching
from mcp_server_openrouter.catalog.changes import CatalogHistory
from mcp_server_openrouter.catalog.fallback import Fallback
from mcp_server_openrouter.catalog.keys import REQUEST_KEY, KeyNotSentError, account_of
from mcp_server_openrouter.catalog.media import MEDIA_TTL, MediaSource
from mcp_server_openrouter.catalog.offline import priced_per_token
from mcp_server_openrouter.catalog.upstream import MAX_RETRY_AFTER, Family, Upstream
from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.openrouter import (
    APIConnectionError,
    APITimeoutError,
    EndpointList,
    InternalServerError,
    InvalidResponseError,
    MissingAPIKeyError,
    Model,
    ModelsQuery,
    OpenRouterClient,
    OpenRouterError,
    Provider,
    Rankings,
    RankingsQuery,
    RateLimitError,
    RetryPolicy,
    TaskShares,
)
from mcp_server_openrouter.openrouter.datasets import (
    SESSION_COST_LIMIT,
    SESSION_COST_PAGES,
    Benchmarks,
    SessionCostQuery,
    SessionCosts,
    merge_session_costs,
    parse_benchmarks,
    parse_rankings,
    parse_session_costs,
    parse_task_shares,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


class SlowUpstreamError(APITimeoutError):
    """OpenRouter has not answered within the answer deadline; the fetch goes on in the background."""

    def __init__(self, path: str, waited: float) -> None:
        self.path = path
        self.waited = waited
        super().__init__(f"no answer to {path} within {waited:g} s; still fetching in the background")


class OfflineModeError(APIConnectionError):
    """The server runs offline (``--offline``) and this answer exists only at OpenRouter."""


# Errors that mean "OpenRouter is unreachable or failing", as opposed to "your request is wrong".
UPSTREAM_DOWN = (APIConnectionError, InternalServerError, RateLimitError, InvalidResponseError)

FULL_CATALOG = ModelsQuery(output_modalities=("all",))
DATASET_TTL = 3600.0
"""Seconds a usage dataset is reused: OpenRouter refreshes them daily and allows few requests."""
OFFLINE_MODE = "offline mode: the network is not used"
DATASET_HOLD = 60.0
"""Seconds no dataset request of the key is sent, in any process, after a 429 that gave no ``Retry-After``."""


@dataclasses.dataclass(frozen=True, slots=True)
class Dataset:
    """The cache key of a dataset query, per account (:func:`.keys.account_of`); ``saved_as`` names
    its file on disk (its slices, no dates; prefixed by the account for a key a request brought)."""

    what: str
    query: Hashable
    saved_as: str = dataclasses.field(compare=False)
    account: str = ""


def utcnow() -> datetime:
    return datetime.now(UTC)


class Catalog:
    """Catalog queries with caching, provenance and offline fallback. See the module docstring."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._upstream = Upstream(settings, clock, transport=transport, retry=retry)
        self._groups: list[anyio.abc.TaskGroup] = []
        self._cache = QueryCache(ttl=settings.cache_ttl, clock=clock, answer_timeout=settings.answer_timeout)
        self._cache.on_store = self._stored
        self._datasets = QueryCache(ttl=DATASET_TTL, clock=clock, answer_timeout=settings.answer_timeout)
        """OpenRouter's usage datasets: refreshed daily upstream, rate-limited, so kept an hour."""
        self._datasets.on_store = self._stored_dataset
        # The three datasets state the same limits; whether they share them is not said, so they
        # share one budget: never more than either limit, whichever reading is right.
        cache_dir = settings.cache_dir or diskcache.default_cache_dir()
        self._datasets_budget = RequestBudget(
            "the budget of OpenRouter's datasets (30 requests a minute, 500 a day)",
            clock,
            per_minute=30,
            per_day=500,
            path=cache_dir / budget.file_name(settings.base_url),
        )
        """Counted in the cache directory, so that every process of the key keeps to it (:mod:`.budget`)."""
        self._disk = diskcache.DiskCatalog(cache_dir, settings.base_url)
        self._disk_datasets = diskcache.DiskDatasets(cache_dir, settings.base_url)
        self.history = CatalogHistory(cache_dir, settings.base_url)
        """What changed in the catalog, and when (:mod:`.changes`)."""
        self._media = MediaSource(
            self._online,
            QueryCache(ttl=MEDIA_TTL, clock=clock, answer_timeout=settings.answer_timeout),
            self._disk_datasets,
            clock,
        )
        """Media prices and the zero-data-retention list, fetched and saved beside the catalog (:mod:`.media`)."""
        self._fallback = Fallback(self._cache, FULL_CATALOG, self._disk, clock, zdr=self._media.saved_zdr)
        self._served: ModelSet | None = None
        """The full catalog last answered with, to notice when a new one has other IDs."""
        self._last_down: str | None = None
        self._listeners: list[Callable[[], Awaitable[None]]] = []

    # -- lifecycle --------------------------------------------------------------------------

    @asynccontextmanager
    async def running(self) -> AsyncGenerator["Catalog"]:
        """Let a user in (the server's lifespan): the HTTP client (:mod:`.upstream`) is shared and
        closed after the last user; each user brings a task group, upstream fetches run in the
        oldest one (see :mod:`.cache`), and leaving cancels what runs in it, so a stuck fetch never
        blocks shutdown."""
        async with self._upstream.in_use(), anyio.create_task_group() as group:
            self._groups.append(group)
            self._attach()
            try:
                yield self
            finally:
                self._groups.remove(group)
                self._attach()
                group.cancel_scope.cancel()  # a stuck fetch must not hold up shutdown

    def _attach(self) -> None:
        """Fetches run in the longest-lived user's group: they outlive the call that started them."""
        spawn = self._groups[0].start_soon if self._groups else None
        for cache in (self._cache, self._datasets):
            cache.attach(spawn)
        self._media.attach(spawn)

    @property
    def has_api_key(self) -> bool:
        """Whether requests that need the key can be made for this request (offline mode aside)."""
        return self.key() is not None

    def key(self) -> SecretStr | None:
        """The key of the request being handled: the one it brought (:mod:`.keys`), else the server's
        own, unless the server takes per-request keys only."""
        brought = REQUEST_KEY.get()
        if brought is not None and brought.get_secret_value():
            return brought
        return None if self._settings.keys == "per-request" else self._settings.api_key

    def _missing_key(self, path: str) -> MissingAPIKeyError:
        if self._settings.keys == "per-request":
            return KeyNotSentError(f"{path} needs an OpenRouter API key, and this request brought none")
        return MissingAPIKeyError(f"{path} needs an API key")

    def now(self) -> datetime:
        """The time the catalog ages its answers by (the injected clock)."""
        return self._clock()

    def on_ids_changed(self, listener: Callable[[], Awaitable[None]]) -> None:
        """Call ``listener`` whenever the full catalog served has a different set of IDs than before."""
        self._listeners.append(listener)

    # -- fetching -----------------------------------------------------------------------------

    async def _fetch_models(self, query: ModelsQuery) -> list[Model]:
        return (await self._upstream.fetch(lambda api: api.list_models(query))).models

    async def _fetch_priced(self, query: ModelsQuery) -> list[Model]:
        """A filtered query's models, with prices of other units kept apart from token prices."""
        return priced_per_token(await self._fetch_models(query), query)

    async def _fetch_full(self) -> ModelSet:
        return ModelSet(await self._fetch_models(FULL_CATALOG))

    async def _stored(self, key: Hashable, value: object) -> None:
        """After each successful fetch: persist and watch the full catalog."""
        self._last_down = None  # OpenRouter answered: the next failure is news again
        if key == FULL_CATALOG and isinstance(value, ModelSet):
            entry = self._cache.peek(key)
            if entry is None or entry.value is not value:
                # A newer fetch was stored while this one's turn came (each runs in the background):
                # saving, recording or serving this older catalog would undo it (and tell every
                # client the IDs changed twice). The newer one's own turn does all three.
                return
            await anyio.to_thread.run_sync(self._disk.save, value.models, entry.fetched_at)
            await self.history.record(value.models, entry.fetched_at)
            await self._observe(value)

    async def _stored_dataset(self, key: Hashable, value: object) -> None:
        """After each successful dataset fetch: save its body (see :class:`~.diskcache.DiskDatasets`)."""
        self._last_down = None
        entry = self._datasets.peek(key)
        if isinstance(key, Dataset) and entry is not None:
            await anyio.to_thread.run_sync(
                self._disk_datasets.save, key.saved_as, getattr(value, "raw", None), entry.fetched_at
            )

    async def _observe(self, full: ModelSet) -> None:
        previous = self._served
        if previous is full:  # the usual case, a cache hit: nothing to compare
            return
        self._served = full
        if previous is not None and previous.by_id.keys() != full.by_id.keys():
            for listener in self._listeners:
                try:
                    await listener()
                except Exception:  # a client that went away must not fail the request that noticed
                    logger.exception("A catalog-change listener failed")

    def _provenance(self, lookup: Lookup[Any]) -> Provenance:
        match lookup.state:
            case "fetched":
                return Provenance("live", lookup.fetched_at)
            case "fresh":
                return Provenance("cached", lookup.fetched_at)
            case "stale":
                if lookup.error:
                    note = f"refresh failed: {lookup.error}"
                elif lookup.waited is not None:
                    note = f"OpenRouter slow: no answer within {lookup.waited:g} s; refreshing in the background"
                else:
                    note = "refreshing in the background"
                return Provenance("stale", lookup.fetched_at, note)

    async def _lookup(
        self, key: Hashable, path: str, fetch: Callable[[], Awaitable[T]], cache: QueryCache | None = None
    ) -> Lookup[T]:
        """``QueryCache.get``, with "no answer yet" as a :class:`SlowUpstreamError` naming ``path``."""
        try:
            return await (cache or self._cache).get(key, fetch)
        except StillFetching as slow:
            raise SlowUpstreamError(path, slow.waited) from None

    # -- offline data -----------------------------------------------------------------------

    def _down(self, exc: Exception) -> str:
        reason = f"OpenRouter {'slow' if isinstance(exc, SlowUpstreamError) else 'unavailable'}: {exc}"
        # Once per reason: while a failure is remembered, every call would say the same thing.
        if reason != self._last_down:
            logger.warning("Answering from offline data: %s", reason)
            self._last_down = reason
        return reason

    # -- queries ------------------------------------------------------------------------------

    async def full(self) -> Answer[ModelSet]:
        """The whole catalog (every output modality), for resources, completion and ``get_model``."""
        if self._settings.offline:
            answer = await self._fallback.base(OFFLINE_MODE)
        else:
            try:
                lookup = await self._lookup(FULL_CATALOG, "/models", self._fetch_full)
            except UPSTREAM_DOWN as exc:
                answer = await self._fallback.base(self._down(exc))
            else:
                answer = Answer(lookup.value, self._provenance(lookup))
        await self._observe(answer.value)
        return answer

    async def recorded(self) -> Answer[ModelSet]:
        """The full catalog (:meth:`full`), recorded in the history before the answer: a history
        question asked right after a fetch sees that fetch's changes (recording after each fetch
        runs beside the callers it wakes). Recording a catalog already recorded, or an older one,
        changes nothing; the bundled snapshot is the history's base and is never recorded."""
        answer = await self.full()
        if answer.provenance.kind != "snapshot":
            await self.history.record(answer.value.models, answer.provenance.as_of)
        return answer

    async def models(self, query: ModelsQuery) -> Answer[list[Model]]:
        """All models matching ``query`` (unpaged), with provenance.

        Raises :class:`~.offline.OfflineUnsupportedError` when offline and the query needs the
        upstream, and any non-"down" :class:`~.openrouter.OpenRouterError` as is.
        """
        if query == FULL_CATALOG:
            full = await self.full()
            return Answer(full.value.models, full.provenance)
        if self._settings.offline:
            return await self._fallback.models(query, OFFLINE_MODE)
        if query.providers:
            query = dataclasses.replace(query, providers=await self._provider_names(query.providers))
        if query.zdr:  # keep a copy of the list that answers this filter when OpenRouter cannot
            await self._media.refresh_zdr()
        try:
            lookup = await self._lookup(query, "/models", lambda: self._fetch_priced(query))
        except UPSTREAM_DOWN as exc:
            return await self._fallback.models(query, self._down(exc), exc)
        return Answer(lookup.value, self._provenance(lookup))

    async def media(
        self, models: Sequence[Model], *, since: float | None = None
    ) -> tuple[list[Model], Provenance | None]:
        """``models`` with the prices OpenRouter lists outside ``/models`` (video SKUs, image
        endpoints) on those it has them for, and how fresh the least fresh of them is (``None``: none
        shown); see :mod:`.media`. ``since``: when the call began (``anyio.current_time()``; default
        now), so that its waits for the catalog and for these prices stay within one answer
        deadline. Never raises OpenRouter's errors: a price that cannot be had is not shown."""
        start = anyio.current_time() if since is None else since
        return await self._media.priced(models, by=start + self._settings.answer_timeout)

    async def count(self, query: ModelsQuery) -> Answer[int]:
        """How many models match ``query``; uses ``/models/count`` when only modalities are given."""
        if query != ModelsQuery(output_modalities=query.output_modalities) or self._settings.offline:
            answer = await self.models(query)
            return Answer(len(answer.value), answer.provenance)
        modalities = query.output_modalities

        async def fetch() -> int:
            return await self._upstream.fetch(lambda api: api.count_models(modalities))

        try:
            lookup = await self._lookup(("count", modalities), "/models/count", fetch)
        except UPSTREAM_DOWN as exc:
            local = await self._fallback.models(query, self._down(exc), exc)
            return Answer(len(local.value), local.provenance)
        return Answer(lookup.value, self._provenance(lookup))

    async def _online(
        self,
        what: str,
        key: Hashable,
        path: str,
        fetch: Callable[[OpenRouterClient], Awaitable[T]],
        *,
        family: Family,
        keyed: bool = False,
        cache: QueryCache | None = None,
    ) -> Answer[T]:
        """A cached answer that only OpenRouter has (no offline copy): ``what`` names it in the error
        offline mode gets. A failure with nothing fetched before is raised; one after an earlier
        fetch is answered with that fetch, labelled stale (the cache's stale-if-error). ``family``:
        the breaker it answers to; ``keyed``: the request carries the API key, so a rate limit on
        it is the key's (see :mod:`.upstream`)."""
        if self._settings.offline:
            raise OfflineModeError(f"{what} needs OpenRouter, and the server runs in {OFFLINE_MODE}")
        lookup = await self._lookup(key, path, lambda: self._upstream.fetch(fetch, family=family, keyed=keyed), cache)
        return Answer(lookup.value, self._provenance(lookup))

    async def _provider_names(self, wanted: tuple[str, ...]) -> tuple[str, ...]:
        """The ``providers`` filter takes provider names (the spec's example: ``OpenAI,Anthropic``),
        while endpoint rows and provider routing use slugs and tags (``deepinfra/fp8``). Each value
        that names a provider of the (cached) provider list by name, slug or tag, in any case,
        becomes its name; others, or all when the list cannot be had, are sent as given."""
        try:
            listed = (await self.providers()).value
        except OpenRouterError as exc:
            logger.info("Provider names sent as given (no provider list: %s)", exc)
            return wanted
        names: dict[str, str] = {}
        for provider in listed:
            if provider.name:
                names.setdefault(provider.slug.lower(), provider.name)
                names.setdefault(provider.name.lower(), provider.name)
        mapped = (names.get(w.lower()) or names.get(w.lower().partition("/")[0]) or w for w in wanted)
        return tuple(sorted(set(mapped)))

    async def endpoints(self, model_id: str) -> Answer[EndpointList]:
        """One model's provider endpoints, cached per model and account: with a key they show speeds
        that without one they do not, and a rate limit is the key's (see :meth:`_online`)."""
        key = self.key()
        account = account_of(key) if key is not None else None
        return await self._online(
            "list_model_endpoints",
            ("endpoints", model_id, account),
            f"/models/{model_id}/endpoints",
            lambda api: api.list_endpoints(model_id, api_key=key or SecretStr("")),
            family="endpoints",
            keyed=key is not None,
        )

    async def providers(self) -> Answer[list[Provider]]:
        """OpenRouter's inference providers, cached (see :meth:`_online`)."""
        return await self._online(
            "the provider list", ("providers",), "/providers", lambda api: api.list_providers(), family="catalog"
        )

    async def rankings(self, query: RankingsQuery) -> Answer[Rankings]:
        """OpenRouter's usage rankings (see :meth:`_dataset`)."""
        return await self._dataset(
            "the rankings dataset",
            query,
            query.slices(),
            "datasets/rankings-daily",
            lambda api, key: api.rankings(query, api_key=key),
            parse_rankings,
        )

    async def task_shares(self) -> Answer[TaskShares]:
        """The last 7 days' share of requests per task, and each task's top models (see :meth:`_dataset`)."""
        return await self._dataset(
            "the task dataset",
            None,
            "task shares",
            "classifications/task",
            lambda api, key: api.task_shares(api_key=key),
            parse_task_shares,
        )

    async def benchmarks(self) -> Answer[Benchmarks]:
        """OpenRouter's evals and the Artificial Analysis indices, every model (see :meth:`_dataset`)."""
        return await self._dataset(
            "the benchmarks dataset",
            None,
            "benchmarks",
            "benchmarks",
            lambda api, key: api.benchmarks(api_key=key),
            parse_benchmarks,
        )

    async def session_costs(self) -> Answer[SessionCosts]:
        """The median cost of a session, every harness, model and turn range (see :meth:`_dataset`):
        one query for all, as each filter would be a request of the day's 500. Paged: a full page is
        followed by the next, each a request of the budget, up to ``SESSION_COST_PAGES``."""

        async def fetch(api: OpenRouterClient, key: SecretStr | None) -> SessionCosts:
            pages = [await api.session_costs(SessionCostQuery(), api_key=key)]
            while pages[-1].received >= SESSION_COST_LIMIT and len(pages) < SESSION_COST_PAGES:
                await anyio.to_thread.run_sync(self._datasets_budget.take, account_of(key))
                page = SessionCostQuery(offset=len(pages) * SESSION_COST_LIMIT)
                pages.append(await api.session_costs(page, api_key=key))
            return merge_session_costs(pages, complete=pages[-1].received < SESSION_COST_LIMIT)

        return await self._dataset(
            "the session-cost dataset", None, "session costs", "datasets/session-cost", fetch, parse_session_costs
        )

    async def _dataset(
        self,
        what: str,
        query: Hashable,
        slices: str,
        path: str,
        fetch: Callable[[OpenRouterClient, SecretStr | None], Awaitable[T]],
        parse: Callable[[Any], T],
    ) -> Answer[T]:
        """One of OpenRouter's datasets: the key is needed, and sent only to them. Cached an hour per
        query and account with one flight, never asked more often than the key's limits allow
        (:mod:`.budget`), saved on disk. When OpenRouter cannot be asked (down, rate-limited, the
        budget spent, offline mode), the copy saved by this or an earlier run answers, labelled
        stale with the reason; without one, the reason is raised."""
        api_key = self.key()
        if not self._settings.offline and api_key is None:
            raise self._missing_key(f"/{path}")
        account = account_of(api_key)
        # The server's own key keeps the file names it always had; a key a request brought has its own.
        own = api_key is None or api_key is self._settings.api_key
        key = Dataset(what, query, slices if own else f"{account} {slices}", account)

        async def fetch_counted(api: OpenRouterClient) -> T:
            await anyio.to_thread.run_sync(self._datasets_budget.take, account)
            try:
                return await fetch(api, api_key)
            except RateLimitError as exc:  # the key's limit, whatever our count says: every process waits
                hint = exc.retry_after if exc.retry_after and exc.retry_after > 0 else DATASET_HOLD
                await anyio.to_thread.run_sync(self._datasets_budget.hold, account, min(hint, MAX_RETRY_AFTER))
                raise

        try:
            return await self._online(
                key.what, key, f"/{path}", fetch_counted, family="datasets", keyed=True, cache=self._datasets
            )
        except (*UPSTREAM_DOWN, BudgetSpentError) as exc:
            try:
                saved = await anyio.to_thread.run_sync(self._disk_datasets.load_parsed, key.saved_as, parse)
            except ValueError as bad:
                logger.warning("Ignoring the saved %s: %s", key.what, bad)
                raise exc from None
            if saved is None:
                raise
            value = saved[0]
            if isinstance(exc, OfflineModeError):
                reason = OFFLINE_MODE
            else:
                reason = str(exc) if isinstance(exc, BudgetSpentError) else self._down(exc)
            return Answer(value, Provenance("stale", saved[1], f"saved copy of {key.what}; {reason}"))

    async def user_models(self, api_key: SecretStr | None = None) -> Answer[list[Model]]:
        """The key owner's models (``api_key``, else the request's: :meth:`key`), cached per account.
        No offline fallback: account settings are in no snapshot, so a failure is raised (see
        :meth:`_online`)."""
        key = api_key if api_key is not None else self.key()
        if not self._settings.offline and (key is None or not key.get_secret_value()):
            raise self._missing_key("/models/user")

        async def fetch(api: OpenRouterClient) -> list[Model]:
            assert key is not None
            return (await api.list_user_models(key)).models

        return await self._online(
            "list_models_for_user", ("user", account_of(key)), "/models/user", fetch, family="user", keyed=True
        )
