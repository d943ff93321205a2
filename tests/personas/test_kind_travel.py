"""Travellers: trips ahead start after as_of, trips behind ended before it, nights and
totals agree with dates and prices, and the tier follows the points."""

import re
from datetime import date

import pytest
from hypothesis import given

from personas.kinds import travel
from tests.personas.archetypes import (
    AS_OF,
    HOLIDAY_PARK,
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

TIER_FLOORS = {0: "Blue", 25_000: "Silver", 50_000: "Gold", 100_000: "Platinum"}
REFERENCE = re.compile(r"[A-HJ-NP-Z2-9]{6}")
# The default catalogue's stays and rentals; the rest is priced by the traveller.
PER_NIGHT = {
    "City hotel room, queen",
    "Beach resort suite",
    "Boutique hotel double room",
    "Mountain lodge",
    "Lakeside cabin",
    "Compact car rental",
    "SUV rental",
}
SECTIONS = [
    ("_bookings", {"upcoming_bookings", "past_bookings"}),
    ("_travel_credit", {"travel_credit"}),
    ("member_since", {"member_since"}),
]


def day(text: str) -> date:
    return date.fromisoformat(text)


def bookings(persona: dict) -> list[dict]:
    return persona["upcoming_bookings"] + persona["past_bookings"]


@many
@given(seeds, days, locales, catalogues)
def test_travel_booking_totals_follow_price_and_nights(seed, as_of, locale, catalogue):
    persona = persona_of(
        "travel", seed, as_of=as_of, locale=locale, catalogue=catalogue
    )
    names, ranges = (
        catalogue_names("travel", catalogue),
        price_range("travel", catalogue, locale),
    )
    for booking in bookings(persona):
        assert booking["item"] in names
        low, high = ranges[booking["item"]]
        assert low <= booking["unit_price"] <= high
        nights = (day(booking["end_date"]) - day(booking["start_date"])).days
        assert booking["nights"] == nights and 1 <= nights <= 14
        assert 1 <= booking["travellers"] <= 4
        units = nights if booking["priced_per"] == "night" else booking["travellers"]
        assert booking["total"] == round(
            booking["unit_price"] * units, decimals(persona)
        )
        assert is_rounded(booking["total"], persona)


@many
@given(seeds, days)
def test_travel_bookings_sit_on_the_right_side_of_as_of(seed, as_of):
    persona = persona_of("travel", seed, as_of=as_of)
    upcoming, past = persona["upcoming_bookings"], persona["past_bookings"]
    assert 1 <= len(upcoming) <= 2 and len(past) <= 3
    starts = [day(b["start_date"]) for b in upcoming]
    assert starts == sorted(starts) and all(start > as_of for start in starts)
    ends = [day(b["end_date"]) for b in past]
    assert ends == sorted(ends, reverse=True) and all(end < as_of for end in ends)
    assert all(day(b["start_date"]) > day(persona["member_since"]) for b in past)
    references = [b["reference"] for b in bookings(persona)]
    assert all(REFERENCE.fullmatch(r) for r in references)


@many
@given(seeds, days, locales)
def test_travel_tier_follows_points(seed, as_of, locale):
    persona = persona_of("travel", seed, as_of=as_of, locale=locale)
    points = persona["loyalty_points"]
    assert 0 <= points <= 150_000
    assert persona["loyalty_tier"] == tier_for(points, TIER_FLOORS)
    above = [floor for floor in TIER_FLOORS if floor > points]
    assert persona["points_to_next_tier"] == (min(above) - points if above else 0)
    assert persona["travel_credit"] >= 0
    assert is_rounded(persona["travel_credit"], persona)


def test_travel_stays_and_rentals_are_priced_by_the_night():
    priced = {
        b["item"]: b["priced_per"]
        for seed in range(200)
        for b in bookings(persona_of("travel", seed))
    }
    assert set(priced) == catalogue_names("travel", None)
    assert {item for item, per in priced.items() if per == "night"} == PER_NIGHT


@pytest.mark.parametrize(
    ("item", "per"),
    [
        ("Woodland lodge, sleeps 4", "night"),
        ("Adventure pass, per guest", "traveller"),
        ("Economy, London–Rome", "traveller"),
        ("Nile cruise, deluxe cabin", "traveller"),
        ("Deluxe king", "night"),
    ],
)
def test_travel_priced_per_reads_the_item_name(item, per):
    assert travel.priced_per(item) == per


def test_travel_holiday_park_catalogue_names_the_bookings():
    names = {item["name"] for item in HOLIDAY_PARK}
    items = {
        b["item"]
        for seed in range(30)
        for b in bookings(persona_of("travel", seed, catalogue=HOLIDAY_PARK))
    }
    assert items == names


@pytest.mark.parametrize(("section", "fields"), SECTIONS)
def test_travel_sections_draw_independently(monkeypatch, section, fields):
    """Extra draws in one section change that section only."""
    before = [persona_of("travel", seed) for seed in range(30)]
    monkeypatch.setattr(travel, section, greedy(getattr(travel, section)))
    after = [persona_of("travel", seed) for seed in range(30)]
    assert [without(p, fields) for p in after] == [without(p, fields) for p in before]
    assert after != before, "the patch should have changed the section"


def last_trip(persona: dict) -> str:
    past = persona["past_bookings"]
    return past[0]["reference"] if past else "any past trips"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many points do I have?", lambda p: f"{p['loyalty_points']:,} points"),
        ("How much travel credit do I have?", lambda p: f"${p['travel_credit']:,.2f}"),
        ("Where did I go on my past trips?", last_trip),
        (
            "What's my booking reference?",
            lambda p: p["upcoming_bookings"][0]["reference"],
        ),
    ],
)
def test_travel_answers_name_the_figure(question, expected):
    for seed in range(40):
        persona = persona_of("travel", seed, as_of=AS_OF)
        assert expected(persona) in offline_answer("travel", persona, question)


def test_travel_answers_the_booking_whose_reference_is_given():
    persona = next(
        p for p in (persona_of("travel", s) for s in range(50)) if p["past_bookings"]
    )
    past = persona["past_bookings"][0]
    text = offline_answer("travel", persona, f"When was booking {past['reference']}?")
    assert past["reference"] in text
    assert persona["upcoming_bookings"][0]["reference"] not in text
