"""Settings from the environment: defaults, validation, and a key that never prints."""

import pytest

from mcp_server_openrouter.config import DEFAULT_TIMEOUT, Settings, SettingsError
from mcp_server_openrouter.openrouter import DEFAULT_BASE_URL


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_env({})

    assert settings.api_key is None
    assert settings.base_url == DEFAULT_BASE_URL == "https://openrouter.ai/api/v1"
    assert settings.timeout == DEFAULT_TIMEOUT


def test_variables_are_read_and_trimmed() -> None:
    settings = Settings.from_env(
        {
            "OPENROUTER_API_KEY": "  sk-or-abc  ",
            "OPENROUTER_BASE_URL": "http://127.0.0.1:8080/api/v1 ",
            "OPENROUTER_TIMEOUT": "2.5",
        }
    )

    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "sk-or-abc"
    assert settings.base_url == "http://127.0.0.1:8080/api/v1"
    assert settings.timeout == 2.5


@pytest.mark.parametrize("value", ["", "   ", "${user_config.api_key}"])
def test_blank_key_and_unexpanded_bundle_placeholder_mean_no_key(value: str) -> None:
    assert Settings.from_env({"OPENROUTER_API_KEY": value}).api_key is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OPENROUTER_BASE_URL", "openrouter.ai/api/v1"),
        ("OPENROUTER_TIMEOUT", "fast"),
        ("OPENROUTER_TIMEOUT", "0"),
        ("OPENROUTER_TIMEOUT", "1000"),
        ("OPENROUTER_TOTAL_TIMEOUT", "-1"),
        ("OPENROUTER_CACHE_TTL", "forever"),
        ("OPENROUTER_CACHE_TTL", "-5"),
        ("OPENROUTER_OFFLINE", "maybe"),
    ],
)
def test_unusable_values_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_repr_never_shows_the_key() -> None:
    settings = Settings.from_env({"OPENROUTER_API_KEY": "sk-or-v1-secret-canary"})

    assert "secret-canary" not in repr(settings)
    assert "api_key=SecretStr('**********')" in repr(settings)


def test_cache_and_bound_settings_are_read() -> None:
    settings = Settings.from_env(
        {
            "OPENROUTER_CACHE_TTL": "0",
            "OPENROUTER_TOTAL_TIMEOUT": "12.5",
            "OPENROUTER_ANSWER_TIMEOUT": "2",
            "OPENROUTER_CACHE_DIR": "~/somewhere",
            "OPENROUTER_OFFLINE": "true",
        }
    )

    assert settings.cache_ttl == 0
    assert settings.total_timeout == 12.5
    assert settings.answer_timeout == 2
    assert settings.cache_dir is not None
    assert settings.cache_dir.name == "somewhere"
    assert "~" not in str(settings.cache_dir)
    assert settings.offline is True


@pytest.mark.parametrize(
    ("variable", "edge_refused", "edge_taken", "bound"),
    [
        ("OPENROUTER_TIMEOUT", "0", "300", "more than 0 and at most 300 seconds"),
        ("OPENROUTER_TOTAL_TIMEOUT", "0", "600", "more than 0 and at most 600 seconds"),
        ("OPENROUTER_ANSWER_TIMEOUT", "0", "600", "more than 0 and at most 600 seconds"),
        ("OPENROUTER_CACHE_TTL", "-0.5", "0", "from 0 to 86400 seconds"),
    ],
)
def test_a_bound_message_says_exactly_which_values_are_taken(
    variable: str, edge_refused: str, edge_taken: str, bound: str
) -> None:
    Settings.from_env({variable: edge_taken})  # the edge the message calls allowed is allowed
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({variable: edge_refused})

    assert str(refused.value) == f"{variable} must be {bound}, got {edge_refused!r}"
