"""Generic: a customer of any business, with tenure, account value and loyalty
status; the fallback for an industry no other kind fits."""

import random
from datetime import date
from typing import Any, Literal

from personas.answers import Intents, Persona, counted, says, says_money, words
from personas.articles import Mentions, articles_read
from personas.card import Card, Figure, Section, Tiles, count_of, date_of, money_of, of
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
    (words(r"activity|activities|recent|transactions?|orders?"), _activity),
    (
        words(r"account value|value|worth|balance|how much"),
        says_money("Your account value is {}.", "account_value"),
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
    hero="Your account at a glance, and a secure chat with our virtual assistant.",
    chat_subtitle="Ask about your account and rewards",
    help_articles=articles_read("generic"),
    help_mentions=MENTIONS,
)
