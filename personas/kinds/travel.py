"""Travel and hospitality: a traveller with upcoming and past bookings of catalogue
items (flights, stays, trips), a loyalty tier that follows from points, and travel
credit. Airlines, hotels, cruise lines, car rental, agencies and holiday parks fit.

A catalogue item whose name reads as a stay or a rental ("Lakeside cabin", "Compact
car rental") is priced by the night; anything else (a flight, a cruise, a tour) by the
traveller.
"""

import random
from datetime import date, timedelta
from typing import Literal, get_args

from personas.answers import (
    Intents,
    Persona,
    counted,
    joined,
    listed,
    says_money,
    words,
)
from personas.articles import Mentions, articles_read, record_named
from personas.card import (
    Card,
    Column,
    Facts,
    Figure,
    Section,
    Table,
    count_of,
    date_of,
    money_of,
    of,
)
from personas.catalogue import catalogue_of
from personas.figures import (
    Dataset,
    Metric,
    Point,
    Series,
    Tab,
    field_metric,
    parts,
    single,
    to_cents,
)
from personas.formatting import count, long_date, money
from personas.kinds.loyalty import (
    loyalty_progress,
    loyalty_standing,
    points_answer,
    tiers_of,
)
from personas.registry import Customer, Kind, Record
from personas.sampling import Draw, Prices, member_since

PricedPer = Literal["night", "traveller"]
LoyaltyTier = Literal["Blue", "Silver", "Gold", "Platinum"]
TIERS = tiers_of((0, 25_000, 50_000, 100_000), get_args(LoyaltyTier))
# Names that read as something booked by the night; checked after _PER_TRAVELLER, so a
# "cruise, balcony cabin" is still priced by the traveller.
_PER_TRAVELLER = words(
    r"flights?|fares?|seats?|cruises?|tours?|packages?|tickets?|passes|excursions?"
    r"|safari|trek"
)
_PER_NIGHT = words(
    r"rooms?|suites?|nights?|stays?|cabins?|villas?|lodges?|apartments?|chalets?"
    r"|caravans?|cottages?|bungalows?|tents?|pitch|glamping|rentals?|hire|cars?"
    r"|hotels?|hostels?|resorts?|king|queen|double|twin"
)
# Bookings alphabet: letters and digits that cannot be misread (no 0/O, 1/I).
_REFERENCE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# How far ahead an upcoming trip starts, and how long ago a past one ended, in days.
_AHEAD = (3, 180)
_AGO = (1, 160)


class Booking(Record):
    reference: str
    item: str
    start_date: date  # check-in or departure
    end_date: date  # check-out or return
    nights: int
    travellers: int
    priced_per: PricedPer
    unit_price: float  # a night's or a traveller's price
    total: float


class TravelCustomer(Customer):
    member_since: date
    upcoming_bookings: list[Booking]  # soonest first, all after as_of
    past_bookings: list[Booking]  # newest first, all before as_of
    loyalty_points: int
    loyalty_tier: LoyaltyTier
    points_to_next_tier: int  # 0 at the top tier
    travel_credit: float


# A travel agency's range, in dollars: by the traveller or by the night (see above).
CATALOGUE = catalogue_of(
    (
        ("Return flight, New York–London, economy", 520, 890),
        ("Return flight, Chicago–Cancún, economy", 380, 640),
        ("Return flight, Los Angeles–Tokyo, premium economy", 1_100, 1_750),
        ("Return flight, Boston–Lisbon, economy", 450, 780),
        ("City hotel room, queen", 140, 260),
        ("Beach resort suite", 260, 480),
        ("Boutique hotel double room", 120, 210),
        ("Mountain lodge", 180, 320),
        ("Lakeside cabin", 110, 190),
        ("Compact car rental", 35, 65),
        ("SUV rental", 60, 110),
        ("Caribbean cruise, balcony cabin", 900, 1_900),
        ("Alaska cruise, ocean-view cabin", 1_100, 2_300),
        ("Guided walking tour, Tuscany", 1_400, 2_600),
        ("All-inclusive package, Punta Cana", 1_200, 2_400),
        ("City break package, Paris", 650, 1_200),
    )
)


def priced_per(item_name: str) -> PricedPer:
    """By the night for stays and rentals, by the traveller for everything else."""
    if _PER_TRAVELLER.search(item_name) or not _PER_NIGHT.search(item_name):
        return "traveller"
    return "night"


def _reference(rng: random.Random) -> str:
    return "".join(rng.choices(_REFERENCE_CHARS, k=6))


def _booking(
    rng: random.Random,
    items_rng: random.Random,
    draw: Draw,
    days: int,
) -> Booking:
    """One booking from the catalogue, starting `days` after as_of, or for a negative
    `days` ending that long before it. Which item and its price come from their own
    stream, so another catalogue changes names and prices but not dates or parties."""
    nights, travellers = rng.randint(1, 14), rng.choices((1, 2, 3, 4), (3, 5, 1, 1))[0]
    item = items_rng.choice(draw.catalogue)
    unit_price = draw.price.exact(items_rng.uniform(item.low, item.high))
    per = priced_per(item.name)
    first = draw.as_of + timedelta(days=days if days > 0 else days - nights)
    return Booking(
        reference=_reference(rng),
        item=item.name,
        start_date=first,
        end_date=first + timedelta(days=nights),
        nights=nights,
        travellers=travellers,
        priced_per=per,
        unit_price=unit_price,
        total=draw.price.exact(unit_price * (nights if per == "night" else travellers)),
    )


def _bookings(
    rng: random.Random, items_rng: random.Random, draw: Draw
) -> dict[str, list[Booking]]:
    """One or two trips ahead (starting after as_of) and up to three behind (ended
    before it, after the customer joined); none is in progress on as_of."""
    ahead = sorted(rng.sample(range(*_AHEAD), rng.randint(1, 2)))
    ago = sorted(rng.sample(range(*_AGO), rng.randint(0, 3)))
    return {
        "upcoming_bookings": [_booking(rng, items_rng, draw, days) for days in ahead],
        "past_bookings": [_booking(rng, items_rng, draw, -days) for days in ago],
    }


def _travel_credit(rng: random.Random, price: Prices) -> float:
    """Most travellers hold none; some kept a voucher from a changed trip."""
    return price(rng.uniform(50, 400)) if rng.random() < 0.35 else 0.0


def generate(draw: Draw) -> TravelCustomer:
    """A traveller whose bookings' nights and totals agree with their dates and
    prices, with trips ahead of as_of and behind it."""
    return TravelCustomer(
        **draw.customer(),
        member_since=member_since(draw.rng("membership"), draw.as_of),
        **_bookings(draw.rng("bookings"), draw.rng("bookings.items"), draw),
        **loyalty_standing(draw.rng("loyalty").randint(0, 150_000), TIERS),
        travel_credit=_travel_credit(draw.rng("travel_credit"), draw.price),
    )


# The offline model's facts.


def _dates(booking: dict) -> str:
    """'March 4, 2026 to March 9, 2026 (5 nights)'."""
    return (
        f"{long_date(booking['start_date'])} to {long_date(booking['end_date'])} "
        f"({counted(booking['nights'], 'night')})"
    )


def _booking_text(booking: dict) -> str:
    return (
        f"{booking['item']} (reference {booking['reference']}), {_dates(booking)}, "
        f"{money(booking['total'])}"
    )


def _booking_sentence(booking: dict) -> str:
    return f"That one is {_booking_text(booking)}."


def _named(persona: Persona, question: str) -> dict | None:
    """The booking whose reference the question gives, in either list."""
    found = [
        b
        for b in persona["upcoming_bookings"] + persona["past_bookings"]
        if b["reference"].casefold() in question.casefold()
    ]
    return found[0] if found else None


def _next_trip(persona: Persona, question: str) -> str:
    named = _named(persona, question)
    if named:
        return f"Your booking: {_booking_text(named)}."
    upcoming = persona["upcoming_bookings"]
    if not upcoming:
        return "You have no upcoming bookings with us."
    later = upcoming[1:]
    more = (
        f" You have {counted(len(later), 'more booking')} after that." if later else ""
    )
    return f"Your next trip: {_booking_text(upcoming[0])}.{more}"


def _past_trips(persona: Persona, question: str) -> str:
    past = persona["past_bookings"]
    if not past:
        return "I don't see any past trips on your account."
    trips = "; ".join(_booking_text(b) for b in past)
    return f"Your recent trips: {trips}."


def _references(persona: Persona, question: str) -> str:
    upcoming = persona["upcoming_bookings"]
    if not upcoming:
        return "You have no upcoming bookings, so no references to show."
    refs = joined([f"{b['reference']} ({b['item']})" for b in upcoming])
    return f"Your booking references: {refs}."


ANSWERS: Intents = (
    (
        words(r"credit|vouchers?|future travel credit|refunds?"),
        says_money("Your travel credit balance is {}.", "travel_credit"),
    ),
    (words(r"points|miles|loyalty|rewards?|tier|status"), points_answer(TIERS)),
    (
        words(r"member since|joined|how long|since when|become a member"),
        lambda p, q: f"You've been a member since {long_date(p['member_since'])}.",
    ),
    (
        words(
            r"past|previous|last (?:trip|stay|flight)|history|where have i been"
            r"|been recently"
        ),
        listed(lambda p: p["past_bookings"], _booking_sentence, _past_trips),
    ),
    (words(r"references?|confirmation(?: numbers?| codes?)?|pnr"), _references),
    (
        words(
            r"next|upcoming|trips?|bookings?|booked|reservations?|flights?|stays?"
            r"|check[- ]?in|check[- ]?out|depart(?:ure)?|nights?|coming up"
        ),
        listed(lambda p: p["upcoming_bookings"], _booking_sentence, _next_trip),
    ),
)


# What its help articles name.


def _booking_named(persona: Persona, question: str) -> str | None:
    """The trip the question names by reference or name, else the next one."""
    upcoming = persona["upcoming_bookings"]
    named = record_named(upcoming, ("reference", "item"), question)
    if (chosen := named or next(iter(upcoming), None)) is None:
        return None
    return (
        f", such as {chosen['reference']} ({chosen['item']}, from "
        f"{long_date(chosen['start_date'])})"
    )


MENTIONS: Mentions = (
    (words(r"bookings?|bags|baggage|extras?|requests?"), _booking_named),
    (
        words(r"points|travel credit"),
        lambda persona, question: (
            f" (you have {count(persona['loyalty_points'])} points and "
            f"{money(persona['travel_credit'])} in travel credit)"
        ),
    ),
)


# The customer card.


def _booking_columns() -> tuple[Column, ...]:
    """Both booking tables read alike."""
    return (
        Column("Reference", of("reference"), style="nowrap strong"),
        Column("Booking", of("item")),
        Column(
            "Dates",
            date_of("start_date"),
            note=lambda b: (
                f"to {long_date(b['end_date'])}, {counted(b['nights'], 'night')}"
            ),
            style="nowrap",
        ),
        Column("Travellers", count_of("travellers"), style="num hide-narrow"),
        Column("Total", money_of("total"), style="num"),
    )


CARD = Card(
    headline=Figure(
        "Points balance",
        count_of("loyalty_points"),
        note=lambda p: f"{p['loyalty_tier']} tier",
        testid="points-balance",
    ),
    summary=(
        Figure("Loyalty tier", of("loyalty_tier"), testid="loyalty-tier"),
        Figure("Member since", date_of("member_since")),
    ),
    sections=(
        Section(
            "Upcoming trips",
            "upcoming-bookings",
            (
                Table(
                    caption="Your upcoming bookings",
                    rows=lambda p: p["upcoming_bookings"],
                    columns=_booking_columns(),
                    empty="No upcoming trips.",
                ),
            ),
        ),
        Section(
            "Past trips",
            "past-bookings",
            (
                Table(
                    caption="Your past trips",
                    rows=lambda p: p["past_bookings"],
                    columns=_booking_columns(),
                    empty="No past trips yet.",
                ),
            ),
        ),
        Section(
            "Rewards",
            "rewards",
            (
                Facts(
                    (
                        Figure("Points to next tier", count_of("points_to_next_tier")),
                        Figure(
                            "Travel credit",
                            money_of("travel_credit"),
                            testid="travel-credit",
                        ),
                    )
                ),
            ),
        ),
    ),
)

# The dashboard.


def _every_booking(persona: Persona) -> list[dict]:
    return persona["upcoming_bookings"] + persona["past_bookings"]


def _upcoming_vs_past(persona: Persona) -> tuple[Series, ...]:
    totals = [
        sum(to_cents(b["total"]) for b in persona[field]) / 100
        for field in ("upcoming_bookings", "past_bookings")
    ]
    return single("Spending", (Point("Upcoming", totals[0]), Point("Past", totals[1])))


DATASETS = (
    Dataset(
        "spending_by_booking",
        "Spending by booking",
        "bar",
        "money",
        lambda p: single(
            "Spending", parts((b["item"], b["total"]) for b in _every_booking(p))
        ),
        asks=r"spend|spent|spending|by booking|cost",
        chart_types=("pie",),
    ),
    Dataset(
        "upcoming_vs_past",
        "Upcoming vs past trips",
        "pie",
        "money",
        _upcoming_vs_past,
        asks=r"upcoming|past|trips",
        chart_types=("bar",),
    ),
    Dataset(
        "loyalty_progress",
        "Points to the next tier",
        "progress",
        "points",
        loyalty_progress,
        asks=r"points|miles|loyalty|tier|rewards?",
        chart_types=("pie", "bar"),
    ),
)
METRICS = (
    field_metric("loyalty_points", "Points balance", "points"),
    field_metric("loyalty_tier", "Loyalty tier", ""),
    field_metric("points_to_next_tier", "Points to next tier", "points"),
    field_metric("travel_credit", "Travel credit", "money"),
    Metric(
        "upcoming_trips",
        "Upcoming trips",
        "count",
        lambda p: len(p["upcoming_bookings"]),
    ),
)
TABS = (
    Tab(
        "Trips",
        ("upcoming_trips", "travel_credit", "spending_by_booking", "upcoming_vs_past"),
    ),
    Tab(
        "Rewards",
        ("loyalty_points", "loyalty_tier", "points_to_next_tier", "loyalty_progress"),
    ),
)


KIND = Kind(
    name="travel",
    label="Travel and hospitality",
    fits="airlines, hotels, resorts, cruise lines, car rental, travel agencies, tour "
    "operators, holiday parks, campsites, vacation rentals",
    schema=TravelCustomer,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your upcoming and past bookings, booking references, dates and prices, "
    "loyalty points and tier, and travel credit",
    example="When is my next trip?",
    examples=(
        "When is my next trip?",
        "How many points do I have?",
        "What are my booking references?",
    ),
    hero="Your trips, points and credit at a glance, and a secure chat with our "
    "virtual assistant.",
    chat_subtitle="Ask about bookings, trips, points and travel credit",
    catalogue=CATALOGUE,
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("travel"),
    help_mentions=MENTIONS,
)
