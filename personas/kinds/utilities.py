"""Utilities and telecom: a plan, this period's usage against its allowance, monthly
bills whose statuses follow their due dates, and the balance the unpaid ones make."""

import random
import re
from datetime import date, timedelta
from typing import Literal, NamedTuple

from personas.answers import (
    Persona,
    counted,
    joined,
    listed,
    newest_first,
    says,
    words,
)
from personas.articles import Mentions, articles_read
from personas.card import (
    Card,
    Column,
    Facts,
    Figure,
    Meter,
    Meters,
    Section,
    Table,
    date_of,
    money_of,
    of,
)
from personas.catalogue import catalogue_of
from personas.figures import (
    Dataset,
    Metric,
    Series,
    Tab,
    by_day,
    field_metric,
    parts,
    progress,
    single,
)
from personas.formatting import count, long_date, money
from personas.registry import Customer, Kind, Record
from personas.sampling import Draw, Prices, member_since, town

BillStatus = Literal["paid", "due", "overdue"]
# A bill falls due this many days after it is issued.
DUE_DAYS = 21
STATUS_LABELS: dict[str, str] = {"paid": "Paid", "due": "Due", "overdue": "Overdue"}
STATUS_TONES: dict[str, str] = {"paid": "good", "due": "wait", "overdue": "bad"}


class Allowance(NamedTuple):
    """What a plan's usage is counted in, and the range its monthly allowance spans."""

    unit: str
    low: int
    high: int


# The service a plan's name mentions, by its words: (US customers, everyone else).
# First match wins, so a bundle naming internet counts data.
_METERED = (
    (
        words(r"internet|broadband|fib(?:er|re)|wi-?fi|dsl|bundle"),
        Allowance("GB", 300, 1_500),
        Allowance("GB", 300, 1_500),
    ),
    (
        words(r"mobile|cell(?:ular)?|phones?|5g|4g|sim|data"),
        Allowance("GB", 5, 100),
        Allowance("GB", 5, 100),
    ),
    (
        words(r"electric(?:ity)?|power|energy|solar|renewable"),
        Allowance("kWh", 300, 1_200),
        Allowance("kWh", 150, 600),
    ),
    (words(r"gas"), Allowance("therms", 20, 120), Allowance("kWh", 400, 1_500)),
    (
        words(r"water|sewer"),
        Allowance("gallons", 2_000, 8_000),
        Allowance("m³", 6, 25),
    ),
    (
        words(r"tv|television|cable|satellite|dvr"),
        Allowance("hours", 50, 200),
        Allowance("hours", 50, 200),
    ),
)
_ANY_SERVICE = Allowance("units", 100, 1_000)
# A plan that names its allowance ("Mobile Essentials, 15 GB") is held to it.
_STATED_ALLOWANCE = re.compile(
    r"(\d[\d,]*)\s*(GB|kWh|minutes|therms|gallons|hours)\b", re.IGNORECASE
)
_UNIT_SPELLINGS = {"gb": "GB", "kwh": "kWh"}


class Bill(Record):
    issued: date
    due: date
    plan_charge: float
    other_charges: float  # usage, taxes and fees
    amount: float  # plan_charge + other_charges
    status: BillStatus
    paid_on: date | None


class UtilitiesPersona(Customer):
    account_number: str
    customer_since: date
    service_town: str
    plan_name: str
    plan_price: float  # a month
    autopay: bool
    usage_unit: str
    usage_allowance: int
    usage_used: int
    period_start: date
    period_end: date
    next_bill_date: date
    bills: list[Bill]  # newest first
    balance_due: float  # the unpaid bills' amounts


def _allowance(rng: random.Random, plan_name: str, locale: str) -> tuple[str, int]:
    """The plan's unit and allowance: as its name states, else its service's usual."""
    stated = _STATED_ALLOWANCE.search(plan_name)
    if stated:
        unit = stated.group(2).lower()
        return _UNIT_SPELLINGS.get(unit, unit), int(stated.group(1).replace(",", ""))
    us, metric = next(
        ((us, metric) for pattern, us, metric in _METERED if pattern.search(plan_name)),
        (_ANY_SERVICE, _ANY_SERVICE),
    )
    unit, low, high = us if locale == "en_US" else metric
    step = 10 ** max(0, len(str(high)) - 2)
    return unit, rng.randrange(low, high + 1, step)


def _usage(rng: random.Random, plan_name: str, locale: str) -> dict:
    """Between a twentieth of the allowance and all of it, in whole units."""
    unit, allowance = _allowance(rng, plan_name, locale)
    return {
        "usage_unit": unit,
        "usage_allowance": allowance,
        "usage_used": rng.randint(max(allowance // 20, 1), allowance),
    }


def _months_back(day: date, months: int) -> date:
    """The same day of the month (1-28), `months` earlier."""
    total = day.year * 12 + day.month - 1 - months
    return day.replace(year=total // 12, month=total % 12 + 1)


def _period(rng: random.Random, as_of: date) -> tuple[date, date]:
    """The billing period holding as_of: from the latest bill day to the next."""
    billing_day = rng.randint(1, 28)
    start = as_of.replace(day=billing_day)
    if start > as_of:
        start = _months_back(start, 1)
    return start, _months_back(start, -1) - timedelta(days=1)


def _payment(
    rng: random.Random, issued: date, due: date, as_of: date, autopay: bool
) -> date | None:
    """When a bill was paid, if it was: autopay pays on the due date, others by it."""
    if autopay:
        return due if due <= as_of else None
    if due >= as_of and rng.random() < 0.7:
        return None
    return issued + timedelta(days=rng.randint(0, (min(due, as_of) - issued).days))


def _bill(
    rng: random.Random,
    issued: date,
    due: date,
    plan_price: float,
    paid_on: date | None,
    as_of: date,
    price: Prices,
) -> Bill:
    """The plan's charge plus usage, taxes and fees; its status follows the dates."""
    other = price.exact(plan_price * rng.uniform(0.03, 0.3))
    status = "paid" if paid_on else "due" if due >= as_of else "overdue"
    return Bill(
        issued=issued,
        due=due,
        plan_charge=plan_price,
        other_charges=other,
        amount=price.exact(plan_price + other),
        status=status,
        paid_on=paid_on,
    )


def _bills(
    rng: random.Random,
    period_start: date,
    since: date,
    plan_price: float,
    autopay: bool,
    as_of: date,
    price: Prices,
) -> list[Bill]:
    """Two to six monthly bills since the customer joined (at least six months ago),
    newest first; one paying by hand may have left the latest past-due ones unpaid."""
    issue_days = [_months_back(period_start, n) for n in range(rng.randint(2, 6))]
    issue_days = [day for day in issue_days if day >= since]
    behind = 0 if autopay else rng.choices((0, 1, 2), weights=(7, 2, 1))[0]
    bills = []
    for issued in issue_days:
        due = issued + timedelta(days=DUE_DAYS)
        paid_on = _payment(rng, issued, due, as_of, autopay)
        if due < as_of and behind:
            paid_on, behind = None, behind - 1
        bills.append(_bill(rng, issued, due, plan_price, paid_on, as_of, price))
    return bills


def generate(draw: Draw) -> UtilitiesPersona:
    """A utility or telecom account part-way through a billing period."""
    account = draw.rng("account")
    since = member_since(account, draw.as_of)
    plan_rng = draw.rng("plan")
    plan = plan_rng.choice(draw.catalogue)
    plan_price = draw.price.exact(plan_rng.uniform(plan.low, plan.high))
    autopay = account.random() < 0.5
    period_start, period_end = _period(draw.rng("period"), draw.as_of)
    bills = _bills(
        draw.rng("bills"),
        period_start,
        since,
        plan_price,
        autopay,
        draw.as_of,
        draw.price,
    )
    return UtilitiesPersona(
        **draw.customer(),
        account_number=f"{account.randrange(10**10):010d}",
        customer_since=since,
        service_town=town(account, draw.faker("address"), draw.locale),
        plan_name=plan.name,
        plan_price=plan_price,
        autopay=autopay,
        **_usage(draw.rng("usage"), plan.name, draw.locale),
        period_start=period_start,
        period_end=period_end,
        next_bill_date=period_end + timedelta(days=1),
        bills=bills,
        balance_due=draw.price.exact(
            sum(b.amount for b in bills if b.status != "paid")
        ),
    )


# The offline model's facts.


def _unpaid(persona: Persona) -> list[dict]:
    """Unpaid bills, the one falling due first first."""
    return sorted(
        (b for b in persona["bills"] if b["status"] != "paid"), key=lambda b: b["due"]
    )


def _bill_line(bill: dict) -> str:
    return f"{money(bill['amount'])} issued {long_date(bill['issued'])}"


def _balance(persona: Persona, question: str) -> str:
    unpaid = _unpaid(persona)
    figure = money(persona["balance_due"])
    if not unpaid:
        return f"Your balance due is {figure}: you're all paid up."
    overdue = [b for b in unpaid if b["status"] == "overdue"]
    late = f", {counted(len(overdue), 'bill')} overdue" if overdue else ""
    return (
        f"Your balance due is {figure} across {counted(len(unpaid), 'unpaid bill')}"
        f"{late}: {joined([_bill_line(b) for b in unpaid])}."
    )


def _due_date(persona: Persona, question: str) -> str:
    unpaid = _unpaid(persona)
    if not unpaid:
        return (
            "Every bill is paid; your next bill will be issued on "
            f"{long_date(persona['next_bill_date'])}."
        )
    bill = unpaid[0]
    tense = "was due on" if bill["status"] == "overdue" else "is due on"
    late = " and is overdue" if bill["status"] == "overdue" else ""
    return (
        f"Your bill of {money(bill['amount'])} {tense} {long_date(bill['due'])}{late}."
    )


def _usage_answer(persona: Persona, question: str) -> str:
    unit, used = persona["usage_unit"], persona["usage_used"]
    allowance = persona["usage_allowance"]
    left = max(allowance - used, 0)
    return (
        f"You've used {count(used)} {unit} of your {count(allowance)} {unit} "
        f"allowance since {long_date(persona['period_start'])}; {count(left)} {unit} "
        f"left until {long_date(persona['period_end'])}."
    )


def _bill_text(bill: dict) -> str:
    return f"{_bill_line(bill)}, {STATUS_LABELS[bill['status']].lower()}"


def _bills_answer(persona: Persona, question: str) -> str:
    lines = [_bill_text(b) for b in newest_first(persona["bills"], "issued")[:3]]
    return f"Your latest bills: {'; '.join(lines)}."


def _autopay(persona: Persona, question: str) -> str:
    if persona["autopay"]:
        return "Autopay is on: each bill is paid on its due date."
    return "Autopay is off: you pay each bill yourself by its due date."


ANSWERS = (
    (words(r"account number"), says("Your account number is {}.", "account_number")),
    (words(r"autopay|auto-pay|automatic payments?|direct debit"), _autopay),
    (
        words(
            r"usage|used|allowance|data|kwh|gb|gigabytes?|minutes|therms"
            r"|gallons|consumption"
        ),
        _usage_answer,
    ),
    (words(r"owe|balance|outstanding|amount due|pay off|overdue|late"), _balance),
    (words(r"due|when (?:do|must|should) i pay"), _due_date),
    (
        words(r"bills?|invoices?|statements?|paid"),
        listed(
            lambda p: newest_first(p["bills"], "issued"),
            lambda b: f"That one is {_bill_text(b)}.",
            _bills_answer,
        ),
    ),
    (
        words(r"plan|package|tariff|subscription|price|cost"),
        lambda p, q: f"You're on {p['plan_name']} at {money(p['plan_price'])} a month.",
    ),
)


# What its help articles name.


def _balance_due(persona: Persona, question: str) -> str | None:
    if persona["balance_due"] <= 0:
        return None
    return f" (your balance due is {money(persona['balance_due'])})"


MENTIONS: Mentions = (
    (
        words(r"outages?"),
        lambda persona, question: f" in {persona['service_town']}",
    ),
    (words(r"pay|bills?|payment"), _balance_due),
    (
        words(r"moving|move|service"),
        lambda persona, question: f" (account {persona['account_number']})",
    ),
)


def _autopay_text(persona: Persona) -> str:
    return "On" if persona["autopay"] else "Off"


CARD = Card(
    headline=Figure(
        "Balance due",
        money_of("balance_due"),
        note=lambda p: f"Next bill {long_date(p['next_bill_date'])}",
        testid="utilities-balance-due",
    ),
    summary=(
        Figure("Plan", of("plan_name"), note=lambda p: f"{money(p['plan_price'])}/mo"),
        Figure("Account number", of("account_number")),
        Figure("Autopay", _autopay_text, testid="utilities-autopay"),
        Figure("Service address", of("service_town")),
    ),
    sections=(
        Section(
            "Usage this period",
            "utilities-usage",
            (
                Meters(
                    (
                        Meter(
                            "Usage",
                            "usage_used",
                            "usage_allowance",
                            testid="utilities-usage-meter",
                            unit=of("usage_unit"),
                        ),
                    )
                ),
                Facts(
                    (
                        Figure("Period started", date_of("period_start")),
                        Figure("Period ends", date_of("period_end")),
                    )
                ),
            ),
        ),
        Section(
            "Bills",
            "utilities-bills",
            (
                Table(
                    "Recent bills",
                    lambda p: p["bills"],
                    (
                        Column("Issued", date_of("issued"), style="nowrap"),
                        Column("Due", date_of("due"), style="nowrap hide-narrow"),
                        Column("Amount", money_of("amount"), style="num"),
                        Column(
                            "Status",
                            lambda b: STATUS_LABELS[b["status"]],
                            tone=lambda b: STATUS_TONES[b["status"]],
                            pill=True,
                        ),
                    ),
                    "No bills yet.",
                ),
            ),
        ),
    ),
)

CATALOGUE = catalogue_of(
    (
        ("Fiber Internet 500 Mbps", 55, 80),
        ("Fiber Internet 1 Gig", 75, 110),
        ("Starter Broadband 100 Mbps", 35, 50),
        ("Internet + TV Bundle", 100, 160),
        ("Unlimited Mobile, 50 GB premium data", 55, 85),
        ("Mobile Essentials, 15 GB", 30, 45),
        ("Family Mobile, 4 lines, 100 GB shared", 120, 180),
        ("Home Phone, 1,000 minutes", 20, 30),
        ("Residential Electricity, Standard Rate", 80, 220),
        ("Green Electricity, 100% Renewable", 90, 240),
        ("Time-of-Use Electricity", 70, 200),
        ("Natural Gas Heating", 40, 160),
        ("Water & Sewer Service", 35, 95),
        ("Cable TV Essentials, 125 channels", 60, 90),
        ("TV Premium with Cloud DVR, 200 hours", 90, 140),
    )
)

# The dashboard.


def _usage_unit(persona: Persona) -> str:
    return persona["usage_unit"]


def _bills_by_status(persona: Persona) -> tuple[Series, ...]:
    """Bill amounts by status; the unpaid ones make the balance due."""
    bills = persona["bills"]
    return single(
        "Bills", parts((STATUS_LABELS[b["status"]], b["amount"]) for b in bills)
    )


DATASETS = (
    Dataset(
        "usage_this_period",
        "Usage this period",
        "progress",
        _usage_unit,
        lambda p: progress(
            "Usage", p["usage_used"], p["usage_allowance"], ("Used", "Left")
        ),
        asks=r"usage|used|allowance|consumption|kwh|\bgb\b|data|therms|gallons",
        chart_types=("pie", "bar"),
    ),
    Dataset(
        "bill_history",
        "Bill history",
        "bar",
        "money",
        lambda p: single("Bills", by_day(p["bills"], "issued", "amount")),
        asks=r"bill history|history|bills? over time|past bills|bill amounts?",
        chart_types=("line",),
    ),
    Dataset(
        "bills_by_status",
        "Paid and unpaid bills",
        "bar",
        "money",
        _bills_by_status,
        asks=r"unpaid|paid and unpaid|status|overdue|outstanding|owe",
        chart_types=("pie",),
    ),
)
METRICS = (
    field_metric("balance_due", "Balance due", "money"),
    field_metric("plan_price", "Plan price", "money"),
    field_metric("usage_used", "Usage", _usage_unit),
    field_metric("usage_allowance", "Allowance", _usage_unit),
    Metric("next_bill_date", "Next bill", "", lambda p: long_date(p["next_bill_date"])),
    Metric("autopay", "Autopay", "", _autopay_text),
)
TABS = (
    Tab("Overview", ("balance_due", "next_bill_date", "autopay", "bills_by_status")),
    Tab("Usage", ("usage_used", "usage_allowance", "usage_this_period")),
    Tab("Bills", ("plan_price", "bill_history")),
)


KIND = Kind(
    name="utilities",
    label="Utilities & telecom",
    fits="electricity, gas, water, internet, broadband, mobile phone, telecom, cable "
    "and satellite TV providers",
    schema=UtilitiesPersona,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your plan and its price, this period's usage against your allowance, "
    "your bills and due dates, your balance due and autopay",
    example="How much do I owe?",
    examples=(
        "How much do I owe?",
        "When is my bill due?",
        "How much have I used this period?",
    ),
    hero="Your plan, usage and bills in one place.",
    chat_subtitle="Ask about your bill, usage or plan",
    catalogue=CATALOGUE,
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("utilities"),
    help_mentions=MENTIONS,
)
