"""A fake OpenRouter that serves real catalog snapshots, for tests and benchmarks.

It fakes only the far end: the client, its ``httpx2.AsyncClient`` and everything above run for
real. Every request is recorded so tests can assert the exact query strings sent upstream.
The filters are implemented here independently of ``mcp_server_openrouter.offline`` (a subset,
enough to make answers realistic); ``fail`` switches the fake into an outage.
"""

import gzip
import json
import threading
from collections.abc import Callable, Generator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2

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


class FakeOpenRouter:
    """``GET /api/v1/models``, ``/models/count`` and ``/models/user`` over the given records."""

    def __init__(self, models: list[dict[str, Any]] | None = None, *, api_key: str | None = None) -> None:
        self.models = load_snapshot() if models is None else models
        self.api_key = api_key
        self.requests: list[httpx2.Request] = []
        self.fail: Callable[[httpx2.Request], httpx2.Response] | None = None
        """When set, every request gets this answer (it may also raise, e.g. ``httpx2.ConnectError``)."""

    # -- what tests look at -------------------------------------------------------------
    def go_down(self) -> None:
        """Refuse every connection from now on, like a host that is unreachable."""

        def refuse(request: httpx2.Request) -> httpx2.Response:
            raise httpx2.ConnectError("connection refused", request=request)

        self.fail = refuse

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
        return httpx2.Response(404, json={"error": {"code": 404, "message": "Not Found"}})

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
