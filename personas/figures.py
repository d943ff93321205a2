"""The dashboard's figures: what a kind can chart or show as tiles, computed from the
customer alone, so a chart never contradicts the card beside it.

A kind declares its `datasets` (each a chart), its `metrics` (each one figure) and
its default `tabs` (panels named by dataset or metric). The model only picks names;
every number comes from the pure functions here. Results are JSON-ready dicts in the
shape docs/protocol.md gives for `tool_result`.

How the figures read, for whoever draws them:
- Units: "money" is the customer's currency (the result gives its code, "EUR");
  "count" a whole number; "" a value that is text to show as it is (a plan's name,
  a date already written for the customer); any other word ("points", "kWh",
  "visits") is shown after the number. A kind may take the word from the customer
  (a plan's usage unit).
- Parts of a whole (by category, by policy, by status): one point per part, largest
  first; money is summed in whole cents, so the parts add up to the card's total
  exactly.
- Amounts over time (by day, a running balance): points oldest first, each labelled
  with the customer's short date.
- Progress: one series, named for the whole ("Deductible"), of two points: the part
  done ("Met", "Used", "Paid") then the part left ("To go", "Left"). Their sum is the
  whole (the limit); the part left is never below zero. A progress chart may also be
  drawn as a pie or a bar.
- Labels are the words the card uses (a category as the card shows it, a medication's
  name); dates and money are written for the customer whoever computes them.
- `asks` is a regular expression searched, ignoring case and not only as whole
  words ("categor" finds "category"), in a visitor's message to pick the dataset; a
  dataset's own title matches its `asks` and no other dataset's of its kind.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

from personas.formatting import Reader, short_date, written_for

type Persona = dict[str, Any]
# A unit, or how to read it from the customer (a plan's usage unit).
type Unit = str | Callable[[Persona], str]
ChartType = Literal["bar", "line", "pie", "area", "progress"]
CHART_TYPES: tuple[str, ...] = get_args(ChartType)


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
    unit: Unit  # "money", "count", "%", "days", "kWh", ...
    series: Callable[[Persona], tuple[Series, ...]]
    asks: str  # a regex of the words that name it: "spend|spent|categor"
    chart_types: tuple[ChartType, ...] = ()  # others it may be drawn as


@dataclass(frozen=True)
class Metric:
    """One figure a tile shows: a label, a value from a persona, and its unit."""

    name: str  # "checking_balance"
    label: str  # "Checking"
    unit: Unit  # as Dataset.unit
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


def unit_of(unit: Unit, persona: Persona) -> str:
    """The unit as the page shows it: "money" becomes the customer's currency."""
    if callable(unit):
        return unit(persona)
    return persona.get("currency", "USD") if unit == "money" else unit


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
    with written_for(Reader.of(persona)):
        computed = dataset.series(persona)
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
            for series in computed
        ],
    }


def metrics_compute(
    metrics: Sequence[Metric], keys: Sequence[str], persona: Persona
) -> dict:
    """The `show_metrics` result for these keys of this persona, in their order."""
    chosen = [_named(metrics, key, "metric") for key in keys]
    with written_for(Reader.of(persona)):
        values = [metric.value(persona) for metric in chosen]
    return {
        "metrics": [
            {
                "key": metric.name,
                "label": metric.label,
                "value": value,
                "unit": unit_of(metric.unit, persona),
            }
            for metric, value in zip(chosen, values, strict=True)
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


# What the kinds' datasets and metrics are built from.


def to_cents(value: float) -> int:
    """A money figure in hundredths (cents), so sums of parts agree exactly."""
    return round(value * 100)


def single(name: str, points: Iterable[Point]) -> tuple[Series, ...]:
    """A chart of one series."""
    return (Series(name, tuple(points)),)


def parts(amounts: Iterable[tuple[str, float]]) -> tuple[Point, ...]:
    """Money by label, each label's amounts summed in cents, largest first (ties in
    the order first seen)."""
    totals: Counter[str] = Counter()
    for label, amount in amounts:
        totals[label] += to_cents(amount)
    return tuple(Point(label, total / 100) for label, total in totals.most_common())


def tallies(labels: Iterable[str]) -> tuple[Point, ...]:
    """How many of each label, most first (ties in the order first seen)."""
    return tuple(Point(label, n) for label, n in Counter(labels).most_common())


def by_day(rows: Iterable[dict], day: str, amount: str) -> tuple[Point, ...]:
    """Money by date, each day's amounts summed in cents, oldest first, each
    labelled with the customer's short date."""
    totals: Counter[date] = Counter()
    for row in rows:
        totals[date.fromisoformat(str(row[day]))] += to_cents(row[amount])
    return tuple(Point(short_date(when), totals[when] / 100) for when in sorted(totals))


def progress(
    name: str, done: float, whole: float, labels: tuple[str, str]
) -> tuple[Series, ...]:
    """A progress chart: the part done, then what is left of the whole (never below
    zero); whole counts stay whole, money is subtracted in cents."""
    if isinstance(done, int) and isinstance(whole, int):
        left: float = max(whole - done, 0)
    else:
        left = max(to_cents(whole) - to_cents(done), 0) / 100
        done = to_cents(done) / 100
    return single(name, (Point(labels[0], done), Point(labels[1], left)))


def field_metric(name: str, label: str, unit: Unit) -> Metric:
    """A metric showing the persona's field of that name as it is."""
    return Metric(name, label, unit, lambda persona: persona[name])
