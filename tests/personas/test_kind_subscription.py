"""Subscription members: bills equal the plan's price, fall on or before as_of one
cycle apart, and the renewal comes after it."""

import calendar
from datetime import date

import pytest
from hypothesis import given

from personas.kinds import subscription
from tests.personas.archetypes import (
    AS_OF,
    GYM,
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
    without,
)

# Days between two bills, and the bills kept, per billing cycle.
CYCLE_DAYS = {"Monthly": (28, 31), "Annual": (365, 366)}
INVOICES_KEPT = {"Monthly": 6, "Annual": 3}
SECTIONS = [
    (
        "_plan",
        set(subscription.SubscriptionCustomer.model_fields)
        - {"name", "locale", "currency", "member_since"},
    ),
    ("_usage", {"usage_unit", "usage_used", "usage_allowance"}),
    ("_billing", {"payment_history"}),
    ("member_since", {"member_since", "renewal_date", "payment_history"}),
]


def day(text: str) -> date:
    return date.fromisoformat(text)


@many
@given(seeds, days, locales, catalogues)
def test_subscription_plan_comes_from_the_catalogue(seed, as_of, locale, catalogue):
    persona = persona_of(
        "subscription", seed, as_of=as_of, locale=locale, catalogue=catalogue
    )
    assert persona["plan_name"] in catalogue_names("subscription", catalogue)
    low, high = price_range("subscription", catalogue, locale)[persona["plan_name"]]
    assert low <= persona["monthly_price"] <= high
    months = 1 if persona["billing_cycle"] == "Monthly" else 10
    assert persona["cycle_price"] == round(
        persona["monthly_price"] * months, decimals(persona)
    )
    assert is_rounded(persona["cycle_price"], persona)


@many
@given(seeds, days, locales)
def test_subscription_bills_fit_the_plan_and_dates(seed, as_of, locale):
    persona = persona_of("subscription", seed, as_of=as_of, locale=locale)
    cycle, joined = persona["billing_cycle"], day(persona["member_since"])
    bills = [day(i["billed_on"]) for i in persona["payment_history"]]
    renewal = day(persona["renewal_date"])
    assert 1 <= len(bills) <= INVOICES_KEPT[cycle]
    assert all(
        i["amount"] == persona["cycle_price"] for i in persona["payment_history"]
    )
    assert joined <= bills[-1] and bills[0] <= as_of < renewal
    low, high = CYCLE_DAYS[cycle]
    for later, earlier in zip([renewal, *bills], bills, strict=False):
        assert low <= (later - earlier).days <= high
    for billed in [renewal, *bills]:
        month_days = calendar.monthrange(billed.year, billed.month)[1]
        assert billed.day == min(joined.day, month_days), "billed on the joining day"
    numbers = [i["invoice_number"] for i in persona["payment_history"]]
    assert all(
        n.startswith(f"INV-{b.year}-") for n, b in zip(numbers, bills, strict=True)
    )


@many
@given(seeds, days)
def test_subscription_usage_stays_within_the_allowance(seed, as_of):
    persona = persona_of("subscription", seed, as_of=as_of)
    assert 0 <= persona["usage_used"] <= persona["usage_allowance"]
    assert persona["usage_allowance"] > 0 and persona["usage_unit"]
    assert day(persona["member_since"]) < as_of


@pytest.mark.parametrize(
    ("plan", "unit"),
    [
        ("Unlimited gym membership", "visits"),
        ("Coworking hot desk", "desk days"),
        ("Family meal kit, 3 recipes a week", "meals"),
        ("Streaming Premium 4K", "hours streamed"),
        ("Digital magazine subscription", "articles read"),
        ("Software Business plan", "seats"),
        ("Wine club, 3 bottles a month", "deliveries"),
        ("Platinum concierge", "sessions"),
    ],
)
def test_subscription_usage_counts_what_the_plan_offers(plan, unit):
    catalogue = [{"name": plan, "low": 10, "high": 20}]
    persona = persona_of("subscription", 3, catalogue=catalogue)
    assert persona["usage_unit"] == unit


def test_subscription_member_joined_on_the_31st_is_billed_on_short_months_last_day():
    assert subscription.months_after(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert subscription.months_after(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert subscription.months_after(date(2025, 1, 31), 2) == date(2025, 3, 31)
    assert subscription.months_after(date(2025, 11, 15), 14) == date(2027, 1, 15)


def test_subscription_cycles_and_auto_renew_both_occur():
    personas = [persona_of("subscription", seed) for seed in range(100)]
    assert {p["billing_cycle"] for p in personas} == {"Monthly", "Annual"}
    assert {p["auto_renew"] for p in personas} == {True, False}


def test_subscription_gym_catalogue_names_the_plan():
    names = {item["name"] for item in GYM}
    plans = {
        persona_of("subscription", s, catalogue=GYM)["plan_name"] for s in range(30)
    }
    assert plans == names


@pytest.mark.parametrize(("section", "fields"), SECTIONS)
def test_subscription_sections_draw_independently(monkeypatch, section, fields):
    """Extra draws in one section change that section only."""
    before = [persona_of("subscription", seed) for seed in range(30)]
    monkeypatch.setattr(subscription, section, greedy(getattr(subscription, section)))
    after = [persona_of("subscription", seed) for seed in range(30)]
    assert [without(p, fields) for p in after] == [without(p, fields) for p in before]
    assert after != before, "the patch should have changed the section"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "When does my plan renew?",
            lambda p: "renews on" if p["auto_renew"] else "Auto-renew is off",
        ),
        ("How much does my plan cost?", lambda p: f"${p['cycle_price']:,.2f}"),
        (
            "How many visits do I have left?",
            lambda p: f"{p['usage_allowance'] - p['usage_used']:,} left",
        ),
        (
            "Show my last payments",
            lambda p: p["payment_history"][0]["invoice_number"],
        ),
        ("What plan am I on?", lambda p: p["plan_name"]),
    ],
)
def test_subscription_answers_name_the_figure(question, expected):
    for seed in range(40):
        persona = persona_of("subscription", seed, as_of=AS_OF)
        assert expected(persona) in offline_answer("subscription", persona, question)
