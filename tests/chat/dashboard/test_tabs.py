from datetime import date

import pytest

from chat.dashboard.tabs import (
    TAB_PANELS_MAX,
    TAB_TITLE_MAX,
    TABS_MAX,
    TabProblem,
    dashboard_payload,
    mode_tabs,
    tabs_dump,
    tabs_problems,
)
from chat.generation.building import mode_build
from chat.generation.drafts import ModeDraft
from chat.models import Mode
from personas.figures import Tab, tabs_compute
from personas.formatting import short_date
from personas.registry import generate_persona, kind_get, kind_names
from tests.chat.dashboard.planetarium import (  # noqa: F401  (a fixture)
    NAME,
    PANEL_NAMES,
    PLANETARIUM,
    planetarium,
)

pytestmark = pytest.mark.usefixtures("planetarium")

AS_OF = date(2026, 3, 4)
OWN = (Tab("Fees", ("night_fees",)), Tab("Figures", ("nights_booked", "dues_left")))


def dome(**fields) -> Mode:
    return Mode(slug="dome", persona_kind=NAME, **fields)


def persona(locale: str = "en_US") -> dict:
    return generate_persona(NAME, 3, as_of=AS_OF, locale=locale)


def test_mode_tabs_are_the_kinds_defaults_when_the_mode_has_none():
    assert mode_tabs(dome(dashboard_tabs=[])) == PLANETARIUM.tabs


def test_mode_tabs_are_the_modes_own_when_it_has_them():
    assert mode_tabs(dome(dashboard_tabs=tabs_dump(OWN))) == OWN


def test_mode_tabs_that_no_longer_fit_the_kind_give_way_to_its_defaults(caplog):
    stale = [{"title": "Old", "panels": ["night_fees", "telescope_hours"]}]

    assert mode_tabs(dome(dashboard_tabs=stale)) == PLANETARIUM.tabs
    assert "telescope_hours" in caplog.text


@pytest.mark.parametrize(
    ("tabs", "expected"),
    [
        (
            [Tab("Fees", ("night_fee",))],
            [
                TabProblem(
                    0,
                    "Planetarium has no dataset or metric “night_fee”; use one of: "
                    f"{PANEL_NAMES}.",
                )
            ],
        ),
        (
            [Tab("Empty", ())],
            [
                TabProblem(
                    0, f"the tab has no panels: name at least one of {PANEL_NAMES}."
                )
            ],
        ),
        (
            [Tab("Fees", ("night_fees",)), Tab("fees", ("dues_paid",))],
            [
                TabProblem(
                    1,
                    "“fees” is already the title of an earlier tab: give each tab its "
                    "own.",
                )
            ],
        ),
        (
            [Tab(f"Tab {n}", ("dues_paid",)) for n in range(TABS_MAX + 1)],
            [
                TabProblem(
                    None,
                    f"A dashboard holds at most {TABS_MAX} tabs; this one has "
                    f"{TABS_MAX + 1}: remove 1.",
                )
            ],
        ),
        (
            [Tab("Many", ("dues_paid",) * (TAB_PANELS_MAX + 1))],
            [
                TabProblem(
                    0,
                    f"a tab holds at most {TAB_PANELS_MAX} panels; this one has "
                    f"{TAB_PANELS_MAX + 1}: move some to another tab.",
                ),
                TabProblem(0, "list each panel once: dues_paid is listed twice."),
            ],
        ),
        (
            [Tab("T" * (TAB_TITLE_MAX + 1), ("dues_paid",))],
            [
                TabProblem(
                    0,
                    f"the title is longer than {TAB_TITLE_MAX} characters: shorten it.",
                )
            ],
        ),
        (
            [Tab(" ", ("dues_paid",))],
            [TabProblem(0, "the tab has no title: write one before the “:”.")],
        ),
        (list(OWN), []),
    ],
)
def test_tabs_problems_say_what_to_fix(tabs, expected):
    assert tabs_problems(PLANETARIUM, tabs) == expected


@pytest.mark.parametrize("name", kind_names())
def test_every_registered_kinds_default_tabs_fit_it(name):
    kind = kind_get(name)

    assert tabs_problems(kind, kind.tabs) == []


def test_dashboard_payload_computes_each_tab_for_the_customer():
    customer = persona()

    dashboard = dashboard_payload(dome(dashboard_tabs=[]), customer)

    overview, membership = dashboard["tabs"]
    assert [overview["title"], membership["title"]] == ["Overview", "Membership"]
    tiles, chart = overview["panels"]
    assert (tiles["tool"], chart["tool"]) == ("show_metrics", "show_chart")
    assert [m["value"] for m in tiles["result"]["metrics"]] == [
        customer["dues_paid"],
        round(customer["dues_total"] - customer["dues_paid"], 2),
    ]
    assert chart["result"]["unit"] == customer["currency"]
    assert [p["value"] for p in chart["result"]["series"][0]["points"]] == [
        night["fee"] for night in customer["nights"]
    ]
    assert [panel["tool"] for panel in membership["panels"]] == [
        "show_chart",
        "show_metrics",
    ]


def test_dashboard_payload_follows_the_modes_own_tabs():
    customer = persona()

    dashboard = dashboard_payload(dome(dashboard_tabs=tabs_dump(OWN)), customer)

    assert dashboard == {
        "tabs": tabs_compute(PLANETARIUM.datasets, PLANETARIUM.metrics, OWN, customer)
    }


def test_dashboard_payload_is_written_for_the_customer_as_the_card_is():
    customer = persona("de_DE")

    dashboard = dashboard_payload(dome(dashboard_tabs=tabs_dump(OWN)), customer)

    points = dashboard["tabs"][0]["panels"][0]["result"]["series"][0]["points"]
    nights = customer["nights"]
    assert [p["label"] for p in points] == [
        short_date(night["date"], locale="de_DE") for night in nights
    ]
    assert points[0]["label"] != short_date(nights[0]["date"], locale="en_US")


def test_generated_mode_shows_its_archetype_kinds_tabs():
    draft = ModeDraft(
        industry="science centre",
        persona_kind=NAME,
        name="Science Centre",
        slug="science-centre",
        company_name="Orbit Science Centre",
        tagline="",
        aliases=("science centre",),
        primary_color="#1d2b53",
        secondary_color="#f4c542",
        background_color="#f3f4f8",
        surface_color="#ffffff",
        text_color="#141a2e",
        catalogue=(),
        generator="offline",
    )

    mode = mode_build(draft).mode

    assert mode.dashboard_tabs == []
    assert mode_tabs(mode) == PLANETARIUM.tabs
