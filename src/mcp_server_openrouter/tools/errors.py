"""Every anticipated failure, and the sentence a model reads for it.

The SDK shows a ``ToolError``'s text to the model and withholds any other exception's, so
:class:`~.base.CatalogTool` turns each of these into a ``ToolError`` worded by :func:`explain`.
No sentence carries the API key: the client's errors never contain it, and these only name the
variable. The whole tree (``openrouter``: the client's own; ``catalog``: added by the catalog)::

    OpenRouterError                      openrouter: the base of every error the client raises
    ├── InvalidRequestError              a call that makes no request; nothing was sent
    │   └── MissingAPIKeyError           an endpoint that needs a key, called without one
    │       └── KeyNotSentError          catalog: per-request keys only, and the request brought none
    ├── APIConnectionError               unreachable, or the connection broke
    │   ├── APITimeoutError              no answer in time
    │   │   └── SlowUpstreamError        catalog: no answer within the answer deadline
    │   ├── OfflineModeError             catalog: --offline, and only OpenRouter has this
    │   ├── NoOfflineDataError           catalog: down, and no offline data could be read either
    │   └── UpstreamDownError            catalog: OpenRouter failed a moment ago; nothing sent
    ├── BudgetSpentError                 catalog: not sent, a rate-limited dataset's budget is spent
    ├── InvalidResponseError             2xx, but not the documented shape
    └── APIStatusError                   a non-2xx status
        ├── BadRequestError              400, 422
        ├── AuthenticationError          401
        ├── PermissionDeniedError        403
        ├── NotFoundError                404
        ├── RateLimitError               429 (``retry_after``)
        └── InternalServerError          5xx
    OfflineUnsupportedError              catalog: a filter or sort only OpenRouter can apply,
                                         asked for while it cannot be used

The catalog answers "OpenRouter is down" (connection errors, timeouts, 429, 5xx, bad answers) from
offline data where it has some, so only answers without an offline copy raise those.
"""

from mcp_server_openrouter.catalog import OfflineModeError, SlowUpstreamError
from mcp_server_openrouter.catalog.budget import BudgetSpentError
from mcp_server_openrouter.catalog.keys import KEY_HEADER, KeyNotSentError
from mcp_server_openrouter.catalog.offline import LOCAL_SORTS, UPSTREAM_ONLY, OfflineUnsupportedError
from mcp_server_openrouter.config import BUNDLE_KEY_SETTING, ENV_API_KEY, ENV_OFFLINE
from mcp_server_openrouter.openrouter import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InvalidResponseError,
    MissingAPIKeyError,
    OpenRouterError,
    PermissionDeniedError,
    RateLimitError,
)

from .arguments import FILTERS

OFFLINE_FILTERS = [name for name in FILTERS if name not in UPSTREAM_ONLY]
"""The filter arguments that work without OpenRouter (applied locally, see ``catalog/offline.py``)."""


def _keyless() -> str:
    """The tools that answer without an API key, in registry order."""
    from . import NEEDS_KEY, TOOL_NAMES  # the registry imports every tool, and each tool this module

    return ", ".join(name for name in TOOL_NAMES if name not in NEEDS_KEY)


def explain(exc: OpenRouterError | OfflineUnsupportedError) -> str:
    """The actionable sentence for an anticipated failure."""
    match exc:
        case KeyNotSentError():
            text = (
                f"This tool needs your OpenRouter API key, and this server takes each user's own: send it with "
                f"every request in the {KEY_HEADER} header (create one at https://openrouter.ai/settings/keys). "
                f"{_keyless()} work without a key."
            )
        case MissingAPIKeyError():
            text = (
                f"This tool needs an OpenRouter API key (create one at https://openrouter.ai/settings/keys): set "
                f"{ENV_API_KEY} in the MCP server's environment, or, in the MCP Bundle, its "
                f"'{BUNDLE_KEY_SETTING}' setting. {_keyless()} work without a key."
            )
        case AuthenticationError() | PermissionDeniedError():
            text = (
                f"OpenRouter rejected the API key (HTTP {exc.status_code}): check that {ENV_API_KEY} (the MCP "
                f"Bundle's '{BUNDLE_KEY_SETTING}' setting) holds a valid, active key. {_keyless()} work without one."
            )
        case RateLimitError():
            wait = f" Retry in {exc.retry_after:g} s." if exc.retry_after else " Retry shortly."
            text = f"OpenRouter is rate-limiting requests (HTTP 429).{wait}"
        case BadRequestError():
            text = (
                f"OpenRouter rejected the query (HTTP {exc.status_code}: {exc.upstream_message}). Adjust the filters."
            )
        case APIStatusError():
            text = str(exc)
        case SlowUpstreamError():
            text = (
                f"OpenRouter is slow right now: {exc.path} gave no answer within {exc.waited:g} s. The request goes "
                "on in the background; call this tool again in a few seconds to get its answer."
            )
        case OfflineModeError():
            text = f"{exc}. Start the server without --offline (and without {ENV_OFFLINE}=1) to use it."
        case APIConnectionError() | InvalidResponseError():
            # Only answers with no offline copy get here (the catalog's failures are answered offline).
            text = f"OpenRouter could not be used: {exc}. Only OpenRouter has this data: call again once it answers."
        case OfflineUnsupportedError():
            kind, available = ("sorts", LOCAL_SORTS) if exc.sort else ("filters", OFFLINE_FILTERS)
            text = (
                f"{exc.reason or 'OpenRouter is unreachable'}, and {exc.what} needs its live data. Offline, drop it "
                f"({kind} available offline: {', '.join(available)}) and ask again."
            )
            if isinstance(exc.__cause__, SlowUpstreamError):
                text += " Or call again in a few seconds: the fetch from OpenRouter is still under way."
        case BudgetSpentError():
            text = f"{exc}. Answers already fetched are kept for an hour: an earlier query is answered at once."
        case _:
            text = str(exc)
    return text
