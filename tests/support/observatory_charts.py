"""The throwaway kind (tests/support/observatory.py) with a dashboard of its own: the
charts and tiles the dashboard tests draw, whatever the built-in kinds come to hold.

Its datasets' `asks` overlap on purpose ("night" in two), so the tests can tell which
one a question names.
"""

import dataclasses

from personas.figures import Dataset, Metric, Point, Series, Tab
from tests.support.observatory import OBSERVATORY


def fees_by_night(persona: dict) -> tuple[Series, ...]:
    points = tuple(Point(night["date"], night["fee"]) for night in persona["nights"])
    return (Series("Fees", points),)


def seeing_by_night(persona: dict) -> tuple[Series, ...]:
    clear = {"clear": 2, "hazy": 1, "cloudy": 0}
    points = tuple(
        Point(night["date"], clear[night["seeing"]]) for night in persona["nights"]
    )
    return (Series("Seeing", points),)


def dues_paid(persona: dict) -> tuple[Series, ...]:
    paid = Point("Paid", persona["dues_paid"])
    left = Point("Left", persona["dues_total"] - persona["dues_paid"])
    return (Series("Dues", (paid, left)),)


NIGHT_FEES = Dataset(
    name="night_fees",
    title="Fees by night",
    chart_type="bar",
    unit="money",
    series=fees_by_night,
    asks=r"\bfees?\b|\bnights?\b",
    chart_types=("pie", "line"),
)
NIGHT_SEEING = Dataset(
    name="night_seeing",
    title="Seeing by night",
    chart_type="line",
    unit="count",
    series=seeing_by_night,
    asks=r"\bseeing\b|\bnight sky\b",
    chart_types=("area",),
)
DUES = Dataset(
    name="dues",
    title="Annual dues",
    chart_type="progress",
    unit="money",
    series=dues_paid,
    asks=r"\bdues\b",
)
DUES_PAID = Metric("dues_paid", "Dues paid", "money", lambda p: p["dues_paid"])

OBSERVATORY_CHARTED = dataclasses.replace(
    OBSERVATORY,
    datasets=(NIGHT_FEES, NIGHT_SEEING, DUES),
    metrics=(DUES_PAID,),
    tabs=(Tab("Nights", ("night_fees", "dues_paid")),),
)
