"""Settings, read once from the environment by the CLI (never at import time)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast, get_args

from pydantic import SecretStr

from .openrouter import DEFAULT_BASE_URL

ENV_API_KEY = "OPENROUTER_API_KEY"
ENV_BASE_URL = "OPENROUTER_BASE_URL"
ENV_TIMEOUT = "OPENROUTER_TIMEOUT"
ENV_CACHE_TTL = "OPENROUTER_CACHE_TTL"
ENV_CACHE_DIR = "OPENROUTER_CACHE_DIR"
ENV_TOTAL_TIMEOUT = "OPENROUTER_TOTAL_TIMEOUT"
ENV_ANSWER_TIMEOUT = "OPENROUTER_ANSWER_TIMEOUT"
ENV_OFFLINE = "OPENROUTER_OFFLINE"
ENV_RESULTS = "OPENROUTER_MCP_RESULTS"
ENV_KEYS = "OPENROUTER_MCP_KEYS"
BUNDLE_KEY_SETTING = "OpenRouter API key"
"""The title of the key's setting in the MCP Bundle (``manifest.json``), where bundle users set it."""

Results = Literal["both", "text", "structured"]
"""Which channels a tool result carries; see :attr:`Settings.results`."""
Keys = Literal["server", "per-request"]
"""Whose OpenRouter key a request uses; see :attr:`Settings.keys`."""

DEFAULT_TIMEOUT = 10.0
DEFAULT_TOTAL_TIMEOUT = 30.0
DEFAULT_ANSWER_TIMEOUT = 5.0
DEFAULT_CACHE_TTL = 300.0
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message says which and why."""


def secret(value: str | None) -> SecretStr | None:
    """A key or token from the environment or the command line, or ``None`` when it is blank."""
    if value is None:
        return None
    value = value.strip()
    # An MCP Bundle's optional user_config left blank arrives as the unexpanded placeholder.
    if not value or (value.startswith("${") and value.endswith("}")):
        return None
    return SecretStr(value)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server is configured with. The API key is a ``SecretStr``: it never prints."""

    api_key: SecretStr | None = None
    base_url: str = DEFAULT_BASE_URL
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one upstream request may wait for the upstream (connecting: 5 s)."""
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT
    """Seconds one upstream fetch may take with its retries (it runs in the background)."""
    answer_timeout: float = DEFAULT_ANSWER_TIMEOUT
    """Seconds a call waits for OpenRouter; past it, offline data answers while the fetch goes on."""
    cache_ttl: float = DEFAULT_CACHE_TTL
    """Seconds an upstream answer is reused before it is fetched again."""
    cache_dir: Path | None = None
    """Where the last good full catalog is saved; ``None`` = the platform's user cache dir."""
    offline: bool = False
    """Never touch the network: answer from the cache, the saved catalog or the snapshot."""
    results: Results = "both"
    """Channels of a tool result: ``both`` (text and structuredContent, as the spec's SHOULD asks),
    ``text`` (no structuredContent, no outputSchema) or ``structured`` (empty text). Each channel
    is complete on its own; one channel halves the tokens for clients that forward both."""
    keys: Keys = "server"
    """``server``: a request uses the key it brought (HTTP: ``X-OpenRouter-API-Key``), else the
    server's ``api_key``. ``per-request`` (a team deployment): only the key it brought; the server
    has none of its own (see :mod:`.catalog.keys`)."""

    def __post_init__(self) -> None:
        if self.keys == "per-request" and self.api_key is not None:
            raise SettingsError(
                f"{ENV_KEYS}=per-request: every request brings its own OpenRouter key, so the server may "
                f"have none of its own: unset {ENV_API_KEY}"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read ``OPENROUTER_*`` variables; raise :class:`SettingsError` naming a bad one."""
        env = os.environ if environ is None else environ
        base_url = (env.get(ENV_BASE_URL) or "").strip() or DEFAULT_BASE_URL
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError(f"{ENV_BASE_URL} must be an http(s) URL, got {base_url!r}")
        offline_text = (env.get(ENV_OFFLINE) or "").strip().lower()
        if offline_text not in _TRUE | _FALSE:
            raise SettingsError(f"{ENV_OFFLINE} must be 1/true/yes or 0/false/no, got {offline_text!r}")
        cache_dir = (env.get(ENV_CACHE_DIR) or "").strip()
        results = (env.get(ENV_RESULTS) or "").strip().lower() or "both"
        if results not in get_args(Results):
            raise SettingsError(f"{ENV_RESULTS} must be both, text or structured, got {results[:40]!r}")
        keys = (env.get(ENV_KEYS) or "").strip().lower() or "server"
        if keys not in get_args(Keys):
            raise SettingsError(f"{ENV_KEYS} must be server or per-request, got {keys[:40]!r}")
        return cls(
            api_key=secret(env.get(ENV_API_KEY)),
            base_url=base_url,
            timeout=seconds(env, ENV_TIMEOUT, DEFAULT_TIMEOUT, low=0, high=300, low_inclusive=False),
            total_timeout=seconds(env, ENV_TOTAL_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, low=0, high=600, low_inclusive=False),
            answer_timeout=seconds(
                env, ENV_ANSWER_TIMEOUT, DEFAULT_ANSWER_TIMEOUT, low=0, high=600, low_inclusive=False
            ),
            cache_ttl=seconds(env, ENV_CACHE_TTL, DEFAULT_CACHE_TTL, low=0, high=86_400, low_inclusive=True),
            cache_dir=Path(cache_dir).expanduser() if cache_dir else None,
            offline=offline_text in _TRUE,
            results=cast(Results, results),
            keys=cast(Keys, keys),
        )


def seconds(
    env: Mapping[str, str], name: str, default: float, *, low: float, high: float, low_inclusive: bool
) -> float:
    """The seconds in ``env[name]`` (``default`` when unset or blank), within the bounds; else a
    :class:`SettingsError` naming the variable, the bounds and (the first 40 characters of) the value."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {text[:40]!r}") from None
    if not (low <= value if low_inclusive else low < value) or value > high:
        bound = f"from {low:g} to {high:g}" if low_inclusive else f"more than {low:g} and at most {high:g}"
        raise SettingsError(f"{name} must be {bound} seconds, got {text[:40]!r}")
    return value
