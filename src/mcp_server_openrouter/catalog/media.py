"""Media prices and the zero-data-retention endpoints, beside the catalog: fetched, cached, saved on
disk and labelled with their age, never in the way of the answer they add to.

What is asked, and when (each request counted against OpenRouter, so as few as an answer needs):

* ``/videos/models``: one request prices every video model; asked when an answer shows one.
* ``/images/models``: one request names the image models; each one's prices are a request of
  their own (``/images/models/{id}/endpoints``). Those are fetched **lazily**: only for the image
  models an answer shows (the page of ``list_models``, the IDs of ``get_model`` or
  ``estimate_cost``, the resource read), each cached on its own, and at most
  :data:`MAX_PARALLEL` of them in flight at once. All at once would be a request per image model
  (about 40 in 2026) every :data:`MEDIA_TTL` for every server, mostly to price models nobody
  asked about, and a burst of 40 that a rate limit could answer with a 429 for all of them;
  lazily, a session that shows no image model sends none, and one that pages through all of them
  sends one per model shown, an hour.
* ``/endpoints/zdr``: asked in the background when a live answer uses the ``zdr`` filter (it does
  not delay that answer), to have a copy for when OpenRouter cannot be asked
  (:meth:`MediaSource.saved_zdr`).

Each answer is cached :data:`MEDIA_TTL` (an hour: media prices change rarely, and the catalog's
five minutes would make a page of 25 image models cost 25 requests every five minutes) with the
catalog's single flight, stale-while-revalidate and answer deadline (:mod:`.cache`), and saved on
disk after each fetch (the datasets' files: ``dataset-<hash>.json``, filed under the cache key).
When a part cannot be fetched (OpenRouter down, slow or refusing, the breaker open, offline mode),
the copy saved by this or an earlier run answers, labelled ``stale``; then the bundled snapshot's,
labelled ``snapshot``, when it has one (:func:`.offline.load_bundled_media`: **the snapshot
shipped today has none**, no capture having been made); else the part is missing, and the models
it would price show what they showed before (``unlisted``, or their list prices).

**Never in the way.** A failing media endpoint never fails an answer: every error becomes a
missing price. It never waits past the answer deadline either: the caller says when its call
started (``by``: start + ``OPENROUTER_ANSWER_TIMEOUT``), so the catalog's wait and the media's
together stay within one deadline; what has not come by then is answered from the saved copy,
and lands in the cache for the next call. Its requests trip only their own breakers
(``media``, ``zdr``: :mod:`.upstream`), so a 5xx from ``/videos/models`` never sends ``/models``
answers to offline data.
"""

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar, cast

import anyio
import anyio.to_thread

from mcp_server_openrouter.catalog import offline
from mcp_server_openrouter.catalog.answers import Answer, Provenance
from mcp_server_openrouter.catalog.cache import QueryCache, Spawn
from mcp_server_openrouter.catalog.diskcache import DiskDatasets
from mcp_server_openrouter.catalog.offline import BundledMedia
from mcp_server_openrouter.catalog.upstream import Family
from mcp_server_openrouter.openrouter import (
    ImageEndpoints,
    ImageModels,
    MediaPricing,
    Model,
    NotFoundError,
    OpenRouterClient,
    OpenRouterError,
    VideoModels,
    ZdrEndpoints,
)
from mcp_server_openrouter.openrouter.media import (
    IMAGES_PATH,
    VIDEOS_PATH,
    ZDR_PATH,
    parse_image_endpoints,
    parse_image_models,
    parse_videos,
    parse_zdr,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

MEDIA_TTL = 3600.0
"""Seconds media prices and the zero-data-retention list are reused (see the module docstring)."""
MAX_PARALLEL = 4
"""Image models' ``/endpoints`` requests in flight at once, whatever the number of callers."""
ZDR_KEY = ("zdr",)


class Online(Protocol):
    """:meth:`.catalog.Catalog._online`: a cached answer only OpenRouter has, or its error."""

    def __call__(
        self,
        what: str,
        key: Hashable,
        path: str,
        fetch: Callable[[OpenRouterClient], Awaitable[T]],
        *,
        family: Family,
        keyed: bool = False,
        cache: QueryCache | None = None,
    ) -> Awaitable[Answer[T]]: ...


@dataclass(frozen=True, slots=True)
class Part(Generic[T]):
    """One thing to fetch: its cache key (also what its saved copy is filed under), the path its
    errors name, how to fetch and parse it, and where the bundled snapshot keeps it."""

    what: str
    key: tuple[str, ...]
    path: str
    fetch: Callable[[OpenRouterClient], Awaitable[T]]
    parse: Callable[[Any], T]
    bundled: Callable[[BundledMedia], Any]
    family: Family = "media"

    @property
    def saved_as(self) -> str:
        return _filed(self.key)


def _filed(key: tuple[object, ...]) -> str:
    """The name a part's saved copy is filed under: its cache key, words joined."""
    return " ".join(map(str, key))


VIDEOS: Part[VideoModels] = Part(
    "the video prices",
    ("media", "videos"),
    VIDEOS_PATH,
    lambda api: api.video_models(),
    parse_videos,
    lambda b: b.videos,
)
IMAGES: Part[ImageModels] = Part(
    "the image models",
    ("media", "images"),
    IMAGES_PATH,
    lambda api: api.image_models(),
    parse_image_models,
    lambda b: b.images,
)
ZDR: Part[ZdrEndpoints] = Part(
    "the zero-data-retention endpoints",
    ZDR_KEY,
    ZDR_PATH,
    lambda api: api.zdr_endpoints(),
    parse_zdr,
    lambda b: b.zdr,
    "zdr",
)

_RANK = {"live": 0, "cached": 1, "stale": 2, "snapshot": 3}


def least_fresh(provenances: Sequence[Provenance]) -> Provenance | None:
    """The provenance that says least for the data: the worst kind (``snapshot`` over ``stale`` over
    ``cached`` over ``live``), the oldest of it; ``None`` for none."""
    if not provenances:
        return None
    return max(provenances, key=lambda p: (_RANK[p.kind], -p.as_of.timestamp()))


def with_media(provenance: Provenance, media: Provenance | None) -> Provenance:
    """``provenance``, its note saying how old the media prices shown are when they are not fresh
    (``media prices STALE: from 2026-11-20 10:00 UTC``; ``OFFLINE`` from the bundled snapshot); as
    it is when they are fresh, or as old as the answer itself (both from the bundled snapshot)."""
    if (
        media is None
        or media.kind in ("live", "cached")
        or (media.kind, media.as_of) == (provenance.kind, provenance.as_of)
    ):
        return provenance
    note = f"media prices {'OFFLINE' if media.kind == 'snapshot' else 'STALE'}: from {media.as_of:%Y-%m-%d %H:%M} UTC"
    return dataclasses.replace(provenance, note=f"{provenance.note}; {note}" if provenance.note else note)


def _wants_video(model: Model) -> bool:
    return model.unpriced and "video" in model.architecture.output_modalities


def _wants_image(model: Model) -> bool:
    return model.unpriced and "image" in model.architecture.output_modalities


class MediaSource:
    """See the module docstring. ``online``: the catalog's way to a cached upstream answer; ``cache``:
    this source's own (TTL :data:`MEDIA_TTL`); ``disk``: where each answer is saved."""

    def __init__(self, online: Online, cache: QueryCache, disk: DiskDatasets, clock: Callable[[], datetime]) -> None:
        self._online = online
        self._cache = cache
        self._disk = disk
        self._clock = clock
        self._limiter = anyio.CapacityLimiter(MAX_PARALLEL)
        self._spawn: Spawn | None = None
        cache.on_store = self._stored

    def attach(self, spawn: Spawn | None) -> None:
        """Where background work runs (the catalog's longest-lived task group); none: inline."""
        self._spawn = spawn
        self._cache.attach(spawn)

    # -- prices ----------------------------------------------------------------------------

    async def priced(self, models: Sequence[Model], *, by: float) -> tuple[list[Model], Provenance | None]:
        """``models``, each that media prices are known for carrying them (:meth:`Model.with_media`),
        and how fresh the least fresh of those shown is (``None`` when none is shown). Asks only for
        what these models need: nothing at all unless one has video or image output and no token
        price of its own (:attr:`Model.unpriced`; a model priced per token keeps its prices), and
        waits for it until ``by`` (``anyio.current_time()``) at most. Never raises OpenRouter's errors."""
        videos_wanted = any(_wants_video(m) for m in models)
        images_wanted = [m for m in models if _wants_image(m)]
        if not videos_wanted and not images_wanted:
            return list(models), None
        videos: Answer[VideoModels] | None = None
        endpoints: dict[str, Answer[ImageEndpoints] | None] = {}

        async def get_videos() -> None:
            nonlocal videos
            videos = await self._get(VIDEOS, by)

        async def get_images() -> None:
            listed = await self._get(IMAGES, by)
            if listed is None:
                return
            wanted = list(dict.fromkeys(m.id for m in images_wanted if m.id in listed.value.ids))

            async def one(model_id: str) -> None:
                endpoints[model_id] = await self._get(self._endpoints(model_id), by)

            async with anyio.create_task_group() as group:
                for model_id in wanted:
                    group.start_soon(one, model_id)

        async with anyio.create_task_group() as group:
            if videos_wanted:
                group.start_soon(get_videos)
            if images_wanted:
                group.start_soon(get_images)
        out: list[Model] = []
        shown: list[Provenance] = []
        for model in models:
            pricing: MediaPricing | None = None
            if not model.unpriced:
                out.append(model)
                continue
            if videos is not None and _wants_video(model):
                pricing = videos.value.pricing(model)
                if pricing is not None:
                    shown.append(videos.provenance)
            found = endpoints.get(model.id)
            if pricing is None and found is not None:
                pricing = found.value.pricing()
                if pricing is not None:
                    shown.append(found.provenance)
            out.append(model.with_media(pricing))
        return out, least_fresh(shown)

    def _endpoints(self, model_id: str) -> Part[ImageEndpoints]:
        async def fetch(api: OpenRouterClient) -> ImageEndpoints:
            async with self._limiter:
                try:
                    return await api.image_endpoints(model_id)
                except NotFoundError:  # listed, but priced nowhere: kept (and not asked again) for the TTL
                    return ImageEndpoints((), raw=None)

        return Part(
            f"the image prices of {model_id}",
            ("media", "image", model_id),
            f"{IMAGES_PATH}/{model_id}/endpoints",
            fetch,
            parse_image_endpoints,
            lambda b: b.image_endpoints.get(model_id),
        )

    async def _get(self, part: Part[T], by: float) -> Answer[T] | None:
        """``part`` from the cache or OpenRouter until ``by``; else its saved or bundled copy; else
        ``None``. A 404 is no such model: nothing."""
        reason = "no answer in time"
        with anyio.move_on_after(max(0.0, by - anyio.current_time())):
            try:
                return await self._online(
                    part.what, part.key, part.path, part.fetch, family=part.family, cache=self._cache
                )
            except NotFoundError:
                return None
            except OpenRouterError as exc:
                reason = str(exc)
                logger.info("Media prices from a saved copy, if any: %s", reason)
        return await self._saved(part, reason)

    async def _saved(self, part: Part[T], reason: str) -> Answer[T] | None:
        """The copy of ``part`` saved by this or an earlier run, else the bundled snapshot's, parsed."""

        def read() -> Answer[T] | None:
            try:
                saved = self._disk.load_parsed(part.saved_as, part.parse)
            except ValueError as exc:
                logger.warning("Ignoring the saved copy of %s: %s", part.what, exc)
            else:
                if saved is not None:
                    return Answer(saved[0], Provenance("stale", saved[1], f"saved copy of {part.what}; {reason}"))
            bundle = offline.load_bundled_media()
            body = part.bundled(bundle) if bundle is not None else None
            if bundle is None or body is None:
                return None
            try:
                return Answer(part.parse(body), Provenance("snapshot", bundle.as_of, reason))
            except ValueError as exc:
                logger.warning("Ignoring the bundled copy of %s: %s", part.what, exc)
                return None

        return await anyio.to_thread.run_sync(read)

    async def _stored(self, key: Hashable, value: object) -> None:
        """After each successful fetch: save its body, filed under its key."""
        entry = self._cache.peek(key)
        body = getattr(value, "raw", None)
        if isinstance(key, tuple) and entry is not None and body is not None:
            name = _filed(cast(tuple[object, ...], key))
            await anyio.to_thread.run_sync(self._disk.save, name, body, entry.fetched_at)

    # -- zero data retention ---------------------------------------------------------------

    async def refresh_zdr(self) -> None:
        """Fetch the zero-data-retention list unless it is cached: in the background when the
        catalog runs (the answer that asked does not wait), inline otherwise."""
        if self._spawn is not None:
            self._spawn(self._fetch_zdr)
        else:
            await self._fetch_zdr()

    async def _fetch_zdr(self) -> None:
        try:
            await self._online(ZDR.what, ZDR.key, ZDR.path, ZDR.fetch, family=ZDR.family, cache=self._cache)
        except OpenRouterError as exc:
            logger.info("The zero-data-retention list was not fetched: %s", exc)

    async def saved_zdr(self, reason: str) -> Answer[ZdrEndpoints] | None:
        """The zero-data-retention list without the network: in memory (as old as it is), else saved
        on disk, else bundled; ``None`` without one."""
        entry = self._cache.peek(ZDR_KEY)
        if entry is not None and isinstance(entry.value, ZdrEndpoints):
            fresh = self._clock() - entry.fetched_at < self._cache.ttl
            return Answer(entry.value, Provenance("cached" if fresh else "stale", entry.fetched_at))
        return await self._saved(ZDR, reason)
