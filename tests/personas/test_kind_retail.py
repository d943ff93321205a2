"""Retail customers: orders add up, fit their dates, and returns are of what arrived."""

from datetime import date, timedelta

import pytest
from hypothesis import given

from personas.kinds import retail
from tests.personas.archetypes import (
    AS_OF,
    PET_STORE,
    catalogue_names,
    catalogues,
    days,
    decimals,
    greedy,
    is_rounded,
    locales,
    many,
    offline_answer,
    persona_of,
    price_range,
    seeds,
    tier_for,
    without,
)

TIER_FLOORS = {0: "Bronze", 1_000: "Silver", 5_000: "Gold", 10_000: "Platinum"}
# A section of the generator, and the fields extra draws in it may change.
SECTIONS = [
    ("_orders", {"orders", "returns"}),
    ("_returns", {"returns"}),
    ("_store_credit", {"store_credit"}),
    ("member_since", {"customer_since"}),
]


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@many
@given(seeds, days, locales, catalogues)
def test_retail_order_totals_equal_their_lines(seed, as_of, locale, catalogue):
    persona = persona_of(
        "retail", seed, as_of=as_of, locale=locale, catalogue=catalogue
    )
    names, ranges = (
        catalogue_names("retail", catalogue),
        price_range("retail", catalogue, locale),
    )
    assert 1 <= len(persona["orders"]) <= 5
    for order in persona["orders"]:
        lines = order["lines"]
        assert 1 <= len(lines) <= 3
        assert len({line["item"] for line in lines}) == len(lines)
        for line in lines:
            assert line["item"] in names
            low, high = ranges[line["item"]]
            assert low <= line["unit_price"] <= high
            assert 1 <= line["quantity"] <= 3
            assert line["line_total"] == round(
                line["unit_price"] * line["quantity"], decimals(persona)
            )
        total = sum(line["line_total"] for line in lines)
        assert order["total"] == round(total, decimals(persona))


@many
@given(seeds, days)
def test_retail_order_statuses_fit_their_dates(seed, as_of):
    persona = persona_of("retail", seed, as_of=as_of)
    orders = persona["orders"]
    placed = [day(o["placed_on"]) for o in orders]
    assert placed == sorted(placed, reverse=True)
    assert orders[0]["status"] != "Cancelled"
    for order, on in zip(orders, placed, strict=True):
        age = (as_of - on).days
        expected, delivered = (
            day(order["expected_delivery"]),
            day(order["delivered_on"]),
        )
        assert day(persona["customer_since"]) < on <= as_of
        match order["status"]:
            case "Processing":
                assert age < 3 and expected > as_of and delivered is None
            case "Shipped":
                assert 3 <= age < 8 and expected > as_of and delivered is None
            case "Delivered":
                assert expected is None and on < delivered < as_of
                assert delivered - on <= timedelta(days=7)
            case "Cancelled":
                assert age >= 8 and expected is None and delivered is None


@many
@given(seeds, days, locales)
def test_retail_returns_are_of_delivered_lines(seed, as_of, locale):
    persona = persona_of("retail", seed, as_of=as_of, locale=locale)
    orders = {o["order_number"]: o for o in persona["orders"]}
    returns = persona["returns"]
    assert len(returns) <= 2
    assert len({(r["order_number"], r["item"]) for r in returns}) == len(returns)
    requested = [day(r["requested_on"]) for r in returns]
    assert requested == sorted(requested, reverse=True)
    for item, on in zip(returns, requested, strict=True):
        order = orders[item["order_number"]]
        line = next(line for line in order["lines"] if line["item"] == item["item"])
        assert order["status"] == "Delivered"
        assert day(order["delivered_on"]) < on <= as_of
        assert 1 <= item["quantity"] <= line["quantity"]
        assert 0 <= item["refund"] <= line["line_total"]
        assert is_rounded(item["refund"], persona)
        waited = (as_of - on).days
        status = (
            "Requested" if waited < 4 else "Received" if waited < 11 else "Refunded"
        )
        assert item["status"] == status


@many
@given(seeds, days, locales)
def test_retail_tier_follows_points(seed, as_of, locale):
    persona = persona_of("retail", seed, as_of=as_of, locale=locale)
    points = persona["loyalty_points"]
    assert 0 <= points <= 15_000
    assert persona["loyalty_tier"] == tier_for(points, TIER_FLOORS)
    above = [floor for floor in TIER_FLOORS if floor > points]
    assert persona["points_to_next_tier"] == (min(above) - points if above else 0)
    assert persona["store_credit"] >= 0 and is_rounded(persona["store_credit"], persona)


def test_retail_orders_reach_every_status_and_return_status():
    personas = [persona_of("retail", seed) for seed in range(300)]
    statuses = {o["status"] for p in personas for o in p["orders"]}
    returns = {r["status"] for p in personas for r in p["returns"]}
    assert statuses == {"Processing", "Shipped", "Delivered", "Cancelled"}
    assert returns == {"Requested", "Received", "Refunded"}


def test_retail_pet_store_catalogue_reads_as_pet_products():
    names = {item["name"] for item in PET_STORE}
    for seed in range(30):
        persona = persona_of("retail", seed, catalogue=PET_STORE)
        lines = [line["item"] for o in persona["orders"] for line in o["lines"]]
        assert set(lines) <= names
        assert {r["item"] for r in persona["returns"]} <= set(lines)


@pytest.mark.parametrize(("section", "fields"), SECTIONS)
def test_retail_sections_draw_independently(monkeypatch, section, fields):
    """Extra draws in one section change that section only."""
    before = [persona_of("retail", seed) for seed in range(30)]
    monkeypatch.setattr(retail, section, greedy(getattr(retail, section)))
    after = [persona_of("retail", seed) for seed in range(30)]
    assert [without(p, fields) for p in after] == [without(p, fields) for p in before]
    assert after != before, "the patch should have changed the section"


def first_return(persona: dict) -> str:
    return persona["returns"][0]["return_id"] if persona["returns"] else "no returns"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did I order?", lambda p: p["orders"][0]["lines"][0]["item"]),
        ("How much store credit do I have?", lambda p: "store credit balance"),
        ("How many points do I have?", lambda p: f"{p['loyalty_points']:,} points"),
        ("What's the status of my return?", first_return),
        ("Show my order history", lambda p: f"{len(p['orders'])} order"),
    ],
)
def test_retail_answers_name_the_figure(question, expected):
    for seed in range(40):
        persona = persona_of("retail", seed, as_of=AS_OF)
        assert expected(persona) in offline_answer("retail", persona, question)


def test_retail_answers_the_order_whose_number_is_given():
    persona = next(
        p for p in (persona_of("retail", s) for s in range(50)) if len(p["orders"]) > 2
    )
    older = persona["orders"][2]
    question = f"Where is order {older['order_number'].lower()}?"
    text = offline_answer("retail", persona, question)
    assert older["order_number"] in text
    assert persona["orders"][0]["order_number"] not in text
