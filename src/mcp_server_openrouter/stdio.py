"""The stdio transport, as ``MCPServer.run("stdio")`` serves it, but with an answer for every line.

JSON-RPC 2.0 answers a line that is no message: a Parse error (-32700) for what is not JSON, an
Invalid Request (-32600) for JSON that is no request, notification or response. The SDK's stdio
transport drops such a line (it logs it at DEBUG), so the client that sent it waits for an answer
that never comes: a hang, from where it stands. :func:`serve_stdio` answers it, with the request's
id when the line still shows one (:func:`_request_id`).
"""

import json
import logging
import re
from typing import TYPE_CHECKING, Any, cast

import anyio

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer
    from mcp_types import JSONRPCError

logger = logging.getLogger(__name__)


async def serve_stdio(server: "MCPServer[Any]") -> None:
    """Serve ``server`` over stdin and stdout, as ``server.run("stdio")`` does,
    but answer every line that is no JSON-RPC message instead of dropping it.

    The SDK's stdio transport hands a line it cannot read (invalid JSON, a lone surrogate, nesting
    past its parser's 200 levels, an integer of more than 4,300 digits) to the server as an
    exception, which the server only logs at DEBUG: the client that sent the request waits for an
    answer that never comes, a hang from where it stands. JSON-RPC 2.0 answers such a line with
    a Parse error (-32700), or an Invalid Request (-32600) for JSON that is no message, and the
    HTTP transports do. Here the answer carries the request's id when the line's top-level object
    still shows one (see :func:`_request_id`), else ``null``, as the spec says.
    """
    from mcp.server.stdio import stdio_server
    from mcp.shared.message import SessionMessage

    lowlevel = server._lowlevel_server  # pyright: ignore[reportPrivateUsage] -- run("stdio") uses it; no accessor
    async with stdio_server() as (read_stream, write_stream):
        send, receive = anyio.create_memory_object_stream[SessionMessage | Exception](0)

        async def forward() -> None:
            async with read_stream, send:
                async for item in read_stream:
                    if not isinstance(item, Exception):
                        await send.send(item)
                        continue
                    refusal = _refusal(item)
                    if refusal is None:
                        continue
                    logger.info("refused a line that is no JSON-RPC message: %s", item)
                    try:
                        await write_stream.send(SessionMessage(refusal))
                    except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                        return  # the server is closing: nobody is left to answer

        async with anyio.create_task_group() as group:
            group.start_soon(forward)
            await lowlevel.run(receive, write_stream, lowlevel.create_initialization_options())
            group.cancel_scope.cancel()


def _refusal(error: Exception) -> "JSONRPCError | None":
    """The JSON-RPC error answering a line the transport could not read as a message (``error``
    is what its parser raised: a pydantic ``ValidationError``); ``None`` for a blank line, which
    asked nothing."""
    from mcp_types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
    from pydantic import ValidationError

    from .errortext import cap

    problems = error.errors(include_url=False) if isinstance(error, ValidationError) else []
    if problems and problems[0]["type"] == "json_invalid":
        line = problems[0]["input"]
        if isinstance(line, str) and not line.strip():
            return None
        why = str(problems[0].get("ctx", {}).get("error", "invalid JSON"))
        request_id = _request_id(line) if isinstance(line, str) else None
        return JSONRPCError(
            jsonrpc="2.0", id=request_id, error=ErrorData(code=PARSE_ERROR, message=cap(f"Parse error: {why}", 200))
        )
    # Valid JSON, but no request, notification or response: the object is each branch's input.
    envelopes = [cast(dict[str, Any], p["input"]) for p in problems if isinstance(p["input"], dict)]
    request_id = _valid_id(envelopes[0].get("id")) if envelopes else None
    return JSONRPCError(
        jsonrpc="2.0",
        id=request_id,
        error=ErrorData(code=INVALID_REQUEST, message="Invalid Request: not a JSON-RPC 2.0 request or notification"),
    )


_TOKEN = re.compile(r'["{}\[\],]')
"""What :func:`_request_id` stops at: a string's start, a bracket, a comma (scalars hold none)."""
_COLON = re.compile(r"\s*:\s*")


def _request_id(line: str) -> int | str | None:
    """The ``id`` member of the top-level object on ``line``, found without parsing the rest of the
    line, which is what the parser refused (nesting too deep, a lone surrogate, a bad token
    anywhere). Strings are skipped whole (brackets and quotes inside them do not count), and a key
    counts only at depth 1: a string there after ``{`` or ``,``, followed by ``:``. ``None`` when
    there is no such id or it is no valid request id. One pass over the line, which may be many
    megabytes long."""
    decoder = json.JSONDecoder(strict=False)  # control characters in strings: the parser's complaint, not ours
    depth = 0
    before = "^"  # the last of { , " ] seen at depth 1 (^: none yet)
    match = _TOKEN.search(line)
    if match is None or match.group() != "{" or line[: match.start()].strip():
        return None  # the line is no object
    while match is not None:
        char, index = match.group(), match.start()
        if char == '"':
            try:
                text, end = decoder.raw_decode(line, index)
            except ValueError:
                return None
            colon = _COLON.match(line, end)
            if depth == 1 and before in "{," and colon is not None and text == "id":
                try:
                    value, _ = decoder.raw_decode(line, colon.end())
                except (ValueError, RecursionError):
                    return None
                return _valid_id(value)
            if depth == 1:
                before = char
            match = _TOKEN.search(line, end)
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        if depth == 1:
            before = char
        match = _TOKEN.search(line, index + 1)
    return None


def _valid_id(value: Any) -> int | str | None:
    """``value`` if it is a JSON-RPC request id (an integer, or a string that is Unicode: one with a
    lone surrogate could not be written back), else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return None
        return value
    return None
