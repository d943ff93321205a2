"""A throwaway kind of customer that exists only in the tests: an observatory's members.

It is registered by a fixture (tests/test_kind_throwaway.py) or, for the browser test's
server, by tests/support/apps.py; nothing in chat/ or static/ names it, which is the
point: a kind is its module plus a registration.
"""

from datetime import date, timedelta

from personas.answers import words
from personas.card import (
    Card,
    Column,
    Figure,
    Meter,
    Meters,
    Section,
    Table,
    date_of,
    money_of,
    of,
)
from personas.catalogue import CatalogueItem
from personas.formatting import long_date, money
from personas.registry import Customer, Kind, Record
from personas.sampling import Draw

NAME = "observatory"
SEEING = ("clear", "hazy", "cloudy")
SEEING_TONES = {"clear": "good", "hazy": "wait", "cloudy": "bad"}
NIGHTS = 3


class Night(Record):
    date: date
    session: str
    fee: float
    seeing: str


class Stargazer(Customer):
    member_number: str
    dues_paid: float
    dues_total: float
    nights: list[Night]


def stargazer_generate(draw: Draw) -> Stargazer:
    """Three booked nights from the catalogue, and the year's dues part paid."""
    membership, booking = draw.rng("membership"), draw.rng("nights")
    dues_total = draw.price(240)
    nights = []
    for _ in range(NIGHTS):
        item = booking.choice(draw.catalogue)
        nights.append(
            Night(
                date=draw.as_of + timedelta(days=booking.randint(1, 60)),
                session=item.name,
                fee=draw.price.exact(booking.uniform(item.low, item.high)),
                seeing=booking.choice(SEEING),
            )
        )
    return Stargazer(
        **draw.customer(),
        member_number=f"OBS-{membership.randint(10000, 99999)}",
        dues_paid=draw.price.exact(dues_total * membership.randint(1, 9) / 10),
        dues_total=dues_total,
        nights=sorted(nights, key=lambda night: night.date),
    )


def nights_of(persona: dict) -> list[dict]:
    return persona["nights"]


CARD = Card(
    headline=Figure("Member number", of("member_number"), testid="member-number"),
    summary=(Figure("Dues paid", money_of("dues_paid")),),
    sections=(
        Section(
            "Booked nights",
            "nights",
            (
                Table(
                    "Booked nights",
                    nights_of,
                    (
                        Column("Night", date_of("date"), style="nowrap"),
                        Column("Session", of("session"), style="strong"),
                        Column("Fee", money_of("fee"), style="num"),
                        Column(
                            "Seeing",
                            of("seeing"),
                            tone=lambda night: SEEING_TONES[night["seeing"]],
                            pill=True,
                        ),
                    ),
                    "No nights booked.",
                ),
            ),
        ),
        Section(
            "Membership",
            "membership",
            (Meters((Meter("Annual dues", "dues_paid", "dues_total", "dues-bar"),)),),
        ),
    ),
)


def next_night(persona: dict, question: str) -> str:
    night = persona["nights"][0]
    return f"Your next night is {night['session']} on {long_date(night['date'])}."


def dues_left(persona: dict, question: str) -> str:
    left = persona["dues_total"] - persona["dues_paid"]
    return f"You have {money(left)} of this year's dues left to pay."


OBSERVATORY = Kind(
    name=NAME,
    label="Observatory",
    fits="observatories, planetariums, astronomy clubs",
    schema=Stargazer,
    generate=stargazer_generate,
    card=CARD,
    answers=(
        (words("dues|owe"), dues_left),
        (words("night|telescope|session"), next_night),
    ),
    topics="your booked nights and your dues",
    example="When is my next night at the telescope?",
    hero="Your nights under the dome at a glance, and a chat with our assistant.",
    chat_subtitle="Ask about your nights and your dues",
    catalogue=(
        CatalogueItem(name="Great Refractor night", low=30, high=45),
        CatalogueItem(name="Solar telescope morning", low=12, high=18),
    ),
)
