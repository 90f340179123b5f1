"""Four MCP prompts, offered by Claude Code and Claude Desktop as slash commands.

They are the four questions people bring to a model catalog, each a chain of this server's tools
a model would not always find on its own:

* ``pick-model`` (task, budget, must-haves): ``recommend_models`` when the task has a benchmark
  (coding, intelligence, agentic), ``list_models`` when it has none, ``get_model`` for finalists;
* ``compare-models`` (IDs): ``get_model`` with every ID in one call, ``estimate_cost`` for a
  typical request, ``list_model_endpoints`` when providers matter;
* ``workload-cost`` (a workload in words, IDs): ``estimate_cost`` with the workload turned into
  its token counts and ``requests``;
* ``whats-new`` (since a date, or a number of days): ``list_catalog_changes``, paged, and its
  ``expiring`` kind.

Wording. A prompt renders as one short user message (well under 120 tokens): what was asked, then
which tools to call, written ``tool(argument, ...)`` with the tools' real argument names (a test
checks every name against ``tools/list``), then what the answer should hold. The assistant knows
how to converse; it needs to know which tool takes which constraint. The listing is paid in every
conversation that offers prompts (as ``tools/list`` is), so descriptions are one short line, an
argument's description an example, ``required`` is said only when true (absent means optional),
and there is no ``title`` (Claude Code has built slash commands from the title instead of the
name, anthropics/claude-code#10992): 175 cl100k tokens for the three (``bench/tokens.py``). The
MCPB manifest repeats each prompt with its text as a template (``${arguments.NAME}``), kept equal
to what the server renders by ``tests/test_packaging.py``.

Arguments are free text, as a user types them. Claude Code splits what follows the slash command
at spaces, one word per argument in order, and drops what is left (anthropics/claude-code#14210),
so every argument also works as one word: ``coding``, ``tools,128k``, IDs joined by commas. IDs
may be separated by commas or spaces (and may carry brackets and quotes); a word without ``/`` is
a model's name, looked up with ``list_models(q)``; at most :data:`~.tools.lookup.MAX_IDS`, what
``get_model`` and ``estimate_cost`` take. Rendering never reads the catalog, so it is instant and
works with OpenRouter down. A missing or empty required argument, an unknown argument or prompt,
or too long a text is an ``Invalid params`` error (-32602) saying what to send; the SDK's own
errors name a Python set, or, for an unknown prompt, are an internal error.
"""

import re
from typing import Annotated, Any, get_args

from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.prompts import Prompt
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    GetPromptRequestParams,
    GetPromptResult,
    InputRequiredResult,
    ListPromptsResult,
    PaginatedRequestParams,
)
from pydantic import Field

from .errortext import quote
from .tools.lookup import MAX_IDS
from .tools.recommend_models import Task

MAX_TEXT = 500
"""Characters in a free-text argument: a prompt is a short message."""
MAX_IDS_TEXT = 2_000
_ITEMS = re.compile(r"\"[^\"]*\"|'[^']*'|[^\s,;]+")
"""An ID or a quoted name: items are separated by commas, semicolons or spaces."""
_WRAPPING = "[]()\"'`"
_TASKS = get_args(Task)
SCORED = f"{', '.join(_TASKS[:-1])} or {_TASKS[-1]}"
"""The tasks ``recommend_models`` scores, in words: ``coding, intelligence or agentic``."""


def invalid(message: str) -> MCPError:
    return MCPError(code=INVALID_PARAMS, message=message)


def _text(name: str, value: str | None) -> str:
    """``value`` on one line with single spaces; empty if not given; too long is an error."""
    text = " ".join((value or "").split())
    if len(text) > MAX_TEXT:
        raise invalid(f"{name} is {len(text):,} characters long; say it in at most {MAX_TEXT}")
    return text


def _ids(value: str | None) -> list[str]:
    """The IDs in ``value`` (separated by commas, semicolons or spaces; a quoted name is one item),
    brackets and quotes dropped, each once, in order."""
    if value and len(value) > MAX_IDS_TEXT:
        raise invalid(f"ids is {len(value):,} characters long; at most {MAX_IDS} IDs fit in {MAX_IDS_TEXT}")
    items = (" ".join(i.strip(_WRAPPING).split()) for i in _ITEMS.findall(value or ""))
    ids = list(dict.fromkeys(i for i in items if i))
    if len(ids) > MAX_IDS:
        raise invalid(f"ids names {len(ids)} models; at most {MAX_IDS} (what get_model and estimate_cost take)")
    return ids


def _named(ids: list[str]) -> str:
    """The instruction to look up the IDs of words that are names, not IDs (an ID has a ``/``)."""
    return " For names (not IDs), find the IDs with list_models(q)." if any("/" not in i for i in ids) else ""


class CatalogPrompt(Prompt):
    """A ``Prompt`` whose argument errors say what to send: a required argument missing or empty,
    or an unknown one (the SDK's own messages name a Python set, or only the prompt)."""

    async def render(self, arguments: dict[str, Any] | None, context: Any) -> Any:
        given = arguments or {}
        declared = self.arguments or []
        names = [a.name for a in declared]
        unknown = [k for k in given if k not in names]
        if unknown:
            raise invalid(f"{self.name} has no argument {quote(unknown[0], 40)}; its arguments: {', '.join(names)}")
        for argument in declared:
            if argument.required and not str(given.get(argument.name) or "").strip():
                raise invalid(f"{self.name} needs its {argument.name} argument ({argument.description})")
        return await super().render(arguments, context)


def pick_model(
    task: Annotated[str, Field(description="e.g. coding agent")],
    budget: Annotated[str | None, Field(description="e.g. under $1/M input")] = None,
    must_haves: Annotated[str | None, Field(description="e.g. tools,128k,images")] = None,
) -> str:
    """Pick an OpenRouter model for a task and budget."""
    wanted = _text("task", task)
    limits = "".join(
        f" {label}: {text}."
        for label, text in (("Budget", _text("budget", budget)), ("Must have", _text("must_haves", must_haves)))
        if text
    )
    return (
        f"Pick an OpenRouter model for: {wanted}.{limits}\n"
        f"If {SCORED} fits the task, call recommend_models(task, supported_parameters, "
        "min_context, input_modalities, max_price, input_tokens, output_tokens), filling what applies; "
        "otherwise list_models(category, sort) with the same constraints. Check finalists with get_model(ids). "
        "Recommend one and a cheaper alternative, with the cost per request."
    )


def compare_models(
    ids: Annotated[str, Field(description="Model IDs, comma-separated")],
) -> str:
    """Compare OpenRouter models."""
    models = _ids(ids)
    if not models:
        raise invalid("ids names no model; give model IDs, comma-separated, e.g. openai/gpt-4o,openai/gpt-5.5")
    return (
        f"Compare these OpenRouter models: {', '.join(models)}.{_named(models)}\n"
        "Call get_model(ids) once with all of them, then estimate_cost(ids, input_tokens, output_tokens) "
        "for a typical request (ask me if the use is unclear), and list_model_endpoints(id) if providers, "
        "speed or uptime matter. Answer with a compact table (context, prices, capabilities, cost) "
        "and when to pick each."
    )


def workload_cost(
    workload: Annotated[str, Field(description="e.g. 2k in, 500 out tokens, 10k/day")],
    ids: Annotated[str | None, Field(description="Model IDs, comma-separated")] = None,
) -> str:
    """What a workload costs on OpenRouter models."""
    usage = _text("workload", workload)
    models = _ids(ids)
    which = (
        f"on {', '.join(models)}.{_named(models)}"
        if models
        else "on 3-5 fitting models (pick them with recommend_models or list_models)."
    )
    return (
        f"Price this workload {which} Workload: {usage}.\n"
        "Call estimate_cost(ids, input_tokens, output_tokens, requests) with per-request counts, adding "
        "cached_input_tokens, reasoning_tokens, input_images or web_searches if it mentions them; for a rate, "
        "set requests to one day's count. Report per request, per day and per 30-day month, cheapest first, "
        "and your assumptions."
    )


def whats_new(
    since: Annotated[str | None, Field(description="e.g. 2026-11-01 or 7")] = None,
) -> str:
    """What changed in OpenRouter's catalog."""
    when = _text("since", since) or "7"
    return (
        f"What changed in OpenRouter's catalog since {when}{' days ago' if when.isdigit() else ''}?\n"
        f"Call list_catalog_changes(since={when!r}), paging with offset while it says there is more, and "
        "list_catalog_changes(kinds=['expiring']) for models about to be removed. Summarise new models, "
        "price changes (cheaper first) and removals with their suggested replacements; use get_model(ids) "
        "for a new model worth a closer look."
    )


PROMPTS = {
    "pick-model": pick_model,
    "compare-models": compare_models,
    "workload-cost": workload_cost,
    "whats-new": whats_new,
}
"""Every prompt by name, in the order ``prompts/list`` gives."""


def register(server: MCPServer[Any]) -> None:
    """Add the prompts to ``server``, listed with ``required`` said only of required arguments
    (absent means optional: the SDK's ``"required":false`` on every other one costs tokens)."""
    for name, fn in PROMPTS.items():
        server.add_prompt(CatalogPrompt.from_function(fn, name=name))

    async def list_prompts(ctx: ServerRequestContext[Any], params: PaginatedRequestParams) -> ListPromptsResult:
        listed = await server.list_prompts()
        for prompt in listed:
            for argument in prompt.arguments or []:
                argument.required = argument.required or None
        return ListPromptsResult(prompts=listed)

    async def get_prompt(
        ctx: ServerRequestContext[Any], params: GetPromptRequestParams
    ) -> GetPromptResult | InputRequiredResult:
        # The SDK's unknown-prompt error is a plain ValueError: an internal error on the wire.
        if params.name not in PROMPTS:
            raise invalid(f"Unknown prompt {quote(params.name, 40)}; prompts: {', '.join(PROMPTS)}")
        context = Context(request_context=ctx, mcp_server=server, input_params=params)
        return await server.get_prompt(params.name, params.arguments, context)

    lowlevel = server._lowlevel_server  # pyright: ignore[reportPrivateUsage]
    lowlevel.add_request_handler("prompts/list", PaginatedRequestParams, list_prompts)
    lowlevel.add_request_handler("prompts/get", GetPromptRequestParams, get_prompt)
