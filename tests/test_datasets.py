"""Parsing OpenRouter's datasets: the spec's shapes, and drift that must not sink an answer."""

from typing import Any

import pytest

from mcp_server_openrouter.openrouter.datasets import (
    RankingsQuery,
    parse_benchmarks,
    parse_rankings,
    parse_task_shares,
)

from .fake_upstream import SEARCH_BENCHMARKS, FakeOpenRouter


@pytest.mark.parametrize("parse", [parse_rankings, parse_benchmarks, parse_task_shares])
@pytest.mark.parametrize("body", [[], "x", None, {"data": "nope"}, {}])
def test_an_unusable_envelope_is_an_error(parse: Any, body: Any) -> None:
    with pytest.raises(ValueError, match=r"expected a JSON object|no 'data'"):
        parse(body)


def test_benchmarks_keep_openrouters_evals_and_the_indices_in_percent() -> None:
    body = FakeOpenRouter().benchmarks()

    parsed = parse_benchmarks(body)

    assert parsed.as_of == "2026-11-30T02:00:00Z"
    assert parsed.search_benchmarks() == SEARCH_BENCHMARKS
    assert parsed.raw is body
    for item in body["data"]:
        slug = item["model_permaslug"]
        if item["source"] == "artificial-analysis":
            assert parsed.scores[slug]["intelligence"].score == item["intelligence_index"]
            assert "agentic" not in parsed.scores[slug]  # null in the body: unknown, not 0
        elif item["source"] == "openrouter" and slug != "x/y":
            value = item.get("primary_score", item.get("accuracy"))
            assert parsed.scores[slug][item["benchmark_type"]].score == pytest.approx(100 * value)
            assert parsed.scores[slug][item["benchmark_type"]].cost_per_task == item["avg_cost_per_task"]
    assert "x/y" not in parsed.scores  # an accuracy of 7 is no fraction; Design Arena and unknown sources are left out
    own = parsed.own(body["data"][0]["model_permaslug"])
    assert [s.benchmark for s in own] == ["gpqa_diamond", *SEARCH_BENCHMARKS]


def test_task_shares_skip_what_is_malformed_and_sort_by_requests() -> None:
    body: dict[str, Any] = {
        "data": {
            "as_of": "2026-11-29",
            "window_days": "seven",
            "classifications": [
                {"tag": "a:small", "display_name": "", "usage_share": 0.1, "models": "none"},
                {
                    "tag": "b:big",
                    "usage_share": 0.6,
                    "token_share": 1.5,
                    "models": [
                        {"id": "m/one", "tag_usage_share": 0.2},
                        {"id": "m/two", "tag_usage_share": 0.7, "tag_token_share": 0.5},
                        {"id": "", "tag_usage_share": 0.1},
                        {"id": "m/three", "tag_usage_share": True},
                    ],
                },
                {"tag": "c:bad", "usage_share": -1},
                "junk",
            ],
            "macro_categories": [{"key": "b", "usage_share": 0.6}, {"key": 3, "usage_share": 0.1}],
        }
    }

    parsed = parse_task_shares(body)

    assert [t.tag for t in parsed.tasks] == ["b:big", "a:small"]
    big, small = parsed.tasks
    assert big.name == "b:big"  # no display name: the tag
    assert big.token_share is None  # 1.5 is no share
    assert [(m.permaslug, m.usage_share, m.token_share) for m in big.models] == [
        ("m/two", 0.7, 0.5),
        ("m/one", 0.2, None),
    ]
    assert small.models == []
    assert parsed.macro == {"b": 0.6}
    assert parsed.window_days == 7  # not a number: the only window the spec has
    assert parsed.as_of == "2026-11-29"


def test_rankings_file_their_saved_copy_under_the_slices_not_the_dates() -> None:
    week = RankingsQuery(period="week", start_date="2026-11-11", modality="text")
    later = RankingsQuery(period="week", start_date="2026-11-12", modality="text")

    assert week.slices() == later.slices() == "rankings modality=text period=week"
    assert week != later


def test_token_counts_in_other_digits_are_junk() -> None:
    from mcp_server_openrouter.openrouter.datasets import _tokens

    assert _tokens("¹²") is None
    assert _tokens(" 42 ") == 42
