"""What every archetype kind promises: a schema-valid, JSON-ready persona that draws
each section from its own stream, renders its card, and answers its example question
with its exact figures. Golden files and sameness across processes are checked for
every kind in test_generators_determinism.py."""

import json
import random

import pytest
from hypothesis import given

from personas import sampling
from personas.card import Meters, Table, card_render
from personas.formatting import Reader, long_date, money, written_for
from personas.registry import generate_persona, kind_get, kind_names
from tests.personas.archetypes import (
    AS_OF,
    days,
    kind_answer,
    locales,
    many,
    seeds,
    without,
)

KINDS = ("utilities", "appointments", "education")
# The fields each section's stream decides.
UTILITIES_BILLING = {"bills", "balance_due"}
BOOKINGS = {"upcoming_bookings", "deposits_paid"}
VISITS = {"past_visits", "balance_owed", "total_paid"}
TUITION_PAID = {"payments", "tuition_paid", "tuition_balance"}
SECTIONS = [
    ("utilities", "identity", {"name"}),
    (
        "utilities",
        "account",
        {"account_number", "customer_since", "service_town", "autopay"}
        | UTILITIES_BILLING,
    ),
    (
        "utilities",
        "plan",
        {"plan_name", "plan_price", "usage_unit", "usage_allowance", "usage_used"}
        | UTILITIES_BILLING,
    ),
    (
        "utilities",
        "period",
        {"period_start", "period_end", "next_bill_date"} | UTILITIES_BILLING,
    ),
    ("utilities", "usage", {"usage_allowance", "usage_used"}),
    ("utilities", "bills", UTILITIES_BILLING),
    ("appointments", "client", {"client_id", "client_since"} | VISITS),
    ("appointments", "staff", BOOKINGS | VISITS),
    ("appointments", "locations", BOOKINGS | VISITS),
    ("appointments", "bookings", BOOKINGS),
    ("appointments", "visits", VISITS),
    ("education", "student", {"student_id", "enrolled_since"} | TUITION_PAID),
    (
        "education",
        "enrolments",
        {
            "enrolments",
            "enrolled_since",
            "tuition_fees",
            "current_lessons_completed",
            "current_lessons_total",
        }
        | TUITION_PAID,
    ),
    ("education", "payments", TUITION_PAID),
]
# The figure each kind's example question must be answered with.
EXAMPLE_FIGURES = {
    "utilities": lambda p: money(p["balance_due"]),
    "appointments": lambda p: (
        long_date(p["upcoming_bookings"][0]["date"])
        if p["upcoming_bookings"]
        else "no upcoming appointments"
    ),
    "education": lambda p: money(p["tuition_balance"]),
}


def test_kind_names_include_the_archetypes():
    assert set(KINDS) <= set(kind_names())


@pytest.mark.parametrize("kind", KINDS)
def test_kind_catalogue_is_believable(kind):
    catalogue = kind_get(kind).catalogue
    assert 12 <= len(catalogue) <= 20
    assert len({item.name.casefold() for item in catalogue}) == len(catalogue)
    assert all(0 < item.low <= item.high for item in catalogue)


@pytest.mark.parametrize("kind", KINDS)
def test_kind_copy_is_filled_in(kind):
    chosen = kind_get(kind)
    for text in (chosen.label, chosen.fits, chosen.topics, chosen.example):
        assert text.strip()
    assert chosen.hero.strip() and chosen.chat_subtitle.strip()


def greedy_for(section: str):
    """section_rng, changed to draw once more for one section before handing it out."""
    original = sampling.section_rng

    def section_rng(seed: int, name: str) -> random.Random:
        rng = original(seed, name)
        if name == section:
            rng.random()
        return rng

    return section_rng


@pytest.mark.parametrize(("kind", "section", "fields"), SECTIONS)
def test_generate_persona_sections_draw_independently(
    monkeypatch, kind, section, fields
):
    """Extra draws in one section change that section's fields only."""
    before = [generate_persona(kind, seed, as_of=AS_OF) for seed in range(30)]
    monkeypatch.setattr(sampling, "section_rng", greedy_for(section))
    after = [generate_persona(kind, seed, as_of=AS_OF) for seed in range(30)]
    assert [without(p, fields) for p in after] == [without(p, fields) for p in before]
    assert after != before, "the patch should have changed the section"


@pytest.mark.parametrize("kind", KINDS)
@many
@given(seed=seeds, as_of=days, locale=locales)
def test_generate_persona_is_schema_valid_json(kind, seed, as_of, locale):
    persona = generate_persona(kind, seed, as_of=as_of, locale=locale)
    assert kind_get(kind).schema.model_validate(persona).model_dump(mode="json") == (
        persona
    )
    assert json.loads(json.dumps(persona)) == persona


def tables_and_meters(card) -> tuple[list[Table], list]:
    blocks = [block for section in card.sections for block in section.blocks]
    meters = [m for b in blocks if isinstance(b, Meters) for m in b.items]
    return [b for b in blocks if isinstance(b, Table)], meters


@pytest.mark.parametrize("kind", KINDS)
@many
@given(seed=seeds, locale=locales)
def test_card_render_lays_out_every_row_and_testid(kind, seed, locale):
    chosen = kind_get(kind)
    persona = generate_persona(kind, seed, as_of=AS_OF, locale=locale)
    card = card_render(chosen.card, persona)
    json.dumps(card)
    assert card["name"] == persona["name"]
    assert card["headline"]["testid"] == chosen.card.headline.testid != ""
    assert [s["testid"] for s in card["sections"]] == [
        s.testid for s in chosen.card.sections
    ]
    tables, meters = tables_and_meters(chosen.card)
    drawn = [b for s in card["sections"] for b in s["blocks"]]
    drawn_tables = [b for b in drawn if b["type"] == "table"]
    assert [len(t["rows"]) for t in drawn_tables] == [
        len(t.rows(persona)) for t in tables
    ]
    assert all(len(row) == len(t["columns"]) for t in drawn_tables for row in t["rows"])
    drawn_meters = [m for b in drawn if b["type"] == "meters" for m in b["items"]]
    assert [m["testid"] for m in drawn_meters] == [m.testid for m in meters]
    assert all(0 <= m["value"] <= m["max"] for m in drawn_meters)


@pytest.mark.parametrize("kind", KINDS)
@many
@given(seed=seeds, as_of=days, locale=locales)
def test_kind_example_is_answered_with_its_figure(kind, seed, as_of, locale):
    chosen = kind_get(kind)
    persona = generate_persona(kind, seed, as_of=as_of, locale=locale)
    with written_for(Reader.of(persona)):
        figure = EXAMPLE_FIGURES[kind](persona)
    assert figure in kind_answer(kind, persona, chosen.example)
