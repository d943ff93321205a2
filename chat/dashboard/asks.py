"""The charts a visitor asks for in words, as the tool calls the offline model makes.

A question asks for a chart when it has a chart word ("chart", "graph", "plot",
"breakdown", "trend", "pie", "visualise", "draw", "show ... as a ...") and names one
of the kind's datasets by its `asks` words. Of the datasets it names, the one named
first wins (then the longer match, then the kind's order), so "graph my savings
balance" charts savings, not the balance beside it. A chart word with no dataset
makes no call: the text answer stands alone. Deterministic, like the offline model.
"""

import json
import re

from chat.llm.base import ToolCall
from personas import Kind
from personas.figures import Dataset

CHART_WORDS = re.compile(
    r"\b(?:chart|graph|plot|break\s*down|trend|pie|visuali[sz]|draw)"
    r"|\bshow\b.*\bas\s+an?\s+\w",
    re.IGNORECASE,
)
# A chart type the visitor names: "pie" alone says it; the others only beside
# "chart"/"graph" or after "as a", so a "line of credit" is no line chart.
CHART_TYPE_WORDS = re.compile(
    r"\b(?P<alone>pie)\b"
    r"|\b(?P<beside>bar|line|area)s?\s+(?:chart|graph)"
    r"|\bas\s+an?\s+(?P<after>bar|line|area)\b",
    re.IGNORECASE,
)
# Where a question's sentences end, to tell a chart request from a question beside it.
SENTENCE_END = re.compile(r"(?<=[.?!;])\s+")
OFFLINE_CALL_ID = "offline-{number}"


def dashboard_calls(question: str, kind: Kind) -> tuple[ToolCall, ...]:
    """The `show_chart` call a chart request makes, or none."""
    if not CHART_WORDS.search(question):
        return ()
    dataset = _dataset_named(question, kind.datasets)
    if dataset is None:
        return ()
    arguments: dict[str, str] = {"dataset": dataset.name}
    chart_type = _chart_type_named(question)
    if chart_type in (dataset.chart_type, *dataset.chart_types):
        arguments["chart_type"] = chart_type
    call_id = OFFLINE_CALL_ID.format(number=1)
    return (ToolCall(call_id, "show_chart", json.dumps(arguments)),)


def chart_requests_removed(question: str) -> str:
    """The question without its sentences that ask for a chart: what else it asks."""
    sentences = SENTENCE_END.split(question.strip())
    return " ".join(s for s in sentences if not CHART_WORDS.search(s))


def _dataset_named(question: str, datasets: tuple[Dataset, ...]) -> Dataset | None:
    """The dataset whose words come first in the question (then the longest)."""
    named = []
    for order, dataset in enumerate(datasets):
        found = dataset.asks and re.search(dataset.asks, question, re.IGNORECASE)
        if found:
            named.append((found.start(), -len(found.group()), order, dataset))
    return min(named, key=lambda entry: entry[:3])[3] if named else None


def _chart_type_named(question: str) -> str | None:
    found = CHART_TYPE_WORDS.search(question)
    if found is None:
        return None
    return next(word for word in found.groupdict().values() if word).lower()
