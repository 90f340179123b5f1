"""``list_catalog_changes``: what changed in the catalog, and what is about to go.

Over the catalog's history (:mod:`..catalog.changes`): newest first, grouped by when each change
was first seen (:mod:`..render.changes`), paged, with how far back the history reaches and where
it could only date a change to "between" two catalogs. Works offline: the history is local.

Models about to disappear are ``kinds=["expiring"]`` rather than a tool of their own: one more
value costs a few tokens of ``tools/list`` where a tool costs ~150, and a model looking for
"what changes" finds both in one place. ``ids`` asks about given models: their history, and
whether each is still listed, with a suggested replacement for one that is not
(:mod:`..replacements`).
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

import anyio.to_thread
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import BaseModel, Field, WithJsonSchema

from mcp_server_openrouter.catalog import Catalog, ModelSet
from mcp_server_openrouter.catalog.changes import ChangePage
from mcp_server_openrouter.catalog.offline import load_snapshot
from mcp_server_openrouter.history.events import KINDS, Event, Seed, author
from mcp_server_openrouter.history.seed import load_seed
from mcp_server_openrouter.history.store import Coverage
from mcp_server_openrouter.openrouter import Model
from mcp_server_openrouter.render.changes import change, when
from mcp_server_openrouter.replacements import Suggestion, suggest

from .arguments import ModelAuthors
from .base import build_tool, tool_result
from .results import Rows, SourceField

EXPIRING = "expiring"
PRICE_ORDER = {"prompt": 0, "completion": 1}
ChangeKind = Literal[
    "added", "removed", "price", "context", "max_output", "capability", "expiration", "alias", "expiring"
]
MAX_IDS = 10
MAX_DAYS_BACK = 3650


class ChangeGroup(BaseModel):
    when: str
    rows: Rows


class CatalogChanges(BaseModel):
    """Newest first (expiring: soonest first), grouped by date; rows of cells named by ``columns``."""

    columns: list[str]
    changes: list[ChangeGroup]
    total: int
    next_offset: int | None = None
    listed: dict[str, str] | None = Field(None, description="ids: still listed, or a suggested replacement")
    history: str
    source: SourceField


def _since(value: str | int | None, now: datetime) -> datetime | None:
    """``YYYY-MM-DD`` (midnight UTC) or a number of days back; refused with what to send otherwise.

    Days as a string are ASCII digits: ``str.isdigit`` holds for '¹' and other digits ``int()``
    refuses, and '¹' crashed the call; other scripts' digits are no spelling the description offers.
    """
    if value is None:
        return None
    if isinstance(value, int) or (value.strip().isascii() and value.strip().isdigit()):
        days = int(value)
        if days > MAX_DAYS_BACK:
            raise ToolError(f"since: {days} days is more than the {MAX_DAYS_BACK} the history could hold")
        return now - timedelta(days=days)
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ToolError(f"since: {value[:40]!r} is neither a date (YYYY-MM-DD) nor a number of days") from None
    return datetime.combine(day, time(), UTC)


def history_text(coverage: Coverage, bundled_until: datetime, since: datetime | None = None) -> str:
    """How far back the history reaches, and where it watched continuously (after the bundled
    snapshots, which end at ``bundled_until``); and, when asked about a time after its last
    catalog (offline, say), that nothing is known since."""
    if coverage.first is None:
        return "no history yet"
    points = [a for a, _ in coverage.spans if a <= bundled_until]
    watched = [
        f"{a:%Y-%m-%d}" + (f"..{b:%Y-%m-%d}" if b.date() != a.date() else "")
        for a, b in coverage.spans
        if a > bundled_until
    ]
    text = f"from {coverage.first:%Y-%m-%d}"
    if points:
        text += f" ({len(points)} snapshots to {points[-1]:%Y-%m-%d})"
    if watched:
        text += "; watched " + ", ".join(watched[-3:])
    last = max((end for _, end in coverage.spans), default=None)
    if since is not None and last is not None and since > last:
        text += f"; nothing recorded after {last:%Y-%m-%d}"
    if coverage.degraded:
        text += "; bundled history only (the history file is unusable)"
    return text


def _grouped(items: list[tuple[str, list[Any]]], *, merge: bool = False) -> list[ChangeGroup]:
    """Rows under their date; with ``merge``, one row per model and date, its changes joined by
    ``; `` (a model's price change is usually input and output together: its ID is said once)."""
    groups: list[ChangeGroup] = []
    for label, row in items:
        if not groups or groups[-1].when != label:
            groups.append(ChangeGroup(when=label, rows=[]))
        rows = groups[-1].rows
        if merge and rows and rows[-1][0] == row[0]:
            rows[-1][1] = f"{rows[-1][1]}; {row[1]}"
        else:
            rows.append(row)
    return groups


def _expiring(
    listed: ModelSet, today: date, within: int, authors: list[str] | None, ids: list[str] | None
) -> list[tuple[date, Model]]:
    """Listed models with a removal date within ``within`` days (or past, still listed), soonest first."""
    found: list[tuple[date, Model]] = []
    for model in listed.models:
        try:
            day = date.fromisoformat((model.expiration_date or "")[:10])
        except ValueError:
            continue
        if (day - today).days > within:
            continue  # a date already past stays in: the model is still listed, and may go any time
        if authors is not None and author(model.id) not in authors:
            continue
        if ids is not None and model.id not in ids:
            continue
        found.append((day, model))
    return sorted(found, key=lambda pair: (pair[0], pair[1].id))


async def _seed() -> Seed:
    return await anyio.to_thread.run_sync(load_seed)  # read once per process, off the event loop


def _days_left(day: date, today: date) -> str:
    left = (day - today).days
    return f"{left} days" if left >= 0 else "passed, still listed"


def _suggested(suggestion: Suggestion | None) -> list[Any]:
    return [None, None] if suggestion is None else [suggestion.model_id, suggestion.reason]


def build(catalog: Catalog) -> Tool:
    async def list_catalog_changes(
        since: Annotated[
            Annotated[str, Field(max_length=10)] | Annotated[int, Field(ge=0)] | None,
            WithJsonSchema({"type": ["string", "integer"], "description": "YYYY-MM-DD, or days back"}),
        ] = None,
        kinds: Annotated[list[ChangeKind] | None, Field(description="Default: all but expiring", max_length=9)] = None,
        model_authors: ModelAuthors = None,
        ids: Annotated[
            list[Annotated[str, Field(min_length=1, max_length=200)]] | None,
            Field(description="Their history; still listed?", max_length=MAX_IDS),
        ] = None,
        within_days: Annotated[int, Field(description="expiring: days ahead", ge=0, le=365)] = 30,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
        offset: Annotated[int, Field(ge=0)] = 0,
    ) -> Annotated[CallToolResult, CatalogChanges]:
        """What changed in OpenRouter's catalog, newest first; kinds=['expiring']: models about to go."""
        now = catalog.now()
        since_at = _since(since, now)  # refused before anything is fetched
        expiring = kinds is not None and EXPIRING in kinds
        full = await catalog.recorded()
        wanted = list(dict.fromkeys(i.strip() for i in ids)) if ids else None
        authors = list(model_authors) if model_authors else None
        history = catalog.history
        if kinds and expiring:
            if len(set(kinds)) > 1:
                raise ToolError("kinds: 'expiring' lists future removals; ask for it alone")
            today = now.date()
            found = _expiring(full.value, today, within_days, authors, wanted)
            moves = await history.alias_moves()
            shown = found[offset : offset + limit]
            items = [
                (
                    f"{day.isoformat()} ({_days_left(day, today)})",
                    [m.id, *_suggested(suggest(m.id, m, full.value.by_id, moves, today))],
                )
                for day, m in shown
            ]
            coverage = await history.coverage()
            columns = ["model", "suggested", "why"]
            total = len(found)
        else:
            page: ChangePage = await history.page(
                since=since_at,
                kinds=[k for k in dict.fromkeys(kinds) if k in KINDS] if kinds else None,
                authors=authors,
                ids=wanted,
                limit=limit,
                offset=offset,
            )
            # Within one model's changes of one catalog: the kinds in their order, input price first.
            ordered = sorted(
                page.events,
                key=lambda e: (
                    -e.seen_at.timestamp(),
                    e.model_id,
                    KINDS.index(e.kind),
                    PRICE_ORDER.get(e.field or "", 2),
                ),
            )
            items = [(when(e), [e.model_id, change(e)]) for e in ordered]
            coverage, columns, total = page.coverage, ["model", "change"], page.total
        listed = await _listed(catalog, wanted, full.value, now.date()) if wanted else None
        next_offset = offset + len(items) if offset + len(items) < total else None
        result = CatalogChanges(
            columns=columns,
            changes=_grouped(items, merge=not expiring),
            total=total,
            next_offset=next_offset,
            listed=listed,
            history=history_text(coverage, (await _seed()).base_at, since_at),
            source=full.provenance.record(),
        )
        what = f"models to be removed within {within_days} days, soonest first" if expiring else "changes, newest first"
        span = f"{offset + 1}-{offset + len(items)} of {total}" if items else f"none of {total}"
        head = f"{total} {what}: {span}" + (f"; next page: offset={next_offset}" if next_offset else "") + "."
        lines = [head, f"History {result.history}.", "Columns: " + " ".join(columns)]
        for group in result.changes:
            lines.append(f"{group.when}:")
            lines += [" ".join("-" if cell is None else str(cell) for cell in row) for row in group.rows]
        if expiring and items:
            lines.append("suggested: a suggestion (OpenRouter names no successors); why: the rule that chose it.")
        if listed:
            lines.append("Listed: " + "; ".join(f"{k}: {v}" for k, v in listed.items()))
        lines.append(f"Data: {full.provenance.describe()}.")
        return tool_result(result, "\n".join(lines))

    return build_tool(
        list_catalog_changes,
        title="Catalog changes",
        brief=("model_authors",),
    )


async def _listed(catalog: Catalog, ids: list[str], listed: ModelSet, today: date) -> dict[str, str]:
    """Each ID: ``yes``, or ``no`` with when it was removed and a suggested replacement."""
    gone = [i for i in ids if i not in listed.by_id]
    if not gone:
        return dict.fromkeys(ids, "yes")
    removed: dict[str, Event] = await catalog.history.removed(gone)
    moves = await catalog.history.alias_moves()
    old = (await anyio.to_thread.run_sync(load_snapshot)).catalog.by_id  # parsed once, off the event loop
    out: dict[str, str] = {}
    for model_id in ids:
        if model_id in listed.by_id:
            out[model_id] = "yes"
            continue
        event = removed.get(model_id)
        text = "no" + (f", removed {when(event)}" if event else "")
        suggestion = suggest(model_id, old.get(model_id), listed.by_id, moves, today)
        if suggestion is not None:
            text += f"; suggested: {suggestion.model_id} ({suggestion.reason})"
        out[model_id] = text
    return out
