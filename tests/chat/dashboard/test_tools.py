"""chat.dashboard.tools on a throwaway kind (tests/support/planetarium.py): the
schemas a backend sends, and each call checked and run on its own."""

import dataclasses
import json
from collections.abc import Iterator

import pytest

from chat.dashboard.tools import (
    METRICS_MAX,
    TITLE_MAX_CHARS,
    ToolOutcome,
    tool_caption,
    tool_run,
    tool_schemas,
)
from chat.llm import TOOL_ARGUMENTS_MAX_CHARS, ToolCall
from personas.figures import chart_compute, metrics_compute
from personas.registry import generate_persona
from tests.support.planetarium import NAME, PLANETARIUM, PLANETARIUM_BARE, registered


@pytest.fixture
def persona() -> Iterator[dict]:
    with registered():
        yield generate_persona(NAME, 7)


def run(persona: dict, tool: str, arguments: dict | str, kind=PLANETARIUM):
    """`tool_run` of one call, its arguments sent as JSON unless given as text."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return tool_run(ToolCall("call_1", tool, text), kind=kind, persona=persona)


def parameters(kind, tool: str) -> dict:
    [schema] = [s for s in tool_schemas(kind) if s["function"]["name"] == tool]
    assert schema["type"] == "function"
    return schema["function"]["parameters"]


def test_tool_schemas_enumerate_the_kinds_datasets():
    dataset = parameters(PLANETARIUM, "show_chart")["properties"]["dataset"]
    assert dataset["enum"] == ["night_fees", "dues"]


def test_tool_schemas_enumerate_the_kinds_metrics():
    keys = parameters(PLANETARIUM, "show_metrics")["properties"]["keys"]
    assert keys["items"]["enum"] == ["dues_paid", "nights_booked"]
    assert keys["maxItems"] == METRICS_MAX


def test_tool_schemas_refuse_other_fields_and_describe_each_tool():
    for schema in tool_schemas(PLANETARIUM):
        assert schema["function"]["parameters"]["additionalProperties"] is False
        assert schema["function"]["description"]


def test_tool_schemas_kind_without_figures_gets_no_tools():
    assert tool_schemas(PLANETARIUM_BARE) == ()


def test_tool_schemas_kind_without_datasets_gets_no_show_chart():
    tiles_only = dataclasses.replace(PLANETARIUM, name="tiles_only", datasets=())
    assert [s["function"]["name"] for s in tool_schemas(tiles_only)] == ["show_metrics"]


def test_tool_run_valid_chart_is_the_figures_own(persona):
    outcome = run(persona, "show_chart", {"dataset": "night_fees"})
    assert outcome.error is None
    assert outcome.result == chart_compute(PLANETARIUM.datasets, "night_fees", persona)
    assert outcome.result["unit"] == persona["currency"]


def test_tool_run_chart_type_it_allows(persona):
    outcome = run(persona, "show_chart", {"dataset": "night_fees", "chart_type": "pie"})
    assert outcome.result["chart_type"] == "pie"


def test_tool_run_chart_type_it_does_not_allow_lists_those_it_does(persona):
    outcome = run(
        persona, "show_chart", {"dataset": "night_fees", "chart_type": "area"}
    )
    assert outcome.result is None
    assert outcome.error["code"] == "unknown_chart_type"
    assert "bar, line, pie" in outcome.error["message"]


def test_tool_run_metrics_in_the_order_asked(persona):
    keys = ["nights_booked", "dues_paid"]
    outcome = run(persona, "show_metrics", {"keys": keys})
    assert outcome.result == metrics_compute(PLANETARIUM.metrics, keys, persona)
    assert [m["key"] for m in outcome.result["metrics"]] == keys


@pytest.mark.parametrize(
    "tool, arguments, where, names",
    [
        ("show_chart", {"dataset": "moon_phases"}, "dataset", ["night_fees", "dues"]),
        ("show_metrics", {"keys": ["moon"]}, "keys.0", ["dues_paid", "nights_booked"]),
    ],
)
def test_tool_run_unknown_name_lists_the_valid_ones(
    persona, tool, arguments, where, names
):
    outcome = run(persona, tool, arguments)
    assert outcome.error["code"] == "tool_invalid"
    assert outcome.error["message"].startswith(f"{where}:")
    assert all(name in outcome.error["message"] for name in names)
    assert outcome.arguments == arguments


def test_tool_run_unknown_tool_lists_the_kinds_tools(persona):
    outcome = run(persona, "launch_rocket", {})
    assert outcome.error == {
        "code": "tool_unknown",
        "message": "There is no tool 'launch_rocket'; use one of: show_chart, "
        "show_metrics.",
    }


def test_tool_run_tool_the_kind_lacks_is_unknown(persona):
    outcome = run(persona, "show_chart", {"dataset": "dues"}, kind=PLANETARIUM_BARE)
    assert outcome.error["code"] == "tool_unknown"
    assert outcome.error["message"].endswith("use one of: none.")


@pytest.mark.parametrize("text", ['{"dataset": "du', "[1, 2]", "null", "[" * 3_000])
def test_tool_run_arguments_not_a_json_object_are_malformed_and_kept(persona, text):
    outcome = run(persona, "show_chart", text)
    assert outcome.error["code"] == "tool_malformed"
    assert outcome.arguments == text


@pytest.mark.parametrize(
    "tool, arguments, where",
    [
        ("show_chart", {"dataset": "dues", "colour": "red"}, "colour"),
        ("show_chart", {}, "dataset"),
        (
            "show_chart",
            {"dataset": "dues", "title": "x" * (TITLE_MAX_CHARS + 1)},
            "title",
        ),
        ("show_chart", {"dataset": "dues", "chart_type": "radar"}, "chart_type"),
        ("show_metrics", {"keys": []}, "keys"),
        ("show_metrics", {"keys": ["dues_paid"] * (METRICS_MAX + 1)}, "keys"),
        ("show_metrics", {"keys": ["dues_paid"], "extra": 1}, "extra"),
    ],
)
def test_tool_run_invalid_arguments_say_where(persona, tool, arguments, where):
    outcome = run(persona, tool, arguments)
    assert outcome.result is None
    assert outcome.error["code"] == "tool_invalid"
    assert outcome.error["message"].startswith(f"{where}:")


def test_tool_run_title_at_the_limit_is_kept(persona):
    title = "x" * TITLE_MAX_CHARS
    outcome = run(persona, "show_chart", {"dataset": "dues", "title": title})
    assert outcome.result["title"] == title


def test_tool_run_title_is_one_line_of_its_words(persona):
    title = "Your  nights\n under the dome "
    outcome = run(persona, "show_chart", {"dataset": "dues", "title": title})
    assert outcome.result["title"] == "Your nights under the dome"


@pytest.mark.parametrize("title", ["Dues\u202e", "Dues\x00", "Dues\u200b"])
def test_tool_run_title_with_unprintable_characters_is_refused(persona, title):
    outcome = run(persona, "show_chart", {"dataset": "dues", "title": title})
    assert outcome.error["code"] == "tool_invalid"
    assert "printable" in outcome.error["message"]


def test_tool_run_arguments_past_the_limit_are_refused_and_not_kept(persona):
    text = json.dumps({"dataset": "dues", "title": "x" * TOOL_ARGUMENTS_MAX_CHARS})
    outcome = run(persona, "show_chart", text)
    assert outcome.error["code"] == "tool_malformed"
    assert str(TOOL_ARGUMENTS_MAX_CHARS) in outcome.error["message"]
    assert outcome.arguments == ""


def test_tool_outcome_stored_result():
    outcome = ToolOutcome("call_1", "show_chart", {"dataset": "dues"}, result={"a": 1})
    assert outcome.stored() == {
        "call_id": "call_1",
        "tool": "show_chart",
        "arguments": {"dataset": "dues"},
        "result": {"a": 1},
    }


def test_tool_outcome_stored_error(persona):
    outcome = run(persona, "show_chart", '{"dataset"')
    assert outcome.stored() == {
        "call_id": "call_1",
        "tool": "show_chart",
        "arguments": '{"dataset"',
        "error": {
            "code": "tool_malformed",
            "message": "The call's arguments are not a JSON object.",
        },
    }


@pytest.mark.parametrize(
    "title, caption",
    [
        (None, "Here is a chart of your fees by night."),
        ("ATM fees", "Here is a chart of your ATM fees."),
    ],
)
def test_tool_caption_names_the_first_chart_drawn(persona, title, caption):
    failed = run(persona, "show_chart", {"dataset": "moon"})
    drawn = run(persona, "show_chart", {"dataset": "night_fees", "title": title})
    assert tool_caption([failed, drawn]) == caption


def test_tool_caption_for_metrics(persona):
    outcome = run(persona, "show_metrics", {"keys": ["dues_paid"]})
    assert tool_caption([outcome]) == "Here are the figures you asked for."


def test_tool_caption_when_nothing_was_drawn(persona):
    assert tool_caption([run(persona, "launch_rocket", {})]) == (
        "I couldn't draw that here."
    )
