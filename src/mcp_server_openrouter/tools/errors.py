"""Upstream failures → ``ToolError`` sentences a model can act on.

The SDK shows a ``ToolError``'s text to the model and withholds any other exception's, so every
anticipated failure goes through :func:`tool_error`. No message carries the API key: the client's
errors never contain it, and these sentences only name the variable.
"""

from mcp.server.mcpserver.exceptions import ToolError

from mcp_server_openrouter.catalog import OfflineModeError, SlowUpstreamError
from mcp_server_openrouter.catalog.offline import LOCAL_SORTS, OfflineUnsupportedError
from mcp_server_openrouter.config import ENV_API_KEY, ENV_OFFLINE
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


def tool_error(exc: OpenRouterError | OfflineUnsupportedError) -> ToolError:
    """The actionable sentence for an anticipated failure."""
    match exc:
        case MissingAPIKeyError():
            text = (
                f"This tool needs an OpenRouter API key: set {ENV_API_KEY} in the MCP server's environment "
                "(create one at https://openrouter.ai/settings/keys). list_models and count_models work without it."
            )
        case AuthenticationError() | PermissionDeniedError():
            text = (
                f"OpenRouter rejected the API key (HTTP {exc.status_code}): check that {ENV_API_KEY} holds a valid, "
                "active key. list_models and count_models work without one."
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
            text = (
                f"{exc.reason or 'OpenRouter is unreachable'}, and {exc.what} needs its live data. Offline, drop it "
                f"(sorts available offline: {', '.join(LOCAL_SORTS)}) and ask again."
            )
            if isinstance(exc.__cause__, SlowUpstreamError):
                text += " Or call again in a few seconds: the fetch from OpenRouter is still under way."
        case _:
            text = str(exc)
    tool_exc = ToolError(text)
    tool_exc.__cause__ = exc
    return tool_exc
