"""A fake OpenRouter that serves real catalog snapshots, for tests and benchmarks.

It fakes only the far end: the client, its ``httpx2.AsyncClient`` and everything above run for
real. Every request is recorded so tests can assert the exact query strings sent upstream.
The filters are implemented here independently of ``mcp_server_openrouter.catalog.offline`` (a subset,
enough to make answers realistic); ``fail`` switches the fake into an outage.
"""

import gzip
import json
import threading
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

import httpx2

from . import fake_media

DATA = Path(__file__).parent / "data"
MAIN_SNAPSHOT = "models-unified-llm-pricing-all-2026-08-18.json.gz"
SNAPSHOTS = sorted(p.name for p in DATA.glob("models-*.json.gz"))


@cache
def _load(name: str) -> bytes:
    return gzip.decompress((DATA / name).read_bytes())


def load_snapshot(name: str = MAIN_SNAPSHOT) -> list[dict[str, Any]]:
    """A fresh copy of a snapshot's ``data`` list (callers may mutate it)."""
    return json.loads(_load(name))["data"]


def _csv(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


SEARCH_BENCHMARKS = ["search_browsecomp", "search_dsqa", "search_hle", "search_widesearch"]
SESSION_TURN_RANGES = ["1-turn", "2-9-turns", "10-49-turns", "50-plus-turns"]
PROVIDERS: list[Any] = [
    {
        "name": "OpenAI",
        "slug": "openai",
        "headquarters": "US",
        "datacenters": ["US", "IE"],
        "privacy_policy_url": "https://openai.com/privacy",
        "terms_of_service_url": "https://openai.com/terms",
        "status_page_url": "https://status.openai.com",
    },
    {"name": "DeepInfra", "slug": "deepinfra", "headquarters": "US", "datacenters": ["US"]},
    {"name": "Mistral", "slug": "mistral", "headquarters": "FR", "datacenters": None, "new_field": 1},
    "not a provider",
]
"""``GET /providers`` as the spec's example shows it, plus drift: a null list, an unknown field, junk."""


class FakeOpenRouter:
    """``GET /api/v1/models``, ``/models/count`` and ``/models/user`` over the given records."""

    def __init__(self, models: list[dict[str, Any]] | None = None, *, api_key: str | None = None) -> None:
        self.models = load_snapshot() if models is None else models
        self.api_key = api_key
        self.requests: list[httpx2.Request] = []
        self.fail: Callable[[httpx2.Request], httpx2.Response] | None = None
        """When set, every request gets this answer (it may also raise, e.g. ``httpx2.ConnectError``)."""
        self.overrides: dict[str, httpx2.Response] = {}
        """Fixed answers by path suffix (see :meth:`answer_with`)."""
        self.delay: Callable[[httpx2.Request], float] | None = None
        """When set, :func:`serve` waits this many seconds (of real time, in the request's own
        thread) before sending each answer, after the request is recorded: a slow OpenRouter.
        Real HTTP only; the ``MockTransport`` of :meth:`transport` does not wait."""
        self.session_cost_cells: list[Any] | None = None
        self.videos: Any = fake_media.videos()
        """What ``/videos/models`` serves (and the three below theirs; see :mod:`.fake_media`)."""
        self.image_models: Any = fake_media.image_models()
        self.image_endpoints: dict[str, Any] = fake_media.image_endpoints()
        """``/images/models/{id}/endpoints`` bodies by model ID; any other ID is a 404."""
        self.zdr: Any = fake_media.zdr()
        """When set, the cells ``/datasets/session-cost`` serves instead of :meth:`session_cells`' own."""

    # -- what tests look at -------------------------------------------------------------
    def go_down(self) -> None:
        """Refuse every connection from now on, like a host that is unreachable."""

        def refuse(request: httpx2.Request) -> httpx2.Response:
            raise httpx2.ConnectError("connection refused", request=request)

        self.fail = refuse

    def answer_with(self, path_suffix: str, status: int, body: Any) -> None:
        """From now on, answer every request whose path ends with ``path_suffix`` with this JSON."""
        self.overrides[path_suffix] = httpx2.Response(status, json=body)

    def params(self, index: int = -1) -> dict[str, str]:
        return dict(self.requests[index].url.params)

    @property
    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handle)

    # -- the fake API ---------------------------------------------------------------
    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if self.fail is not None:
            return self.fail(request)
        for suffix, response in self.overrides.items():
            if request.url.path.endswith(suffix):
                return httpx2.Response(response.status_code, content=response.content, headers=response.headers)
        return self.answer(request)

    def answer(self, request: httpx2.Request) -> httpx2.Response:
        """What a healthy OpenRouter would answer (not recorded; :meth:`handle` records)."""
        path = request.url.path.removeprefix("/api/v1")
        params = request.url.params
        if path == "/models":
            data = self.select(params)
            return httpx2.Response(200, json={"data": data, "total_count": len(data), "links": {"next": None}})
        if path == "/models/count":
            count = len(self.select({"output_modalities": params.get("output_modalities", "text")}))
            return httpx2.Response(200, json={"data": {"count": count}})
        if path == "/models/user":
            auth = request.headers.get("authorization")
            if auth is None:
                return httpx2.Response(401, json={"error": {"code": 401, "message": "No auth credentials found"}})
            if auth != f"Bearer {self.api_key}":
                return httpx2.Response(401, json={"error": {"code": 401, "message": "User not found."}})
            data = self.select({"output_modalities": "all"})
            return httpx2.Response(200, json={"data": data, "total_count": len(data), "links": {"next": None}})
        if path in ("/videos/models", "/images/models", "/endpoints/zdr"):
            body = {"/videos/models": self.videos, "/images/models": self.image_models, "/endpoints/zdr": self.zdr}
            return httpx2.Response(200, json=body[path])
        if path.startswith("/images/models/") and path.endswith("/endpoints"):
            found = self.image_endpoints.get(unquote(path.removeprefix("/images/models/").removesuffix("/endpoints")))
            if found is None:
                return httpx2.Response(404, json={"error": {"code": 404, "message": "Resource not found"}})
            return httpx2.Response(200, json=found)
        if path == "/providers":
            return httpx2.Response(200, json={"data": PROVIDERS})
        if path == "/datasets/rankings-daily":
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return httpx2.Response(401, json={"error": {"code": 401, "message": "Missing Authentication header"}})
            return httpx2.Response(200, json=self.rankings(params))
        if path == "/datasets/session-cost":
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return httpx2.Response(401, json={"error": {"code": 401, "message": "Missing Authentication header"}})
            return self.session_costs(params)
        if path in ("/benchmarks", "/classifications/task"):
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return httpx2.Response(401, json={"error": {"code": 401, "message": "Missing Authentication header"}})
            return httpx2.Response(200, json=self.benchmarks() if path == "/benchmarks" else self.task_shares())
        if path.startswith("/models/") and path.endswith("/endpoints"):
            return self.endpoints(unquote(path.removeprefix("/models/").removesuffix("/endpoints")), request)
        return httpx2.Response(404, json={"error": {"code": 404, "message": "Not Found"}})

    def endpoints(self, model_id: str, request: httpx2.Request) -> httpx2.Response:
        """A ``ListEndpointsResponse`` shaped like the spec's example: two providers per model, the
        second dearer, quantized and degraded; latency and throughput only for a valid key."""
        record = next((m for m in self.models if m["id"] == model_id), None)
        if record is None:
            return httpx2.Response(404, json={"error": {"code": 404, "message": "Model not found"}})
        keyed = self.api_key is not None and request.headers.get("authorization") == f"Bearer {self.api_key}"
        pricing: dict[str, Any] = record.get("pricing") or {}
        params: list[str] = list(record.get("supported_parameters") or [])
        author = model_id.split("/")[0].lstrip("~")

        def stats(p50: float) -> dict[str, float] | None:
            return {"p50": p50, "p75": p50 * 1.5, "p90": p50 * 2, "p99": p50 * 4} if keyed else None

        def dearer(value: Any) -> Any:
            return str(Decimal(str(value)) * Decimal("1.2")) if Decimal(str(value)) > 0 else value

        top: dict[str, Any] = record.get("top_provider") or {}
        endpoints: list[dict[str, Any]] = [
            {
                "name": f"{author}: {record.get('name', model_id)}",
                "model_id": model_id,
                "model_name": record.get("name", model_id),
                "provider_name": author.capitalize(),
                "tag": author,
                "quantization": None,
                "context_length": record.get("context_length") or 0,
                "max_completion_tokens": top.get("max_completion_tokens"),
                "max_prompt_tokens": None,
                "pricing": {k: v for k, v in pricing.items() if k != "overrides"},
                "status": 0,
                "supported_parameters": params,
                "supports_implicit_caching": "input_cache_read" in pricing,
                "uptime_last_5m": 100,
                "uptime_last_30m": 99.5,
                "uptime_last_1d": 99.9,
                "latency_last_30m": stats(400.0),
                "throughput_last_30m": stats(60.0),
            },
            {
                "name": f"DeepInfra: {record.get('name', model_id)}",
                "model_id": model_id,
                "model_name": record.get("name", model_id),
                "provider_name": "DeepInfra",
                "tag": "deepinfra/fp8",
                "quantization": "fp8",
                "context_length": min(record.get("context_length") or 0, 131072),
                "max_completion_tokens": 16384,
                "max_prompt_tokens": None,
                "pricing": {
                    "prompt": dearer(pricing.get("prompt", "0")),
                    "completion": dearer(pricing.get("completion", "0")),
                    "discount": 0.1,
                },
                "status": -1,
                "supported_parameters": [*params[1:], "top_k"] if "top_k" not in params else params[1:],
                "supports_implicit_caching": False,
                "uptime_last_5m": None,
                "uptime_last_30m": 97.25,
                "uptime_last_1d": None,
                "latency_last_30m": stats(250.0),
                "throughput_last_30m": stats(90.0),
            },
        ]
        data: dict[str, Any] = {
            "id": model_id,
            "name": record.get("name"),
            "created": record.get("created"),
            "description": record.get("description"),
            "architecture": record.get("architecture"),
            "endpoints": endpoints,
        }
        return httpx2.Response(200, json={"data": data})

    def rankings(self, params: Any) -> dict[str, Any]:
        """A ``RankingsDailyResponse`` shaped like the spec's example: two periods from
        ``start_date``, the top 50 of 60 text models by (made-up) tokens, then ``other``; the second
        period swaps some places, and one model of it is new."""
        start = date.fromisoformat(params.get("start_date") or "2026-11-01")
        step = {"day": 1, "week": 7, "month": 30}[params.get("period") or "day"]
        slugs = list(
            dict.fromkeys(m.get("canonical_slug") or m["id"] for m in self.select({"output_modalities": "text"}))
        )
        slugs = slugs[:61]
        data: list[dict[str, Any]] = []
        for period in range(2):
            day = (start + timedelta(days=step * period)).isoformat()
            ranked = slugs[:60] if period == 0 else [slugs[1], slugs[0], *slugs[2:49], slugs[60], *slugs[49:59]]
            for place, slug in enumerate(ranked[:50]):
                data.append({"date": day, "model_permaslug": slug, "total_tokens": str((100 - place) * 1_000_000)})
            rest = sum((100 - place) * 1_000_000 for place in range(50, len(ranked)))
            data.append({"date": day, "model_permaslug": "other", "total_tokens": str(rest)})
        return {"data": data, "meta": {"as_of": "2026-11-30T02:00:00Z", "version": "v1"}}

    def _slugs(self, count: int) -> list[str]:
        """The permaslugs of the first ``count`` text models, as the datasets name models."""
        text = self.select({"output_modalities": "text"})
        return list(dict.fromkeys(m.get("canonical_slug") or m["id"] for m in text))[:count]

    def benchmarks(self) -> dict[str, Any]:
        """A ``UnifiedBenchmarksResponse`` shaped like the spec's examples: for the first 16 text
        models, an Artificial Analysis item, a GPQA item and the four search benchmarks (made-up
        scores; the 16th model ran only two of them), plus a Design Arena item, a malformed item and
        an unknown source."""
        data: list[Any] = []
        for n, slug in enumerate(self._slugs(16)):
            data.append(
                {
                    "source": "artificial-analysis",
                    "model_permaslug": slug,
                    "display_name": slug,
                    "intelligence_index": 30 + n,
                    "coding_index": 20 + n,
                    "agentic_index": None,
                    "pricing": None,
                }
            )
            data.append(
                {
                    "source": "openrouter",
                    "model_permaslug": slug,
                    "display_name": slug,
                    "benchmark_type": "gpqa_diamond",
                    "accuracy": round(0.5 + n / 100, 3),
                    "accuracy_stddev": None,
                    "avg_cost_per_task": 0.002,
                    "total_tasks": 198,
                    "last_run_timestamp": "2026-11-20T12:00:00Z",
                }
            )
            for b, benchmark in enumerate(SEARCH_BENCHMARKS[: 2 if n == 15 else 4]):
                data.append(
                    {
                        "source": "openrouter",
                        "model_permaslug": slug,
                        "display_name": slug,
                        "benchmark_type": benchmark,
                        "primary_metric": "f1_by_item" if benchmark == "search_widesearch" else "accuracy",
                        "primary_score": round(((n * 7 + b * 3) % 17) / 20, 2),
                        "total_tasks": 100,
                        "avg_cost_per_task": 0.03,
                        "avg_latency_per_task_ms": 45210,
                        "search_engine": "exa",
                        "search_surface": "server-tool",
                        "last_run_timestamp": "2026-11-20T12:00:00Z",
                    }
                )
        data += [
            {"source": "design-arena", "model_permaslug": "x/y", "arena": "models", "category": "3d", "elo": 1400},
            {"source": "openrouter", "model_permaslug": "x/y", "benchmark_type": "gpqa_diamond", "accuracy": 7},
            {"source": "a-future-source", "model_permaslug": "x/y"},
        ]
        meta = {"as_of": "2026-11-30T02:00:00Z", "version": "v1", "source": None, "citation": None}
        return {"data": data, "meta": meta}

    def session_cells(self) -> list[Any]:
        """Every cell of ``/datasets/session-cost`` (:attr:`session_cost_cells` when set): four
        harnesses measuring different models (first of the text models, by permaslug, which is
        rarely the ID) over different turn ranges, made-up medians, and drift: null, missing and
        wrong-typed fields, junk, a duplicate and a turn range the spec does not list."""
        if self.session_cost_cells is not None:
            return self.session_cost_cells
        slugs = self._slugs(24)
        harnesses = [
            ("claude-code", "Claude Code", slugs[:20], SESSION_TURN_RANGES, 1.0),
            ("hermes-agent", "Hermes Agent", slugs[4:16], SESSION_TURN_RANGES[1:], 0.6),
            ("cline", "Cline", slugs[10:24], SESSION_TURN_RANGES[2:], 1.3),
            ("kilo-code", "Kilo Code", slugs[:4], SESSION_TURN_RANGES[2:3], 0.8),
        ]
        scale = {"1-turn": 0.02, "2-9-turns": 0.25, "10-49-turns": 1.0, "50-plus-turns": 4.5}
        cells: list[Any] = [
            {
                "app_name": name,
                "app_slug": app,
                "median_session_cost_usd": round(((n * 37) % 23 + 1) / 10 * factor * scale[turns], 4),
                "model_permaslug": slug,
                "turn_range": turns,
            }
            for app, name, models, ranges, factor in harnesses
            for n, slug in enumerate(models)
            for turns in ranges
        ]
        first = dict(cells[0])
        cells += [
            {**first, "median_session_cost_usd": 99.0},  # a duplicate: the first is kept
            {**first, "median_session_cost_usd": None},
            {**first, "median_session_cost_usd": "1.20"},
            {**first, "median_session_cost_usd": -1},
            {**first, "median_session_cost_usd": True},
            {**first, "app_slug": None},
            {k: v for k, v in first.items() if k != "model_permaslug"},
            {**first, "turn_range": 7},
            {**first, "app_name": None, "turn_range": "100-plus-turns"},  # kept: a range to come
            "junk",
        ]
        return cells

    def session_costs(self, params: Any) -> httpx2.Response:
        """A ``SessionCostResponse`` like the spec's, honouring its filters (``app_slug``, ``model``,
        ``turn_range``) and paging (``limit`` 1-500, default 100; ``offset`` 0-5000), as the API does."""

        def wanted(cell: Any, key: str) -> bool:
            value = params.get(key)
            field = "model_permaslug" if key == "model" else key
            return value is None or (isinstance(cell, dict) and cast(dict[str, Any], cell).get(field) == value)

        try:
            limit, offset = int(params.get("limit", 100)), int(params.get("offset", 0))
        except ValueError:
            limit, offset = -1, -1
        if not 1 <= limit <= 500 or not 0 <= offset <= 5000:
            return httpx2.Response(400, json={"error": {"code": 400, "message": "Invalid limit or offset"}})
        cells = [c for c in self.session_cells() if all(wanted(c, k) for k in ("app_slug", "model", "turn_range"))]
        meta = {
            "as_of": "2026-11-24T02:00:00.000Z",
            "version": "v1",
            "window_days": 30,
            "window_end_date": "2026-11-23",
        }
        return httpx2.Response(200, json={"data": cells[offset : offset + limit], "meta": meta})

    def task_shares(self) -> dict[str, Any]:
        """A ``TaskClassificationResponse`` like the spec's example: four tasks in two macro
        categories, each with its top models (made-up shares), and one malformed task."""
        slugs = self._slugs(8)
        tasks = [
            ("code:general_impl", "Code Generation", "code", 0.40, 0.52, slugs[0:4]),
            ("code:debugging", "Debugging", "code", 0.20, 0.18, slugs[2:6]),
            ("agent:web_search", "Web Search", "agent", 0.25, 0.20, slugs[4:8]),
            ("general:chat", "Chat", "general", 0.15, 0.10, [slugs[7]]),
        ]
        classifications: list[Any] = [
            {
                "tag": tag,
                "display_name": name,
                "macro_category": macro,
                "usage_share": usage,
                "token_share": tokens,
                "category_usage_share": 0.5,
                "category_token_share": 0.5,
                "models": [
                    {"id": slug, "tag_usage_share": round(0.4 / (i + 1), 3), "tag_token_share": round(0.3 / (i + 1), 3)}
                    for i, slug in enumerate(models)
                ],
            }
            for tag, name, macro, usage, tokens, models in tasks
        ]
        classifications.append({"tag": "broken", "usage_share": "a lot"})
        macro = [
            {"key": "code", "label": "Code", "usage_share": 0.60, "token_share": 0.70},
            {"key": "agent", "label": "Agent", "usage_share": 0.25, "token_share": 0.20},
            {"key": "general", "label": "General", "usage_share": 0.15, "token_share": 0.10},
        ]
        return {
            "data": {
                "as_of": "2026-11-29",
                "window_days": 7,
                "classifications": classifications,
                "macro_categories": macro,
            }
        }

    def select(self, params: Any) -> list[dict[str, Any]]:
        outputs = _csv(params.get("output_modalities")) or ["text"]
        inputs = set(_csv(params.get("input_modalities")))
        wanted = set(_csv(params.get("supported_parameters")))
        authors = set(_csv(params.get("model_authors")))
        context = int(params.get("context") or 0)
        max_price = params.get("max_price")
        q = (params.get("q") or "").lower()
        out: list[dict[str, Any]] = []
        for m in self.models:
            arch: dict[str, Any] = m.get("architecture") or {}
            if "all" not in outputs and not set(outputs) & set(arch.get("output_modalities") or []):
                continue
            if not inputs <= set(arch.get("input_modalities") or []):
                continue
            if not wanted <= set(m.get("supported_parameters") or []):
                continue
            if authors and m["id"].lstrip("~").split("/")[0] not in authors:
                continue
            if (m.get("context_length") or 0) < context:
                continue
            if max_price is not None:
                prompt = Decimal(str(m["pricing"]["prompt"])) * 1_000_000
                if prompt < 0 or prompt > Decimal(max_price):
                    continue
            if q and q not in m["id"].lower() and q not in str(m.get("name", "")).lower():
                continue
            out.append(m)
        return out


@contextmanager
def serve(fake: FakeOpenRouter) -> Generator[str]:
    """Serve ``fake`` over real HTTP on 127.0.0.1 (for subprocess tests); yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            request = httpx2.Request(
                "GET", f"http://127.0.0.1{self.path}", headers=[(k, v) for k, v in self.headers.items()]
            )
            response = fake.handle(request)
            if fake.delay is not None:
                time.sleep(fake.delay(request))
            body = response.read()
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
