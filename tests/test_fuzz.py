"""Every tool, fuzzed from its own published input schema (issue 24: holds under load and faults).

Arguments come from each tool's ``inputSchema`` as ``tools/list`` publishes it (hypothesis-jsonschema),
and from junk: every JSON type in every argument, 1 MB strings, NaN and ±Infinity, integers far
past any bound (2^63, 10^30, 5,000 digits), nested nulls, lists and objects, unknown argument
names, arguments that are no object. Every answer is a ``CallToolResult``: a result, or an error
that says why in at most 1,000 characters (a bare ``Error executing tool X`` is how the SDK words
a crash, so it fails here); arguments that are no object may get a short protocol error instead.
After all of it, the server still answers. With an API key, without one, and offline.

What the Python client cannot send goes as Python objects straight down an in-process transport
(:class:`Wire`: NaN and an integer of 5,000 digits arrive as sent), and, over a real stdio
process, as raw lines: NaN and Infinity tokens, 1e999, 100,000 nested arrays, a lone surrogate,
invalid UTF-8, a 10 MB line, lines that are no JSON-RPC message. Every request among them gets an
answer with its id, and the process lives on and answers the next one.

The examples are derandomized (the same on every run), no example database is written, and no
verdict depends on the machine's speed: each call is bounded by a generous 60 s only so that a
hang fails instead of hanging the suite.
"""

import json
import math
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import anyio
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from mcp import Client
from mcp.client._memory import InMemoryTransport
from mcp.shared.message import SessionMessage
from mcp_types import CallToolResult, JSONRPCRequest, jsonrpc_message_adapter
from pydantic import SecretStr

from mcp_server_openrouter.config import Settings
from mcp_server_openrouter.errortext import MAX_ERROR_CHARS, quote
from mcp_server_openrouter.server import create_server

from .conftest import FAKE_BASE_URL, FAST_RETRY, TEST_KEY
from .fake_upstream import FakeOpenRouter, serve
from .helpers import TOOL_NAMES, call
from .processes import HANDSHAKE

# Hypothesis caches its Unicode tables and the constants it reads from source files in its storage
# directory, .hypothesis/ in the working directory by default: out of the repository (and so out of
# the bundle, which packs the repository's root) into one folder under the system's temporary
# directory. Set before any strategy is built (building one writes the Unicode tables).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "mcp-server-openrouter-hypothesis")
FUZZ = settings(
    database=None,  # nothing written into the repository
    derandomize=True,  # the same examples on every run
    deadline=None,  # no verdict depends on the machine's speed
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=False,
)
MODES: dict[str, dict[str, Any]] = {
    "key": {"api_key": SecretStr(TEST_KEY)},
    "no-key": {},
    "offline": {"offline": True},
}
"""The server's settings beside the fake's base URL: with the key the fake accepts, without one,
and offline (the saved catalog, then the bundled snapshot)."""


class Named(list[Any]):
    """A list that hypothesis prints by its name (its printer recurses into ``DEEP`` until it fails,
    and would print 1 MB strings whole); repr() and the server see the list it is."""

    def __init__(self, name: str, items: list[Any]) -> None:
        super().__init__(items)
        self.name = name

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.name)


class NamedStr(str):
    """A string that hypothesis prints by a short name, for the same reason."""

    name = "HUGE"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.name)


HUGE = NamedStr("x" * 1_000_000)
BIG = 10**5000
_level: list[Any] = []
DEEP = Named("DEEP (100,000 nested lists)", [_level])
for _ in range(100_000 - 1):
    _level.append([])
    _level = _level[0]
NESTED_NULLS: Any = [None, [None, {"a": None, "b": [None, {"c": None}]}], {"": None}]
ODD_STRINGS = [
    HUGE,
    "",
    " ",
    "\x00",
    "\u202e🦄\ufeff",
    "²:00",  # a digit to str.isdigit, not to int()
    "¹",
    "١٢:٣٠",  # Arabic-Indic digits
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "9" * 4_000,  # an integer pydantic's lax mode reads from a string
    "9" * 5_000,
    "[" * 10_000,  # JSON in a string, which the SDK tries to parse for non-string arguments
    '["tools"]',
    "null",
    "{}",
    "true",
    "a/b?c=d#e",
    "../../%00",
    "openai/gpt-4o\n",
    "2026-02-30",
]
ODD_NUMBERS: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    2**53 - 1,
    2**53,
    2**63,
    -(2**63),
    10**30,
    10**4000,  # not BIG: hypothesis could not repr() it when it prints an example
    -(10**4000),
    1e308,
    -0.0,
    5e-324,
    0.5,
    -1,
    0,
]
ODD_VALUES: list[Any] = [
    *ODD_STRINGS,
    *ODD_NUMBERS,
    None,
    True,
    False,
    [],
    {},
    NESTED_NULLS,
    DEEP,
    Named("[None] * 100_000", [None] * 100_000),
    Named("[HUGE] * 20", [HUGE] * 20),
    Named('[{"a": HUGE}] * 5', [{"a": HUGE}] * 5),
    [[["tools"]]],
    {"tools": True},
]
JSON_JUNK: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
"""Any JSON value, and the floats JSON lacks (hypothesis draws NaN and ±Infinity too)."""


def odd_value(index: int) -> Any:
    return ODD_VALUES[index]


JUNK: st.SearchStrategy[Any] = st.sampled_from(range(len(ODD_VALUES))).map(odd_value) | JSON_JUNK
"""By index: hypothesis describes a strategy by its values' repr(), which DEEP refuses (and the 1 MB
ones would cost)."""


def allowed(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid by ``schema`` (hypothesis-jsonschema)."""
    # Imported here, once the storage directory is set: the import writes hypothesis' charmap there.
    from hypothesis_jsonschema import from_schema  # pyright: ignore[reportUnknownVariableType]

    return cast(st.SearchStrategy[Any], from_schema(schema))


def merged(known: dict[str, Any], unknown: dict[str, Any]) -> dict[str, Any]:
    return {**unknown, **known}


def junk_arguments(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Arguments for a tool whose input schema is ``schema``: each argument left out, valid by its
    own schema, or junk; now and then unknown names too; and now and then no object at all."""
    properties = cast(dict[str, Any], schema["properties"])
    each = {name: allowed(sub) | JUNK for name, sub in properties.items()}
    known = st.fixed_dictionaries(cast(dict[str, st.SearchStrategy[Any]], {}), optional=each)
    unknown = st.dictionaries(st.text(min_size=1, max_size=30).filter(lambda n: n not in properties), JUNK, max_size=3)
    objects = st.builds(merged, known, st.just(cast(dict[str, Any], {})) | unknown)
    return objects | objects | JUNK.filter(lambda value: not isinstance(value, dict))


class Wire:
    """A raw JSON-RPC connection to an in-process server. Requests go down as Python objects, never
    serialized, so what no JSON encoder writes (NaN, an integer of 5,000 digits, arguments that are
    a list) arrives as sent; answers are read as the stdio transport writes them (``model_dump_json``),
    so an answer it could not write fails here."""

    def __init__(
        self, read: MemoryObjectReceiveStream[SessionMessage | Exception], write: MemoryObjectSendStream[SessionMessage]
    ) -> None:
        self.read, self.write = read, write
        self.last_id = 1_000

    async def send(self, message: dict[str, Any]) -> None:
        await self.write.send(SessionMessage(jsonrpc_message_adapter.validate_python(message)))

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.last_id += 1
        with anyio.fail_after(60):  # generous: a hang fails the test, a busy machine does not
            await self.write.send(
                SessionMessage(JSONRPCRequest(jsonrpc="2.0", id=self.last_id, method=method, params=params))
            )
            while True:
                item = await self.read.receive()
                assert not isinstance(item, Exception), item
                answer: dict[str, Any] = json.loads(item.message.model_dump_json(by_alias=True, exclude_unset=True))
                if answer.get("id") == self.last_id:
                    return answer


@dataclass
class Served:
    """One server (its catalog fed by the fake) with two connections: the SDK's client and a
    :class:`Wire`, both driven from the test's thread through ``portal``."""

    portal: BlockingPortal
    client: Client
    wire: Wire
    schemas: dict[str, dict[str, Any]]
    """Each tool's published input schema, from ``tools/list``."""

    def call(self, tool: str, arguments: dict[str, Any]) -> CallToolResult:
        return self.portal.call(call, self.client, tool, arguments)

    def send(self, tool: str, arguments: Any) -> dict[str, Any]:
        return self.portal.call(self.wire.request, "tools/call", {"name": tool, "arguments": arguments})


@contextmanager
def served(mode: str) -> Generator[Served]:
    server = create_server(
        Settings(base_url=FAKE_BASE_URL, timeout=5, **MODES[mode]),
        transport=FakeOpenRouter(api_key=TEST_KEY).transport(),
        retry=FAST_RETRY,
    )
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal())
        client = stack.enter_context(portal.wrap_async_context_manager(Client(server)))
        read, write = stack.enter_context(portal.wrap_async_context_manager(InMemoryTransport(server)))
        wire = Wire(cast(Any, read), cast(Any, write))
        initialized = portal.call(wire.request, "initialize", HANDSHAKE[0]["params"])
        assert "result" in initialized, initialized
        portal.call(wire.send, HANDSHAKE[1])
        tools = portal.call(client.list_tools).tools
        yield Served(portal, client, wire, {t.name: t.input_schema for t in tools})


def shown(arguments: Any) -> str:
    """Arguments as an assertion message shows them: cut short, whatever they hold."""
    try:
        return quote(arguments, 300)
    except (ValueError, RecursionError):  # a quote() that repr() refuses (the code before issue 24's fixes)
        return f"<a {type(arguments).__name__} repr() refuses>"


def check_result(tool: str, result: CallToolResult, arguments: Any) -> None:
    """A result, or an error that says why, briefly."""
    text = " ".join(block.text for block in result.content if block.type == "text")
    if result.is_error:
        assert len(text) <= MAX_ERROR_CHARS, (tool, shown(arguments), text[:300])
        # The SDK's whole text for a crash (the exception stays in the server's log) is this prefix.
        assert text.startswith(f"Error executing tool {tool}: "), ("a crash", tool, shown(arguments), text)
        assert result.structured_content is None
    else:
        assert result.structured_content is not None, (tool, shown(arguments))
        assert "source" in result.structured_content, (tool, shown(arguments))


def check_answer(tool: str, answer: dict[str, Any], arguments: Any) -> None:
    """A tool result (see :func:`check_result`); for arguments that are no object, a short
    protocol error will do."""
    if "error" in answer and not isinstance(arguments, dict):
        error = answer["error"]
        assert len(error["message"]) <= MAX_ERROR_CHARS, (tool, shown(arguments))
        assert len(json.dumps(error.get("data"))) <= MAX_ERROR_CHARS, (tool, shown(arguments))
        return
    assert "result" in answer, (tool, shown(arguments), str(answer)[:300])
    check_result(tool, CallToolResult.model_validate(answer["result"]), arguments)


def still_answers(server: Served) -> None:
    """After the junk, a plain question gets a plain answer."""
    result = server.call("count_models", {})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["count"] == 414


@pytest.fixture(params=list(MODES))
def server(request: pytest.FixtureRequest) -> Iterator[Served]:
    with served(request.param) as fuzzed:
        yield fuzzed


def for_each_tool(server: Served, check: Callable[[str, dict[str, Any]], None]) -> None:
    assert sorted(server.schemas) == sorted(TOOL_NAMES)
    for tool, schema in server.schemas.items():
        check(tool, schema)
    still_answers(server)


def test_every_tool_answers_every_call_its_own_schema_allows(server: Served) -> None:
    def fuzz(tool: str, schema: dict[str, Any]) -> None:
        @FUZZ
        @given(arguments=allowed(schema))
        def one(arguments: dict[str, Any]) -> None:
            check_result(tool, server.call(tool, arguments), arguments)

        one()

    for_each_tool(server, fuzz)


def test_every_tool_answers_junk_in_any_argument(server: Served) -> None:
    def fuzz(tool: str, schema: dict[str, Any]) -> None:
        @FUZZ
        @given(arguments=junk_arguments(schema))
        def one(arguments: Any) -> None:
            check_answer(tool, server.send(tool, arguments), arguments)

        one()

    for_each_tool(server, fuzz)


def refusals(server: Served, kinds: set[str], values: list[Any]) -> list[str]:
    """Each of ``values`` in every argument whose published type is one of ``kinds``, in every tool:
    what did not get an error naming the argument (all of them, to show every case at once)."""
    problems: list[str] = []
    for tool, schema in server.schemas.items():
        for name, sub in cast(dict[str, Any], schema["properties"]).items():
            kind = sub.get("type")
            if not kinds & set(cast(list[str], kind) if isinstance(kind, list) else [kind]):
                continue
            for value in values:
                arguments = {**VALID.get(tool, {}), name: value}
                answer = server.send(tool, arguments)
                try:
                    check_answer(tool, answer, arguments)
                except AssertionError as exc:
                    problems.append(f"{tool}({name}={shown(value)[:40]}): {str(exc)[:200]}")
                    continue
                result = CallToolResult.model_validate(answer["result"])
                text = " ".join(block.text for block in result.content if block.type == "text")
                if not result.is_error or name not in text:
                    problems.append(f"{tool}({name}={shown(value)[:40]}) answered: {text[:120]}")
    return problems


def test_numbers_json_cannot_carry_are_refused_not_believed(server: Served) -> None:
    """NaN and ±Infinity, which Python's encoder writes and the SDK's parser reads (1e999 among them,
    and the strings pydantic reads as floats): in every number argument of every tool, an error
    naming the argument, never an answer computed from them (min_price=Infinity listed every model)."""
    problems = refusals(server, {"number", "integer"}, [math.nan, math.inf, -math.inf, "NaN", "inf", "1e999"])
    assert not problems, "\n".join(problems)
    still_answers(server)


def test_integers_past_two_to_the_53_are_refused_in_every_integer_argument(server: Served) -> None:
    """Past 2^53 - 1 (see ``tools.base.MAX_INTEGER``): 2^63 overflowed SQLite in the history query,
    5,000 digits made ``str()`` raise in a result's text, and a number sent as a string is one too;
    2^53 - 1 itself gets an answer or an error that says why."""
    problems = refusals(server, {"integer"}, [2**53, -(2**53), 2**63, 10**30, BIG, -BIG, "9" * 30])
    assert not problems, "\n".join(problems)
    for tool, schema in server.schemas.items():
        for name, sub in cast(dict[str, Any], schema["properties"]).items():
            if "integer" in str(sub.get("type")):
                arguments = {**VALID.get(tool, {}), name: 2**53 - 1}
                check_answer(tool, server.send(tool, arguments), arguments)
    still_answers(server)


VALID: dict[str, dict[str, Any]] = {
    "get_model": {"ids": ["openrouter/auto"]},
    "estimate_cost": {"ids": ["openai/gpt-4o"], "input_tokens": 1},
    "list_model_endpoints": {"id": "anthropic/claude-sonnet-4.5"},
}
"""The other required arguments, so the value under test is what the call is judged by."""


def test_arguments_that_are_no_object_get_a_short_error(server: Served) -> None:
    for tool in server.schemas:
        for arguments in ([1, 2], "x", 5, True, [None], DEEP, [HUGE]):
            check_answer(tool, server.send(tool, arguments), arguments)
        # null is "no arguments", as the SDK reads it
        check_answer(tool, server.send(tool, None), {})
    still_answers(server)


# -- over a real stdio process ---------------------------------------------------------------------


@dataclass
class Line:
    """A line sent to the stdio process, and what its answer must be."""

    data: bytes
    says: str | int | None
    """A text the tool's error holds, a JSON-RPC error's code, or ``None``: a successful result
    (a line with an id) or no answer at all (a line without)."""
    request_id: int | None = None
    tool: str = ""


def tool_call(request_id: int, tool: str, arguments: str, says: str | int | None) -> Line:
    data = (
        f'{{"jsonrpc":"2.0","id":{request_id},"method":"tools/call",'
        f'"params":{{"name":"{tool}","arguments":{arguments}}}}}'
    ).encode()
    return Line(data, says, request_id, tool)


NOT_FINITE = "finite number"
OUT_OF_RANGE = "out of range"
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
GPT = '"ids":["openai/gpt-4o"]'
STDIO_LINES = [
    tool_call(10, "list_models", '{"min_price":Infinity}', NOT_FINITE),
    tool_call(11, "count_models", '{"max_price":1e999,"min_price":1e999}', NOT_FINITE),
    tool_call(12, "recommend_models", '{"max_price":NaN}', NOT_FINITE),
    tool_call(13, "list_models", '{"max_coding_index":-Infinity}', NOT_FINITE),
    tool_call(14, "list_models", '{"min_tool_success_rate":"NaN"}', NOT_FINITE),
    tool_call(15, "list_catalog_changes", '{"offset":' + "9" * 4_000 + "}", OUT_OF_RANGE),
    tool_call(16, "list_catalog_changes", '{"offset":"' + "9" * 30 + '"}', OUT_OF_RANGE),
    tool_call(17, "estimate_cost", "{" + GPT + ',"input_tokens":' + "9" * 4_000 + "}", OUT_OF_RANGE),
    tool_call(18, "list_models", '{"min_context":9223372036854775808}', OUT_OF_RANGE),
    tool_call(19, "estimate_cost", "{" + GPT + ',"input_tokens":1,"at_utc":"\\u00b2:00"}', "at_utc"),
    tool_call(20, "get_model", '{"ids":' + "[" * 100_000 + "]" * 100_000 + "}", PARSE_ERROR),
    tool_call(21, "list_model_endpoints", '{"id":' + "[" * 190 + "]" * 190 + "}", "id"),
    tool_call(22, "get_model", '{"ids":["\\ud800"]}', PARSE_ERROR),
    replace(
        invalid_utf8 := tool_call(23, "get_model", '{"ids":["BYTES"]}', "Unknown model ID"),
        data=invalid_utf8.data.replace(b"BYTES", b"\xff\xfe\xc0\x80"),
    ),
    tool_call(24, "get_model", '{"ids":["' + "a" * 10_000_000 + '"]}', "at most 200 characters"),
    tool_call(25, "list_models", '{"q":"' + "q" * 200 + '","limit":1e999}', "limit"),
    tool_call(26, "estimate_cost", '{"ids":' + "[null," * 150 + "null" + "]" * 150 + "}", "ids"),
    tool_call(27, "list_models", "[1,2]", INVALID_PARAMS),
    tool_call(28, "list_catalog_changes", '"since"', INVALID_PARAMS),
    tool_call(29, "count_models", "null", None),  # no arguments: an answer
    tool_call(30, "list_models", '{"limit":1,"offset":' + "1" * 300 + "}", OUT_OF_RANGE),
    replace(cut := tool_call(31, "get_model", "{" + GPT + "}", PARSE_ERROR), data=cut.data[:-1]),  # cut short
    Line(b"hello", PARSE_ERROR),
    Line(b"[1,2,3]", INVALID_REQUEST),
    Line(b"   ", None),  # blank: nothing to answer
]
"""What no Python client sends: NaN and Infinity tokens, 1e999, integers of 4,000 digits and numbers
as strings past 2^53 - 1, 100,000 nested arrays (past the parser's 200 levels) and 190 (within
them), a lone surrogate, invalid UTF-8 (read as U+FFFD), a 10 MB line, arguments that are no
object, a line cut short, and lines that are no JSON-RPC message."""


@pytest.mark.parametrize("mode", ["key", "no-key"])
def test_a_stdio_process_answers_every_line_and_lives_on(tmp_path: Path, mode: str) -> None:
    env = {**os.environ, "OPENROUTER_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("OPENROUTER_API_KEY", None)
    if mode == "key":
        env["OPENROUTER_API_KEY"] = TEST_KEY
    answers: dict[Any, list[dict[str, Any]]] = {}
    with serve(FakeOpenRouter(api_key=TEST_KEY)) as base_url, (tmp_path / "stderr").open("w+") as errlog:
        process = subprocess.Popen(
            [sys.executable, "-m", "mcp_server_openrouter"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errlog,
            env={**env, "OPENROUTER_BASE_URL": base_url},
        )
        assert process.stdin is not None
        assert process.stdout is not None
        stdout = process.stdout
        lines: queue.Queue[bytes] = queue.Queue()

        def read() -> None:
            for line in stdout:
                lines.put(line)
            lines.put(b"")  # stdout closed

        threading.Thread(target=read, daemon=True).start()
        watchdog = threading.Timer(300, process.kill)  # a hung server fails the test instead of hanging it
        watchdog.start()

        def read_until(done: Callable[[], bool]) -> None:
            """Collect answers until ``done``, or stdout closes, or no line comes for 60 s (generous:
            it passes only when an answer never comes; what is missing is reported below)."""
            while not done():
                try:
                    line = lines.get(timeout=60)
                except queue.Empty:
                    return
                if not line:
                    return
                answer = json.loads(line)  # every line on stdout is JSON
                answers.setdefault(answer.get("id"), []).append(answer)

        expected = {line.request_id for line in STDIO_LINES if line.request_id is not None} | {99}
        try:
            process.stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in HANDSHAKE))
            process.stdin.flush()
            read_until(lambda: 1 in answers)
            assert "result" in answers[1][0]
            for line in STDIO_LINES:
                process.stdin.write(line.data + b"\n")
                process.stdin.flush()
            process.stdin.write(tool_call(99, "count_models", "{}", None).data + b"\n")
            process.stdin.flush()
            read_until(lambda: expected <= answers.keys())
            alive = process.poll() is None
            process.stdin.close()
            code = process.wait(timeout=60)
            read_until(lambda: False)  # the rest, until stdout closes
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
            stdout.close()

    problems = [f"no answer to request {i}" for i in sorted(expected - answers.keys())]
    for line in STDIO_LINES:
        if line.request_id is not None and line.request_id in answers:
            try:
                (answer,) = answers[line.request_id]
                check_line(line, answer)
            except (AssertionError, KeyError, ValueError) as exc:
                problems.append(f"request {line.request_id}: {str(exc)[:300]}")
    without_id = [line.says for line in STDIO_LINES if line.request_id is None and line.says is not None]
    codes = sorted(a["error"]["code"] for a in answers.get(None, []))
    if codes != sorted(cast(list[int], without_id)):
        problems.append(f"lines without an id were answered with {codes}, not {sorted(cast(list[int], without_id))}")
    assert not problems, "\n".join(problems)
    assert alive
    assert code == 0
    assert answers[99][0]["result"]["structuredContent"]["count"] == 414


def check_line(line: Line, answer: dict[str, Any]) -> None:
    if isinstance(line.says, int):
        assert answer["error"]["code"] == line.says, (line.request_id, answer)
        assert len(answer["error"]["message"]) <= MAX_ERROR_CHARS
        assert len(json.dumps(answer["error"].get("data"))) <= MAX_ERROR_CHARS
        return
    result = CallToolResult.model_validate(answer["result"])
    check_result(line.tool, result, line.request_id)
    text = " ".join(block.text for block in result.content if block.type == "text")
    if line.says is None:
        assert not result.is_error, (line.request_id, text)
    else:
        assert result.is_error, (line.request_id, text[:300])
        assert line.says in text, (line.request_id, text)


@pytest.mark.parametrize(
    ("line", "request_id"),
    [
        ('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":{"ids":[[[[', 7),
        ('{"params":{"id":"inner"},"id":"outer","method":"x"', "outer"),
        ('{ "id" : 12 , "method": NaN', 12),
        ('{"a":["id",1],"b":"\\"id\\": 5","id":3,', 3),
        ('{"method":"x","params":{"a":"\\"id\\": 5"}}', None),
        ('[{"id":1}]', None),
        ('x{"id":1}', None),
        ('{"id":true}', None),
        ('{"id":1.5}', None),
        ('{"id":null}', None),
        ('{"id":"\\ud800"}', None),  # could not be written back
        ('{"id":' + "9" * 5_000 + "}", None),
        ("hello", None),
    ],
)
def test_a_refused_line_is_answered_with_the_id_its_top_level_object_shows(line: str, request_id: object) -> None:
    from mcp_server_openrouter.stdio import _request_id

    assert _request_id(line) == request_id
