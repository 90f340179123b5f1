"""Command line: serve over stdio / SSE / streamable HTTP, or run one tool call (``query``).

``mcp-server-openrouter`` serves (stdio by default). ``mcp-server-openrouter query TOOL 'JSON'``
runs one tool through a real in-memory MCP client session and prints what a client receives:
the text content (what the model reads) by default, the whole ``CallToolResult`` with ``--json``.
Logs go to stderr only: on stdio, stdout is the protocol.
"""

import argparse
import dataclasses
import difflib
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

import anyio

from . import __version__
from .catalog.keys import KEY_HEADER
from .config import (
    ENV_ANSWER_TIMEOUT,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_CACHE_DIR,
    ENV_CACHE_TTL,
    ENV_KEYS,
    ENV_OFFLINE,
    ENV_RESULTS,
    ENV_TIMEOUT,
    ENV_TOTAL_TIMEOUT,
    Keys,
    Results,
    Settings,
    SettingsError,
    secret,
)

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer
    from mcp_types import JSONRPCError

Transport = Literal["stdio", "sse", "streamable-http"]


ENVIRONMENT = (
    f"Environment: {ENV_API_KEY} (list_models_for_user; endpoint speeds), {ENV_BASE_URL}, {ENV_TIMEOUT}, "
    f"{ENV_TOTAL_TIMEOUT}, {ENV_ANSWER_TIMEOUT}, {ENV_CACHE_TTL}, {ENV_CACHE_DIR}, {ENV_OFFLINE}, {ENV_RESULTS}; "
    f"over HTTP also {ENV_KEYS}, MCP_AUTH_TOKEN, MCP_ALLOWED_HOSTS, MCP_REQUEST_TIMEOUT, MCP_SEND_TIMEOUT. "
    "See the README for each."
)


class _QueryParser(argparse.ArgumentParser):
    """The ``query`` subcommand's parser: its help lists the tools, read from the registry only
    when help is asked for (importing the tools imports the MCP SDK, a second of cold start)."""

    def format_help(self) -> str:
        from .tools import TOOL_NAMES

        self.epilog = f"Tools: {', '.join(TOOL_NAMES)}."
        return super().format_help()


def _server_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options that shape the server, for the main parser (with defaults) and again for
    ``query`` (without, so that ``query TOOL '{}' --offline`` works and an option given before
    the subcommand is not reset by the subcommand's parser)."""
    unset: dict[str, Any] = {} if defaults else {"default": argparse.SUPPRESS}
    level: dict[str, Any] = {"default": "WARNING"} if defaults else unset
    parser.add_argument(
        "--offline",
        action="store_true",
        help=f"never use the network: answer from the cache, the saved catalog or the bundled snapshot "
        f"(also {ENV_OFFLINE}=1)",
        **unset,
    )
    parser.add_argument(
        "--results",
        choices=get_args(Results),
        help=f"channels of a tool result: both (default), text only, or structured only (also {ENV_RESULTS})",
        **unset,
    )
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="stderr log level (default: WARNING)",
        **level,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mcp-server-openrouter",
        description="MCP server for OpenRouter's model catalog.",
        epilog=ENVIRONMENT,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--transport",
        choices=get_args(Transport),
        default="stdio",
        help="how clients connect: stdio (a client starts this process), sse or streamable-http (default: stdio)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="HTTP transports: address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="HTTP transports: port (default: 8000)")
    http = parser.add_argument_group("HTTP transports (sse, streamable-http)")
    http.add_argument(
        "--stateless",
        action="store_true",
        help="streamable HTTP without sessions, JSON responses: any process behind a load balancer can answer",
    )
    http.add_argument("--json-response", action="store_true", help="streamable HTTP: JSON instead of SSE streams")
    http.add_argument("--auth-token", help="require 'Authorization: Bearer TOKEN' (also MCP_AUTH_TOKEN)")
    http.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        help="allow a non-loopback --host without a token (only behind something that authenticates)",
    )
    http.add_argument(
        "--keys",
        choices=get_args(Keys),
        help="whose OpenRouter key a request uses: server (default: the one it brings in X-OpenRouter-API-Key, else "
        f"{ENV_API_KEY}) or per-request (only the one it brings: a team's server; also {ENV_KEYS})",
    )
    http.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name clients use to reach a non-loopback bind (repeatable; DNS-rebinding protection)",
    )
    _server_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", metavar="{query}", parser_class=_QueryParser)
    query = commands.add_parser(
        "query",
        help="run one tool call and print what an MCP client receives",
        description="Run one tool call through a real in-memory MCP client session and print what a client "
        "receives: the text the model reads, or the whole result with --json.",
    )
    query.add_argument("tool", help="tool name, e.g. list_models (listed below)")
    query.add_argument("arguments", nargs="?", default="{}", help="tool arguments as a JSON object (default: {})")
    query.add_argument("--json", action="store_true", help="print the raw CallToolResult as JSON")
    _server_options(query, defaults=False)
    return parser


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # httpx2 logs every request (with its URL) at INFO; that is noise in an MCP server's log.
    logging.getLogger("httpx2").setLevel(max(logging.WARNING, logging.getLevelNamesMapping()[level]))
    logging.getLogger("httpcore2").setLevel(logging.WARNING)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def _query(settings: Settings, tool: str, arguments: dict[str, Any], raw: bool) -> int:
    from mcp import Client

    from .server import create_server

    async with Client(create_server(settings)) as client:
        result = await client.call_tool(tool, arguments)
    if raw:
        print(json.dumps(result.model_dump(mode="json", by_alias=True, exclude_none=True), indent=2))
    else:
        text = "\n".join(getattr(block, "text", f"[{block.type} content]") for block in result.content)
        if not result.content and result.structured_content is not None:  # --results structured
            text = json.dumps(result.structured_content, ensure_ascii=False, separators=(",", ":"))
        print(text, file=sys.stderr if result.is_error else sys.stdout)
    return 1 if result.is_error else 0


def _unknown_tool(name: str) -> str | None:
    """Why ``name`` names no tool (the closest names first, then every tool), or ``None``."""
    from .tools import TOOL_NAMES

    if name in TOOL_NAMES:
        return None
    close = difflib.get_close_matches(name[:100], TOOL_NAMES, n=2, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return f"unknown tool {name[:100]!r}{hint} Tools: {', '.join(TOOL_NAMES)}."


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _configure_logging(args.log_level)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        parser.exit(2, f"mcp-server-openrouter: {exc}\n")
    if args.offline:
        settings = dataclasses.replace(settings, offline=True)
    if args.results:
        settings = dataclasses.replace(settings, results=args.results)
    if getattr(args, "keys", None):
        try:
            settings = dataclasses.replace(settings, keys=args.keys)
        except SettingsError as exc:
            parser.exit(2, f"mcp-server-openrouter: {exc}\n")

    if args.command == "query":
        unknown = _unknown_tool(args.tool)
        if unknown is not None:
            parser.exit(2, f"mcp-server-openrouter: {unknown}\n")
        try:
            # NaN and Infinity are no JSON (RFC 8259 §6); Python's parser takes them, and the
            # in-memory client would then send them as null, silently dropping a bound.
            arguments = json.loads(args.arguments, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            parser.exit(2, f"mcp-server-openrouter: the arguments are not valid JSON ({exc.msg})\n")
        except (ValueError, RecursionError) as exc:
            parser.exit(2, f"mcp-server-openrouter: the arguments are not valid JSON ({str(exc)[:200]})\n")
        if not isinstance(arguments, dict):
            parser.exit(2, "mcp-server-openrouter: the arguments must be a JSON object, e.g. '{\"limit\": 5}'\n")
        return anyio.run(_query, settings, args.tool, cast(dict[str, Any], arguments), args.json)

    transport = cast(Transport, args.transport)
    if transport == "stdio" and settings.keys == "per-request":
        parser.exit(
            2,
            f"mcp-server-openrouter: per-request keys come in HTTP headers ({KEY_HEADER}), which stdio has none of: "
            "serve --transport streamable-http (or sse), or drop per-request\n",
        )
    if transport == "stdio":
        from .server import create_server

        anyio.run(_serve_stdio, create_server(settings))
        return 0
    return _serve_http(parser, args, settings, transport)


async def _serve_stdio(server: "MCPServer[Any]") -> None:
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
                    logging.getLogger(__name__).info("refused a line that is no JSON-RPC message: %s", item)
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


def _serve_http(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings, transport: str) -> int:
    """Serve SSE or streamable HTTP with uvicorn, guarded against slow clients (``http.py``'s
    docstring says how and why): :class:`~.http.GuardedHTTPProtocol` with ``MCP_REQUEST_TIMEOUT``
    and ``MCP_SEND_TIMEOUT`` (a bad value exits 2 before serving), no ``limit_concurrency``, and a
    graceful shutdown of at most ``GRACEFUL_SHUTDOWN`` seconds."""
    import uvicorn

    from .http import (
        ENV_AUTH_TOKEN,
        GRACEFUL_SHUTDOWN,
        ConnectionLimits,
        GuardedHTTPProtocol,
        HttpOptions,
        create_app,
        is_loopback,
        serving_note,
    )

    try:
        GuardedHTTPProtocol.configure(ConnectionLimits.from_env(os.environ))
    except SettingsError as exc:
        parser.exit(2, f"mcp-server-openrouter: {exc}\n")

    token = secret(args.auth_token or os.environ.get(ENV_AUTH_TOKEN))
    if not is_loopback(args.host) and token is None and not args.allow_unauthenticated:
        parser.exit(
            2,
            f"mcp-server-openrouter: refusing to serve {args.host} without authentication: set {ENV_AUTH_TOKEN} "
            "(or --auth-token), or pass --allow-unauthenticated if something in front of this server "
            "authenticates clients\n",
        )
    options = HttpOptions(
        transport="sse" if transport == "sse" else "streamable-http",
        host=args.host,
        stateless=args.stateless,
        json_response=args.json_response or args.stateless,
        auth_token=token,
        allowed_hosts=tuple(args.allowed_host),
    )
    app = create_app(settings, options)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level.lower(),
        access_log=False,
        lifespan="on",
        http=GuardedHTTPProtocol,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
    )
    print(serving_note(options, args.port), file=sys.stderr, flush=True)
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
