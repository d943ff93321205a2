"""A throwaway kind with a dashboard of its own, for the tab tests: the observatory's
members (tests/support/observatory.py) with a few datasets, metrics and default tabs,
so the tests hold whatever the real kinds' figures become."""

import dataclasses
from collections.abc import Iterator

import pytest

from chat.models import Mode
from chat.services import mode_save
from personas.figures import Dataset, Metric, Point, Series, Tab
from personas.formatting import short_date
from personas.registry import Kind, kind_register, kind_unregister
from tests.support.observatory import OBSERVATORY
from tests.support.stargazing import MODE_FIELDS

NAME = "planetarium"
SLUG = "dome"
# Fits any kind's customer, so a test may move the mode to another kind.
SYSTEM_PROMPT = "You help {{ persona.name }} of {{ mode.company_name }}."
GREETING = "Hello, {{ persona.name }}."


def night_fees(persona: dict) -> tuple[Series, ...]:
    """Each booked night's fee, labelled by its date as the customer writes dates."""
    points = tuple(
        Point(short_date(night["date"]), night["fee"]) for night in persona["nights"]
    )
    return (Series("Fee", points),)


def dues(persona: dict) -> tuple[Series, ...]:
    points = (Point("Paid", persona["dues_paid"]), Point("Due", persona["dues_total"]))
    return (Series("Dues", points),)


PLANETARIUM: Kind = dataclasses.replace(
    OBSERVATORY,
    name=NAME,
    label="Planetarium",
    datasets=(
        Dataset("night_fees", "Fees by night", "bar", "money", night_fees, "fee"),
        Dataset("dues_progress", "Annual dues", "progress", "money", dues, "dues"),
    ),
    metrics=(
        Metric("dues_paid", "Dues paid", "money", lambda p: p["dues_paid"]),
        Metric(
            "dues_left",
            "Dues left",
            "money",
            lambda p: round(p["dues_total"] - p["dues_paid"], 2),
        ),
        Metric("nights_booked", "Nights booked", "count", lambda p: len(p["nights"])),
    ),
    tabs=(
        Tab("Overview", ("dues_paid", "dues_left", "night_fees")),
        Tab("Membership", ("dues_progress", "nights_booked")),
    ),
)
# Datasets, then metrics: what every refusal lists.
PANEL_NAMES = "night_fees, dues_progress, dues_paid, dues_left, nights_booked"


@pytest.fixture
def planetarium() -> Iterator[Kind]:
    """The kind, registered for this test only."""
    kind_register(PLANETARIUM)
    yield PLANETARIUM
    kind_unregister(NAME)


def dome_save(**fields) -> Mode:
    """A mode of the kind, saved as the admin saves one; `fields` override."""
    values = MODE_FIELDS | {
        "slug": SLUG,
        "name": "Dome",
        "aliases": "dome, planetarium",
        "persona_kind": NAME,
        "display_order": 90,  # after the built-in modes: a new visitor lands on those
    }
    return mode_save(
        mode=Mode(**values | fields),
        user=None,
        system_prompt=SYSTEM_PROMPT,
        greeting=GREETING,
    )
