"""Personas look real and agree with themselves, for any seed, date and locale."""

import re
from datetime import date, time, timedelta
from typing import get_args

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from personas import (
    CREDIT_CATEGORIES,
    LOCALE_CURRENCIES,
    SUPPORTED_LOCALES,
    generate_persona,
    kind_names,
    persona_build,
    sampling,
)
from personas.kinds import banking, healthcare
from personas.kinds.banking import TransactionCategory

seeds = st.integers(min_value=-(2**63), max_value=2**64)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
locales = st.sampled_from(SUPPORTED_LOCALES)
many = settings(max_examples=200, deadline=None)

AS_OF = date(2026, 1, 31)
MERCHANT_CATEGORIES = {
    s.merchant: s.category for s in banking._CARD_SPENDS + banking._BILLS
}
# Plausible (coverage, monthly premium, deductible) bounds per policy type.
POLICY_BOUNDS = {
    "Auto": ((25_000, 1_000_000), (50, 400), (100, 2_500)),
    "Home": ((100_000, 2_000_000), (50, 500), (250, 10_000)),
    "Life": ((50_000, 5_000_000), (10, 300), (0, 0)),
    "Umbrella": ((1_000_000, 10_000_000), (10, 150), (0, 2_500)),
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
DOSAGE = re.compile(r"^\d+(\.\d+)? (mg|mcg)( per puff)?$")


def is_cents(value: float) -> bool:
    return round(value, 2) == value


def per_dollar(locale: str) -> float:
    """What a dollar of the price tables is in the locale's currency."""
    return sampling._UNITS_PER_DOLLAR[LOCALE_CURRENCIES[locale]]


def loyalty_status(points: int) -> str:
    for floor, status in ((40_000, "Platinum"), (15_000, "Gold"), (5_000, "Silver")):
        if points >= floor:
            return status
    return "Bronze"


def age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@many
@given(seeds, days, locales)
def test_banking_generate_figures_in_range(seed, as_of, locale):
    persona = persona_build("banking", seed, as_of=as_of, locale=locale)
    rate = per_dollar(locale)
    assert 500 * rate <= persona.checking_balance <= 15_000 * rate
    assert 1_000 * rate <= persona.savings_balance <= 50_000 * rate
    assert 620 <= persona.credit_score <= 820
    assert 2_000 * rate <= persona.credit_limit <= 25_000 * rate
    assert re.fullmatch(r"\d{4}", persona.account_number_last4)
    assert persona.member_since < as_of
    money = [persona.checking_balance, persona.savings_balance, persona.credit_limit]
    assert all(is_cents(value) for value in money)


@many
@given(seeds, days)
def test_banking_generate_transactions_read_like_a_statement(seed, as_of):
    lines = persona_build("banking", seed, as_of=as_of).recent_transactions
    assert 5 <= len(lines) <= 10
    payroll = {(t.description, t.amount) for t in lines if t.category == "payroll"}
    assert len(payroll) == 1, "one employer, one net pay"
    assert [t.date for t in lines] == sorted((t.date for t in lines), reverse=True)
    for line in lines:
        assert as_of - timedelta(days=30) <= line.date < as_of
        assert (line.amount > 0) == (line.category in CREDIT_CATEGORIES)
        assert is_cents(line.amount)
        if line.category == "payroll":
            assert line.description.startswith("Payroll deposit — ")
        elif line.category in ("transfer_in", "transfer_out"):
            assert line.description in ("Transfer from savings", "Transfer to savings")
        else:
            assert MERCHANT_CATEGORIES[line.description] == line.category


@pytest.mark.parametrize(
    ("locale", "currency"),
    [("en_US", "USD"), ("en_GB", "GBP"), ("de_DE", "EUR"), ("ja_JP", "JPY")],
)
@pytest.mark.parametrize("kind", kind_names())
def test_generate_persona_carries_the_locale_currency(kind, locale, currency):
    persona = generate_persona(kind, 7, as_of=AS_OF, locale=locale)
    assert (persona["locale"], persona["currency"]) == (locale, currency)


def test_generate_persona_prices_yen_in_whole_yen_at_about_150_to_the_dollar():
    dollars = persona_build("banking", 5, as_of=AS_OF, locale="en_US")
    yen = persona_build("banking", 5, as_of=AS_OF, locale="ja_JP")
    lines = [t.amount for t in yen.recent_transactions]
    assert all(amount == int(amount) for amount in [yen.checking_balance, *lines])
    assert yen.checking_balance == pytest.approx(dollars.checking_balance * 150, abs=1)


def test_banking_generate_statements_use_every_category():
    personas = [persona_build("banking", seed, as_of=AS_OF) for seed in range(200)]
    seen = {t.category for p in personas for t in p.recent_transactions}
    assert seen == set(get_args(TransactionCategory))


@many
@given(seeds, days)
def test_insurance_generate_policies_are_plausible(seed, as_of):
    policies = persona_build("insurance", seed, as_of=as_of).active_policies
    assert 1 <= len(policies) <= 3
    assert len({p.type for p in policies}) == len(policies)
    for policy in policies:
        coverage, premium, deductible = POLICY_BOUNDS[policy.type]
        assert coverage[0] <= policy.coverage <= coverage[1]
        assert premium[0] <= policy.premium <= premium[1]
        assert deductible[0] <= policy.deductible <= deductible[1]
        assert is_cents(policy.premium)
        assert as_of < policy.renewal_date <= as_of + timedelta(days=366)


@many
@given(seeds, days)
def test_insurance_generate_totals_match_policies(seed, as_of):
    persona = persona_build("insurance", seed, as_of=as_of)
    policies = persona.active_policies
    assert persona.total_coverage == round(sum(p.coverage for p in policies), 2)
    assert persona.monthly_premium == round(sum(p.premium for p in policies), 2)


@many
@given(seeds, days)
def test_insurance_generate_claims_fit_the_customer(seed, as_of):
    persona = persona_build("insurance", seed, as_of=as_of)
    claims = persona.claims_history
    assert len(claims) <= 2
    assert persona.risk_score == ("Low", "Medium", "High")[len(claims)]
    assert [c.date for c in claims] == sorted((c.date for c in claims), reverse=True)
    for claim in claims:
        assert persona.member_since < claim.date < as_of
        assert claim.type in {p.type for p in persona.active_policies}
        assert claim.amount > 0 and is_cents(claim.amount)


def test_insurance_generate_risk_score_covers_every_claim_count():
    personas = [persona_build("insurance", seed, as_of=AS_OF) for seed in range(200)]
    counts = {(len(p.claims_history), p.risk_score) for p in personas}
    assert counts == {(0, "Low"), (1, "Medium"), (2, "High")}


@many
@given(seeds, days, locales)
def test_healthcare_generate_plan_figures_are_ordered(seed, as_of, locale):
    persona = persona_build("healthcare", seed, as_of=as_of, locale=locale)
    assert 0 <= persona.deductible_met <= persona.deductible
    assert persona.deductible <= persona.out_of_pocket_max
    assert persona.deductible_met <= persona.out_of_pocket_spent
    assert persona.out_of_pocket_spent <= persona.out_of_pocket_max
    assert is_cents(persona.deductible_met) and is_cents(persona.out_of_pocket_spent)
    assert 25 <= age(persona.date_of_birth, as_of) <= 75
    assert re.fullmatch(r"[A-Z]{3}\d{9}", persona.member_id)


@many
@given(seeds, days)
def test_healthcare_generate_appointments_are_bookable(seed, as_of):
    visits = persona_build("healthcare", seed, as_of=as_of).upcoming_appointments
    slots = [(v.date, v.time) for v in visits]
    assert len(visits) <= 2
    assert slots == sorted(set(slots))
    for visit in visits:
        assert as_of < visit.date <= as_of + timedelta(days=60)
        assert visit.date.weekday() < 5
        assert time(8) <= visit.time <= time(17)
        assert visit.provider.startswith("Dr. ")
        assert visit.specialty in healthcare._SPECIALTIES


@many
@given(seeds, days)
def test_healthcare_generate_prescriptions_are_real(seed, as_of):
    prescriptions = persona_build("healthcare", seed, as_of=as_of).active_prescriptions
    known = {
        name: (doses, frequency, group)
        for name, doses, frequency, group in (healthcare._MEDICATIONS)
    }
    assert 1 <= len(prescriptions) <= 3
    groups = {known[p.medication][2] for p in prescriptions}
    assert len(groups) == len(prescriptions), "two drugs of one therapeutic class"
    for prescription in prescriptions:
        doses, frequency, _group = known[prescription.medication]
        assert prescription.dosage in doses and DOSAGE.match(prescription.dosage)
        assert prescription.frequency == frequency
        assert 0 <= prescription.refills_remaining <= 5


@many
@given(seeds, days)
def test_generic_generate_status_follows_points(seed, as_of):
    persona = persona_build("generic", seed, as_of=as_of)
    assert persona.status == loyalty_status(persona.loyalty_points)
    assert persona.customer_since < as_of
    assert is_cents(persona.account_value) and persona.account_value > 0


def is_split_name(name: str, first_names: tuple, last_names: tuple) -> bool:
    """Some given and family names hold spaces ('María Jesús', 'de la Fuente')."""
    spaces = [i for i, char in enumerate(name) if char == " "]
    return any(name[:i] in first_names and name[i + 1 :] in last_names for i in spaces)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_generate_persona_name_comes_from_the_locale(locale):
    """Given and family names are the locale's own, family first in Japanese."""
    names = Faker(locale).provider("faker.providers.person")
    first_names, last_names = tuple(names.first_names), tuple(names.last_names)
    if locale == "ja_JP":
        first_names, last_names = last_names, first_names
    for seed in range(20):
        name = generate_persona("generic", seed, as_of=AS_OF, locale=locale)["name"]
        assert is_split_name(name, first_names, last_names), name


def test_generate_persona_ja_jp_name_is_japanese():
    for seed in range(20):
        persona = generate_persona("healthcare", seed, as_of=AS_OF, locale="ja_JP")
        assert JAPANESE.search(persona["name"])
        assert JAPANESE.search(persona["primary_care_provider"])


@pytest.mark.parametrize("locale", [loc for loc in SUPPORTED_LOCALES if loc != "en_US"])
def test_generate_persona_locale_changes_names_not_figures(locale):
    us = [generate_persona("banking", s, as_of=AS_OF) for s in range(10)]
    other = [
        generate_persona("banking", s, as_of=AS_OF, locale=locale) for s in range(10)
    ]
    assert [p["name"] for p in us] != [p["name"] for p in other]
    assert [p["credit_score"] for p in us] == [p["credit_score"] for p in other]


@pytest.mark.parametrize("kind", kind_names())
def test_generate_persona_unknown_locale_lists_supported_ones(kind):
    with pytest.raises(ValueError, match="xx_XX") as error:
        generate_persona(kind, 1, as_of=AS_OF, locale="xx_XX")
    assert all(locale in str(error.value) for locale in SUPPORTED_LOCALES)


@pytest.mark.parametrize("locale", sorted(sampling._TOWNS))
def test_healthcare_generate_clinics_are_in_real_towns(locale):
    towns = sampling._TOWNS[locale]
    appointments = [
        appointment
        for seed in range(40)
        for appointment in persona_build(
            "healthcare", seed, as_of=date(2026, 1, 31), locale=locale
        ).upcoming_appointments
    ]
    assert appointments
    for appointment in appointments:
        assert appointment.location.startswith(tuple(f"{t} " for t in towns))
