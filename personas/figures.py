"""The dashboard's figures: what a kind can chart or show as tiles, computed from the
customer alone, so a chart never contradicts the card beside it.

A kind declares its `datasets` (each a chart), its `metrics` (each one figure) and
its default `tabs` (panels named by dataset or metric). The model only picks names;
every number comes from the pure functions here. Results are JSON-ready dicts in the
shape docs/protocol.md gives for `tool_result`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

type Persona = dict[str, Any]
ChartType = Literal["bar", "line", "pie", "area", "progress"]
CHART_TYPES: tuple[str, ...] = get_args(ChartType)
# Charts whose points are parts of one whole (sum to a total shown elsewhere).
PART_CHARTS = frozenset({"bar", "pie"})


@dataclass(frozen=True)
class Point:
    label: str
    value: float


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Dataset:
    """One chart a kind can draw: its name (the tool's enumeration), its title, its
    unit ("money" is the customer's currency), and the series from a persona."""

    name: str  # "spending_by_category"
    title: str  # "Spending by category"
    chart_type: ChartType  # the default; a request may ask for another it allows
    unit: str  # "money", "%", "days", "count", ...
    series: Callable[[Persona], tuple[Series, ...]]
    asks: str  # a regex of the words that name it: "spend|spent|categor"
    chart_types: tuple[ChartType, ...] = ()  # others it may be drawn as


@dataclass(frozen=True)
class Metric:
    """One figure a tile shows: a label, a value from a persona, and its unit."""

    name: str  # "checking_balance"
    label: str  # "Checking"
    unit: str  # as Dataset.unit
    value: Callable[[Persona], float | int | str]


@dataclass(frozen=True)
class Tab:
    """A dashboard tab: a title and its panels, each a dataset's or a metric's name."""

    title: str
    panels: tuple[str, ...]


class FigureError(ValueError):
    """A name or option the kind does not offer; the message lists what it does."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def unit_of(unit: str, persona: Persona) -> str:
    """The unit as the page shows it: "money" becomes the customer's currency."""
    return persona.get("currency", "USD") if unit == "money" else unit


def cents(value: float) -> float:
    """A money figure rounded to the cent, as the card shows it."""
    return round(value + 0.0, 2)


def chart_compute(
    datasets: Sequence[Dataset],
    name: str,
    persona: Persona,
    *,
    chart_type: str | None = None,
    title: str | None = None,
) -> dict:
    """The `show_chart` result for dataset `name` of this persona."""
    dataset = _named(datasets, name, "dataset")
    if chart_type is not None and chart_type != dataset.chart_type:
        if chart_type not in dataset.chart_types:
            allowed = ", ".join((dataset.chart_type, *dataset.chart_types))
            raise FigureError(
                "unknown_chart_type",
                f"{dataset.title} can be drawn as {allowed}, not {chart_type!r}.",
            )
    return {
        "dataset": dataset.name,
        "chart_type": chart_type or dataset.chart_type,
        "title": title or dataset.title,
        "unit": unit_of(dataset.unit, persona),
        "series": [
            {
                "name": series.name,
                "points": [
                    {"label": point.label, "value": point.value}
                    for point in series.points
                ],
            }
            for series in dataset.series(persona)
        ],
    }


def metrics_compute(
    metrics: Sequence[Metric], keys: Sequence[str], persona: Persona
) -> dict:
    """The `show_metrics` result for these keys of this persona, in their order."""
    chosen = [_named(metrics, key, "metric") for key in keys]
    return {
        "metrics": [
            {
                "key": metric.name,
                "label": metric.label,
                "value": metric.value(persona),
                "unit": unit_of(metric.unit, persona),
            }
            for metric in chosen
        ]
    }


def _named[T: (Dataset, Metric)](items: Sequence[T], name: str, what: str) -> T:
    for item in items:
        if item.name == name:
            return item
    known = ", ".join(item.name for item in items) or "none"
    raise FigureError(
        f"unknown_{what}", f"There is no {what} {name[:60]!r}; use one of: {known}."
    )


def panel_names(datasets: Sequence[Dataset], metrics: Sequence[Metric]) -> list[str]:
    """Every name a tab's panel may use: the datasets', then the metrics'."""
    return [item.name for item in (*datasets, *metrics)]


def tabs_compute(
    datasets: Sequence[Dataset],
    metrics: Sequence[Metric],
    tabs: Sequence[Tab],
    persona: Persona,
) -> list[dict]:
    """Each tab with its panels computed: a dataset's chart, or the tiles of a run
    of consecutive metrics (one `show_metrics` panel)."""
    metric_names = {metric.name for metric in metrics}
    computed = []
    for tab in tabs:
        panels: list[dict] = []
        run: list[str] = []
        for name in (*tab.panels, None):
            if name in metric_names:
                run.append(name)
                continue
            if run:
                result = metrics_compute(metrics, run, persona)
                panels.append({"tool": "show_metrics", "result": result})
                run = []
            if name is not None:
                result = chart_compute(datasets, name, persona)
                panels.append({"tool": "show_chart", "result": result})
        computed.append({"title": tab.title, "panels": panels})
    return computed
