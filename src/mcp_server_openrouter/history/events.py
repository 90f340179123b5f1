"""What changed between two catalogs: the events of the catalog history (issue 19).

An :class:`Event` is one change to one model, first seen in a catalog taken at ``seen_at``; the
catalog before it was taken at ``since``, so the change happened after ``since`` and by
``seen_at``. Two live catalogs a few minutes apart date a change to the minute; two snapshots
months apart date it to "between" their dates, and the answer says so.

:func:`diff` works on raw upstream records (the JSON objects of ``/models``), so the bundled
snapshots, the saved catalog and a live answer are compared by one set of rules.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

Kind = Literal["added", "removed", "price", "context", "max_output", "capability", "expiration", "alias"]
KINDS: tuple[Kind, ...] = ("added", "removed", "price", "context", "max_output", "capability", "expiration", "alias")


@dataclass(frozen=True, slots=True)
class Event:
    """One change to one model (see the module docstring).

    Values are strings, exact and unit-free, as the upstream has them:

    - ``added``: ``after`` is the model's name (``None`` without one); ``removed``: ``before`` is.
    - ``price``: ``field`` is the pricing key (``prompt``, ``completion``, ``input_cache_read`` …);
      ``before`` and ``after`` are USD per token (or per unit, for per-unit keys) as plain decimal
      strings, normalised (``"0.000003"``, ``"0"``, ``"-1"`` for variable).
    - ``context``: ``context_length``; ``max_output``: ``top_provider.max_completion_tokens``;
      integers as decimal strings, ``None`` when unknown.
    - ``capability``: ``field`` is the supported parameter (``tools``); ``before``/``after`` are
      ``"no"``/``"yes"`` (gained) or ``"yes"``/``"no"`` (lost).
    - ``expiration``: ``expiration_date`` (``YYYY-MM-DD``) before and after; ``None``: none set.
    - ``alias``: an alias ID's (``~…``) ``alias_target.slug`` before and after.
    """

    model_id: str
    kind: Kind
    field: str | None
    before: str | None
    after: str | None
    since: datetime
    """When the catalog compared against was taken (aware, UTC)."""
    seen_at: datetime
    """When the catalog that first showed the change was taken (aware, UTC)."""


@dataclass(frozen=True, slots=True)
class Seed:
    """The history bundled with the package (``data/history-seed.json.gz``, made by
    ``scripts/build_history_seed.py`` from the real snapshots in ``tests/data``)."""

    events: list[Event]
    snapshots: list[date]
    """The dates of the catalogs the events were found between, oldest first."""
    base: list[dict[str, Any]]
    """The raw records of the bundled catalog snapshot (``data/catalog-snapshot.json.gz``): what the
    first live catalog is compared with."""
    base_at: datetime
    """That snapshot's date (midnight UTC)."""


def author(model_id: str) -> str:
    """The ID's author: the part before ``/``, without an alias's ``~``."""
    return model_id.lstrip("~").split("/", 1)[0]


def diff(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], *, since: datetime, seen_at: datetime
) -> list[Event]:
    """Every change from catalog ``old`` (taken at ``since``) to catalog ``new`` (at ``seen_at``)."""
    raise NotImplementedError  # written by the diff helper
