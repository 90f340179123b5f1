"""Models by ID: the one lookup ``get_model``, ``estimate_cost`` and ``list_model_endpoints`` share.

The models come with the prices OpenRouter lists outside the model list (video SKUs, image
endpoints: :meth:`~..catalog.Catalog.media`) where it has them, so every answer that names a model
prices it alike; how old those prices are is in the provenance returned, when they are not fresh.
"""

from typing import Annotated, Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BeforeValidator, Field

from mcp_server_openrouter.catalog import Catalog, ModelSet, Provenance, with_media
from mcp_server_openrouter.errortext import quote
from mcp_server_openrouter.openrouter import Model

MAX_IDS = 10


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


ModelId = Annotated[str, Field(description="As listed, e.g. 'openai/gpt-4o'", min_length=1, max_length=200)]
ModelIds = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=200)]],
    BeforeValidator(_one_or_many),
    Field(description="As listed, e.g. ['openai/gpt-4o']", min_length=1, max_length=MAX_IDS),
]


def unknown_ids_error(missing: list[str], catalog: ModelSet) -> ToolError:
    """The error for unknown IDs: each quoted short, with up to three close matches."""
    hints: list[str] = []
    for model_id in missing:
        close = catalog.close_matches(model_id)
        hints.append(quote(model_id) + (f" (did you mean {', '.join(close)}?)" if close else ""))
    return ToolError(f"Unknown model ID {'; '.join(hints)}. IDs are case-sensitive; list_models(q=...) finds them.")


async def known_models(catalog: Catalog, ids: list[str], *, media: bool = True) -> tuple[list[Model], Provenance]:
    """The models ``ids`` name (trimmed, duplicates dropped, order kept) and where the catalog came
    from; an unknown ID is a ``ToolError`` with close matches. ``media``: with their media prices
    (see the module docstring), waited for within the same answer deadline as the catalog."""
    started = anyio.current_time()
    full = await catalog.full()
    wanted = list(dict.fromkeys(i.strip() for i in ids))
    missing = [i for i in wanted if i not in full.value.by_id]
    if missing:
        raise unknown_ids_error(missing, full.value)
    models = [full.value.by_id[i] for i in wanted]
    if not media:
        return models, full.provenance
    priced, fresh = await catalog.media(models, since=started)
    return priced, with_media(full.provenance, fresh)
