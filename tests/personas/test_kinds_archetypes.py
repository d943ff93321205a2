"""What every archetype kind (retail, subscription, travel) keeps: registered, its own
catalogue valid, carded and answered. Golden files and sameness across processes are
checked for every kind in test_generators_determinism.py."""

import pytest
from hypothesis import given

from personas.card import Table, card_render
from personas.catalogue import catalogue_dump, catalogue_parse
from personas.extremes import persona_emptied
from personas.formatting import Reader, long_date, written_for
from personas.kinds.loyalty import tiers_of
from personas.registry import kind_get, kind_names, persona_build
from tests.personas.archetypes import (
    AS_OF,
    GYM,
    HOLIDAY_PARK,
    PET_STORE,
    locales,
    many,
    offline_answer,
    persona_of,
    seeds,
)

KINDS = ("retail", "subscription", "travel")
# Each card section's table, and the persona's list it shows.
TABLE_ROWS = {
    "retail": {"orders": "orders", "returns": "returns"},
    "subscription": {"payments": "payment_history"},
    "travel": {
        "upcoming-bookings": "upcoming_bookings",
        "past-bookings": "past_bookings",
    },
}
CARD_TESTIDS = {
    "retail": {"store-credit", "loyalty-tier", "loyalty-points"},
    "subscription": {"plan-price", "plan-name", "renewal-date", "usage"},
    "travel": {"points-balance", "loyalty-tier", "travel-credit"},
}
OTHER_INDUSTRY = {"retail": PET_STORE, "subscription": GYM, "travel": HOLIDAY_PARK}


def shape(kind: str, persona: dict) -> object:
    """What the seed decides whatever the catalogue: counts, dates, parties, ids."""
    match kind:
        case "retail":
            return [
                (o["order_number"], o["placed_on"], o["status"], o["delivered_on"])
                + tuple(line["quantity"] for line in o["lines"])
                for o in persona["orders"]
            ] + [(r["return_id"], r["requested_on"]) for r in persona["returns"]]
        case "subscription":
            return (
                persona["member_since"],
                persona["billing_cycle"],
                persona["renewal_date"],
                [
                    (i["invoice_number"], i["billed_on"])
                    for i in persona["payment_history"]
                ],
            )
    return [
        (b["reference"], b["start_date"], b["end_date"], b["travellers"])
        for b in persona["upcoming_bookings"] + persona["past_bookings"]
    ]


def example_figures(kind: str, persona: dict) -> list[str]:
    """The formatted figures the kind's example question must be answered with."""
    with written_for(Reader.of(persona)):
        match kind:
            case "retail":
                order = next(o for o in persona["orders"] if o["status"] != "Cancelled")
                day = order["delivered_on"] or order["expected_delivery"]
                return [order["order_number"], long_date(day)]
            case "subscription":
                return [long_date(persona["renewal_date"])]
        trip = persona["upcoming_bookings"][0]
        return [trip["reference"], long_date(trip["start_date"])]


def test_archetype_kinds_are_registered():
    assert set(KINDS) <= set(kind_names())


@pytest.mark.parametrize("kind", KINDS)
def test_archetype_persona_is_the_kind_schema(kind):
    chosen = kind_get(kind)
    persona = persona_build(kind, 7, as_of=AS_OF, locale="fr_FR")
    assert type(persona) is chosen.schema
    assert persona.model_dump(mode="json") == persona_of(kind, 7, locale="fr_FR")


@pytest.mark.parametrize("kind", KINDS)
def test_archetype_catalogue_is_valid_and_believable(kind):
    catalogue = kind_get(kind).catalogue
    assert 12 <= len(catalogue) <= 20
    assert catalogue_parse(catalogue_dump(catalogue)) == catalogue
    assert all(0 < item.low <= item.high for item in catalogue)


@pytest.mark.parametrize("kind", KINDS)
def test_archetype_copy_is_filled_in(kind):
    chosen = kind_get(kind)
    texts = [
        chosen.label,
        chosen.fits,
        chosen.topics,
        chosen.hero,
        chosen.chat_subtitle,
    ]
    assert all(text.strip() for text in texts)
    assert chosen.example.endswith("?")


@pytest.mark.parametrize("kind", KINDS)
def test_archetype_catalogue_changes_names_not_shape(kind):
    catalogue = OTHER_INDUSTRY[kind]
    for seed in range(30):
        own, other = persona_of(kind, seed), persona_of(kind, seed, catalogue=catalogue)
        assert shape(kind, other) == shape(kind, own)
        assert other != own


@pytest.mark.parametrize("kind", KINDS)
@many
@given(seed=seeds, locale=locales)
def test_archetype_card_renders_every_list(kind, seed, locale):
    persona = persona_of(kind, seed, locale=locale)
    card = card_render(kind_get(kind).card, persona)
    sections = {s["testid"]: s for s in card["sections"]}
    assert set(TABLE_ROWS[kind]) <= set(sections)
    for testid, field in TABLE_ROWS[kind].items():
        (table,) = [b for b in sections[testid]["blocks"] if b["type"] == "table"]
        assert len(table["rows"]) == len(persona[field])
        assert all(len(row) == len(table["columns"]) for row in table["rows"])
    figures = [card["headline"], *card["summary"]] + [
        item
        for s in card["sections"]
        for b in s["blocks"]
        for item in b.get("items", [])
    ]
    assert CARD_TESTIDS[kind] <= {f.get("testid") for f in figures}
    assert card["headline"]["value"] and card["name"] == persona["name"]


@pytest.mark.parametrize("kind", KINDS)
def test_archetype_card_renders_a_customer_with_empty_lists(kind):
    chosen = kind_get(kind)
    card = card_render(chosen.card, persona_emptied(persona_of(kind, 5)))
    tables = [b for s in card["sections"] for b in s["blocks"] if b["type"] == "table"]
    assert tables and all(t["rows"] == [] and t["empty"] for t in tables)
    assert sum(isinstance(b, Table) for s in chosen.card.sections for b in s.blocks)


@pytest.mark.parametrize("kind", KINDS)
def test_archetype_answers_a_customer_with_empty_lists(kind):
    """Every intent answers in words, without failing, when a list is empty."""
    persona = persona_emptied(persona_of(kind, 5))
    with written_for(Reader.of(persona)):
        replies = [answer(persona, "") for _pattern, answer in kind_get(kind).answers]
    assert all(isinstance(reply, str) and reply for reply in replies)


@pytest.mark.parametrize("kind", KINDS)
@many
@given(seed=seeds, locale=locales)
def test_archetype_example_is_answered_with_the_exact_figure(kind, seed, locale):
    persona = persona_of(kind, seed, locale=locale)
    reply = offline_answer(kind, persona, kind_get(kind).example)
    assert reply is not None
    assert all(figure in reply for figure in example_figures(kind, persona))


@pytest.mark.parametrize("floors", [(100, 200), (0, 500, 300)])
def test_tiers_of_refuses_floors_that_do_not_start_at_zero_and_rise(floors):
    with pytest.raises(ValueError, match="start at 0 and rise"):
        tiers_of(floors, ["A", "B", "C"][: len(floors)])
