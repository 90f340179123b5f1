"""What every tool shares: :class:`CatalogTool` (argument checks, error mapping, result channels),
:func:`build_tool` and :func:`tool_result`, the one way a result is built."""

import difflib
from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar, cast

import anyio
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ValidationError

from mcp_server_openrouter.catalog import OfflineUnsupportedError
from mcp_server_openrouter.config import Results
from mcp_server_openrouter.errortext import MAX_PROBLEMS, describe_invalid, integer_text, quote
from mcp_server_openrouter.openrouter import OpenRouterError

from .errors import explain
from .schema import brief as brief_schema
from .schema import inline_refs, shallow, slim

READ_ONLY = ToolAnnotations(read_only_hint=True)
MAX_INTEGER = 2**53 - 1
"""The largest integer argument any tool takes (and the smallest, negated): 9,007,199,254,740,991.

It is the largest integer JSON carries exactly between peers (RFC 7493, I-JSON, section 2.2: past
it, a JavaScript client and this server already disagree on the value), and no token count,
request count, offset or day count comes near it. Past it, values broke things far from where
they came in: an offset of 2^63 or more overflowed SQLite's INTEGER in the history query, and an
integer of more than 4,300 digits (which an in-process client can send) made ``str()`` raise
where a result's text printed it. Both crashed the call instead of saying what was wrong.
Checked on the validated arguments (:func:`_bounded`), so a number sent as a string, which
pydantic's lax mode reads as an integer, is bounded too. Not published in the schemas: every
integer argument would pay for it in ``tools/list``, and no careful caller ever meets it.
"""


class CatalogTool(Tool):
    """A ``Tool`` that refuses unknown argument names, words validation errors briefly and turns
    the catalog's anticipated failures into the sentences of :func:`.errors.explain`.

    An unknown name is usually a typo (``min_ctx``); ignoring it would answer a different question
    than the one asked, so it is an error naming the valid arguments. A successful result carries
    the channels :attr:`results` names (see :func:`use_results`).
    """

    results: Results = "both"

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        known = set(self.parameters.get("properties", {}))
        unknown = sorted(set(arguments) - known)
        if unknown:
            raise ToolError(f"Error executing tool {self.name}: {_unknown_arguments(unknown, known)}")
        try:
            result = await super().run(arguments, context, convert_result)
        except UnexpectedToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, OpenRouterError | OfflineUnsupportedError):
                raise ToolError(f"Error executing tool {self.name}: {explain(cause)}") from cause
            raise
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(
                    f"Error executing tool {self.name}: {describe_invalid(exc.__cause__)}"
                ) from exc.__cause__
            raise
        if not isinstance(result, CallToolResult) or result.is_error or self.results == "both":
            return result
        if self.results == "text":
            return CallToolResult(content=result.content)
        return CallToolResult(content=[], structured_content=result.structured_content)


def _unknown_arguments(unknown: list[str], known: set[str]) -> str:
    """Names the unknown arguments, the closest valid name of each first (a typo is the usual
    cause), then every valid one."""
    shown = unknown[:MAX_PROBLEMS]
    named = ", ".join(n if len(n) <= 40 and n.isprintable() else quote(n, 40) for n in shown)
    more = f" and {len(unknown) - MAX_PROBLEMS} more" if len(unknown) > MAX_PROBLEMS else ""
    close = [m for n in shown for m in difflib.get_close_matches(n[:100], sorted(known), n=1, cutoff=0.6)]
    hint = f" (did you mean {', '.join(dict.fromkeys(close))}?)" if close else ""
    return f"unknown argument(s) {named}{more}{hint}. Valid: {', '.join(sorted(known)) or 'none'}"


def _out_of_range(arguments: dict[str, Any]) -> str | None:
    """Why an argument, or an item of a list argument, is an integer past :data:`MAX_INTEGER`;
    ``None`` when none is."""
    for name, value in arguments.items():
        items = cast(list[Any], value) if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_INTEGER:
                return f"{name}: {integer_text(item)} is out of range: integers here are at most {MAX_INTEGER:,}"
    return None


def _bounded(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``fn``, refusing validated arguments with an integer past :data:`MAX_INTEGER`."""

    async def bounded(**arguments: Any) -> Any:
        problem = _out_of_range(arguments)
        if problem is not None:
            raise ToolError(problem)
        return await fn(**arguments)

    return bounded


def use_results(tool: Tool, results: Results) -> Tool:
    """Make ``tool`` send only the channels ``results`` names (``OPENROUTER_MCP_RESULTS``).

    Text only: no ``structuredContent`` and no ``outputSchema`` (a schema the server does not honour
    would make validating clients reject every result). Structured only: an empty ``content`` list,
    which clients that prefer text read as "use the structured content" (kimi-code, hermes-agent).
    """
    if isinstance(tool, CatalogTool):
        tool.results = results
    if results == "text":
        tool.fn_metadata.output_schema = None
    return tool


def build_tool(
    fn: Callable[..., Any],
    *,
    title: str,
    output_schema: dict[str, Any] | None = None,
    brief: Collection[str] = (),
    more: str | None = None,
) -> Tool:
    """Register-ready tool with slimmed input and output schemas (see :mod:`.schema`).

    ``output_schema`` replaces the one generated from ``fn``'s return annotation, for results whose
    legend explains them and whose full schema would cost every conversation tokens of ``tools/list``.
    ``brief`` names arguments published in brief (:func:`.schema.brief`): those of another tool,
    which describes them and lists their values, and which this tool's description points to. ``more`` is a paragraph
    added to the description (the docstring's first line stays what a model reads first).

    Our tools build their ``CallToolResult`` from dumps of the result models themselves, so the
    structured content is valid by construction; dropping ``output_model`` (keeping the published
    schema) spares the SDK re-validating every result against it — a third of a warm call.
    Tests validate results against the published schema instead (``tests/test_tool_definitions``).
    """
    description = f"{(fn.__doc__ or '').strip()}\n\n{more}" if more else None
    tool = CatalogTool.from_function(fn, title=title, description=description, annotations=READ_ONLY)
    # Wrapped after from_function, which read the signature and the docstring of fn itself.
    tool.fn = _bounded(cast(Callable[..., Awaitable[Any]], fn))
    # Unknown arguments are refused (see CatalogTool.run): the schema says so too.
    parameters = inline_refs(slim(tool.parameters))
    for name in brief:
        parameters["properties"][name] = brief_schema(parameters["properties"][name])
    tool.parameters = {**parameters, "additionalProperties": False}
    if output_schema is not None:
        tool.fn_metadata.output_schema = shallow(output_schema)
    elif tool.fn_metadata.output_schema is not None:
        tool.fn_metadata.output_schema = shallow(inline_refs(slim(tool.fn_metadata.output_schema)))
    tool.fn_metadata.output_model = None
    return tool


def tool_result(structured: BaseModel | dict[str, Any], text: str) -> CallToolResult:
    """A successful result: ``structured`` (a result model, dumped without nulls, or its dump) as
    ``structuredContent``, and ``text``, which says the same for clients that read only text."""
    data = structured if isinstance(structured, dict) else structured.model_dump(mode="json", exclude_none=True)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


A = TypeVar("A")
B = TypeVar("B")


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Await ``first`` and ``second`` at once: what a call adds from another source (a dataset
    beside the catalog) must not add its wait to the call's. Each lookup waits at most the answer
    deadline (see :mod:`..catalog.cache`), so together they wait it once. The first error cancels
    the other and is raised as itself (not in an exception group)."""
    results: dict[int, Any] = {}
    errors: list[Exception] = []

    async def run(index: int, awaitable: Awaitable[Any]) -> None:
        try:
            results[index] = await awaitable
        except Exception as exc:
            errors.append(exc)
            group.cancel_scope.cancel()

    async with anyio.create_task_group() as group:
        group.start_soon(run, 0, first)
        group.start_soon(run, 1, second)
    if errors:
        raise errors[0]
    return results[0], results[1]
