"""The tools' results: a named pydantic model for ``structuredContent`` plus a compact text.

The SDK would send a pydantic result twice: as ``structuredContent`` and as indent-2 JSON text
(64 tokens a model in our measurements). We build the ``CallToolResult`` ourselves, and each
channel stands alone, because clients give the model one or the other or both (Claude Code only
the structured JSON; kimi-code and hermes-agent only the text): each says how fresh the data is
(kind, date, why), the total, where the next page starts and, when ``output_modalities`` is not
given, that OpenRouter listed text-output models only. What the cells and codes mean never varies,
so it is said once per conversation, in the tool's description (:data:`..render.compact.ROW_LEGEND`),
not paid on every call. A page's structured part is columnar (``columns`` + ``rows`` of arrays,
~28 tokens a model instead of ~50 for keyed records, and a schema that is cheap to validate);
its text part is a table (~24 tokens a model; see :mod:`..compact`).
``python -m bench.tokens`` measures every result three ways.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from mcp_types import CallToolResult
from pydantic import BaseModel, Field, WithJsonSchema

from mcp_server_openrouter.catalog.answers import Provenance
from mcp_server_openrouter.openrouter import QUALITY_SORTS, Model, ModelsQuery
from mcp_server_openrouter.render.compact import (
    ROW_COLUMNS,
    TABLE_COLUMNS,
    media_legend,
    number_text,
    plain_number,
    row,
    table_row,
)

from .base import tool_result

SourceField = Annotated[dict[str, str], WithJsonSchema({"type": "object"})]
"""Where an answer's data came from (:meth:`~..catalog.Provenance.record`). Published as a plain
object: the keys say what they are, and a typed schema would cost ~40 tokens in each tool's definition."""


Cell = str | int | float | None
# Published as an array of arrays, without a type per cell: Python SDK clients validate every
# result with jsonschema, and a type check per cell cost 2 ms of a 4 ms warm call (0.2 ms this
# way). The cells' types and meaning are in ``columns`` and ``legend``.
Rows = Annotated[list[list[Cell]], WithJsonSchema({"type": "array", "items": {"type": "array"}})]


class ModelPage(BaseModel):
    """One page of matching models: ``rows`` of cells named by ``columns``, explained by
    :data:`~..render.compact.ROW_LEGEND` in the tool's description."""

    columns: list[str] | None = Field(None, description="absent when there are no rows")
    rows: Rows
    total: int = Field(description="matches over all pages")
    offset: int = Field(0, description="absent when 0")
    next_offset: int | None = Field(None, description="absent on the last page")
    note: str | None = None
    source: SourceField


class ModelCount(BaseModel):
    """How many models match."""

    count: int
    note: str | None = None
    source: SourceField


TEXT_ONLY = "text output only (default); output_modalities=['all'] for all"
TEXT_ONLY_WORDS = "text output only (the default; output_modalities=['all'] for all)"
"""Said when ``output_modalities`` is not given: OpenRouter then lists text-output models only."""


def text_only_note(query: ModelsQuery | None) -> str | None:
    """:data:`TEXT_ONLY` when ``query`` leaves ``output_modalities`` to OpenRouter's default."""
    return TEXT_ONLY if query is not None and not query.output_modalities else None


def quality_columns(query: ModelsQuery | None) -> list[str]:
    """The quality columns a page shows: the index it is sorted by, then those it is bounded by."""
    if query is None:
        return []
    columns = [QUALITY_SORTS[query.sort]] if query.sort in QUALITY_SORTS else []
    return list(dict.fromkeys([*columns, *query.bounded_indices()]))


def _scores(model: Model, columns: list[str]) -> list[float | int | None]:
    return [None if (value := model.score(c)) is None else plain_number(value) for c in columns]


def page_result(
    models: Sequence[Model], provenance: Provenance, *, offset: int, limit: int, query: ModelsQuery | None = None
) -> CallToolResult:
    """Slice ``models`` into a page and render it (structured rows + text table).

    The structured part is a :class:`ModelPage` assembled from each model's memoized row
    (:func:`~..compact.row`): a warm page costs list slicing, not 25 validations. A page sorted or
    bounded by a quality index shows that index as a column before ``flags`` (only then: it costs
    tokens, and most models have none).
    """
    total = len(models)
    page = models[offset : offset + limit]
    next_offset = offset + len(page) if offset + len(page) < total else None
    text_only = text_only_note(query)
    units = media_legend(page)  # only a page that shows media prices explains them
    note = "; ".join(n for n in (text_only, units) if n)
    extra = quality_columns(query)
    columns, rows = ROW_COLUMNS, [row(m) for m in page]
    text_columns, text_rows = TABLE_COLUMNS, [table_row(m) for m in page]
    if extra and page:
        scores = [_scores(m, extra) for m in page]
        columns = [*ROW_COLUMNS[:5], *extra, ROW_COLUMNS[5]]
        rows = [[*r[:5], *s, r[5]] for r, s in zip(rows, scores, strict=True)]
        text_columns = " ".join([*ROW_COLUMNS[:5], *extra, "[flags]"])
        text_rows = [_with_quality(line, s) for line, s in zip(text_rows, scores, strict=True)]
    structured: dict[str, Any] = {
        **({"columns": columns} if rows else {}),
        "rows": rows,
        "total": total,
        **({"offset": offset} if offset else {}),
        **({"next_offset": next_offset} if next_offset is not None else {}),
        **({"note": note} if note else {}),
        "source": provenance.record(),
    }
    scope = f", {TEXT_ONLY_WORDS}" if text_only else ""
    if not page:
        if total:
            head = f"No models at offset {offset}: only {total} match{scope} (offsets 0-{total - 1})."
        else:
            head = f"No model matches these filters{scope}; try fewer or looser ones."
        return tool_result(structured, f"{head} Data: {provenance.describe()}.")
    more = f"next page: offset={next_offset}" if next_offset is not None else "last page"
    lines = [
        f"Models {offset + 1}-{offset + len(page)} of {total}{scope}; {more}. Data: {provenance.describe()}.",
        f"Columns: {text_columns}",
        *text_rows,
        *([f"Note: {units}."] if units else []),
    ]
    return tool_result(structured, "\n".join(lines))


def _with_quality(line: str, values: list[float | int | None]) -> str:
    cells = line.split(" ", 5)
    return " ".join([*cells[:5], *(number_text(v) for v in values), *cells[5:]])


def count_result(count: int, provenance: Provenance, query: ModelsQuery | None = None) -> CallToolResult:
    note = text_only_note(query)
    structured = ModelCount(count=count, note=note, source=provenance.record())
    noun = "model matches" if count == 1 else "models match"
    scope = f", {TEXT_ONLY_WORDS}" if note else ""
    return tool_result(structured, f"{count} {noun}{scope}. Data: {provenance.describe()}.")
