"""Settings, read once from the environment by the CLI (never at import time)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from .openrouter import DEFAULT_BASE_URL

ENV_API_KEY = "OPENROUTER_API_KEY"
ENV_BASE_URL = "OPENROUTER_BASE_URL"
ENV_TIMEOUT = "OPENROUTER_TIMEOUT"

DEFAULT_TIMEOUT = 15.0


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

    def __repr__(self) -> str:
        key = "set" if self.api_key is not None else "unset"
        return f"Settings(api_key={key}, base_url={self.base_url!r}, timeout={self.timeout})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read ``OPENROUTER_*`` variables; raise :class:`SettingsError` naming a bad one."""
        env = os.environ if environ is None else environ
        base_url = (env.get(ENV_BASE_URL) or "").strip() or DEFAULT_BASE_URL
        if not base_url.startswith(("http://", "https://")):
            raise SettingsError(f"{ENV_BASE_URL} must be an http(s) URL, got {base_url!r}")
        timeout_text = (env.get(ENV_TIMEOUT) or "").strip()
        timeout = DEFAULT_TIMEOUT
        if timeout_text:
            try:
                timeout = float(timeout_text)
            except ValueError:
                raise SettingsError(f"{ENV_TIMEOUT} must be a number of seconds, got {timeout_text!r}") from None
            if not 0 < timeout <= 300:
                raise SettingsError(f"{ENV_TIMEOUT} must be between 0 and 300 seconds, got {timeout_text!r}")
        return cls(api_key=_clean_key(env.get(ENV_API_KEY)), base_url=base_url, timeout=timeout)
