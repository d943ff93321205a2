"""Appointments clients: bookings ahead on working weekdays, visits behind, and
deposits and balances that are their lines' differences."""

from datetime import date, time

from hypothesis import given

from personas.formatting import clock_time, long_date, money
from personas.kinds import appointments
from personas.registry import generate_persona
from personas.sampling import WORKING_SLOTS, prices_for, section_rng
from tests.personas.archetypes import (
    AS_OF,
    days,
    in_range,
    kind_answer,
    locales,
    many,
    own_catalogues,
    persona_where,
    seeds,
)

SLOTS = {slot.isoformat() for slot in WORKING_SLOTS}


@many
@given(seeds, days, locales)
def test_appointments_bookings_fall_on_working_weekdays_ahead(seed, as_of, locale):
    persona = generate_persona("appointments", seed, as_of=as_of, locale=locale)
    bookings = persona["upcoming_bookings"]
    assert len(bookings) <= 3
    when = [(b["date"], b["time"]) for b in bookings]
    assert when == sorted(set(when))
    for booking in bookings:
        day = date.fromisoformat(booking["date"])
        assert 0 < (day - as_of).days <= 60
        assert day.weekday() < 5
        assert booking["time"] in SLOTS


@many
@given(seeds, days, locales)
def test_appointments_visits_are_past_and_newest_first(seed, as_of, locale):
    persona = generate_persona("appointments", seed, as_of=as_of, locale=locale)
    visits = [v["date"] for v in persona["past_visits"]]
    assert 1 <= len(visits) <= 6
    assert visits == sorted(set(visits), reverse=True)
    assert persona["client_since"] <= visits[-1]
    assert visits[0] < as_of.isoformat()


@many
@given(seeds, days, locales)
def test_appointments_totals_equal_their_lines(seed, as_of, locale):
    persona = generate_persona("appointments", seed, as_of=as_of, locale=locale)
    price = prices_for(persona["currency"])
    bookings, visits = persona["upcoming_bookings"], persona["past_visits"]
    for b in bookings:
        assert 0 <= b["deposit_paid"] <= b["price"]
        assert b["due_at_visit"] == price.exact(b["price"] - b["deposit_paid"])
    for v in visits:
        assert 0 < v["amount_paid"] <= v["price"]
        assert v["balance"] == price.exact(v["price"] - v["amount_paid"])
    assert persona["deposits_paid"] == price.exact(
        sum(b["deposit_paid"] for b in bookings)
    )
    assert persona["balance_owed"] == price.exact(sum(v["balance"] for v in visits))
    assert persona["total_paid"] == price.exact(sum(v["amount_paid"] for v in visits))


@many
@given(seeds, locales, own_catalogues())
def test_appointments_services_come_from_the_catalogue(seed, locale, catalogue):
    persona = generate_persona(
        "appointments", seed, as_of=AS_OF, locale=locale, catalogue=catalogue
    )
    ranges = {item["name"]: (item["low"], item["high"]) for item in catalogue}
    for record in persona["upcoming_bookings"] + persona["past_visits"]:
        assert in_range(
            record["price"], *ranges[record["service"]], persona["currency"]
        )


@many
@given(seeds, locales)
def test_appointments_providers_are_a_small_named_staff(seed, locale):
    persona = generate_persona("appointments", seed, as_of=AS_OF, locale=locale)
    records = persona["upcoming_bookings"] + persona["past_visits"]
    providers = {r["provider"] for r in records}
    staff = appointments._staff(section_rng(seed, "staff"), locale)
    assert providers <= set(staff)
    assert len(staff) <= 4
    assert 1 <= len({r["location"] for r in records}) <= 2


def test_appointments_answers_the_next_booking_in_full():
    persona = persona_where("appointments", lambda p: p["upcoming_bookings"])
    booking = persona["upcoming_bookings"][0]
    reply = kind_answer("appointments", persona, "When is my next appointment?")
    for text in (
        long_date(booking["date"]),
        clock_time(time.fromisoformat(booking["time"])),
        booking["provider"],
        booking["service"],
        money(booking["due_at_visit"]),
    ):
        assert text in reply


def test_appointments_answers_none_booked():
    persona = persona_where("appointments", lambda p: not p["upcoming_bookings"])
    assert kind_answer("appointments", persona, "Any appointments booked?") == (
        "You have no upcoming appointments."
    )


def test_appointments_answers_the_balance_owed_with_its_visits():
    persona = persona_where("appointments", lambda p: p["balance_owed"])
    reply = kind_answer("appointments", persona, "How much do I owe?")
    assert money(persona["balance_owed"]) in reply
    for visit in (v for v in persona["past_visits"] if v["balance"]):
        assert money(visit["balance"]) in reply


def test_appointments_answers_past_visits_and_client_id():
    persona = generate_persona("appointments", 9, as_of=AS_OF)
    latest = persona["past_visits"][0]
    reply = kind_answer("appointments", persona, "What was my last visit?")
    assert latest["service"] in reply and long_date(latest["date"]) in reply
    assert persona["client_id"] in kind_answer(
        "appointments", persona, "What's my client ID?"
    )
