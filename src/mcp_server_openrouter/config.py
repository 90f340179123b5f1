"""Settings, read once from the environment by the CLI (never at import time)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from .openrouter import DEFAULT_BASE_URL

ENV_API_KEY = "OPENROUTER_API_KEY"
ENV_BASE_URL = "OPENROUTER_BASE_URL"
ENV_TIMEOUT = "OPENROUTER_TIMEOUT"
ENV_CACHE_TTL = "OPENROUTER_CACHE_TTL"

DEFAULT_TIMEOUT = 15.0
DEFAULT_CACHE_TTL = 300.0


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message says which and why."""


def _clean_key(value: str | None) -> SecretStr | None:
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

    api_key: SecretStr | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = DEFAULT_TIMEOUT
    cache_ttl: float = DEFAULT_CACHE_TTL
    """Seconds a live full catalog is reused before it is fetched again."""

    def __repr__(self) -> str:
        key = "set" if self.api_key is not None else "unset"
        return (
            f"Settings(api_key={key}, base_url={self.base_url!r}, timeout={self.timeout}, cache_ttl={self.cache_ttl})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read ``OPENROUTER_*`` variables; raise :class:`SettingsError` naming a bad one."""
        env = os.environ if environ is None else environ
        base_url = (env.get(ENV_BASE_URL) or "").strip() or DEFAULT_BASE_URL
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError(f"{ENV_BASE_URL} must be an http(s) URL, got {base_url!r}")
        return cls(
            api_key=_clean_key(env.get(ENV_API_KEY)),
            base_url=base_url,
            timeout=_seconds(env, ENV_TIMEOUT, DEFAULT_TIMEOUT, low=0, high=300, low_inclusive=False),
            cache_ttl=_seconds(env, ENV_CACHE_TTL, DEFAULT_CACHE_TTL, low=0, high=86_400, low_inclusive=True),
        )


def _seconds(
    env: Mapping[str, str], name: str, default: float, *, low: float, high: float, low_inclusive: bool
) -> float:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {text!r}") from None
    if not (low <= value if low_inclusive else low < value) or value > high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g} seconds, got {text!r}")
    return value
