"""History events → what a model reads: when, which model, what changed (before → after).

Prices are USD per 1M tokens as everywhere (per-unit prices, USD each, say so); ``variable`` for
a router's price. A change is dated by the day it was first seen when the catalog before it was
at most :data:`EXACT` older; otherwise by the span it happened in (``between 2026-05-12 and
2026-08-18``): the history cannot know better, and says so. Rows are grouped by that date, so a
page of changes found between two snapshots says the span once.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from mcp_server_openrouter.history.events import Event
from mcp_server_openrouter.render.compact import decimal_text
from mcp_server_openrouter.render.detail import PER_TOKEN_PRICES, PER_UNIT_PRICES

EXACT = timedelta(days=1)
PRICE_NAMES = {"prompt": "in", "completion": "out", **PER_TOKEN_PRICES}


def when(event: Event) -> str:
    """``2026-11-21``, or ``between 2026-05-12 and 2026-08-18`` when the change is known only to
    within a gap."""
    seen = f"{event.seen_at:%Y-%m-%d}"
    if event.seen_at - event.since <= EXACT:
        return seen
    return f"between {event.since:%Y-%m-%d} and {seen}"


def _price(value: str | None, per_token: bool) -> str:
    if value is None:
        return "-"
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    if number < 0:
        return "variable"
    return decimal_text(number * 1_000_000 if per_token else number)


def change(event: Event) -> str:
    """What changed, in a few words: ``added``, ``in 3→2.5``, ``+tools``, ``expires 2026-12-01``. An
    arrow without spaces is one token fewer: a page of price changes has dozens."""
    match event.kind:
        case "added" | "removed":
            return event.kind
        case "price":
            key = event.field or "?"
            per_token = key not in PER_UNIT_PRICES
            name = PRICE_NAMES.get(key, PER_UNIT_PRICES.get(key, key))
            text = f"{name} {_price(event.before, per_token)}→{_price(event.after, per_token)}"
            if event.after is not None and _price(event.after, per_token) == "0" and event.before != event.after:
                text += " (free)"
            return text if per_token else f"{text} USD each"
        case "context" | "max_output":
            return f"{event.kind} {event.before or '-'}→{event.after or '-'}"
        case "capability":
            return f"{'+' if event.after == 'yes' else '-'}{event.field}"
        case "expiration":
            if event.after is None:
                return f"expiry {event.before} cleared"
            return f"expires {event.after}" + (f" (was {event.before})" if event.before else "")
        case "alias":
            return f"now → {event.after or '-'} (was {event.before or '-'})"
