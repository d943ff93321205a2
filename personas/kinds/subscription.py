"""Subscriptions and memberships: a member on one plan from the catalogue (gyms,
streaming, software, meal kits, clubs, magazines, coworking), billed monthly or yearly,
with this month's usage against the plan's allowance and the invoices paid so far.

A subscription catalogue prices each plan by the month.
"""

import calendar
import random
import re
from datetime import date
from typing import Any, Literal

from personas.answers import Intents, Persona, counted, listed, says, words
from personas.articles import Mentions, articles_read
from personas.card import (
    Card,
    Column,
    Figure,
    Section,
    Table,
    Tiles,
    date_of,
    money_of,
    of,
)
from personas.catalogue import Catalogue, catalogue_of
from personas.figures import (
    Dataset,
    Metric,
    Point,
    Series,
    Tab,
    by_day,
    field_metric,
    progress,
    single,
    to_cents,
)
from personas.formatting import count, long_date, money
from personas.registry import Customer, Kind, Record
from personas.sampling import Draw, Prices, member_since

BillingCycle = Literal["Monthly", "Annual"]
# Months between bills, and what a year costs in months (two months free).
_CYCLE_MONTHS = {"Monthly": 1, "Annual": 12}
ANNUAL_MONTHS_CHARGED = 10
_BILLED = {"Monthly": "monthly", "Annual": "annually"}
# Invoices shown: the last half-year of monthly bills, the last three yearly ones.
_INVOICES_KEPT = {"Monthly": 6, "Annual": 3}
# What a plan's allowance counts, by words in its name, and the allowances it comes in.
_USAGE_UNITS: tuple[tuple[re.Pattern[str], str, tuple[int, ...]], ...] = (
    (
        words(
            r"gym|fitness|yoga|pilates|class(?:es)?|climbing|swim(?:ming)?|spa|studio"
            r"|golf|tennis|boxing|spin|leisure"
        ),
        "visits",
        (8, 12, 16, 20, 30),
    ),
    (words(r"desks?|cowork(?:ing)?|office|workspace"), "desk days", (5, 10, 15, 22)),
    (words(r"meals?|recipes?|meal kits?"), "meals", (8, 12, 16, 20)),
    (
        words(r"box(?:es)?|coffee|wine|bottles?|bags?|snacks?|flowers?|books?"),
        "deliveries",
        (1, 2, 4),
    ),
    (
        words(r"stream(?:ing)?|tv|video|music|4k|hd|films?|movies?|audiobooks?"),
        "hours streamed",
        (60, 100, 150, 200),
    ),
    (
        words(r"magazines?|news|newspaper|journal|digital|print"),
        "articles read",
        (20, 40, 60),
    ),
    (
        words(r"software|saas|seats?|teams?|users?|business|apps?|cloud"),
        "seats",
        (3, 5, 10, 25),
    ),
)
_OTHER_USAGE = ("sessions", (10, 20, 30))


class Invoice(Record):
    invoice_number: str
    billed_on: date
    amount: float


class SubscriptionCustomer(Customer):
    member_since: date
    plan_name: str
    monthly_price: float
    billing_cycle: BillingCycle
    cycle_price: float  # what each bill charges: the month's or the year's price
    auto_renew: bool
    renewal_date: date  # after as_of: the next bill, or the end of the plan
    usage_unit: str
    usage_used: int  # this month
    usage_allowance: int
    payment_history: list[Invoice]  # newest first


# Plans of the businesses that bill by subscription, in dollars a month.
CATALOGUE = catalogue_of(
    (
        ("Off-peak gym membership", 19, 29),
        ("Unlimited gym membership", 45, 65),
        ("Yoga studio monthly pass", 89, 139),
        ("Streaming Basic with ads", 6.99, 7.99),
        ("Streaming Premium 4K", 19.99, 24.99),
        ("Family meal kit, 3 recipes a week", 72, 96),
        ("Software Pro plan", 12, 20),
        ("Software Business plan", 25, 45),
        ("Coworking hot desk", 180, 260),
        ("Coworking dedicated desk", 350, 450),
        ("Digital magazine subscription", 5, 10),
        ("Print and digital newspaper", 15, 25),
        ("Wine club, 3 bottles a month", 45, 70),
        ("Coffee subscription, 2 bags a month", 28, 36),
        ("Music streaming family plan", 16.99, 19.99),
    )
)


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _bills_due(since: date, as_of: date, step: int) -> int:
    """How many bills, one every `step` months from `since`, fall on or before as_of."""
    months = (as_of.year - since.year) * 12 + as_of.month - since.month
    due = months // step + 1
    return due - 1 if months_after(since, (due - 1) * step) > as_of else due


def _plan(
    rng: random.Random, items_rng: random.Random, catalogue: Catalogue, price: Prices
) -> dict[str, Any]:
    """A catalogue plan and how it is billed; a year costs ten months."""
    item = items_rng.choice(catalogue)
    monthly = price.exact(items_rng.uniform(item.low, item.high))
    cycle: BillingCycle = rng.choices(("Monthly", "Annual"), weights=(3, 1))[0]
    months = ANNUAL_MONTHS_CHARGED if cycle == "Annual" else 1
    return {
        "plan_name": item.name,
        "monthly_price": monthly,
        "billing_cycle": cycle,
        "cycle_price": price.exact(monthly * months),
        "auto_renew": rng.random() < 0.85,
    }


def _usage(rng: random.Random, plan_name: str) -> dict[str, Any]:
    """This month's use of the plan, in what its name suggests it counts."""
    unit, allowances = next(
        (
            (unit, sizes)
            for pattern, unit, sizes in _USAGE_UNITS
            if pattern.search(plan_name)
        ),
        _OTHER_USAGE,
    )
    allowance = rng.choice(allowances)
    return {
        "usage_unit": unit,
        "usage_used": rng.randint(0, allowance),
        "usage_allowance": allowance,
    }


def _billing(
    rng: random.Random, since: date, as_of: date, cycle: BillingCycle, amount: float
) -> dict[str, Any]:
    """Bills on the joining day each cycle, the latest on or before as_of, the next
    renewal after it; every bill charges the plan's price."""
    step = _CYCLE_MONTHS[cycle]
    due = _bills_due(since, as_of, step)
    kept = range(due - 1, max(due - _INVOICES_KEPT[cycle], 0) - 1, -1)
    return {
        "renewal_date": months_after(since, due * step),
        "payment_history": [
            Invoice(
                invoice_number=f"INV-{billed.year}-{rng.randrange(10**6):06d}",
                billed_on=billed,
                amount=amount,
            )
            for billed in (months_after(since, n * step) for n in kept)
        ],
    }


def generate(draw: Draw) -> SubscriptionCustomer:
    """A member whose bills, renewal and usage follow from the plan and its dates."""
    since = member_since(draw.rng("membership"), draw.as_of)
    plan = _plan(draw.rng("plan"), draw.rng("plan.item"), draw.catalogue, draw.price)
    return SubscriptionCustomer(
        **draw.customer(),
        member_since=since,
        **plan,
        **_usage(draw.rng("usage"), plan["plan_name"]),
        **_billing(
            draw.rng("payments"),
            since,
            draw.as_of,
            plan["billing_cycle"],
            plan["cycle_price"],
        ),
    )


# The offline model's facts.


def _price_text(persona: Persona) -> str:
    """'$49.00 a month' or '$490.00 a year ($49.00 a month)'."""
    if persona["billing_cycle"] == "Monthly":
        return f"{money(persona['cycle_price'])} a month"
    return (
        f"{money(persona['cycle_price'])} a year "
        f"({money(persona['monthly_price'])} a month)"
    )


def _renewal(persona: Persona, question: str) -> str:
    day = long_date(persona["renewal_date"])
    if not persona["auto_renew"]:
        return f"Auto-renew is off, so your {persona['plan_name']} ends on {day}."
    return f"Your {persona['plan_name']} renews on {day}, at {_price_text(persona)}."


def _usage_text(persona: Persona, question: str) -> str:
    used, allowance = persona["usage_used"], persona["usage_allowance"]
    return (
        f"You've used {count(used)} of your {count(allowance)} "
        f"{persona['usage_unit']} this month; {count(allowance - used)} left."
    )


def _payments(persona: Persona, question: str) -> str:
    invoices = persona["payment_history"]
    if not invoices:
        return "I don't see any payments on your account yet."
    latest = "; ".join(_payment_line(i) for i in invoices[:3])
    return f"Your last {counted(len(invoices[:3]), 'payment')}: {latest}."


def _payment_line(invoice: dict) -> str:
    i = invoice
    return (
        f"{money(i['amount'])} on {long_date(i['billed_on'])} ({i['invoice_number']})"
    )


ANSWERS: Intents = (
    (
        words(r"invoices?|payments?|paid|receipts?|charged|charges|billing history"),
        listed(
            lambda p: p["payment_history"],
            lambda i: f"That one is {_payment_line(i)}.",
            _payments,
        ),
    ),
    (
        words(
            r"renew(?:al|s|ing)?|auto-?renew|next (?:bill|billing|payment)|expire[sd]?"
            r"|ends?|cancel|due"
        ),
        _renewal,
    ),
    (
        words(
            r"usage|used|left|remaining|allowance|visits|sessions"
            r"|how many (?:\w+ ){0,3}(?:have i|did i|do i have|i have|i've)"
        ),
        _usage_text,
    ),
    (
        words(r"price|cost|costs|how much|pay|fee|monthly|annual|yearly"),
        lambda p, q: f"Your {p['plan_name']} costs {_price_text(p)}.",
    ),
    (
        words(r"plan|membership|subscription|tier|billing"),
        lambda p, q: (
            f"You're on the {p['plan_name']}, billed {_BILLED[p['billing_cycle']]} at "
            f"{_price_text(p)}."
        ),
    ),
    (
        words(r"member since|joined|how long|since when|become a member"),
        says("You've been a member since {}.", "member_since", long_date),
    ),
)


# What its help articles name.


def _next_bill(persona: Persona, question: str) -> str | None:
    if not persona["auto_renew"]:
        return None
    return (
        f" (your next bill, {money(persona['cycle_price'])}, is on "
        f"{long_date(persona['renewal_date'])})"
    )


MENTIONS: Mentions = (
    (
        words(r"cancel|pause|plan|subscription"),
        lambda persona, question: (
            f" (you're on {persona['plan_name']}, "
            f"{'renewing' if persona['auto_renew'] else 'ending'} on "
            f"{long_date(persona['renewal_date'])})"
        ),
    ),
    (words(r"payment|card|billing"), _next_bill),
)


# The customer card.


def _usage_figure(persona: Persona) -> str:
    """'8 of 12 visits'."""
    return (
        f"{count(persona['usage_used'])} of {count(persona['usage_allowance'])} "
        f"{persona['usage_unit']}"
    )


CARD = Card(
    headline=Figure(
        "Plan price",
        money_of("cycle_price"),
        note=lambda p: "per month" if p["billing_cycle"] == "Monthly" else "per year",
        testid="plan-price",
    ),
    summary=(
        Figure("Plan", of("plan_name"), testid="plan-name"),
        Figure("Member since", date_of("member_since")),
    ),
    sections=(
        Section(
            "Your plan",
            "plan",
            (
                Tiles(
                    (
                        Figure("Billing", of("billing_cycle"), note=_price_text),
                        Figure(
                            "Renewal",
                            date_of("renewal_date"),
                            note=lambda p: (
                                "Renews automatically"
                                if p["auto_renew"]
                                else "Auto-renew off: the plan ends"
                            ),
                            testid="renewal-date",
                        ),
                        Figure(
                            "Used this month",
                            _usage_figure,
                            note=lambda p: (
                                f"{count(p['usage_allowance'] - p['usage_used'])} left"
                            ),
                            testid="usage",
                        ),
                    )
                ),
            ),
        ),
        Section(
            "Payments",
            "payments",
            (
                Table(
                    caption="Your recent payments",
                    rows=lambda p: p["payment_history"],
                    columns=(
                        Column("Date", date_of("billed_on"), style="nowrap"),
                        Column("Invoice", of("invoice_number"), style="muted"),
                        Column("Amount", money_of("amount"), style="num"),
                    ),
                    empty="No payments yet.",
                ),
            ),
        ),
    ),
)

# The dashboard.


def _usage_unit(persona: Persona) -> str:
    return persona["usage_unit"]


def _yearly_cost(persona: Persona) -> tuple[Series, ...]:
    """What a year of the plan costs billed each way: a year billed at once charges
    ANNUAL_MONTHS_CHARGED months."""
    month = to_cents(persona["monthly_price"])
    return single(
        "A year",
        (
            Point("Billed monthly", month * 12 / 100),
            Point("Billed annually", month * ANNUAL_MONTHS_CHARGED / 100),
        ),
    )


DATASETS = (
    Dataset(
        "usage_this_month",
        "Usage this month",
        "progress",
        _usage_unit,
        lambda p: progress(
            "Usage", p["usage_used"], p["usage_allowance"], ("Used", "Left")
        ),
        asks=r"usage|used|allowance|left|remaining|visits|sessions",
        chart_types=("pie", "bar"),
    ),
    Dataset(
        "payment_history",
        "Payments",
        "bar",
        "money",
        lambda p: single(
            "Payments", by_day(p["payment_history"], "billed_on", "amount")
        ),
        asks=r"payments?|invoices?|paid|charges?|billing history|bills?",
        chart_types=("line",),
    ),
    Dataset(
        "yearly_cost",
        "Yearly cost, monthly vs annual",
        "bar",
        "money",
        _yearly_cost,
        asks=r"year|annual|save|saving|cycle",
    ),
)
METRICS = (
    Metric("plan_price", "Plan price", "money", lambda p: p["cycle_price"]),
    field_metric("billing_cycle", "Billing", ""),
    Metric("renewal_date", "Renewal", "", lambda p: long_date(p["renewal_date"])),
    field_metric("usage_used", "Used this month", _usage_unit),
    field_metric("usage_allowance", "Allowance", _usage_unit),
)
TABS = (
    Tab(
        "Overview",
        ("plan_price", "billing_cycle", "renewal_date", "usage_this_month"),
    ),
    Tab("Payments", ("payment_history", "yearly_cost")),
)


KIND = Kind(
    name="subscription",
    label="Subscription and membership",
    fits="gyms, fitness and yoga studios, streaming, software and SaaS, meal kits, "
    "clubs, magazines and newspapers, coworking, subscription boxes",
    schema=SubscriptionCustomer,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your plan and its price, billing cycle and renewal date, this month's "
    "usage and allowance, and your payment history",
    example="When does my plan renew?",
    examples=(
        "When does my plan renew?",
        "How much of my allowance have I used?",
        "What were my last payments?",
    ),
    hero="Your plan, usage and payments at a glance, and a secure chat with our "
    "virtual assistant.",
    chat_subtitle="Ask about your plan, usage, billing and renewal",
    catalogue=CATALOGUE,
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("subscription"),
    help_mentions=MENTIONS,
)
