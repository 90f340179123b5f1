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
import sys
from collections.abc import Sequence
from typing import Any, Literal, cast, get_args

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

Transport = Literal["stdio", "sse", "streamable-http"]


ENVIRONMENT = (
    f"Environment: {ENV_API_KEY} (list_models_for_user; endpoint speeds), {ENV_BASE_URL}, {ENV_TIMEOUT}, "
    f"{ENV_TOTAL_TIMEOUT}, {ENV_ANSWER_TIMEOUT}, {ENV_CACHE_TTL}, {ENV_CACHE_DIR}, {ENV_OFFLINE}, {ENV_RESULTS}; "
    f"over HTTP also {ENV_KEYS}, MCP_AUTH_TOKEN, MCP_ALLOWED_HOSTS, MCP_REQUEST_TIMEOUT, MCP_SEND_TIMEOUT, "
    "MCP_SESSION_IDLE_TIMEOUT. "
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
        from .stdio import serve_stdio

        anyio.run(serve_stdio, create_server(settings))
        return 0
    return _serve_http(parser, args, settings, transport)


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
        session_idle_timeout,
    )

    try:
        GuardedHTTPProtocol.configure(ConnectionLimits.from_env(os.environ))
        idle = session_idle_timeout(os.environ)
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
        session_idle_timeout=idle,
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
