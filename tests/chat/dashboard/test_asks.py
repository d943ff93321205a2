"""The offline model's chart calls: a chart word and a dataset's words make one call,
the dataset named first wins, and a chart type is kept only when the dataset allows
it. Written against the throwaway kind's datasets
(tests/support/observatory_charts.py)."""

import json
from collections.abc import Iterator

import pytest

from chat import llm
from chat.dashboard.asks import chart_requests_removed, dashboard_calls
from chat.dashboard.tools import tool_run
from chat.llm.offline import OfflineBackend, reply_text
from personas import (
    Kind,
    generate_persona,
    kind_get,
    kind_register,
    kind_unregister,
)
from tests.support.observatory import NAME, OBSERVATORY
from tests.support.observatory_charts import OBSERVATORY_CHARTED

SEED = 7


@pytest.fixture
def charted() -> Iterator[Kind]:
    kind_register(OBSERVATORY_CHARTED)
    yield OBSERVATORY_CHARTED
    kind_unregister(NAME)


def arguments_of(question: str, kind: Kind = OBSERVATORY_CHARTED) -> list[dict]:
    return [json.loads(call.arguments) for call in dashboard_calls(question, kind)]


@pytest.mark.parametrize(
    ("question", "arguments"),
    [
        ("Chart my fees", {"dataset": "night_fees"}),
        ("show my fees as a pie", {"dataset": "night_fees", "chart_type": "pie"}),
        ("Can you show me a chart of my dues?", {"dataset": "dues"}),
        ("How far am I into my dues? chart it", {"dataset": "dues"}),
        ("graph the seeing for my nights", {"dataset": "night_seeing"}),
        ("plot my nights and the seeing", {"dataset": "night_fees"}),
        ("draw my night sky", {"dataset": "night_seeing"}),  # the longer match
        ("a breakdown of my fees", {"dataset": "night_fees"}),
        ("the trend of my fees", {"dataset": "night_fees"}),
        ("Visualize my fees", {"dataset": "night_fees"}),
        ("fees as a line chart", {"dataset": "night_fees", "chart_type": "line"}),
        (
            "show me the seeing as an area",
            {"dataset": "night_seeing", "chart_type": "area"},
        ),
        ("SHOW MY FEES AS A PIE", {"dataset": "night_fees", "chart_type": "pie"}),
    ],
)
def test_dashboard_calls_chart_the_dataset_a_chart_request_names(question, arguments):
    assert arguments_of(question) == [arguments]


@pytest.mark.parametrize(
    "question",
    [
        "show my dues as a pie",  # a progress chart cannot be a pie
        "the seeing as a bar chart",  # nor a line a bar
    ],
)
def test_dashboard_calls_leave_out_a_chart_type_the_dataset_does_not_allow(question):
    (arguments,) = arguments_of(question)
    assert "chart_type" not in arguments


@pytest.mark.parametrize(
    "question",
    [
        "What are my fees?",  # no chart word
        "chart my telescope",  # no dataset named
        "graph",
        "",
    ],
)
def test_dashboard_calls_make_no_call_without_a_chart_word_and_a_dataset(question):
    assert dashboard_calls(question, OBSERVATORY_CHARTED) == ()


def test_dashboard_calls_make_no_call_for_a_kind_without_datasets():
    assert dashboard_calls("Chart my fees", OBSERVATORY) == ()


def test_dashboard_calls_are_show_chart_calls_that_run(charted):
    persona = generate_persona(NAME, SEED)
    (call,) = dashboard_calls("show my fees as a pie", OBSERVATORY_CHARTED)
    outcome = tool_run(call, kind=OBSERVATORY_CHARTED, persona=persona)
    assert (call.call_id, call.name) == ("offline-1", "show_chart")
    assert outcome.error is None
    assert outcome.result["chart_type"] == "pie"
    fees = [point["value"] for point in outcome.result["series"][0]["points"]]
    assert fees == [night["fee"] for night in persona["nights"]]


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("How much are my dues? Chart them.", "How much are my dues?"),
        ("Chart my fees.", ""),
        ("Draw my fees! And when is my next night?", "And when is my next night?"),
    ],
)
def test_chart_requests_removed_leaves_what_else_the_question_asks(question, rest):
    assert chart_requests_removed(question) == rest


async def offline_pieces(question: str, persona: dict) -> list:
    request = llm.ReplyRequest(
        messages=[{"role": "user", "content": question}],
        persona_kind=NAME,
        persona=persona,
    )
    return [piece async for piece in OfflineBackend().reply_stream(request)]


async def test_offline_chart_request_alone_is_the_call_alone(charted):
    persona = generate_persona(NAME, SEED)
    pieces = await offline_pieces("Can you show me a chart of my fees?", persona)
    assert pieces == list(dashboard_calls("chart my fees", charted))


async def test_offline_chart_request_with_a_question_answers_it_then_calls(charted):
    persona = generate_persona(NAME, SEED)
    pieces = await offline_pieces("How much dues do I owe? Chart them.", persona)
    *texts, call = pieces
    expected = reply_text(
        question="How much dues do I owe?", persona_kind=NAME, persona=persona
    )
    assert "".join(texts) == expected
    assert "dues left to pay" in expected
    assert json.loads(call.arguments) == {"dataset": "dues"}


async def test_offline_question_without_a_chart_is_answered_as_before(charted):
    persona = generate_persona(NAME, SEED)
    pieces = await offline_pieces("How much do I owe in dues?", persona)
    assert all(isinstance(piece, str) for piece in pieces)
    assert "".join(pieces) == reply_text(
        question="How much do I owe in dues?", persona_kind=NAME, persona=persona
    )


@pytest.mark.parametrize(
    ("kind_name", "question", "arguments"),
    [
        (
            "banking",
            "Can you show me a chart of my spending by category?",
            {"dataset": "spending_by_category"},
        ),
        (
            "banking",
            "show my spending as a pie",
            {"dataset": "spending_by_category", "chart_type": "pie"},
        ),
        ("banking", "graph my balance", {"dataset": "balance_trend"}),
        ("banking", "plot money in vs out", {"dataset": "money_in_out"}),
        (
            "healthcare",
            "how far am I into my deductible? chart it",
            {"dataset": "deductible_progress"},
        ),
        ("healthcare", "chart my refills", {"dataset": "refills_by_prescription"}),
        (
            "insurance",
            "a pie of my coverage",
            {"dataset": "coverage_by_policy", "chart_type": "pie"},
        ),
        ("insurance", "graph my claims", {"dataset": "claims_by_status"}),
        ("utilities", "plot my usage", {"dataset": "usage_this_period"}),
    ],
)
def test_dashboard_calls_chart_the_built_in_kinds_datasets(
    kind_name, question, arguments
):
    """The issue's own examples, on the kinds visitors meet first, and every call
    they make computes for a real customer."""
    kind = kind_get(kind_name)
    calls = dashboard_calls(question, kind)
    assert [json.loads(call.arguments) for call in calls] == [arguments]
    outcome = tool_run(calls[0], kind=kind, persona=generate_persona(kind_name, SEED))
    assert outcome.error is None and outcome.result["dataset"] == arguments["dataset"]
