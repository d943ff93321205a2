"""Healthcare: a health-plan member with a plan year in progress, visits and
prescriptions."""

import random
import re
from datetime import date, time, timedelta
from typing import Any

from faker import Faker

from personas.answers import Intents, Persona, counted, listed, says, words
from personas.articles import (
    Mentions,
    articles_read,
    record_named,
    record_named_or_only,
)
from personas.card import (
    Card,
    Column,
    Facts,
    Figure,
    Meter,
    Meters,
    Row,
    Section,
    Table,
    date_of,
    of,
)
from personas.figures import (
    Dataset,
    Metric,
    Point,
    Series,
    Tab,
    field_metric,
    progress,
    single,
)
from personas.formatting import clock_time, count, long_date, money
from personas.registry import Customer, Kind, Record
from personas.sampling import (
    WORKING_SLOTS,
    Draw,
    Prices,
    doctor_name,
    town,
    weekdays_ahead,
)

# The customer's data.


class Appointment(Record):
    date: date
    time: time
    provider: str
    specialty: str
    location: str


class Prescription(Record):
    medication: str
    dosage: str
    frequency: str
    refills_remaining: int


class HealthcarePersona(Customer):
    member_id: str
    date_of_birth: date
    primary_care_provider: str
    plan_name: str
    deductible: float
    deductible_met: float
    out_of_pocket_max: float
    out_of_pocket_spent: float
    upcoming_appointments: list[Appointment]
    active_prescriptions: list[Prescription]


# How it is generated.

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


def _date_of_birth(rng: random.Random, as_of: date) -> date:
    """Aged 25 to 75 at as_of; the bounds keep a few days' margin for leap years."""
    return as_of - timedelta(days=rng.randint(25 * 366, 76 * 365))


def _member_id(rng: random.Random) -> str:
    letters = "".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ", k=3))
    return f"{letters}{rng.randrange(10**9):09d}"


def _plan(rng: random.Random, price: Prices) -> dict[str, Any]:
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
    rng: random.Random, home: str, locale: str, day: date, slot: time
) -> Appointment:
    return Appointment(
        date=day,
        time=slot,
        provider=doctor_name(rng, locale),
        specialty=rng.choice(_SPECIALTIES),
        location=f"{home} {rng.choice(_CLINICS)}",
    )


def _appointments(
    rng: random.Random, fake: Faker, locale: str, as_of: date
) -> list[Appointment]:
    """Up to two weekday visits in the next 60 days at distinct times, soonest first.

    Every clinic is in the member's home town.
    """
    offsets = weekdays_ahead(as_of.weekday())
    slots = len(WORKING_SLOTS)
    picks = sorted(rng.sample(range(len(offsets) * slots), rng.randint(0, 2)))
    home = town(rng, fake, locale) if picks else ""
    return [
        _appointment(
            rng,
            home,
            locale,
            as_of + timedelta(days=offsets[p // slots]),
            WORKING_SLOTS[p % slots],
        )
        for p in picks
    ]


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


def generate(draw: Draw) -> HealthcarePersona:
    """A health-plan member with a plan year in progress, visits and prescriptions."""
    return HealthcarePersona(
        **draw.customer(),
        member_id=_member_id(draw.rng("membership")),
        date_of_birth=_date_of_birth(draw.rng("birth"), draw.as_of),
        primary_care_provider=doctor_name(draw.rng("primary_care"), draw.locale),
        upcoming_appointments=_appointments(
            draw.rng("appointments"),
            draw.faker("appointments"),
            draw.locale,
            draw.as_of,
        ),
        active_prescriptions=_prescriptions(draw.rng("prescriptions")),
        **_plan(draw.rng("plan"), draw.price),
    )


# What the offline model answers.


def _progress(spent: float, limit: float, what: str) -> str:
    left = money(max(limit - spent, 0))
    return f"You've met {money(spent)} of your {money(limit)} {what}; {left} to go."


def _prescription(p: Row) -> str:
    refills = counted(p["refills_remaining"], "refill")
    return f"{p['medication']} {p['dosage']} ({p['frequency']}), {refills} left"


def _prescriptions_answer(persona: Persona, question: str) -> str:
    """The medication the question names, else every active prescription."""
    scripts = persona["active_prescriptions"]
    # The first word is enough: "albuterol" names the "Albuterol inhaler".
    named = [
        p
        for p in scripts
        if words(re.escape(p["medication"].split()[0])).search(question)
    ]
    if named:
        return f"Your {_prescription(named[0])}."
    if not scripts:
        return "You have no active prescriptions."
    lines = "; ".join(_prescription(p) for p in scripts)
    return f"You have {counted(len(scripts), 'active prescription')}: {lines}."


def _soonest_first(persona: Persona) -> list[Row]:
    return sorted(
        persona["upcoming_appointments"], key=lambda a: (a["date"], a["time"])
    )


def _visit(a: Row) -> str:
    return (
        f"with {a['provider']} ({a['specialty']}) on {long_date(a['date'])} at "
        f"{clock_time(a['time'])}, at {a['location']}"
    )


def _next_appointment(persona: Persona, question: str) -> str:
    visits = _soonest_first(persona)
    if not visits:
        return "You have no upcoming appointments."
    later = len(visits) - 1
    return f"Your next appointment is {_visit(visits[0])}." + (
        f" You have {counted(later, 'more')} after that." if later else ""
    )


ANSWERS: Intents = (
    (
        words(
            r"prescriptions?|medications?|medicines?|meds|refills?|pharmacy|drugs?"
            r"|dose|dosage|taking"
        ),
        listed(
            lambda p: p["active_prescriptions"],
            lambda r: f"That one is {_prescription(r)}.",
            _prescriptions_answer,
        ),
    ),
    (
        words(r"out[- ]of[- ]pocket|oop|max(?:imum)?"),
        lambda p, q: _progress(
            p["out_of_pocket_spent"], p["out_of_pocket_max"], "out-of-pocket maximum"
        ),
    ),
    (
        words(r"deductibles?|deductables?"),
        lambda p, q: _progress(p["deductible_met"], p["deductible"], "deductible"),
    ),
    (
        words(r"primary care|pcp|my doctor|family doctor|gp"),
        says("Your primary care provider is {}.", "primary_care_provider"),
    ),
    (
        words(r"member id|member number|id|insurance card|card"),
        says("Your member ID is {}.", "member_id"),
    ),
    (
        words(r"appointments?|visits?|doctors?|checkups?|scheduled?"),
        listed(
            _soonest_first, lambda a: f"That one is {_visit(a)}.", _next_appointment
        ),
    ),
    (
        words(r"plans?|insurance|coverage|network"),
        says("You're on the {} plan.", "plan_name"),
    ),
)


# What its help articles name.


def _prescription_named(persona: Persona, question: str) -> str | None:
    found = persona["active_prescriptions"]
    rx = record_named_or_only(found, ("medication",), question)
    if rx is None:
        return None
    left = counted(rx["refills_remaining"], "refill")
    return f" for your {rx['medication']} {rx['dosage']} ({left} left)"


def _appointment_named(persona: Persona, question: str) -> str | None:
    """The appointment the question names, else the next one."""
    upcoming = sorted(
        persona["upcoming_appointments"], key=lambda a: (a["date"], a["time"])
    )
    named = record_named(upcoming, ("provider", "specialty"), question)
    if (chosen := named or next(iter(upcoming), None)) is None:
        return None
    return (
        f", such as your {chosen['specialty']} visit with {chosen['provider']} on "
        f"{long_date(chosen['date'])} at {clock_time(chosen['time'])}"
    )


MENTIONS: Mentions = (
    (words(r"refills?|prescriptions?"), _prescription_named),
    (words(r"appointments?|reschedule"), _appointment_named),
    (
        words(r"referrals?"),
        lambda persona, question: (
            f" from your primary care provider, {persona['primary_care_provider']}"
        ),
    ),
)


# How the card reads.


def _refills(row: Row) -> str:
    left = row["refills_remaining"]
    if left == 0:
        return "No refills left"
    return f"{count(left)} {'refill' if left == 1 else 'refills'} left"


def _refills_tone(row: Row) -> str:
    """None left needs a call to the doctor; one left, soon."""
    return {0: "bad", 1: "wait"}.get(row["refills_remaining"], "good")


CARD = Card(
    headline=Figure("Member ID", of("member_id"), testid="member-id"),
    summary=(
        Figure("Plan", of("plan_name"), testid="plan-name"),
        Figure("Date of birth", date_of("date_of_birth")),
    ),
    sections=(
        Section(
            "Plan year progress",
            "plan-progress",
            (
                Meters(
                    (
                        Meter(
                            "Deductible",
                            "deductible_met",
                            "deductible",
                            testid="deductible-bar",
                        ),
                        Meter(
                            "Out-of-pocket maximum",
                            "out_of_pocket_spent",
                            "out_of_pocket_max",
                            testid="out-of-pocket-bar",
                        ),
                    )
                ),
                Facts(
                    (
                        Figure(
                            "Primary care provider",
                            of("primary_care_provider"),
                            testid="primary-care",
                        ),
                    )
                ),
            ),
        ),
        Section(
            "Upcoming appointments",
            "appointments",
            (
                Table(
                    caption="Upcoming appointments",
                    rows=lambda persona: persona["upcoming_appointments"],
                    columns=(
                        Column(
                            "When",
                            lambda row: (
                                f"{long_date(row['date'])} at {clock_time(row['time'])}"
                            ),
                            style="nowrap",
                        ),
                        Column(
                            "Provider",
                            of("provider"),
                            note=of("specialty"),
                            style="strong",
                        ),
                        Column("Location", of("location"), style="hide-narrow muted"),
                    ),
                    empty="No upcoming appointments.",
                ),
            ),
        ),
        Section(
            "Prescriptions",
            "prescriptions",
            (
                Table(
                    caption="Prescriptions",
                    rows=lambda persona: persona["active_prescriptions"],
                    columns=(
                        Column(
                            "Medication",
                            of("medication"),
                            note=of("dosage"),
                            style="strong",
                        ),
                        Column("How to take", of("frequency")),
                        Column("Refills", _refills, tone=_refills_tone, pill=True),
                    ),
                    empty="No active prescriptions.",
                ),
            ),
        ),
    ),
)

# The dashboard.


def _refills_by_prescription(persona: Persona) -> tuple[Series, ...]:
    """Refills left on each prescription, most first."""
    scripts = sorted(
        persona["active_prescriptions"], key=lambda p: -p["refills_remaining"]
    )
    return single(
        "Refills left",
        (Point(p["medication"], p["refills_remaining"]) for p in scripts),
    )


DATASETS = (
    Dataset(
        "deductible_progress",
        "Deductible progress",
        "progress",
        "money",
        lambda p: progress(
            "Deductible", p["deductible_met"], p["deductible"], ("Met", "To go")
        ),
        asks=r"deductible",
        chart_types=("pie", "bar"),
    ),
    Dataset(
        "out_of_pocket_progress",
        "Out-of-pocket progress",
        "progress",
        "money",
        lambda p: progress(
            "Out-of-pocket maximum",
            p["out_of_pocket_spent"],
            p["out_of_pocket_max"],
            ("Spent", "To go"),
        ),
        asks=r"out[- ]of[- ]pocket|\boop\b|max(?:imum)?",
        chart_types=("pie", "bar"),
    ),
    Dataset(
        "refills_by_prescription",
        "Refills left by prescription",
        "bar",
        "count",
        _refills_by_prescription,
        asks=r"refills?|prescriptions?|medications?|medicines?|meds",
    ),
)
METRICS = (
    field_metric("plan_name", "Plan", ""),
    field_metric("deductible_met", "Deductible met", "money"),
    field_metric("deductible", "Deductible", "money"),
    field_metric("out_of_pocket_spent", "Out-of-pocket spent", "money"),
    field_metric("out_of_pocket_max", "Out-of-pocket maximum", "money"),
    Metric(
        "upcoming_appointments",
        "Upcoming appointments",
        "count",
        lambda p: len(p["upcoming_appointments"]),
    ),
)
TABS = (
    Tab(
        "Overview",
        ("plan_name", "upcoming_appointments", "deductible_progress"),
    ),
    Tab(
        "Plan year",
        (
            "deductible_met",
            "deductible",
            "out_of_pocket_spent",
            "out_of_pocket_max",
            "deductible_progress",
            "out_of_pocket_progress",
        ),
    ),
    Tab("Prescriptions", ("refills_by_prescription",)),
)


KIND = Kind(
    name="healthcare",
    label="Healthcare",
    fits="health plans, clinics, hospitals, dentists, opticians and pharmacies",
    schema=HealthcarePersona,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your appointments, prescriptions and refills, deductible and "
    "out-of-pocket progress, primary care provider, plan and member ID",
    example="When is my next appointment?",
    examples=(
        "When is my next appointment?",
        "What prescriptions am I on?",
        "How much of my deductible have I met?",
    ),
    hero="Your plan, care and prescriptions at a glance, and a secure chat with our "
    "virtual assistant.",
    chat_subtitle="Ask about benefits, appointments and prescriptions",
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("healthcare"),
    help_mentions=MENTIONS,
)
