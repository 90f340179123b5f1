"""The last good full catalog, persisted so a restart without network still has recent data.

One JSON file per upstream (``catalog-<hash of OPENROUTER_BASE_URL>.json``, so a staging or test
upstream never answers for the real one) in the platform's user cache directory
(``OPENROUTER_CACHE_DIR`` overrides it): ``{"fetched_at": ISO-8601, "data": [upstream records…]}``.
Written atomically (a temporary file in the same directory, then ``os.replace``), so a crash never
leaves half a file; a corrupt or unreadable file is ignored with a warning.
"""

import hashlib
import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from mcp_server_openrouter.openrouter import Model, parse_model_list

logger = logging.getLogger(__name__)


def file_name(base_url: str) -> str:
    """The cache file for one upstream base URL."""
    digest = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:12]
    return f"catalog-{digest}.json"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mcp-server-openrouter", appauthor=False))


class DiskCatalog:
    """Load and save the full catalog of the upstream at ``base_url`` in ``directory``."""

    def __init__(self, directory: Path, base_url: str) -> None:
        self.path = directory / file_name(base_url)

    def save(self, models: list[Model], fetched_at: datetime) -> None:
        """Write atomically; a failure is logged, never raised (the cache is an optimisation)."""
        payload = {"fetched_at": fetched_at.isoformat(), "data": [m.raw or m.model_dump(mode="json") for m in models]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            logger.warning("Could not save the catalog cache to %s: %s", self.path, exc)

    def load(self) -> tuple[list[Model], datetime] | None:
        """The saved catalog and when it was fetched, or ``None`` (missing, unreadable, corrupt)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("Ignoring the catalog cache %s: %s", self.path, exc)
            return None
        try:
            payload: Any = json.loads(text)
            fetched_at = datetime.fromisoformat(payload["fetched_at"])
            if fetched_at.tzinfo is None:
                raise ValueError("fetched_at has no timezone")
            parsed = parse_model_list(payload)
        except (ValueError, KeyError, TypeError) as exc:
            logger.warning("Ignoring the corrupt catalog cache %s: %s", self.path, exc)
            return None
        if not parsed.models:
            logger.warning("Ignoring the catalog cache %s: it holds no models", self.path)
            return None
        return parsed.models, fetched_at
