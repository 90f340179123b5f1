"""What the catalog answers with: a value, labelled with where it came from and how old it is.

Every tool result and resource read carries a :class:`Provenance`, rendered by
:meth:`Provenance.describe` for the text channel and as ``source`` in structured results.
:class:`ModelSet` is the full catalog, indexed once for resources, completion and ``get_model``.
"""

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Generic, Literal, TypeVar

from mcp_server_openrouter.openrouter import Model

Kind = Literal["live", "cached", "stale", "snapshot"]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an answer's data came from and how old it is.

    ``live``: fetched from OpenRouter for this call; ``cached``: from the cache, younger than
    ``OPENROUTER_CACHE_TTL``; ``stale``: older than the TTL (being refreshed, OpenRouter failing),
    or the catalog saved on disk by an earlier run (the note says why); ``snapshot``: the catalog
    bundled with the package. So stale data is never passed off as fresh.
    """

    kind: Kind
    as_of: datetime
    note: str | None = None
    """Why the answer is not live and fresh, when it is not."""

    def describe(self) -> str:
        """One short line for the model, e.g. ``live OpenRouter data, 2026-11-21 10:04 UTC``."""
        when = f"{self.as_of:%Y-%m-%d %H:%M} UTC"
        match self.kind:
            case "live":
                text = f"live OpenRouter data, {when}"
            case "cached":
                text = f"OpenRouter data from {when} (cached)"
            case "stale":
                text = f"STALE: OpenRouter data from {when}"
            case "snapshot":
                text = f"OFFLINE: bundled catalog snapshot of {self.as_of:%Y-%m-%d}"
        return f"{text} ({self.note})" if self.note else text

    def aside(self) -> str:
        """`` (STALE: from …)`` for data that is not fresh, else nothing: for data that adds to an
        answer whose own provenance already says why OpenRouter was not asked."""
        if self.kind in ("live", "cached"):
            return ""
        return f" ({'OFFLINE' if self.kind == 'snapshot' else 'STALE'}: from {self.as_of:%Y-%m-%d %H:%M} UTC)"

    def record(self) -> dict[str, str]:
        """What structured answers carry as ``source``: ``kind``, ``as_of`` (UTC, whole seconds)
        and ``note`` when there is one."""
        as_of = f"{self.as_of.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
        return {"kind": self.kind, "as_of": as_of, **({"note": self.note} if self.note else {})}


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    value: T
    provenance: Provenance


class ModelSet:
    """A full catalog plus the lookups resources, completion and ``get_model`` need; built once."""

    def __init__(self, models: list[Model]) -> None:
        self.models = models
        self.by_id: dict[str, Model] = {m.id: m for m in models}

    @cached_property
    def sorted_ids(self) -> list[str]:
        """Stable order for cursor paging (sorted on first use, not on every refresh)."""
        return sorted(self.by_id)

    @cached_property
    def newest(self) -> list[Model]:
        return sorted(self.models, key=lambda m: -(m.created or 0))

    @cached_property
    def by_permaslug(self) -> dict[str, str]:
        """The model ID each permaslug (``canonical_slug``, which usage data names) is listed under:
        the plain ID rather than a ``:variant`` or ``~alias`` of it."""
        ids: dict[str, str] = {}
        for model in sorted(self.models, key=lambda m: (":" in m.id or m.id.startswith("~"), len(m.id), m.id)):
            if model.canonical_slug:
                ids.setdefault(model.canonical_slug, model.id)
        return ids

    def close_matches(self, wanted: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` existing IDs that look like ``wanted`` (substring hits first, then fuzzy)."""
        needle = wanted.strip().lower()
        hits = sorted((i for i in self.sorted_ids if needle and needle in i.lower()), key=len)
        fuzzy = difflib.get_close_matches(wanted, self.sorted_ids, n=limit, cutoff=0.5)
        return list(dict.fromkeys([*hits, *fuzzy]))[:limit]
