"""Generic: a customer of any business, with tenure, account value and loyalty
status; the fallback for an industry no other kind fits."""

import random
from datetime import date
from typing import Any, Literal

from personas.answers import Intents, Persona, counted, says, says_money, words
from personas.articles import Mentions, articles_read
from personas.card import Card, Figure, Section, Tiles, count_of, date_of, money_of, of
from personas.figures import Dataset, Point, Series, Tab, field_metric, progress, single
from personas.formatting import count, long_date
from personas.registry import Customer, Kind
from personas.sampling import Draw, Prices, member_since

# The customer's data.

LoyaltyStatus = Literal["Bronze", "Silver", "Gold", "Platinum"]


class GenericPersona(Customer):
    customer_since: date
    account_value: float
    recent_activity_count: int
    loyalty_points: int
    status: LoyaltyStatus


# How it is generated.

# Loyalty points needed for each status, highest first.
_LOYALTY_TIERS: tuple[tuple[int, LoyaltyStatus], ...] = (
    (40_000, "Platinum"),
    (15_000, "Gold"),
    (5_000, "Silver"),
    (0, "Bronze"),
)


def _loyalty(rng: random.Random, price: Prices) -> dict[str, Any]:
    """Account activity; the status follows from the points."""
    points = rng.randint(0, 60_000)
    return {
        "account_value": price(rng.uniform(50, 25_000)),
        "recent_activity_count": rng.randint(0, 30),
        "loyalty_points": points,
        "status": next(status for floor, status in _LOYALTY_TIERS if points >= floor),
    }


def generate(draw: Draw) -> GenericPersona:
    """A customer of any business: tenure, account value and loyalty status."""
    return GenericPersona(
        **draw.customer(),
        customer_since=member_since(draw.rng("membership"), draw.as_of),
        **_loyalty(draw.rng("loyalty"), draw.price),
    )


# What the offline model answers.


def _activity(persona: Persona, question: str) -> str:
    number = counted(persona["recent_activity_count"], "activity", "activities")
    return f"Your account shows {number} recently."


ANSWERS: Intents = (
    (
        words(r"points|loyalty|rewards?"),
        lambda p, q: (
            f"You have {counted(p['loyalty_points'], 'loyalty point')} "
            f"({p['status']} status)."
        ),
    ),
    (words(r"status|tier|level|membership"), says("Your status is {}.", "status")),
    (words(r"activity|activities|recent|transactions?|my orders?|orders"), _activity),
    (
        words(r"account value|value|worth|balance"),
        says_money("Your account value is {}.", "account_value"),
    ),
    (
        words(r"customer since|member since|how long|since when|become a customer"),
        says("You've been a customer since {}.", "customer_since", long_date),
    ),
)


# What its help articles name.

MENTIONS: Mentions = (
    (
        words(r"points|redeem"),
        lambda persona, question: (
            f" (you have {count(persona['loyalty_points'])} points, "
            f"{persona['status']} status)"
        ),
    ),
)


# How the card reads.

CARD = Card(
    headline=Figure("Account value", money_of("account_value"), testid="account-value"),
    summary=(
        Figure("Customer since", date_of("customer_since")),
        Figure("Status", lambda persona: f"{persona['status']} member"),
    ),
    sections=(
        Section(
            "Your account",
            "account",
            (
                Tiles(
                    (
                        Figure(
                            "Account value",
                            money_of("account_value"),
                            lambda p: f"Since {long_date(p['customer_since'])}",
                        ),
                        Figure("Loyalty status", of("status"), testid="loyalty-status"),
                        Figure("Loyalty points", count_of("loyalty_points")),
                        Figure(
                            "Recent activity",
                            count_of("recent_activity_count"),
                            lambda p: "Transactions",
                        ),
                    )
                ),
            ),
        ),
    ),
)

# The dashboard.


def _status_progress(persona: Persona) -> tuple[Series, ...]:
    """The points held, then those still needed for the next status (none at the
    top)."""
    points = persona["loyalty_points"]
    floors = [floor for floor, _status in _LOYALTY_TIERS if floor > points]
    return progress(
        "Loyalty points", points, min(floors, default=points), ("Points", "To go")
    )


def _points_to_each_status(persona: Persona) -> tuple[Series, ...]:
    """The points still needed for each status above the first, lowest first."""
    points = persona["loyalty_points"]
    return single(
        "Points needed",
        (
            Point(status, max(floor - points, 0))
            for floor, status in reversed(_LOYALTY_TIERS)
            if floor > 0
        ),
    )


DATASETS = (
    Dataset(
        "status_progress",
        "Progress to the next status",
        "progress",
        "points",
        _status_progress,
        asks=r"next status|progress|how close|loyalty",
        chart_types=("pie", "bar"),
    ),
    Dataset(
        "points_to_each_status",
        "Points needed for each status",
        "bar",
        "points",
        _points_to_each_status,
        asks=r"each status|every status|statuses|needed for|silver|gold|platinum",
    ),
)
METRICS = (
    field_metric("account_value", "Account value", "money"),
    field_metric("status", "Loyalty status", ""),
    field_metric("loyalty_points", "Loyalty points", "points"),
    field_metric("recent_activity_count", "Recent activity", "count"),
)
TABS = (
    Tab(
        "Overview",
        ("account_value", "status", "recent_activity_count", "status_progress"),
    ),
    Tab("Rewards", ("loyalty_points", "status", "points_to_each_status")),
)


KIND = Kind(
    name="generic",
    label="Generic",
    fits="any business with customer accounts and a loyalty scheme",
    schema=GenericPersona,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your account value, loyalty points, status and recent activity",
    example="How many loyalty points do I have?",
    examples=(
        "How many loyalty points do I have?",
        "What's my status?",
        "What is my account worth?",
    ),
    hero="Your account at a glance, and a secure chat with our virtual assistant.",
    chat_subtitle="Ask about your account and rewards",
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("generic"),
    help_mentions=MENTIONS,
)
