"""The command line: ``query`` runs one tool through a real client session and prints the result."""

import json
from collections.abc import Iterator

import pytest

from mcp_server_openrouter.__main__ import main

from .fake_upstream import FakeOpenRouter, serve
from .helpers import TOOL_NAMES


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenRouter]:
    upstream = FakeOpenRouter()
    with serve(upstream) as base_url:
        monkeypatch.setenv("OPENROUTER_BASE_URL", base_url)
        monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
        yield upstream


def test_query_prints_the_table_the_model_reads(loopback: FakeOpenRouter, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", "list_models", '{"supported_parameters": ["tools"], "max_price": 1, "limit": 3}'])

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("Models 1-3 of ")
    assert out[0].endswith("UTC.")
    assert len(out) == 5  # head, columns, 3 rows: the legend is in the tool description
    assert dict(loopback.requests[0].url.params) == {"supported_parameters": "tools", "max_price": "1"}


def test_query_json_prints_the_whole_call_tool_result(
    loopback: FakeOpenRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["query", "count_models", '{"output_modalities": ["all"]}', "--json"])

    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["structuredContent"]["count"] == 549
    assert result["content"][0]["type"] == "text"


def test_query_without_network_answers_from_the_snapshot(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1")  # nothing listens on port 9

    code = main(["query", "list_models", '{"limit": 2}'])

    out = capsys.readouterr().out
    assert code == 0
    assert "OFFLINE: bundled catalog snapshot of 2026-08-18" in out


def test_query_tool_error_goes_to_stderr_with_exit_1(
    loopback: FakeOpenRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["query", "list_models_for_user"])

    captured = capsys.readouterr()
    assert code == 1
    assert "OPENROUTER_API_KEY" in captured.err
    assert captured.out == ""
    assert loopback.requests == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "list_models", "{not json"], "not valid JSON"),
        (["query", "list_models", "[1, 2]"], "must be a JSON object"),
        (["query", "list_models", '{"min_price": Infinity}'], "Infinity is not a JSON number"),
        (["query", "list_models", '{"max_price": NaN}'], "NaN is not a JSON number"),
        (["query", "get_model", '{"ids": ' + "[" * 100_000 + "]" * 100_000 + "}"], "not valid JSON"),
    ],
    ids=["not-json", "not-an-object", "infinity", "nan", "deep"],
)
def test_query_rejects_bad_arguments_before_starting(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_environment_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OPENROUTER_TIMEOUT", "soon")

    with pytest.raises(SystemExit) as exit_info:
        main(["query", "count_models"])

    assert exit_info.value.code == 2
    assert "OPENROUTER_TIMEOUT" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["query", "count_models", "{}", "--offline"], ["--offline", "query", "count_models"]], ids=repr
)
def test_server_options_are_taken_before_or_after_the_subcommand(
    loopback: FakeOpenRouter, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(argv)

    assert code == 0
    assert "OFFLINE: bundled catalog snapshot" in capsys.readouterr().out
    assert loopback.requests == []


def test_query_results_option_after_the_subcommand_is_honoured(
    loopback: FakeOpenRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["query", "count_models", "{}", "--results", "structured"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["count"] > 0


def test_an_unknown_tool_is_refused_with_the_closest_names_and_every_tool(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["query", "count_model"])

    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown tool 'count_model'; did you mean count_models" in err
    assert f"Tools: {', '.join(TOOL_NAMES)}." in err


def test_help_gives_every_default_and_every_environment_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])

    text = " ".join(capsys.readouterr().out.split())
    assert "(default: stdio)" in text
    assert "stderr log level (default: WARNING)" in text
    for variable in ("OPENROUTER_ANSWER_TIMEOUT", "OPENROUTER_MCP_RESULTS", "OPENROUTER_CACHE_DIR", "MCP_AUTH_TOKEN"):
        assert variable in text


def test_query_help_lists_the_tools(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["query", "--help"])

    text = " ".join(capsys.readouterr().out.split())
    assert f"Tools: {', '.join(TOOL_NAMES)}." in text
    assert "--offline" in text
