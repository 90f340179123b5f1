"""An async client for OpenRouter's model-catalog endpoints, over one ``httpx2.AsyncClient``.

It knows HTTP and OpenRouter, nothing of MCP. Every failure leaves as an
:class:`~.errors.OpenRouterError` subclass chained from its cause. The API key is sent only to
``/models/user`` and to a model's ``/endpoints`` (which show latency and throughput only to
authenticated requests; the catalog endpoints are public), is held as a ``SecretStr`` and never
appears in an error, a log line or a repr.
"""

import json
import logging
import ssl
from collections.abc import Callable
from typing import Any, Self, TypeVar, cast
from urllib.parse import quote

import anyio
import httpx2
from pydantic import SecretStr

from .datasets import (
    Benchmarks,
    Rankings,
    RankingsQuery,
    SessionCostQuery,
    SessionCosts,
    TaskShares,
    parse_benchmarks,
    parse_rankings,
    parse_session_costs,
    parse_task_shares,
)
from .endpoints import EndpointList, Provider, parse_endpoints, parse_providers
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InvalidRequestError,
    InvalidResponseError,
    MissingAPIKeyError,
    status_error,
)
from .media import (
    ImageEndpoints,
    ImageModels,
    VideoModels,
    ZdrEndpoints,
    parse_image_endpoints,
    parse_image_models,
    parse_videos,
    parse_zdr,
)
from .models import ModelList, parse_count, parse_model_list
from .query import ModelsQuery
from .retry import NO_RETRY, RetryPolicy, retry_after

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
CONNECT_TIMEOUT = 5.0


def _error_text(response: httpx2.Response) -> str:
    """The upstream's own error message if it sent the documented JSON shape, else a safe summary."""
    html = "(an HTML error page, probably from a proxy; not shown)"
    if "html" in response.headers.get("content-type", ""):
        return html
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        text = response.text
        return html if text.lstrip()[:1] == "<" and "html" in text[:1000].lower() else text
    if isinstance(body, dict):
        error: Any = cast(dict[str, Any], body).get("error")
        if isinstance(error, dict):
            message: Any = cast(dict[str, Any], error).get("message")
            if isinstance(message, str):
                return message
        elif isinstance(error, str):
            return error
    return response.text


class OpenRouterClient:
    """Typed access to ``/models``, ``/models/count`` and ``/models/user``.

    Build it with :meth:`create` (which owns its ``httpx2.AsyncClient``) and close it with
    ``async with`` or :meth:`aclose`. ``transport`` lets tests fake the far end with
    ``httpx2.MockTransport`` while everything above it runs for real.
    """

    def __init__(
        self, http: httpx2.AsyncClient, *, api_key: SecretStr | None = None, retry: "RetryPolicy | None" = None
    ) -> None:
        self._http = http
        self._api_key = api_key
        self._retry = retry or RetryPolicy()

    @classmethod
    def create(
        cls,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: SecretStr | None = None,
        timeout: float = 15.0,
        user_agent: str = "mcp-server-openrouter",
        transport: httpx2.AsyncBaseTransport | None = None,
        retry: "RetryPolicy | None" = None,
        verify: ssl.SSLContext | bool = True,
    ) -> Self:
        """``verify``: a ready TLS context (building one loads the CA bundle), or ``True`` for httpx2's."""
        http = httpx2.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            # Connecting has its own bound: a short read timeout must not fail a connect that a busy
            # event loop merely resumed late (the answer deadline and total timeout bound both).
            timeout=httpx2.Timeout(timeout, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
            verify=verify,
        )
        return cls(http, api_key=api_key, retry=retry)

    def __repr__(self) -> str:
        return (
            f"OpenRouterClient(base_url={str(self._http.base_url)!r}, api_key={'set' if self.has_api_key else 'unset'})"
        )

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None and bool(self._api_key.get_secret_value())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def list_models(self, query: ModelsQuery | None = None) -> ModelList:
        """``GET /models`` with the query's filters; the whole matching list (no upstream paging)."""
        return await self._get_models("models", (query or ModelsQuery()).params(), authenticated=False)

    async def count_models(self, output_modalities: tuple[str, ...] = ()) -> int:
        """``GET /models/count``: how many models have one of these output modalities."""
        params = {"output_modalities": ",".join(output_modalities)} if output_modalities else {}
        return await self._get_parsed("models/count", params, parse_count, authenticated=False)

    async def list_user_models(self, api_key: SecretStr | None = None) -> ModelList:
        """``GET /models/user``: the models the key's owner may use, after their account settings.

        ``api_key`` overrides the client's own key for this call.
        """
        return await self._get_models("models/user", {}, authenticated=True, api_key=api_key)

    async def list_endpoints(self, model_id: str, api_key: SecretStr | None = None) -> EndpointList:
        """``GET /models/{author}/{slug}/endpoints``: every provider's endpoint of one model.

        The key, when the client has one, is sent: the spec shows latency and throughput only to
        authenticated requests. ``model_id`` is ``author/slug`` (a variant suffix such as ``:free``
        stays part of the slug); each part is percent-encoded into the path. ``api_key`` overrides
        the client's own key for this call.
        """
        author, _, slug = model_id.partition("/")
        if not author or not slug:
            raise InvalidRequestError(f"a model ID is author/slug, got {model_id[:200]!r}")
        path = f"models/{quote(author, safe='~')}/{quote(slug, safe=':~')}/endpoints"
        visible = self.has_api_key if api_key is None else bool(api_key.get_secret_value())
        return await self._get_parsed(
            path,
            {},
            lambda payload: parse_endpoints(payload, stats_visible=visible),
            authenticated=visible,
            api_key=api_key,
        )

    async def rankings(self, query: RankingsQuery, api_key: SecretStr | None = None) -> Rankings:
        """``GET /datasets/rankings-daily`` with the client's key: top models by tokens.

        Sent once, never retried: the dataset allows 30 requests a minute per key and 500 a day per
        account, so each call is exactly one request, which the caller can count (a ``429`` and its
        ``Retry-After`` come back as :class:`~.errors.RateLimitError`). ``api_key`` overrides the
        client's own key for this call, as it does for every dataset.
        """
        return await self._get_parsed(
            "datasets/rankings-daily",
            query.params(),
            parse_rankings,
            authenticated=True,
            api_key=api_key,
            retry=NO_RETRY,
        )

    async def task_shares(self, api_key: SecretStr | None = None) -> TaskShares:
        """``GET /classifications/task`` with the client's key: the last 7 days' share of requests per
        task and its top models. One request, never retried (see :meth:`rankings`)."""
        return await self._get_parsed(
            "classifications/task",
            {"window": "7d"},
            parse_task_shares,
            authenticated=True,
            api_key=api_key,
            retry=NO_RETRY,
        )

    async def benchmarks(self, api_key: SecretStr | None = None) -> Benchmarks:
        """``GET /benchmarks`` with the client's key, every source in one request (the results are
        small, and each filter would be a request of the day's 500). Never retried (see :meth:`rankings`)."""
        return await self._get_parsed(
            "benchmarks", {}, parse_benchmarks, authenticated=True, api_key=api_key, retry=NO_RETRY
        )

    async def session_costs(
        self, query: SessionCostQuery | None = None, api_key: SecretStr | None = None
    ) -> SessionCosts:
        """``GET /datasets/session-cost`` with the client's key: one page of the median cost of a
        session per harness, model and turn range. One request, never retried (see :meth:`rankings`)."""
        return await self._get_parsed(
            "datasets/session-cost",
            (query or SessionCostQuery()).params(),
            parse_session_costs,
            authenticated=True,
            api_key=api_key,
            retry=NO_RETRY,
        )

    async def list_providers(self) -> list[Provider]:
        """``GET /providers``: every inference provider, with headquarters, datacenters and policies."""
        return await self._get_parsed("providers", {}, parse_providers, authenticated=False)

    # -- media prices and zero data retention (public, like the catalog: see .media) ----------------

    async def video_models(self) -> VideoModels:
        """``GET /videos/models``: every video model with its ``pricing_skus``."""
        return await self._get_parsed("videos/models", {}, parse_videos, authenticated=False)

    async def image_models(self) -> ImageModels:
        """``GET /images/models``: the image models (their prices are per endpoint: :meth:`image_endpoints`)."""
        return await self._get_parsed("images/models", {}, parse_image_models, authenticated=False)

    async def image_endpoints(self, model_id: str) -> ImageEndpoints:
        """``GET /images/models/{author}/{slug}/endpoints``: one image model's endpoints and their
        prices (a :class:`~.errors.NotFoundError` for a model it does not know). The path is built
        from the ID as :meth:`list_endpoints` builds its own, never from a URL the upstream sent."""
        author, _, slug = model_id.partition("/")
        if not author or not slug:
            raise InvalidRequestError(f"a model ID is author/slug, got {model_id[:200]!r}")
        path = f"images/models/{quote(author, safe='~')}/{quote(slug, safe=':~')}/endpoints"
        return await self._get_parsed(path, {}, parse_image_endpoints, authenticated=False)

    async def zdr_endpoints(self) -> ZdrEndpoints:
        """``GET /endpoints/zdr``: every endpoint with zero data retention."""
        return await self._get_parsed("endpoints/zdr", {}, parse_zdr, authenticated=False)

    async def _get_models(
        self, path: str, params: dict[str, str], *, authenticated: bool, api_key: SecretStr | None = None
    ) -> ModelList:
        result = await self._get_parsed(path, params, parse_model_list, authenticated=authenticated, api_key=api_key)
        if result.skipped:
            logger.warning("OpenRouter /%s: skipped %d malformed record(s)", path, result.skipped)
        return result

    async def _get_parsed(
        self,
        path: str,
        params: dict[str, str],
        parse: Callable[[Any], T],
        *,
        authenticated: bool,
        api_key: SecretStr | None = None,
        retry: RetryPolicy | None = None,
    ) -> T:
        """GET ``path`` (with retries, the client's unless ``retry`` is given), then decode and parse
        the body in a worker thread.

        A whole catalog is about 1 MB of JSON and 500 records to validate: 40-60 ms of CPU on an
        idle machine, seconds on a loaded one. On the event loop that would stall every other
        session of an HTTP deployment (and the answer deadline's own timer); in a thread it
        stalls nothing. Parse errors are not retried: the same bytes would come back.
        """
        content = await self._get_content(path, params, authenticated=authenticated, api_key=api_key, retry=retry)
        return await anyio.to_thread.run_sync(_decode, path, content, parse)

    @staticmethod
    def _redact(text: str, headers: dict[str, str]) -> str:
        """Remove the key from upstream text: some services echo the credential they rejected."""
        auth = headers.get("Authorization", "")
        secret = auth.removeprefix("Bearer ")
        return text.replace(secret, "[redacted]") if secret else text

    async def _get_content(
        self,
        path: str,
        params: dict[str, str],
        *,
        authenticated: bool,
        api_key: SecretStr | None = None,
        retry: RetryPolicy | None = None,
    ) -> bytes:
        headers: dict[str, str] = {}
        if authenticated:
            key = api_key if api_key is not None else self._api_key
            if key is None or not key.get_secret_value():
                raise MissingAPIKeyError(f"/{path} needs an API key")
            headers["Authorization"] = f"Bearer {key.get_secret_value()}"
        attempt = 0
        while True:
            try:
                return await self._attempt(path, params, headers)
            except (APIConnectionError, APIStatusError) as exc:
                delay = (retry or self._retry).delay(attempt, exc)
                if delay is None or anyio.current_time() + delay >= anyio.current_effective_deadline():
                    raise
                logger.info("Retrying /%s in %.2f s (attempt %d failed: %s)", path, delay, attempt + 1, exc)
                await anyio.sleep(delay)
                attempt += 1

    async def _attempt(self, path: str, params: dict[str, str], headers: dict[str, str]) -> bytes:
        try:
            response = await self._http.get(path, params=params, headers=headers)
        except httpx2.TimeoutException as exc:
            raise APITimeoutError(f"OpenRouter did not answer /{path} in time ({type(exc).__name__})") from exc
        except httpx2.DecodingError as exc:
            raise InvalidResponseError(f"OpenRouter's /{path} answer could not be decoded ({exc})") from exc
        except (httpx2.ConnectError, httpx2.ProxyError) as exc:
            raise APIConnectionError(f"Could not reach OpenRouter for /{path} ({type(exc).__name__})") from exc
        except httpx2.RequestError as exc:
            raise APIConnectionError(
                f"The connection to OpenRouter broke during /{path} ({type(exc).__name__})"
            ) from exc
        if response.status_code >= 400 or response.status_code < 200:
            raise status_error(
                response.status_code,
                self._redact(_error_text(response), headers),
                retry_after=retry_after(response.headers),
            )
        if response.status_code != 200:
            raise InvalidResponseError(f"OpenRouter answered /{path} with unexpected HTTP {response.status_code}")
        return response.content


def _decode(path: str, content: bytes, parse: Callable[[Any], T]) -> T:
    """JSON-decode and parse one answer body; any failure is an :class:`InvalidResponseError`."""
    try:
        payload = json.loads(content)
    except json.JSONDecodeError as exc:
        raise InvalidResponseError(f"OpenRouter's /{path} answer is not valid JSON ({exc.msg})") from exc
    except UnicodeDecodeError as exc:
        raise InvalidResponseError(f"OpenRouter's /{path} answer is not UTF-8 text") from exc
    try:
        return parse(payload)
    except ValueError as exc:
        raise InvalidResponseError(f"OpenRouter's /{path} answer was not understood: {exc}") from exc
