"""Utilities customers: bills that follow their due dates, a balance that is the
unpaid bills, usage within the plan's allowance, and the plan from the catalogue."""

from datetime import date, timedelta

import pytest
from hypothesis import given

from personas.card import card_render
from personas.formatting import Reader, count, long_date, money, written_for
from personas.kinds import utilities
from personas.registry import generate_persona
from personas.sampling import prices_for, section_rng
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


def bill_status(bill: dict, as_of: str) -> str:
    if bill["paid_on"]:
        return "paid"
    return "due" if bill["due"] >= as_of else "overdue"


@many
@given(seeds, days, locales)
def test_utilities_bills_fit_their_dates(seed, as_of, locale):
    persona = generate_persona("utilities", seed, as_of=as_of, locale=locale)
    today = as_of.isoformat()
    bills = persona["bills"]
    assert 2 <= len(bills) <= 6
    assert [b["issued"] for b in bills] == sorted(
        (b["issued"] for b in bills), reverse=True
    )
    assert bills[0]["issued"] == persona["period_start"]
    for bill in bills:
        assert persona["customer_since"] <= bill["issued"] <= today
        assert (
            bill["due"]
            == (
                date.fromisoformat(bill["issued"]) + timedelta(days=utilities.DUE_DAYS)
            ).isoformat()
        )
        assert bill["status"] == bill_status(bill, today)
        if bill["paid_on"]:
            assert bill["issued"] <= bill["paid_on"] <= min(bill["due"], today)
        if persona["autopay"]:
            assert bill["status"] != "overdue"
            assert bill["paid_on"] in (None, bill["due"])


@many
@given(seeds, days, locales)
def test_utilities_totals_equal_their_lines(seed, as_of, locale):
    persona = generate_persona("utilities", seed, as_of=as_of, locale=locale)
    price = prices_for(persona["currency"])
    for bill in persona["bills"]:
        assert bill["plan_charge"] == persona["plan_price"]
        assert bill["amount"] == price.exact(
            bill["plan_charge"] + bill["other_charges"]
        )
        assert bill["other_charges"] > 0
    unpaid = [b["amount"] for b in persona["bills"] if b["status"] != "paid"]
    assert persona["balance_due"] == price.exact(sum(unpaid))


@many
@given(seeds, days, locales)
def test_utilities_period_holds_as_of_and_usage_fits_allowance(seed, as_of, locale):
    persona = generate_persona("utilities", seed, as_of=as_of, locale=locale)
    assert persona["period_start"] <= as_of.isoformat() <= persona["period_end"]
    assert (
        persona["next_bill_date"]
        == (date.fromisoformat(persona["period_end"]) + timedelta(days=1)).isoformat()
    )
    assert 0 < persona["usage_used"] <= persona["usage_allowance"]
    assert persona["customer_since"] < as_of.isoformat()


@many
@given(seeds, locales, own_catalogues())
def test_utilities_plan_comes_from_the_catalogue(seed, locale, catalogue):
    persona = generate_persona(
        "utilities", seed, as_of=AS_OF, locale=locale, catalogue=catalogue
    )
    plan = next(item for item in catalogue if item["name"] == persona["plan_name"])
    assert in_range(
        persona["plan_price"], plan["low"], plan["high"], persona["currency"]
    )


@pytest.mark.parametrize(
    ("plan", "locale", "unit", "allowance"),
    [
        ("Mobile Essentials, 15 GB", "en_US", "GB", 15),
        ("Home Phone, 1,000 minutes", "de_DE", "minutes", 1_000),
        ("Solar 800 kwh", "en_GB", "kWh", 800),
        ("Water & Sewer Service", "en_US", "gallons", None),
        ("Water & Sewer Service", "fr_FR", "m³", None),
        ("Natural Gas Heating", "en_US", "therms", None),
        ("Natural Gas Heating", "en_GB", "kWh", None),
        ("Fiber Internet 1 Gig", "ja_JP", "GB", None),
        ("Trash and recycling pickup", "en_US", "units", None),
    ],
)
def test_utilities_allowance_reads_the_plan(plan, locale, unit, allowance):
    got_unit, got = utilities._allowance(section_rng(1, "usage"), plan, locale)
    assert got_unit == unit
    assert got > 0
    assert allowance in (None, got)


def with_unpaid(persona: dict) -> bool:
    return any(b["status"] != "paid" for b in persona["bills"])


def test_utilities_answers_the_due_date_of_the_first_unpaid_bill():
    persona = persona_where("utilities", with_unpaid)
    first = min(
        (b for b in persona["bills"] if b["status"] != "paid"), key=lambda b: b["due"]
    )
    reply = kind_answer("utilities", persona, "When is my bill due?")
    assert long_date(first["due"]) in reply
    assert money(first["amount"]) in reply


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_utilities_answers_how_much_data_was_used(locale):
    persona = generate_persona("utilities", 3, as_of=AS_OF, locale=locale)
    reply = kind_answer("utilities", persona, "How much data have I used?")
    with written_for(Reader.of(persona)):
        used = f"{count(persona['usage_used'])} {persona['usage_unit']}"
        allowance = f"{count(persona['usage_allowance'])} {persona['usage_unit']}"
    assert used in reply and allowance in reply


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("What's my account number?", "account_number"),
        ("Which plan am I on?", "plan_name"),
    ],
)
def test_utilities_answers_account_facts(question, field):
    persona = generate_persona("utilities", 5, as_of=AS_OF)
    assert persona[field] in kind_answer("utilities", persona, question)


def test_utilities_answers_autopay_as_it_stands():
    persona = generate_persona("utilities", 5, as_of=AS_OF)
    reply = kind_answer("utilities", persona, "Is autopay on?")
    assert reply.startswith("Autopay is on" if persona["autopay"] else "Autopay is off")


def test_utilities_balance_due_is_answered_as_a_balance():
    persona = persona_where("utilities", with_unpaid)
    reply = kind_answer("utilities", persona, "What's my balance due?")
    assert reply.startswith(f"Your balance due is {money(persona['balance_due'])}")


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_utilities_card_meters_usage_in_the_plan_unit(locale):
    persona = generate_persona("utilities", 8, as_of=AS_OF, locale=locale)
    card = card_render(utilities.CARD, persona)
    usage = next(s for s in card["sections"] if s["testid"] == "utilities-usage")
    meter = usage["blocks"][0]["items"][0]
    unit = persona["usage_unit"]
    with written_for(Reader.of(persona)):
        used, allowance = (
            count(persona["usage_used"]),
            count(persona["usage_allowance"]),
        )
        left = count(persona["usage_allowance"] - persona["usage_used"])
    assert meter["figure"] == f"{used} {unit} of {allowance} {unit}"
    assert meter["note"] == f"{left} {unit} to go"
    assert (meter["value"], meter["max"]) == (
        persona["usage_used"],
        persona["usage_allowance"],
    )
