"""A real HTTP server on 127.0.0.1 that serves a :class:`FakeOpenRouter` and misbehaves on command.

The fault-injection tests (``test_faults.py``) need faults that only a real socket can produce: a
connection reset in the middle of a body, a body shorter than its ``Content-Length``, a server that
accepts and never answers. :class:`FaultyUpstream` is plain ``socket`` + threads, so it does not
depend on the test's event loop, and it is bounded: every socket operation polls a stop event,
and leaving the ``with`` block stops the server and joins its threads with a timeout.

Timeouts a test wants to fire are caused here, never by a race with the machine's speed: ``hang``
never answers (a client timeout fires), ``stall`` answers only when the test calls
:meth:`FaultyUpstream.release`.

Each request takes the next :class:`Mode` from a script (:meth:`FaultyUpstream.script`), or
:attr:`FaultyUpstream.default` when the script is empty. "Connection refused" is not a mode: a
refused connection is a port nothing listens on (:func:`closed_port`). Requests are counted per
path (query string excluded) as soon as their head has been read, whatever the mode does next.
"""

import contextlib
import copy
import json
import select
import socket
import struct
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import urlsplit

import httpx2

from .fake_upstream import FakeOpenRouter

HOST = "127.0.0.1"
API_PREFIX = "/api/v1"
POLL = 0.02
"""Seconds between checks of the stop event while waiting for a connection or a request."""
SEND_TIMEOUT = 120.0
"""Bound on writing one answer. Generous: a client whose event loop is busy parsing another answer
may not read for seconds on a loaded machine, and a send that gave up would look like a broken
connection (and a retry) to it. A client that stopped reading for good is freed by :meth:`close`,
which shuts every connection down."""
MAX_HEAD = 64 * 1024
RESET_GRACE = 0.05
"""Seconds between the partial body and the RST, so the client has read the head and some body
(a RST that arrives first would make it a reset *before* the body)."""

Kind = Literal["ok", "slow", "hang", "stall", "status", "reset_mid_body", "truncated", "malformed_json", "drifted"]


@dataclass(frozen=True, slots=True)
class Mode:
    """How to answer one request."""

    kind: Kind = "ok"
    status: int = 200
    """For ``status``: the HTTP status sent (with an OpenRouter-style JSON error, or HTML)."""
    retry_after: str | None = None
    """For ``status``: the ``Retry-After`` header, if any."""
    html: bool = False
    """For ``status``: send an HTML error page, as a proxy in front of the API would."""
    delay: float = 0.2
    """For ``slow``: seconds to wait before answering correctly."""


OK = Mode()
HANG = Mode("hang")
STALL = Mode("stall")
"""Hold the request until :meth:`FaultyUpstream.release`, then answer it correctly: a hang that ends
on command, so a test decides when the upstream "recovers" instead of racing a timer."""
RESET_MID_BODY = Mode("reset_mid_body")
TRUNCATED = Mode("truncated")
MALFORMED_JSON = Mode("malformed_json")
DRIFTED = Mode("drifted")


def slow(delay: float = 0.2) -> Mode:
    return Mode("slow", delay=delay)


def status(code: int, *, retry_after: str | None = None, html: bool = False) -> Mode:
    return Mode("status", status=code, retry_after=retry_after, html=html)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released): connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


def base_url(port: int) -> str:
    return f"http://{HOST}:{port}{API_PREFIX}"


# -- drifted records ----------------------------------------------------------------------

DROPPED_FIELDS = (
    "canonical_slug",
    "hugging_face_id",
    "description",
    "top_provider",
    "default_parameters",
    "supported_voices",
    "knowledge_cutoff",
    "expiration_date",
    "per_request_limits",
    "links",
    "reasoning",
)
"""Optional fields a drifted record lacks."""
NEW_FIELD = "x_routing_hints"
"""An unknown top-level field every drifted record gains."""


def _json_number(text: str) -> int | float:
    number = float(text)
    return int(number) if number.is_integer() else number


def drift(record: dict[str, Any]) -> dict[str, Any]:
    """A real record as a future (or sloppy) upstream might send it: optional fields missing,
    unknown fields added, prices as JSON numbers instead of decimal strings, ``null`` for lists."""
    out = copy.deepcopy(record)
    for key in DROPPED_FIELDS:
        out.pop(key, None)
    out[NEW_FIELD] = {"tier": "beta", "weights": [0.7, 0.3]}
    pricing: dict[str, Any] = out.get("pricing") or {}
    out["pricing"] = {
        **{k: _json_number(v) if isinstance(v, str) else v for k, v in pricing.items()},
        "batch_discount": 0.5,
    }
    architecture: dict[str, Any] = out.get("architecture") or {}
    out["architecture"] = {**architecture, "input_modalities": None, "output_dtypes": ["fp8"]}
    out["supported_parameters"] = None
    return out


def _drift_body(body: bytes) -> bytes:
    envelope: dict[str, Any] = json.loads(body)
    records: list[dict[str, Any]] = envelope["data"]
    envelope["data"] = [drift(r) for r in records]
    envelope["meta"] = {"schema": "2027-01"}  # an unknown envelope field too
    return json.dumps(envelope).encode()


# -- the server -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    target: str
    headers: list[tuple[str, str]]

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


class FaultyUpstream:
    """Serve ``fake`` on ``127.0.0.1:port`` (0 = ephemeral) in background threads; see the module
    docstring. Use as a context manager; :attr:`base_url` is the API root to configure.

    ``shutdown_timeout`` bounds :meth:`close`; after ``lifetime`` seconds the server stops on its
    own (hung requests are freed, nothing more is accepted), should a test never close it.
    """

    def __init__(
        self,
        fake: FakeOpenRouter | None = None,
        *,
        default: Mode = OK,
        port: int = 0,
        shutdown_timeout: float = 5.0,
        lifetime: float = 120.0,
    ) -> None:
        self.fake = fake if fake is not None else FakeOpenRouter()
        self.default = default
        """The mode of every request the script does not cover."""
        self._port = port
        self._shutdown_timeout = shutdown_timeout
        self._lifetime = lifetime
        self._lock = threading.Lock()
        self._script: deque[Mode] = deque()
        self._counts: Counter[str] = Counter()
        self._targets: list[str] = []
        self._stop = threading.Event()
        self._released = threading.Event()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._workers: list[threading.Thread] = []
        self._connections: set[socket.socket] = set()
        self.errors: list[BaseException] = []
        """Unexpected exceptions in the server's threads (a bug in this module); raised on exit."""

    # -- what tests use ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("FaultyUpstream is not running")
        return self._port

    @property
    def base_url(self) -> str:
        return base_url(self.port)

    def script(self, *modes: Mode) -> None:
        """Answer the next requests with these modes, one each, then fall back to :attr:`default`."""
        with self._lock:
            self._script.extend(modes)

    def release(self) -> None:
        """Let every stalled request (and any later one) be answered."""
        self._released.set()

    @property
    def counts(self) -> dict[str, int]:
        """Requests received so far, per path (e.g. ``/api/v1/models``)."""
        with self._lock:
            return dict(self._counts)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    @property
    def targets(self) -> list[str]:
        """Every request target (path and query string), in arrival order."""
        with self._lock:
            return list(self._targets)

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Self:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((HOST, self._port))
            listener.listen(64)
            listener.settimeout(POLL)
        except BaseException:
            listener.close()
            raise
        self._listener = listener
        self._port = listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, name="faulty-upstream-accept", daemon=True)
        self._acceptor.start()
        return self

    def close(self) -> None:
        """Stop accepting, free hung requests, join every thread (bounded by ``shutdown_timeout``)."""
        self._stop.set()
        deadline = time.monotonic() + self._shutdown_timeout
        if self._acceptor is not None:
            self._acceptor.join(max(0.0, deadline - time.monotonic()))
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            connections = list(self._connections)
            workers = list(self._workers)
        for connection in connections:  # unblocks a send to a client that stopped reading
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        stuck = [w.name for w in workers if w.is_alive()]
        if self._acceptor is not None and self._acceptor.is_alive():
            stuck.append(self._acceptor.name)
        if stuck:
            raise RuntimeError(f"FaultyUpstream threads still running after {self._shutdown_timeout:g} s: {stuck}")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
        if self.errors and exc is None:
            raise RuntimeError(f"FaultyUpstream failed: {self.errors[0]!r}") from self.errors[0]

    # -- threads ---------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        expires = time.monotonic() + self._lifetime
        while not self._stop.is_set():
            if time.monotonic() > expires:  # a server a test forgot to close stops by itself
                self._stop.set()
                return
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed
            worker = threading.Thread(target=self._serve, args=(connection,), name="faulty-upstream-conn", daemon=True)
            with self._lock:
                self._workers = [w for w in self._workers if w.is_alive()]
                self._workers.append(worker)
                self._connections.add(connection)
            worker.start()

    def _serve(self, connection: socket.socket) -> None:
        """Answer requests on one connection (HTTP/1.1 keep-alive) until a mode closes it."""
        try:
            with connection:
                connection.settimeout(SEND_TIMEOUT)
                buffer = b""
                while not self._stop.is_set():
                    request, buffer = self._read_request(connection, buffer)
                    if request is None or not self._answer(connection, request):
                        return
        except OSError:
            pass  # the client went away (reset, closed, timed out): nothing to answer
        except Exception as exc:
            self.errors.append(exc)
        finally:
            with self._lock:
                self._connections.discard(connection)

    def _read_request(self, connection: socket.socket, buffer: bytes) -> tuple[_Request | None, bytes]:
        while b"\r\n\r\n" not in buffer:
            if self._stop.is_set() or len(buffer) > MAX_HEAD:
                return None, b""
            readable, _, _ = select.select([connection], [], [], POLL)
            if not readable:
                continue
            chunk = connection.recv(65536)
            if not chunk:
                return None, b""
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")  # GETs only: no request body
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        return _Request(method, target, headers), rest

    def _next_mode(self, request: _Request) -> Mode:
        with self._lock:
            self._counts[request.path] += 1
            self._targets.append(request.target)
            return self._script.popleft() if self._script else self.default

    def _answer(self, connection: socket.socket, request: _Request) -> bool:
        """Answer one request as its mode says; ``True`` to keep the connection open."""
        mode = self._next_mode(request)
        match mode.kind:
            case "hang":
                self._stop.wait()  # never answers; shutdown frees the thread
                return False
            case "status":
                self._send_status(connection, mode)
                return True
            case "malformed_json":
                self._send(connection, 200, b'{"data": [{"id": "openai/gpt-4o", "pricing": {"prompt": 0.0000025,,]')
                return True
            case "slow":
                if self._stop.wait(mode.delay):
                    return False
            case "stall":
                while not self._released.wait(POLL):
                    if self._stop.is_set():
                        return False
            case "ok" | "drifted" | "reset_mid_body" | "truncated":
                pass
        code, content_type, body = self._fake_answer(request)
        if (
            mode.kind == "drifted"
            and code == 200
            and request.path in (f"{API_PREFIX}/models", f"{API_PREFIX}/models/user")
        ):
            body = _drift_body(body)
        if mode.kind == "reset_mid_body":
            connection.sendall(self._head(code, content_type, len(body)) + body[: min(len(body) // 2, 4096)])
            self._stop.wait(RESET_GRACE)
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if mode.kind == "truncated":
            connection.sendall(self._head(code, content_type, len(body)) + body[: len(body) // 2])
            return False  # an orderly close (FIN) before Content-Length bytes were sent
        self._send(connection, code, body, content_type=content_type)
        return True

    def _fake_answer(self, request: _Request) -> tuple[int, str, bytes]:
        fake_request = httpx2.Request(request.method, f"http://{HOST}{request.target}", headers=request.headers)
        response = self.fake.handle(fake_request)
        return response.status_code, response.headers.get("content-type", "application/json"), response.read()

    def _send_status(self, connection: socket.socket, mode: Mode) -> None:
        phrase = HTTPStatus(mode.status).phrase
        extra = [("Retry-After", mode.retry_after)] if mode.retry_after is not None else []
        if mode.html:
            body = f"<html><head><title>{mode.status} {phrase}</title></head><body><h1>{phrase}</h1></body></html>"
            self._send(connection, mode.status, body.encode(), content_type="text/html", extra=extra)
        else:
            error = {"error": {"code": mode.status, "message": f"Upstream says: {phrase}"}}
            self._send(connection, mode.status, json.dumps(error).encode(), extra=extra)

    @staticmethod
    def _head(code: int, content_type: str, length: int, extra: list[tuple[str, str]] | None = None) -> bytes:
        lines = [
            f"HTTP/1.1 {code} {HTTPStatus(code).phrase}",
            f"Content-Type: {content_type}",
            f"Content-Length: {length}",
            *(f"{name}: {value}" for name, value in extra or []),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(
        self,
        connection: socket.socket,
        code: int,
        body: bytes,
        *,
        content_type: str = "application/json",
        extra: list[tuple[str, str]] | None = None,
    ) -> None:
        connection.sendall(self._head(code, content_type, len(body), extra) + body)
