"""``GET /datasets/rankings-daily`` (spec: ``RankingsDailyResponse``): what people use, by tokens.

Up to 51 rows a period: the top 50 public models by ``total_tokens`` (prompt + completion), then
one ``other`` row summing every model outside them. Rows name a model by its *permaslug*
(``openai/gpt-4o-2024-05-13``: the catalog's ``canonical_slug``), not by its ID. Token totals
are decimal strings. Parsed with the catalog's drift rules: a malformed row is skipped, logged,
and never sinks the answer.
"""

import logging
from dataclasses import dataclass
from typing import Any, Literal, cast

logger = logging.getLogger(__name__)

Period = Literal["day", "week", "month"]
RankingModality = Literal["text", "image", "image_output", "audio", "tool_calling"]
ContextBucket = Literal["1K", "10K", "100K", "1M", "10M"]
LanguageType = Literal["natural", "programming"]
OTHER = "other"
"""The permaslug of the row that sums every model outside the top 50 of its period."""


@dataclass(frozen=True, slots=True)
class RankingsQuery:
    """The dataset's slices (spec 2026-08-22). ``category`` and ``language_type`` read a sampled,
    weekly dataset: they combine with nothing else and refuse ``period=day`` (the tool says so
    before asking)."""

    period: Period = "day"
    start_date: str | None = None
    end_date: str | None = None
    modality: RankingModality | None = None
    context_bucket: ContextBucket | None = None
    category: str | None = None
    language_type: LanguageType | None = None

    def params(self) -> dict[str, str]:
        raw = {
            "period": self.period,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "modality": self.modality,
            "context_bucket": self.context_bucket,
            "category": self.category,
            "language_type": self.language_type,
        }
        return {key: value for key, value in raw.items() if value is not None}


@dataclass(frozen=True, slots=True)
class RankingRow:
    date: str
    """The period's first day (``YYYY-MM-DD``)."""
    permaslug: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Rankings:
    rows: list[RankingRow]
    as_of: str
    """When OpenRouter computed the dataset: the date its citation names."""

    def periods(self) -> list[str]:
        """The periods present, oldest first."""
        return sorted({row.date for row in self.rows})


def _tokens(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_rankings(payload: Any) -> Rankings:
    """Parse a rankings body; ``ValueError`` when the envelope is unusable."""
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    body = cast(dict[str, Any], payload)
    data: Any = body.get("data")
    if not isinstance(data, list):
        raise ValueError("the JSON object has no 'data' list")
    meta: Any = body.get("meta")
    as_of = cast(dict[str, Any], meta).get("as_of") if isinstance(meta, dict) else None
    rows: list[RankingRow] = []
    for index, item in enumerate(cast(list[Any], data)):
        record = cast(dict[str, Any], item) if isinstance(item, dict) else {}
        date, slug, tokens = record.get("date"), record.get("model_permaslug"), _tokens(record.get("total_tokens"))
        if not isinstance(date, str) or not isinstance(slug, str) or not slug or tokens is None:
            logger.warning("Skipped malformed ranking row #%d", index)
            continue
        rows.append(RankingRow(date[:10], slug, tokens))
    return Rankings(rows, as_of if isinstance(as_of, str) and as_of else "unknown")
