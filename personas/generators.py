"""Seeded fake customers: the same (kind, seed, as_of, locale) always gives the same
person, so a conversation can be replayed and a bug report reproduced.

Each section of a persona (identity, balances, transactions, ...) draws from its own
`random.Random`, seeded from (seed, section name), so adding a draw to one section never
reshuffles the others. Names and places come from Faker's locale data; every number and
choice comes from the section's `random.Random`, which is far cheaper than Faker's
providers.
"""

import functools
import hashlib
import importlib
import itertools
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, time, timedelta
from typing import Any, NamedTuple

from babel.numbers import get_currency_precision
from faker import Faker
from pydantic import BaseModel

from personas.schemas import (
    PERSONA_MODELS,
    Appointment,
    BankingPersona,
    Claim,
    GenericPersona,
    HealthcarePersona,
    InsurancePersona,
    LoyaltyStatus,
    Policy,
    Prescription,
    RiskScore,
    Transaction,
)

# Each locale's currency: what its customers' figures are in.
LOCALE_CURRENCIES = {
    "en_US": "USD",
    "en_GB": "GBP",
    "de_DE": "EUR",
    "fr_FR": "EUR",
    "es_ES": "EUR",
    "ja_JP": "JPY",
}
SUPPORTED_LOCALES = tuple(LOCALE_CURRENCIES)
# What a dollar of the price tables below is in each currency: round, plausible rates.
_UNITS_PER_DOLLAR = {"USD": 1.0, "GBP": 0.8, "EUR": 0.9, "JPY": 150.0}
PERSONA_KINDS = tuple(PERSONA_MODELS)
# Seeds are 31-bit: what a visitor may pin with ?seed=N and staff may preview.
MAX_SEED = 2**31 - 1

# Where the family name comes first, and how a physician is addressed.
_FAMILY_NAME_FIRST = frozenset({"ja_JP"})
_DOCTOR_FORMATS = {"en_GB": "Dr {}", "fr_FR": "Dr {}", "ja_JP": "{} 医師"}


class _Spend(NamedTuple):
    """A statement line: who was paid and the usual price range."""

    merchant: str
    category: str
    low: float
    high: float


_EMPLOYERS = (
    "Acme Corp",
    "Northwind Traders",
    "Globex Corporation",
    "Blue Harbor Logistics",
    "Cedar Ridge School District",
    "Riverside Medical Group",
    "Summit Engineering",
    "Brightline Software",
    "Pioneer Manufacturing",
    "Lakeshore County",
    "Redwood Retail Group",
    "Keystone Credit Union",
)
_CARD_SPENDS = (
    _Spend("Whole Foods Market", "groceries", 35, 220),
    _Spend("Trader Joe's", "groceries", 25, 140),
    _Spend("Kroger", "groceries", 30, 190),
    _Spend("Costco Wholesale", "groceries", 80, 320),
    _Spend("Aldi", "groceries", 20, 110),
    _Spend("Shell", "fuel", 30, 85),
    _Spend("Chevron", "fuel", 30, 90),
    _Spend("ExxonMobil", "fuel", 28, 80),
    _Spend("Starbucks", "dining", 5.25, 18.5),
    _Spend("Chipotle Mexican Grill", "dining", 11, 34),
    _Spend("Olive Garden", "dining", 38, 120),
    _Spend("Panera Bread", "dining", 9, 27),
    _Spend("DoorDash", "dining", 18, 65),
    _Spend("Amazon.com", "shopping", 12, 240),
    _Spend("Target", "shopping", 15, 180),
    _Spend("The Home Depot", "shopping", 20, 350),
    _Spend("Best Buy", "shopping", 25, 600),
    _Spend("IKEA", "shopping", 30, 450),
)
_BILLS = (
    _Spend("Pacific Gas & Electric", "utilities", 65, 240),
    _Spend("Comcast Xfinity Internet", "utilities", 60, 120),
    _Spend("Verizon Wireless", "utilities", 45, 140),
    _Spend("City Water & Sewer", "utilities", 35, 95),
    _Spend("Netflix", "subscriptions", 15.49, 15.49),
    _Spend("Spotify Premium", "subscriptions", 11.99, 11.99),
    _Spend("Amazon Prime", "subscriptions", 14.99, 14.99),
    _Spend("Disney+", "subscriptions", 13.99, 13.99),
    _Spend("Planet Fitness", "subscriptions", 24.99, 24.99),
)


class _PolicyTerms(NamedTuple):
    """What a policy of one type plausibly covers and costs (premiums are monthly)."""

    coverages: tuple[int, ...]
    premium: tuple[float, float]
    deductibles: tuple[int, ...]
    prefix: str


_POLICY_TERMS = {
    "Auto": _PolicyTerms(
        (50_000, 100_000, 250_000, 300_000, 500_000), (85, 260), (250, 500, 1_000), "AU"
    ),
    "Home": _PolicyTerms(
        (200_000, 300_000, 400_000, 500_000, 650_000, 800_000),
        (75, 310),
        (500, 1_000, 2_500),
        "HO",
    ),
    "Life": _PolicyTerms(
        (100_000, 250_000, 500_000, 750_000, 1_000_000), (18, 120), (0,), "LI"
    ),
    "Umbrella": _PolicyTerms(
        (1_000_000, 2_000_000, 3_000_000, 5_000_000), (15, 65), (250, 500, 1_000), "UM"
    ),
}
# Life insurance pays out on death, so a living customer never has a Life claim.
_CLAIM_AMOUNTS = {
    "Auto": (450, 18_000),
    "Home": (1_200, 45_000),
    "Umbrella": (8_000, 150_000),
}
_RISK_BY_CLAIMS: tuple[RiskScore, ...] = ("Low", "Medium", "High")

_PLAN_NETWORKS = ("PPO", "HMO", "EPO")
# Metal tier: (deductible range, out-of-pocket maximum range), in whole dollars.
_PLAN_TIERS = {
    "Bronze": ((5_000, 7_500), (8_000, 9_200)),
    "Silver": ((2_500, 5_000), (6_000, 8_500)),
    "Gold": ((1_000, 2_500), (4_000, 7_000)),
    "Platinum": ((250, 1_000), (2_000, 4_000)),
}
_SPECIALTIES = (
    "Primary Care",
    "Cardiology",
    "Dermatology",
    "Endocrinology",
    "Gastroenterology",
    "Ophthalmology",
    "Orthopedics",
    "Physical Therapy",
    "Allergy & Immunology",
    "Obstetrics & Gynecology",
)
_CLINICS = ("Medical Center", "Health Clinic", "Medical Group", "Specialty Care")
# Real towns where Faker's own city() invents names ("West Davidmouth"); the other
# locales' city() lists real places.
_TOWNS = {
    "en_US": (
        "Springfield", "Madison", "Franklin", "Georgetown", "Greenville", "Bristol",
        "Fairview", "Salem", "Arlington", "Ashland", "Burlington", "Clinton", "Dover",
        "Oxford", "Riverside", "Lexington", "Milford", "Newport", "Plymouth", "Windsor",
    ),
    "en_GB": (
        "Reading", "Bath", "York", "Chester", "Guildford", "Harrogate", "Cheltenham",
        "Norwich", "Exeter", "Durham", "Lancaster", "Salisbury", "Shrewsbury",
        "Winchester", "Colchester", "Carlisle",
    ),
    "fr_FR": (
        "Lyon", "Nantes", "Rennes", "Dijon", "Angers", "Tours", "Reims", "Annecy",
        "Grenoble", "Nancy", "Metz", "Rouen", "Caen", "Poitiers", "Limoges", "Besançon",
    ),
}  # fmt: skip
_SLOTS = tuple(time(hour, minute) for hour in range(8, 17) for minute in (0, 30))
# (name, doses, schedule, therapeutic class): a customer never takes two drugs of
# one class (two SSRIs, or an ACE inhibitor with an ARB, would not be prescribed).
_MEDICATIONS = (
    ("Lisinopril", ("10 mg", "20 mg", "40 mg"), "Once daily", "RAAS blocker"),
    ("Atorvastatin", ("10 mg", "20 mg", "40 mg"), "Once daily at bedtime", "statin"),
    (
        "Metformin",
        ("500 mg", "850 mg", "1000 mg"),
        "Twice daily with meals",
        "biguanide",
    ),
    (
        "Levothyroxine",
        ("25 mcg", "50 mcg", "75 mcg"),
        "Once daily before breakfast",
        "thyroid hormone",
    ),
    (
        "Amlodipine",
        ("2.5 mg", "5 mg", "10 mg"),
        "Once daily",
        "calcium channel blocker",
    ),
    ("Omeprazole", ("20 mg", "40 mg"), "Once daily before breakfast", "proton pump"),
    ("Sertraline", ("50 mg", "100 mg"), "Once daily", "SSRI"),
    ("Losartan", ("25 mg", "50 mg", "100 mg"), "Once daily", "RAAS blocker"),
    ("Montelukast", ("10 mg",), "Once daily in the evening", "leukotriene"),
    ("Gabapentin", ("100 mg", "300 mg"), "Three times daily", "gabapentinoid"),
    (
        "Albuterol inhaler",
        ("90 mcg per puff",),
        "2 puffs every 4–6 hours as needed",
        "bronchodilator",
    ),
    ("Escitalopram", ("10 mg", "20 mg"), "Once daily", "SSRI"),
    (
        "Hydrochlorothiazide",
        ("12.5 mg", "25 mg"),
        "Once daily in the morning",
        "thiazide",
    ),
)
# Loyalty points needed for each status, highest first.
_LOYALTY_TIERS: tuple[tuple[int, LoyaltyStatus], ...] = (
    (40_000, "Platinum"),
    (15_000, "Gold"),
    (5_000, "Silver"),
    (0, "Bronze"),
)

# A statement line before it becomes a Transaction: (days ago, description, amount,
# category).
_Line = tuple[int, str, float, str]
# Net pay per deposit, by deposits a month.
_NET_PAY = {1: (2_600.0, 8_000.0), 2: (1_200.0, 3_800.0)}

_thread = threading.local()


def _subseed(seed: int, section: str) -> int:
    """A 64-bit seed for one section; hashlib, unlike hash(), ignores PYTHONHASHSEED."""
    digest = hashlib.blake2b(f"{seed}/{section}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _rng(seed: int, section: str) -> random.Random:
    """The section's own random stream."""
    return random.Random(_subseed(seed, section))


class _NamePool(NamedTuple):
    """Names with running weight totals, ready for random.choices."""

    names: tuple[str, ...]
    cum_weights: tuple[float, ...]


def _name_pool(table: Mapping[str, float] | Iterable[str]) -> _NamePool:
    """Faker keeps names either weighted (a dict) or equally likely (a tuple)."""
    if isinstance(table, Mapping):
        return _NamePool(tuple(table), tuple(itertools.accumulate(table.values())))
    names = tuple(table)
    return _NamePool(names, tuple(range(1, len(names) + 1)))


@functools.cache
def _name_pools(locale: str) -> tuple[_NamePool, _NamePool]:
    """The locale's given and family names from Faker's data, weights summed once.

    Faker re-sums every weight (thousands for en_US) on each first_name() call, which
    made names the slowest part of a persona.
    """
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    return _name_pool(provider.first_names), _name_pool(provider.last_names)


def _faker(seed: int, section: str, locale: str) -> Faker:
    """This thread's Faker for the locale, reseeded for the section.

    Building a Faker costs about a millisecond, so each thread keeps one per locale;
    finish with it before the next call, which reseeds the same instance.
    """
    fakers: dict[str, Faker] | None = getattr(_thread, "fakers", None)
    if fakers is None:
        fakers = _thread.fakers = {}
    if locale not in fakers:
        fakers[locale] = Faker(locale)
    fake = fakers[locale]
    fake.seed_instance(_subseed(seed, section))
    return fake


def _check_locale(locale: str) -> None:
    """Fail early and say what would work."""
    if locale not in SUPPORTED_LOCALES:
        supported = ", ".join(SUPPORTED_LOCALES)
        raise ValueError(f"Unsupported locale {locale!r}; use one of: {supported}.")


class _Prices(NamedTuple):
    """Dollar figures restated in the customer's currency, to its smallest unit."""

    per_dollar: float
    decimals: int

    def __call__(self, dollars: float) -> float:
        return round(dollars * self.per_dollar, self.decimals)

    def exact(self, amount: float) -> float:
        """A figure already in the currency (a draw, a sum), to its smallest unit."""
        return round(amount, self.decimals)


def _prices(currency: str) -> _Prices:
    """Babel knows each currency's decimals (none for yen)."""
    return _Prices(_UNITS_PER_DOLLAR[currency], get_currency_precision(currency))


def _person_name(rng: random.Random, locale: str) -> str:
    """Given and family name only; Faker's name() adds titles like 'Prof. B.Sc.'."""
    first_names, last_names = _name_pools(locale)
    first = rng.choices(first_names.names, cum_weights=first_names.cum_weights)[0]
    last = rng.choices(last_names.names, cum_weights=last_names.cum_weights)[0]
    return f"{last} {first}" if locale in _FAMILY_NAME_FIRST else f"{first} {last}"


def _doctor_name(rng: random.Random, locale: str) -> str:
    return _DOCTOR_FORMATS.get(locale, "Dr. {}").format(_person_name(rng, locale))


def _member_since(rng: random.Random, as_of: date) -> date:
    """Between six months and twenty years before as_of."""
    return as_of - timedelta(days=rng.randint(180, 20 * 365))


def _balances(rng: random.Random, price: _Prices) -> dict[str, Any]:
    """Account figures; a better credit score earns a higher floor on the limit."""
    credit_score = round(rng.triangular(620, 820, 730))
    limit_floor = 2_000 + (credit_score - 620) // 20 * 1_000
    return {
        "checking_balance": price(rng.uniform(500, 15_000)),
        "savings_balance": price(rng.uniform(1_000, 50_000)),
        "account_number_last4": f"{rng.randrange(10_000):04d}",
        "credit_score": credit_score,
        "credit_limit": price(rng.randrange(limit_floor, 25_001, 500)),
    }


def _payroll(rng: random.Random, employer: str, price: _Prices) -> list[_Line]:
    """Monthly pay, or the same net pay every other week."""
    paydays = rng.choice((1, 2))
    amount = price(rng.uniform(*_NET_PAY[paydays]))
    first = rng.randint(1, 16)
    line = f"Payroll deposit — {employer}"
    return [(first + 14 * n, line, amount, "payroll") for n in range(paydays)]


def _savings_transfer(rng: random.Random, price: _Prices) -> list[_Line]:
    """Sometimes money moves between checking and savings, in round amounts."""
    kind = rng.choice((None, "transfer_out", "transfer_in"))
    if kind is None:
        return []
    amount = price(rng.randrange(100, 1_501, 50))
    if kind == "transfer_out":
        return [(rng.randint(1, 30), "Transfer to savings", -amount, kind)]
    return [(rng.randint(1, 30), "Transfer from savings", amount, kind)]


def _spends(rng: random.Random, count: int, price: _Prices) -> list[_Line]:
    """Up to two distinct bills, then card purchases for the rest."""
    bills = rng.sample(_BILLS, rng.randint(0, min(2, count - 1)))
    cards = rng.choices(_CARD_SPENDS, k=count - len(bills))
    return [
        (
            rng.randint(1, 30),
            s.merchant,
            -price(rng.uniform(s.low, s.high)),
            s.category,
        )
        for s in bills + cards
    ]


def _transactions(rng: random.Random, as_of: date, price: _Prices) -> list[Transaction]:
    """Five to ten statement lines from the 30 days before as_of, newest first."""
    lines = _payroll(rng, rng.choice(_EMPLOYERS), price)
    lines += _savings_transfer(rng, price)
    lines += _spends(rng, rng.randint(5, 10) - len(lines), price)
    lines.sort(key=lambda line: line[0])
    return [
        Transaction(
            date=as_of - timedelta(days=days_ago),
            description=description,
            amount=amount,
            category=category,
        )
        for days_ago, description, amount, category in lines
    ]


def _policy(rng: random.Random, kind: str, as_of: date, price: _Prices) -> Policy:
    terms = _POLICY_TERMS[kind]
    return Policy(
        type=kind,
        coverage=price(rng.choice(terms.coverages)),
        premium=price(rng.uniform(*terms.premium)),
        deductible=price(rng.choice(terms.deductibles)),
        policy_number=f"{terms.prefix}-{rng.randrange(10**7):07d}",
        renewal_date=as_of + timedelta(days=rng.randint(1, 365)),
    )


def _policies(rng: random.Random, as_of: date, price: _Prices) -> list[Policy]:
    """One to three policies of different types, in a fixed type order."""
    kinds = rng.sample(list(_POLICY_TERMS), rng.randint(1, 3))
    return [_policy(rng, kind, as_of, price) for kind in _POLICY_TERMS if kind in kinds]


def _claim(
    rng: random.Random, kind: str, day: date, as_of: date, price: _Prices
) -> Claim:
    """Recent claims are still open; older ones were settled."""
    if (as_of - day).days <= 45:
        status = rng.choice(("Pending", "Under review", "Approved"))
    else:
        status = rng.choices(("Paid", "Denied"), weights=(9, 1))[0]
    return Claim(
        claim_id=f"CLM-{day.year}-{rng.randrange(10**6):06d}",
        date=day,
        type=kind,
        amount=price(rng.uniform(*_CLAIM_AMOUNTS[kind])),
        status=status,
    )


def _claims(
    rng: random.Random,
    policies: list[Policy],
    member_since: date,
    as_of: date,
    price: _Prices,
) -> list[Claim]:
    """Zero to two claims on the customer's claimable policies, newest first."""
    claimable = [p.type for p in policies if p.type in _CLAIM_AMOUNTS]
    count = rng.randint(0, 2) if claimable else 0
    days_ago = sorted(rng.sample(range(1, (as_of - member_since).days), count))
    return [
        _claim(rng, rng.choice(claimable), as_of - timedelta(days=n), as_of, price)
        for n in days_ago
    ]


def _date_of_birth(rng: random.Random, as_of: date) -> date:
    """Aged 25 to 75 at as_of; the bounds keep a few days' margin for leap years."""
    return as_of - timedelta(days=rng.randint(25 * 366, 76 * 365))


def _member_id(rng: random.Random) -> str:
    letters = "".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ", k=3))
    return f"{letters}{rng.randrange(10**9):09d}"


def _plan(rng: random.Random, price: _Prices) -> dict[str, Any]:
    """A metal-tier plan part-way through its year; spending never passes the caps."""
    tier = rng.choice(list(_PLAN_TIERS))
    (ded_low, ded_high), (max_low, max_high) = _PLAN_TIERS[tier]
    deductible = price(rng.randrange(ded_low, ded_high + 1, 50))
    out_of_pocket_max = price(rng.randrange(max_low, max_high + 1, 100))
    met = price.exact(rng.uniform(0, deductible))
    network = rng.choice(_PLAN_NETWORKS)
    return {
        # Named like a carrier's own plans ("Silver PPO 3000"): the brand is the mode's.
        "plan_name": f"{tier} {network} {deductible:.0f}",
        "deductible": deductible,
        "deductible_met": met,
        "out_of_pocket_max": out_of_pocket_max,
        "out_of_pocket_spent": price.exact(
            rng.uniform(met, (met + out_of_pocket_max) / 2)
        ),
    }


def _appointment(
    rng: random.Random, town: str, locale: str, day: date, slot: time
) -> Appointment:
    return Appointment(
        date=day,
        time=slot,
        provider=_doctor_name(rng, locale),
        specialty=rng.choice(_SPECIALTIES),
        location=f"{town} {rng.choice(_CLINICS)}",
    )


@functools.cache
def _weekdays_ahead(weekday: int) -> tuple[int, ...]:
    """Offsets 1-60 that land on Monday to Friday, counting from a given weekday."""
    return tuple(n for n in range(1, 61) if (weekday + n) % 7 < 5)


def _appointments(
    rng: random.Random, fake: Faker, locale: str, as_of: date
) -> list[Appointment]:
    """Up to two weekday visits in the next 60 days at distinct times, soonest first.

    Every clinic is in the member's home town.
    """
    offsets = _weekdays_ahead(as_of.weekday())
    picks = sorted(rng.sample(range(len(offsets) * len(_SLOTS)), rng.randint(0, 2)))
    town = _town(rng, fake, locale) if picks else ""
    return [
        _appointment(
            rng,
            town,
            locale,
            as_of + timedelta(days=offsets[p // len(_SLOTS)]),
            _SLOTS[p % len(_SLOTS)],
        )
        for p in picks
    ]


def _town(rng: random.Random, fake: Faker, locale: str) -> str:
    """The member's home town: a real one, from our list or the locale's."""
    towns = _TOWNS.get(locale)
    return rng.choice(towns) if towns else fake.city()


def _prescriptions(rng: random.Random) -> list[Prescription]:
    """One to three medications at a real dose and schedule, each of its own class."""
    by_class: dict[str, tuple] = {}
    for medication in rng.sample(_MEDICATIONS, len(_MEDICATIONS)):
        by_class.setdefault(medication[3], medication)
    picks = list(by_class.values())[: rng.randint(1, 3)]
    return [
        Prescription(
            medication=name,
            dosage=rng.choice(doses),
            frequency=frequency,
            refills_remaining=rng.randint(0, 5),
        )
        for name, doses, frequency, _class in picks
    ]


def _loyalty(rng: random.Random, price: _Prices) -> dict[str, Any]:
    """Account activity; the status follows from the points."""
    points = rng.randint(0, 60_000)
    return {
        "account_value": price(rng.uniform(50, 25_000)),
        "recent_activity_count": rng.randint(0, 30),
        "loyalty_points": points,
        "status": next(status for floor, status in _LOYALTY_TIERS if points >= floor),
    }


def _start(as_of: date | None, locale: str) -> tuple[date, _Prices]:
    """Check the locale and settle 'today' once, so no section reads the clock."""
    _check_locale(locale)
    return date.today() if as_of is None else as_of, _prices(LOCALE_CURRENCIES[locale])


def _whereabouts(locale: str) -> dict[str, str]:
    """What the customer's figures are written for: the page and prompts read it."""
    return {"locale": locale, "currency": LOCALE_CURRENCIES[locale]}


def generate_banking_persona(
    seed: int, *, as_of: date | None = None, locale: str = "en_US"
) -> BankingPersona:
    """A bank customer with balances, credit and a month's statement."""
    as_of, price = _start(as_of, locale)
    return BankingPersona(
        name=_person_name(_rng(seed, "identity"), locale),
        **_whereabouts(locale),
        member_since=_member_since(_rng(seed, "membership"), as_of),
        recent_transactions=_transactions(_rng(seed, "transactions"), as_of, price),
        **_balances(_rng(seed, "balances"), price),
    )


def generate_insurance_persona(
    seed: int, *, as_of: date | None = None, locale: str = "en_US"
) -> InsurancePersona:
    """A policyholder whose totals and risk score agree with policies and claims."""
    as_of, price = _start(as_of, locale)
    member_since = _member_since(_rng(seed, "membership"), as_of)
    policies = _policies(_rng(seed, "policies"), as_of, price)
    claims = _claims(_rng(seed, "claims"), policies, member_since, as_of, price)
    return InsurancePersona(
        name=_person_name(_rng(seed, "identity"), locale),
        **_whereabouts(locale),
        member_since=member_since,
        active_policies=policies,
        claims_history=claims,
        total_coverage=price.exact(sum(p.coverage for p in policies)),
        monthly_premium=price.exact(sum(p.premium for p in policies)),
        risk_score=_RISK_BY_CLAIMS[len(claims)],
    )


def generate_healthcare_persona(
    seed: int, *, as_of: date | None = None, locale: str = "en_US"
) -> HealthcarePersona:
    """A health-plan member with a plan year in progress, visits and prescriptions."""
    as_of, price = _start(as_of, locale)
    return HealthcarePersona(
        name=_person_name(_rng(seed, "identity"), locale),
        **_whereabouts(locale),
        member_id=_member_id(_rng(seed, "membership")),
        date_of_birth=_date_of_birth(_rng(seed, "birth"), as_of),
        primary_care_provider=_doctor_name(_rng(seed, "primary_care"), locale),
        upcoming_appointments=_appointments(
            _rng(seed, "appointments"),
            _faker(seed, "appointments", locale),
            locale,
            as_of,
        ),
        active_prescriptions=_prescriptions(_rng(seed, "prescriptions")),
        **_plan(_rng(seed, "plan"), price),
    )


def generate_generic_persona(
    seed: int, *, as_of: date | None = None, locale: str = "en_US"
) -> GenericPersona:
    """A customer of any business: tenure, account value and loyalty status."""
    as_of, price = _start(as_of, locale)
    return GenericPersona(
        name=_person_name(_rng(seed, "identity"), locale),
        **_whereabouts(locale),
        customer_since=_member_since(_rng(seed, "membership"), as_of),
        **_loyalty(_rng(seed, "loyalty"), price),
    )


_GENERATORS: dict[str, Callable[..., BaseModel]] = {
    "banking": generate_banking_persona,
    "insurance": generate_insurance_persona,
    "healthcare": generate_healthcare_persona,
    "generic": generate_generic_persona,
}


def generate_persona(
    kind: str, seed: int, *, as_of: date | None = None, locale: str = "en_US"
) -> dict[str, Any]:
    """The persona as JSON-ready data for prompts and storage.

    Raises ValueError, naming the known kinds, for a kind no generator makes.
    """
    generator = _GENERATORS.get(kind)
    if generator is None:
        raise ValueError(
            f"Unknown persona kind {kind!r}; use one of: {', '.join(_GENERATORS)}."
        )
    return generator(seed, as_of=as_of, locale=locale).model_dump(mode="json")
