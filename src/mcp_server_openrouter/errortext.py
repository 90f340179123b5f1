"""Every error stays short, whatever the input.

A careless agent sends a 100,000-character string or a list of 1,000 wrong items. Echoed back,
one mistake would cost more context than Claude Code allows a whole tool result (25,000 tokens),
and the model could not act on it anyway. So errors quote values cut short (:func:`quote`), give
a repeated complaint about a list's items once with a count, and name at most
:data:`MAX_PROBLEMS` problems (:func:`describe_invalid`). :func:`middleware` is the backstop for
what we do not word ourselves (the SDK's ``Unknown tool: …`` and ``Unknown resource: …``): it cuts
every tool error result and every protocol error message, and an echoed ``data``, to
:data:`MAX_ERROR_CHARS`. An error result keeps text only (Claude Code drops an error's structured
content anyway, anthropics/claude-code#86032).
"""

import difflib
import math
import re
from collections.abc import Sequence
from typing import Any, cast

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from pydantic import ValidationError

MAX_ERROR_CHARS = 1000
MAX_QUOTED = 60
MAX_PROBLEMS = 3
_INDEX = re.compile(r"\[\d+\]")


def quote(value: Any, limit: int = MAX_QUOTED) -> str:
    """``repr(value)``, cut to ``limit`` characters with the full length said when it was cut.

    A value ``repr`` refuses is named by its kind instead: an integer past Python's 4,300-digit
    limit for ``str(int)`` (a ``ValueError``; an in-process client can send one, and pydantic
    echoes it in its error), or a container nested deeper than ``repr`` recurses. Quoting an
    error's value must never be what turns a wrong argument into a crash.
    """
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = _kind(value)
    if len(text) <= limit:
        return text
    size = f" ({len(value):,} characters)" if isinstance(value, str) else ""
    return text[: limit - 1] + "…" + size


def closest(needle: str, names: Sequence[str], limit: int = 3) -> list[str]:
    """Up to ``limit`` of ``names`` that look like ``needle`` (already normalised as the names
    are), for an error naming what to try: names holding it or held in it (a tag's part after
    ``:`` too: ``debugging`` finds ``code:debugging``), then fuzzy matches, else the first names."""
    hits = [n for n in names if needle and (needle in n or n in needle or (":" in n and n.partition(":")[2] in needle))]
    close = dict.fromkeys(hits + difflib.get_close_matches(needle, list(names), n=limit, cutoff=0.4))
    return (list(close) or list(names))[:limit]


def _kind(value: Any) -> str:
    """What a value too large or too deep to ``repr`` is, in a few words."""
    if isinstance(value, int):
        return f"<{integer_text(value)}>"
    return f"<a {type(value).__name__} too large or too deeply nested to show>"


def integer_text(value: int) -> str:
    """``value`` in digits when it has at most 20 of them, else how many it has ('a 31-digit
    integer'; 'an integer of about 5,001 digits' past what ``str()`` converts)."""
    magnitude = abs(value)
    if magnitude < 10**20:
        return str(value)
    kind = "negative integer" if value < 0 else "integer"
    try:
        return f"a {len(str(magnitude)):,}-digit {kind}"
    except ValueError:
        return (
            f"{'a negative' if value < 0 else 'an'} integer of about {math.floor(math.log10(magnitude)) + 1:,} digits"
        )


def cap(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """``text`` if it fits in ``limit`` characters, else its start and how much was cut."""
    if len(text) <= limit:
        return text
    tail = f"… (cut: {len(text):,} characters in all)"
    return text[: limit - len(tail)] + tail


def describe_invalid(exc: ValidationError) -> str:
    """Pydantic's report, cut to what a model needs to correct itself: argument, rule, value.

    Errors about several items of one list with the same rule are one problem (``input_modalities,
    1000 items: Input should be 'text', … (first: 'tools')``); past :data:`MAX_PROBLEMS` the rest
    are counted, not listed.
    """
    groups: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for error in exc.errors(include_url=False):
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]).lstrip(".")
        key = (_INDEX.sub("", where) or "arguments", error["msg"])
        groups.setdefault(key, []).append((where or "arguments", cast(dict[str, Any], error)))
    problems: list[str] = []
    for (field, message), errors in groups.items():
        where, first = errors[0]
        got = quote(first.get("input"))
        if len(errors) == 1:
            problems.append(f"{where}: {message} (got {got})")
        else:
            problems.append(f"{field}, {len(errors)} items: {message} (first: {got})")
    shown = "; ".join(problems[:MAX_PROBLEMS])
    more = len(problems) - MAX_PROBLEMS
    return "Invalid arguments: " + shown + (f"; and {more} more problem(s)" if more > 0 else "")


def _cap_data(data: Any) -> Any:
    """An error's ``data`` with strings cut to 100 characters: it only repeats what the message says."""
    if data is None or isinstance(data, bool | int | float):
        return data
    if isinstance(data, str):
        return data if len(data) <= 100 else data[:99] + "…"
    if isinstance(data, dict):
        return {str(k)[:100]: _cap_data(v) for k, v in list(cast(dict[Any, Any], data).items())[:10]}
    return quote(data, 100)  # repr() cut to 100 characters, and safe for what repr() refuses


async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Cut every error leaving the server to :data:`MAX_ERROR_CHARS` (see the module docstring)."""
    try:
        result = await call_next(ctx)
    except MCPError as exc:
        error = exc.error
        if len(error.message) <= MAX_ERROR_CHARS and error.data == _cap_data(error.data):
            raise
        raise MCPError(code=error.code, message=cap(error.message), data=_cap_data(error.data)) from exc
    if isinstance(result, dict) and result.get("isError") is True:  # the wire shape of a CallToolResult
        return _capped_tool_error(result)
    return result


def _capped_tool_error(result: dict[str, Any]) -> dict[str, Any]:
    """An error result whose text blocks, together, are at most :data:`MAX_ERROR_CHARS` long."""
    content = cast(list[Any], result.get("content") or [])
    blocks = [cast(dict[str, Any], b) for b in content if isinstance(b, dict)]
    texts = [str(b.get("text", "")) for b in blocks if b.get("type") == "text"]
    if sum(len(t) for t in texts) <= MAX_ERROR_CHARS and len(texts) == len(blocks):
        return result
    return {**result, "content": [{"type": "text", "text": cap(" ".join(texts))}]}
