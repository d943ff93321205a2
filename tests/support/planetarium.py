"""A throwaway kind with a small dashboard of its own, for the tools' tests: the
observatory (tests/support/observatory.py) with two datasets and two metrics, so no
test depends on the built-in kinds' figures."""

import contextlib
import dataclasses
from collections.abc import Iterator

from personas.figures import Dataset, Metric, Point, Series, Tab
from personas.registry import Kind, kind_register, kind_unregister
from tests.support.observatory import OBSERVATORY

NAME = "planetarium"


def fees_by_night(persona: dict) -> tuple[Series, ...]:
    points = tuple(Point(night["session"], night["fee"]) for night in persona["nights"])
    return (Series("Fees", points),)


def dues_progress(persona: dict) -> tuple[Series, ...]:
    left = persona["dues_total"] - persona["dues_paid"]
    points = (Point("Paid", persona["dues_paid"]), Point("Left", round(left, 2)))
    return (Series("Dues", points),)


FEES = Dataset(
    name="night_fees",
    title="Fees by night",
    chart_type="bar",
    unit="money",
    series=fees_by_night,
    asks="fee|night",
    chart_types=("line", "pie"),
)
DUES = Dataset(
    name="dues",
    title="Dues this year",
    chart_type="progress",
    unit="money",
    series=dues_progress,
    asks="dues",
)
DUES_PAID = Metric("dues_paid", "Dues paid", "money", lambda p: p["dues_paid"])
NIGHTS_BOOKED = Metric(
    "nights_booked", "Nights booked", "count", lambda p: len(p["nights"])
)

PLANETARIUM = dataclasses.replace(
    OBSERVATORY,
    name=NAME,
    label="Planetarium",
    datasets=(FEES, DUES),
    metrics=(DUES_PAID, NIGHTS_BOOKED),
    tabs=(Tab("Overview", ("dues_paid", "nights_booked", "night_fees")),),
)
# The same customers without a dashboard: no datasets, no metrics.
PLANETARIUM_BARE: Kind = dataclasses.replace(
    PLANETARIUM, name=f"{NAME}_bare", datasets=(), metrics=(), tabs=()
)


@contextlib.contextmanager
def registered(kind: Kind = PLANETARIUM) -> Iterator[Kind]:
    """The kind in the registry for the block's length (so its personas generate)."""
    kind_register(kind)
    try:
        yield kind
    finally:
        kind_unregister(kind.name)
