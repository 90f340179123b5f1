"""The tools' results: a named pydantic model for ``structuredContent`` plus a compact text.

The SDK would send a pydantic result twice: as ``structuredContent`` and as indent-2 JSON text
(64 tokens a model in our measurements). We build the ``CallToolResult`` ourselves: the
structured part is the model dumped without null fields, the text part a table that costs half
of the JSON (see :mod:`..compact`). ``bench/tokens.py`` measures both, together.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, Field, WithJsonSchema

from mcp_server_openrouter.catalog import Provenance
from mcp_server_openrouter.compact import TABLE_COLUMNS, TABLE_LEGEND, CompactModel, compact_json, table_row
from mcp_server_openrouter.detail import URI_PREFIX
from mcp_server_openrouter.openrouter import Model


class Source(BaseModel):
    """Where the data came from, so stale data is never passed off as fresh.

    ``kind``: ``live`` (fetched now), ``cached`` (younger than the cache TTL), ``stale`` (older:
    being refreshed, OpenRouter failing, or saved by an earlier run; ``note`` says which) or
    ``snapshot`` (the catalog bundled with the package). Published as a plain object: the keys
    say what they are, and the typed schema would cost ~40 tokens in each tool's definition.
    """

    kind: Literal["live", "cached", "stale", "snapshot"]
    as_of: datetime
    note: str | None = None

    @classmethod
    def of(cls, provenance: Provenance) -> "Source":
        return cls(kind=provenance.kind, as_of=provenance.as_of.replace(microsecond=0), note=provenance.note)


SourceField = Annotated[Source, WithJsonSchema({"type": "object"})]


class ModelPage(BaseModel):
    """One page of matching models."""

    models: list[CompactModel]
    total: int = Field(description="matches over all pages")
    offset: int
    next_offset: int | None = Field(None, description="absent on the last page")
    source: SourceField


class ModelCount(BaseModel):
    """How many models match."""

    count: int
    source: SourceField


def _result(structured: BaseModel | dict[str, Any], text: str) -> CallToolResult:
    data = structured if isinstance(structured, dict) else structured.model_dump(mode="json", exclude_none=True)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def page_result(models: Sequence[Model], provenance: Provenance, *, offset: int, limit: int) -> CallToolResult:
    """Slice ``models`` into a page and render it (structured records + text table).

    The structured part is a :class:`ModelPage` assembled from each model's memoized compact
    record (:func:`~..compact.compact_json`): a warm page costs list slicing, not 25 validations.
    """
    total = len(models)
    page = models[offset : offset + limit]
    next_offset = offset + len(page) if offset + len(page) < total else None
    structured: dict[str, Any] = {
        "models": [compact_json(m) for m in page],
        "total": total,
        "offset": offset,
        **({"next_offset": next_offset} if next_offset is not None else {}),
        "source": Source.of(provenance).model_dump(mode="json", exclude_none=True),
    }
    if not page:
        if total:
            head = f"No models at offset {offset}: only {total} match (offsets 0-{total - 1})."
        else:
            head = "No model matches these filters; try fewer or looser ones."
        return _result(structured, f"{head} Data: {provenance.describe()}.")
    more = f"next page: offset={next_offset}" if next_offset is not None else "last page"
    lines = [
        f"Models {offset + 1}-{offset + len(page)} of {total} ({more}). Data: {provenance.describe()}.",
        f"Columns: {TABLE_COLUMNS}. {TABLE_LEGEND}",
        *(table_row(m) for m in page),
        f"Details: get_model(ids) or resource {URI_PREFIX}{{id}}.",
    ]
    return _result(structured, "\n".join(lines))


def count_result(count: int, provenance: Provenance) -> CallToolResult:
    structured = ModelCount(count=count, source=Source.of(provenance))
    noun = "model matches" if count == 1 else "models match"
    return _result(structured, f"{count} {noun}. Data: {provenance.describe()}.")
