"""Where answers come from, and how fresh they are.

:class:`Catalog` (:mod:`.catalog`) is the way in: the seam between the MCP layer and OpenRouter.
Everything else here serves it, and nothing above this package reaches past it:

* :mod:`.answers`: what it answers with: a value and its :class:`Provenance`; :class:`ModelSet`.
* :mod:`.cache`: the in-memory answer cache (TTL, single flight, stale-while-revalidate,
  stale-if-error, answer deadline).
* :mod:`.upstream`: the one OpenRouter client every session shares.
* :mod:`.fallback`: the fullest catalog without the network: memory, then :mod:`.diskcache`
  (the catalog saved by an earlier run), then the snapshot bundled with the package
  (:mod:`.offline`, which also applies ``/models`` filters locally).
* :mod:`.media`: media prices from outside the model list and the zero-data-retention endpoints,
  fetched lazily beside the catalog, saved, and labelled (:func:`with_media`).
"""

from .answers import Answer, Kind, ModelSet, Provenance
from .catalog import Catalog, OfflineModeError, SlowUpstreamError, utcnow
from .media import with_media
from .offline import OfflineUnsupportedError

__all__ = [
    "Answer",
    "Catalog",
    "Kind",
    "ModelSet",
    "OfflineModeError",
    "OfflineUnsupportedError",
    "Provenance",
    "SlowUpstreamError",
    "utcnow",
    "with_media",
]
