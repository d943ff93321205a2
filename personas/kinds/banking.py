"""Banking: a bank customer with balances, credit and a month's statement."""

import random
import re
from datetime import date, timedelta
from typing import Any, Literal, NamedTuple

from personas.answers import (
    Intents,
    Persona,
    counted,
    first_match,
    listed,
    newest_first,
    says,
    says_money,
    words,
)
from personas.articles import Mention, Mentions, articles_read
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
from personas.figures import (
    Dataset,
    Point,
    Series,
    Tab,
    by_day,
    field_metric,
    parts,
    single,
    to_cents,
)
from personas.formatting import long_date, money, short_date
from personas.registry import Customer, Kind, Record
from personas.sampling import Draw, Prices, member_since

# The customer's data.

TransactionCategory = Literal[
    "groceries",
    "fuel",
    "dining",
    "utilities",
    "subscriptions",
    "shopping",
    "payroll",
    "transfer_in",
    "transfer_out",
]
# Categories that bring money in rather than take it out.
CREDIT_CATEGORIES = frozenset({"payroll", "transfer_in"})


class Transaction(Record):
    date: date
    description: str
    amount: float
    category: TransactionCategory


class BankingPersona(Customer):
    member_since: date
    checking_balance: float
    savings_balance: float
    account_number_last4: str
    credit_score: int
    credit_limit: float
    recent_transactions: list[Transaction]


# How it is generated.


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
# A statement line before it becomes a Transaction: (days ago, description, amount,
# category).
_Line = tuple[int, str, float, str]
# Net pay per deposit, by deposits a month.
_NET_PAY = {1: (2_600.0, 8_000.0), 2: (1_200.0, 3_800.0)}


def _balances(rng: random.Random, price: Prices) -> dict[str, Any]:
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


def _payroll(rng: random.Random, employer: str, price: Prices) -> list[_Line]:
    """Monthly pay, or the same net pay every other week."""
    paydays = rng.choice((1, 2))
    amount = price(rng.uniform(*_NET_PAY[paydays]))
    first = rng.randint(1, 16)
    line = f"Payroll deposit — {employer}"
    return [(first + 14 * n, line, amount, "payroll") for n in range(paydays)]


def _savings_transfer(rng: random.Random, price: Prices) -> list[_Line]:
    """Sometimes money moves between checking and savings, in round amounts."""
    kind = rng.choice((None, "transfer_out", "transfer_in"))
    if kind is None:
        return []
    amount = price(rng.randrange(100, 1_501, 50))
    if kind == "transfer_out":
        return [(rng.randint(1, 30), "Transfer to savings", -amount, kind)]
    return [(rng.randint(1, 30), "Transfer from savings", amount, kind)]


def _spends(rng: random.Random, count: int, price: Prices) -> list[_Line]:
    """Up to two distinct bills, then card purchases for the rest."""
    bills = rng.sample(_BILLS, rng.randint(0, min(2, count - 1)))
    cards = rng.choices(_CARD_SPENDS, k=count - len(bills))
    return [
        (rng.randint(1, 30), s.merchant, -price(rng.uniform(s.low, s.high)), s.category)
        for s in bills + cards
    ]


def _transactions(rng: random.Random, as_of: date, price: Prices) -> list[Transaction]:
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


def generate(draw: Draw) -> BankingPersona:
    """A bank customer with balances, credit and a month's statement."""
    return BankingPersona(
        **draw.customer(),
        member_since=member_since(draw.rng("membership"), draw.as_of),
        recent_transactions=_transactions(
            draw.rng("transactions"), draw.as_of, draw.price
        ),
        **_balances(draw.rng("balances"), draw.price),
    )


# What the offline model answers.

CATEGORY_WORDS = {
    "groceries": r"groceries|grocery|supermarkets?",
    "fuel": r"fuel|gas|petrol",
    "dining": r"dining|restaurants?|eating out|takeout|coffee",
    "utilities": r"utilities|utility|electric(?:ity)?|(?:phone|internet) bill",
    "subscriptions": r"subscriptions?|streaming",
    "shopping": r"shopping",
    "payroll": r"payroll|paychecks?|salary|wages?|(?:get|got) paid",
    "transfer_in": r"transfers? (?:in|from savings)|incoming transfers?",
    "transfer_out": r"transfers? (?:out|to savings)|outgoing transfers?",
}
_CATEGORIES = {name: words(pattern) for name, pattern in CATEGORY_WORDS.items()}
_CATEGORY_NAMES = {"transfer_in": "transfers in", "transfer_out": "transfers out"}


def _category(persona: Persona, question: str) -> str:
    """The total for the category the question names, and its latest transaction."""
    category = first_match(_CATEGORIES, question) or ""
    name = _CATEGORY_NAMES.get(category, category)
    found = [
        t
        for t in newest_first(persona["recent_transactions"])
        if t["category"] == category
    ]
    if not found:
        return f"I don't see any {name} in your recent transactions."
    total, latest = money(sum(abs(t["amount"]) for t in found)), found[0]
    verb, preposition = (
        ("received", "from") if category in CREDIT_CATEGORIES else ("spent", "on")
    )
    return (
        f"You {verb} {total} {preposition} {name} across "
        f"{counted(len(found), 'transaction')}; the latest was "
        f"{money(abs(latest['amount']))} ({latest['description']}) on "
        f"{long_date(latest['date'])}."
    )


def _transaction_line(t: dict) -> str:
    return f"{t['description']} {money(t['amount'])} on {long_date(t['date'])}"


def _latest_transactions(persona: Persona, question: str) -> str:
    latest = newest_first(persona["recent_transactions"])[:3]
    if not latest:
        return "I don't see any recent transactions on your account."
    lines = [_transaction_line(t) for t in latest]
    return f"Your latest transactions: {'; '.join(lines)}."


def _both_balances(persona: Persona, question: str) -> str:
    return (
        f"Your checking balance is {money(persona['checking_balance'])} and your "
        f"savings balance is {money(persona['savings_balance'])}."
    )


ANSWERS: Intents = (
    (words(r"limit"), says_money("Your credit limit is {}.", "credit_limit")),
    (
        words(r"credit score|fico|score"),
        says("Your credit score is {}.", "credit_score"),
    ),
    (words("|".join(CATEGORY_WORDS.values())), _category),
    (words(r"savings"), says_money("Your savings balance is {}.", "savings_balance")),
    (
        words(r"checking"),
        says_money("Your checking balance is {}.", "checking_balance"),
    ),
    (
        words(r"transactions?|recent|activity|purchases?|spen[dt]|spending|statement"),
        listed(
            lambda p: newest_first(p["recent_transactions"]),
            lambda t: f"That one is {_transaction_line(t)}.",
            _latest_transactions,
        ),
    ),
    (
        words(r"balances?|how much money|how much do i have|funds"),
        _both_balances,
    ),
    (
        words(r"account number|account no|last (?:4|four)"),
        says("Your account number ends in {}.", "account_number_last4"),
    ),
)


# What its help articles name.


_NAME_WORD = re.compile(r"[^\W_]{4,}")  # a word long enough to name a merchant


def _charge_named(persona: Persona, question: str) -> str | None:
    """The charge the question names by a word of its description ("the Netflix
    charge", "my Disney+ charge", "the amazon one"), newest first."""
    asked = set(_NAME_WORD.findall(question.casefold()))
    for charge in newest_first(persona["recent_transactions"]):
        named = _NAME_WORD.findall(charge["description"].casefold())
        if charge["amount"] < 0 and asked.intersection(named):
            return (
                f" for {charge['description']} ({money(-charge['amount'])} on "
                f"{long_date(charge['date'])})"
            )
    return None


def _checking(preposition: str) -> Mention:
    return lambda persona, question: (
        f" {preposition} your checking account ending in "
        f"{persona['account_number_last4']}"
    )


MENTIONS: Mentions = (
    (words(r"dispute|charges?"), _charge_named),
    (words(r"cards?"), _checking("linked to")),
    (words(r"transfers?"), _checking("from")),
)


# How the card reads.

# The usual FICO bands, from the floor of each.
_CREDIT_BANDS = ((800, "Excellent"), (740, "Very good"), (670, "Good"), (580, "Fair"))


def _credit_band(persona: Persona) -> str:
    score = persona["credit_score"]
    return next((band for floor, band in _CREDIT_BANDS if score >= floor), "Poor")


def _card_ending(persona: Persona) -> str:
    """The last four digits of the checking account, masked like a card."""
    return f"•••• {persona['account_number_last4']}"


def _category_label(row: dict) -> str:
    """'transfer_in' reads 'Transfer in'."""
    text = row["category"].replace("_", " ")
    return text[:1].upper() + text[1:]


def _signed_amount(row: dict) -> str:
    """Money in shows its plus sign, as on a statement."""
    amount = row["amount"]
    return f"+{money(amount)}" if amount > 0 else money(amount)


CARD = Card(
    headline=Figure(
        "Checking balance", money_of("checking_balance"), testid="checking-balance"
    ),
    summary=(
        Figure("Member since", date_of("member_since")),
        Figure("Checking account", _card_ending),
    ),
    sections=(
        Section(
            "Accounts",
            "accounts",
            (
                Tiles(
                    (
                        Figure("Checking", money_of("checking_balance"), _card_ending),
                        Figure("Savings", money_of("savings_balance")),
                        Figure(
                            "Credit score",
                            of("credit_score"),
                            _credit_band,
                            testid="credit-score",
                        ),
                        Figure("Credit limit", money_of("credit_limit")),
                    )
                ),
            ),
        ),
        Section(
            "Recent transactions",
            "transactions",
            (
                Table(
                    caption="Recent transactions",
                    rows=lambda persona: persona["recent_transactions"],
                    columns=(
                        Column("Date", of("date", short_date), style="nowrap"),
                        Column("Description", of("description")),
                        Column("Category", _category_label, style="hide-narrow muted"),
                        Column(
                            "Amount",
                            _signed_amount,
                            tone=lambda row: "credit" if row["amount"] > 0 else None,
                            style="num",
                        ),
                    ),
                    empty="No recent transactions.",
                ),
            ),
        ),
    ),
)

# The dashboard.


def _spending(persona: Persona) -> tuple[Series, ...]:
    """Money out by category, named as the card names them: every debit is spent."""
    return single(
        "Spending",
        parts(
            (_category_label(t), -t["amount"])
            for t in persona["recent_transactions"]
            if t["amount"] < 0 and t["category"] not in CREDIT_CATEGORIES
        ),
    )


def _balance_trend(persona: Persona) -> tuple[Series, ...]:
    """The checking balance at the end of each day with transactions, counted back
    from today's; it opens on the day before the first."""
    transactions = persona["recent_transactions"]
    days = by_day(transactions, "date", "amount")
    balance = to_cents(persona["checking_balance"])
    if not days:
        return single("Checking", (Point("Today", balance / 100),))
    balance -= sum(to_cents(day.value) for day in days)
    first = min(date.fromisoformat(str(t["date"])) for t in transactions)
    points = [Point(short_date(first - timedelta(days=1)), balance / 100)]
    for day in days:
        balance += to_cents(day.value)
        points.append(Point(day.label, balance / 100))
    return single("Checking", points)


def _money_in_out(persona: Persona) -> tuple[Series, ...]:
    amounts = [to_cents(t["amount"]) for t in persona["recent_transactions"]]
    return single(
        "Last 30 days",
        (
            Point("Money in", sum(a for a in amounts if a > 0) / 100),
            Point("Money out", -sum(a for a in amounts if a < 0) / 100),
        ),
    )


DATASETS = (
    Dataset(
        "spending_by_category",
        "Spending by category",
        "bar",
        "money",
        _spending,
        asks=r"spend|spent|spending|categor",
        chart_types=("pie",),
    ),
    Dataset(
        "balance_trend",
        "Balance over the last 30 days",
        "line",
        "money",
        _balance_trend,
        asks=r"balance|trend|over time|last 30 days",
        chart_types=("area", "bar"),
    ),
    Dataset(
        "money_in_out",
        "Money in vs out",
        "bar",
        "money",
        _money_in_out,
        asks=r"in (?:vs\.?|versus|and) out|money (?:in|out)|income|incoming|outgoing",
    ),
)
METRICS = (
    field_metric("checking_balance", "Checking", "money"),
    field_metric("savings_balance", "Savings", "money"),
    field_metric("credit_score", "Credit score", "count"),
    field_metric("credit_limit", "Credit limit", "money"),
)
TABS = (
    Tab("Overview", ("checking_balance", "savings_balance", "balance_trend")),
    Tab("Spending", ("spending_by_category", "money_in_out")),
    Tab(
        "Accounts",
        ("checking_balance", "savings_balance", "credit_score", "credit_limit"),
    ),
)


KIND = Kind(
    name="banking",
    label="Banking",
    fits="banks, credit unions, building societies, card issuers and online banks",
    schema=BankingPersona,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your checking and savings balances, credit score and limit, and "
    "recent transactions, including spending by category such as groceries",
    example="How much did I spend on groceries?",
    examples=(
        "What's my checking balance?",
        "How much did I spend on groceries?",
        "What's my credit score?",
        "What are my recent transactions?",
    ),
    hero="Your accounts at a glance, and a secure chat with our virtual assistant.",
    chat_subtitle="Ask about your accounts, cards and transfers",
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("banking"),
    help_mentions=MENTIONS,
)
