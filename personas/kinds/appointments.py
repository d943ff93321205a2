"""Appointments and services: bookings of the business's services with its named staff,
visits already paid for, deposits held and any balance still owed."""

import random
from datetime import date, time, timedelta

from personas.answers import (
    Persona,
    counted,
    joined,
    listed,
    newest_first,
    says,
    words,
)
from personas.articles import Mentions, articles_read, record_named
from personas.card import Card, Column, Figure, Section, Table, date_of, money_of, of
from personas.catalogue import Catalogue, catalogue_of
from personas.figures import (
    Dataset,
    Metric,
    Point,
    Series,
    Tab,
    field_metric,
    parts,
    single,
    tallies,
)
from personas.formatting import clock_time, long_date, money
from personas.registry import Customer, Kind, Record
from personas.sampling import (
    WORKING_SLOTS,
    Draw,
    Prices,
    member_since,
    person_name,
    town,
    weekdays_ahead,
)

Names = tuple[str, ...]  # the staff, or the branches
# Deposits taken at booking, as a share of the price (none for most services).
_DEPOSIT_SHARES = (0, 0, 0, 0.2, 0.25, 0.5)


class Booking(Record):
    reference: str
    date: date
    time: time
    service: str
    provider: str
    location: str
    price: float
    deposit_paid: float
    due_at_visit: float  # price - deposit_paid


class Visit(Record):
    date: date
    service: str
    provider: str
    location: str
    price: float
    amount_paid: float
    balance: float  # price - amount_paid


class AppointmentsPersona(Customer):
    client_id: str
    client_since: date
    upcoming_bookings: list[Booking]  # soonest first
    past_visits: list[Visit]  # newest first
    deposits_paid: float  # held against upcoming bookings
    balance_owed: float  # the past visits' balances
    total_paid: float  # for the past visits


def _staff(rng: random.Random, locale: str) -> Names:
    """Two to four providers' names drawn, each kept once."""
    names = {person_name(rng, locale) for _ in range(rng.randint(2, 4))}
    return tuple(sorted(names))


def _locations(rng: random.Random, draw: Draw) -> Names:
    """One or two branches, in the customer's part of the world."""
    fake = draw.faker("locations")
    names = {town(rng, fake, draw.locale) for _ in range(rng.randint(1, 2))}
    return tuple(sorted(names))


def _priced(
    rng: random.Random, catalogue: Catalogue, price: Prices
) -> tuple[str, float]:
    """A service from the catalogue at a price within its range."""
    item = rng.choice(catalogue)
    return item.name, price.exact(rng.uniform(item.low, item.high))


def _booking(
    rng: random.Random,
    day: date,
    slot: time,
    draw: Draw,
    staff: Names,
    locations: Names,
) -> Booking:
    service, amount = _priced(rng, draw.catalogue, draw.price)
    deposit = draw.price.exact(amount * rng.choice(_DEPOSIT_SHARES))
    return Booking(
        reference=f"BK-{rng.randrange(10**6):06d}",
        date=day,
        time=slot,
        service=service,
        provider=rng.choice(staff),
        location=rng.choice(locations),
        price=amount,
        deposit_paid=deposit,
        due_at_visit=draw.price.exact(amount - deposit),
    )


def _bookings(
    rng: random.Random, draw: Draw, staff: Names, locations: Names
) -> list[Booking]:
    """Up to three weekday bookings in working hours over the next 60 days, at
    distinct times, soonest first."""
    offsets = weekdays_ahead(draw.as_of.weekday())
    slots = len(WORKING_SLOTS)
    picks = sorted(rng.sample(range(len(offsets) * slots), rng.randint(0, 3)))
    return [
        _booking(
            rng,
            draw.as_of + timedelta(days=offsets[p // slots]),
            WORKING_SLOTS[p % slots],
            draw,
            staff,
            locations,
        )
        for p in picks
    ]


def _visit(
    rng: random.Random, day: date, draw: Draw, staff: Names, locations: Names
) -> Visit:
    """Most visits were paid in full; a few left part of the price owing."""
    service, amount = _priced(rng, draw.catalogue, draw.price)
    paid = amount
    if rng.random() < 0.15:
        paid = draw.price.exact(amount * rng.uniform(0.3, 0.9))
    return Visit(
        date=day,
        service=service,
        provider=rng.choice(staff),
        location=rng.choice(locations),
        price=amount,
        amount_paid=paid,
        balance=draw.price.exact(amount - paid),
    )


def _visits(
    rng: random.Random, since: date, draw: Draw, staff: Names, locations: Names
) -> list[Visit]:
    """One to six visits on distinct days of the last year as a client, newest first."""
    span = min(365, (draw.as_of - since).days)
    days_ago = sorted(rng.sample(range(1, span + 1), rng.randint(1, 6)))
    return [
        _visit(rng, draw.as_of - timedelta(days=n), draw, staff, locations)
        for n in days_ago
    ]


def generate(draw: Draw) -> AppointmentsPersona:
    """A client with bookings ahead and visits behind them."""
    client = draw.rng("client")
    since = member_since(client, draw.as_of)
    staff = _staff(draw.rng("staff"), draw.locale)
    locations = _locations(draw.rng("locations"), draw)
    bookings = _bookings(draw.rng("bookings"), draw, staff, locations)
    visits = _visits(draw.rng("visits"), since, draw, staff, locations)
    return AppointmentsPersona(
        **draw.customer(),
        client_id=f"CL-{client.randrange(10**7):07d}",
        client_since=since,
        upcoming_bookings=bookings,
        past_visits=visits,
        deposits_paid=draw.price.exact(sum(b.deposit_paid for b in bookings)),
        balance_owed=draw.price.exact(sum(v.balance for v in visits)),
        total_paid=draw.price.exact(sum(v.amount_paid for v in visits)),
    )


# The offline model's facts.


def _when(booking: dict) -> str:
    return f"{long_date(booking['date'])} at {clock_time(booking['time'])}"


def _next_appointment(persona: Persona, question: str) -> str:
    bookings = persona["upcoming_bookings"]
    if not bookings:
        return "You have no upcoming appointments."
    b, later = bookings[0], len(bookings) - 1
    deposit = (
        f" Your {money(b['deposit_paid'])} deposit is paid; "
        f"{money(b['due_at_visit'])} is due at the visit."
        if b["deposit_paid"]
        else f" {money(b['due_at_visit'])} is due at the visit."
    )
    return (
        f"Your next appointment is {b['service']} with {b['provider']} on "
        f"{_when(b)}, in {b['location']} (booking {b['reference']})."
        + deposit
        + (
            f" You have {counted(later, 'more appointment')} after that."
            if later
            else ""
        )
    )


def _booking_text(b: dict) -> str:
    return (
        f"That one is {b['service']} with {b['provider']} on {_when(b)}, in "
        f"{b['location']} (booking {b['reference']})."
    )


def _visit_line(v: dict) -> str:
    return (
        f"{v['service']} with {v['provider']} on {long_date(v['date'])} "
        f"({money(v['amount_paid'])} paid)"
    )


def _balance(persona: Persona, question: str) -> str:
    owing = [v for v in persona["past_visits"] if v["balance"]]
    figure = money(persona["balance_owed"])
    if not owing:
        return f"Your balance owed is {figure}: every visit is paid for."
    lines = [
        f"{money(v['balance'])} for {v['service']} on {long_date(v['date'])}"
        for v in owing
    ]
    return f"Your balance owed is {figure}: {joined(lines)}."


def _past_visits(persona: Persona, question: str) -> str:
    visits = newest_first(persona["past_visits"])[:3]
    lines = [_visit_line(v) for v in visits]
    return f"Your latest visits: {'; '.join(lines)}."


def _deposits(persona: Persona, question: str) -> str:
    held = [b for b in persona["upcoming_bookings"] if b["deposit_paid"]]
    if not held:
        return "You have no deposits paid on upcoming bookings."
    lines = [f"{money(b['deposit_paid'])} on {_when(b)}" for b in held]
    return (
        f"You've paid {money(persona['deposits_paid'])} in deposits: {joined(lines)}."
    )


ANSWERS = (
    (
        words(r"client id|client number|customer number|id"),
        says("Your client ID is {}.", "client_id"),
    ),
    (words(r"deposits?"), _deposits),
    (words(r"owe|balance|outstanding|unpaid"), _balance),
    (
        words(r"last (?:visits?|appointments?|time)|past|previous|history|spent|paid"),
        listed(
            lambda p: newest_first(p["past_visits"]),
            lambda v: f"That one was {_visit_line(v)}.",
            _past_visits,
        ),
    ),
    (
        words(
            r"next|appointments?|bookings?|booked|scheduled?|visits?|sessions?"
            r"|due at|coming up|references?"
        ),
        listed(lambda p: p["upcoming_bookings"], _booking_text, _next_appointment),
    ),
)


# What its help articles name.


def _booking_named(persona: Persona, question: str) -> str | None:
    """The booking the question names, else the next one."""
    upcoming = persona["upcoming_bookings"]
    fields = ("reference", "service", "provider")
    if (
        chosen := record_named(upcoming, fields, question) or next(iter(upcoming), None)
    ) is None:
        return None
    return (
        f", such as your {chosen['service']} with {chosen['provider']} on "
        f"{long_date(chosen['date'])} at {clock_time(chosen['time'])}"
    )


def _owed(persona: Persona, question: str) -> str | None:
    if persona["balance_owed"] <= 0:
        return None
    return f" (you owe {money(persona['balance_owed'])})"


MENTIONS: Mentions = (
    (words(r"reschedule|cancel|rebook|postpone"), _booking_named),
    (words(r"balance|owe"), _owed),
)


def _next_when(persona: Persona) -> str:
    bookings = persona["upcoming_bookings"]
    return _when(bookings[0]) if bookings else "None booked"


def _next_what(persona: Persona) -> str:
    bookings = persona["upcoming_bookings"]
    if not bookings:
        return "Ask me to find you a time"
    return f"{bookings[0]['service']} with {bookings[0]['provider']}"


def _visit_status(visit: dict) -> str:
    return "Balance due" if visit["balance"] else "Paid"


CARD = Card(
    headline=Figure(
        "Next appointment", _next_when, note=_next_what, testid="appointments-next"
    ),
    summary=(
        Figure("Client ID", of("client_id")),
        Figure("Client since", date_of("client_since")),
        Figure("Balance owed", money_of("balance_owed"), testid="appointments-owed"),
        Figure("Deposits paid", money_of("deposits_paid")),
    ),
    sections=(
        Section(
            "Upcoming appointments",
            "appointments-upcoming",
            (
                Table(
                    "Your bookings",
                    lambda p: p["upcoming_bookings"],
                    (
                        Column("Date", date_of("date"), style="nowrap"),
                        Column("Time", of("time", clock_time), style="nowrap"),
                        Column("Service", of("service"), note=of("provider")),
                        Column("Location", of("location"), style="hide-narrow"),
                        Column("Due at visit", money_of("due_at_visit"), style="num"),
                    ),
                    "No upcoming appointments.",
                ),
            ),
        ),
        Section(
            "Past visits",
            "appointments-visits",
            (
                Table(
                    "Your visits",
                    lambda p: p["past_visits"],
                    (
                        Column("Date", date_of("date"), style="nowrap"),
                        Column("Service", of("service"), note=of("provider")),
                        Column("Paid", money_of("amount_paid"), style="num"),
                        Column(
                            "Status",
                            _visit_status,
                            tone=lambda v: "bad" if v["balance"] else "good",
                            pill=True,
                        ),
                    ),
                    "No visits yet.",
                ),
            ),
        ),
    ),
)

CATALOGUE = catalogue_of(
    (
        ("Haircut and style", 45, 85),
        ("Color and highlights", 120, 220),
        ("Beard trim and hot towel shave", 30, 55),
        ("60-minute deep tissue massage", 90, 140),
        ("Signature facial", 85, 150),
        ("Manicure and pedicure", 55, 90),
        ("Routine pet wellness exam", 60, 95),
        ("Pet dental cleaning", 300, 600),
        ("Oil change and multipoint inspection", 50, 95),
        ("Brake pad replacement, front axle", 180, 320),
        ("Dental cleaning and checkup", 110, 220),
        ("Initial legal consultation, 1 hour", 150, 400),
        ("Tax return preparation", 180, 450),
        ("Private tutoring session, 1 hour", 45, 90),
        ("Deep home cleaning, 3 bedrooms", 180, 320),
        ("Portrait photo session", 150, 350),
    )
)

# The dashboard.


def _spending(persona: Persona) -> tuple[Series, ...]:
    """What was paid for each service, most first: the visits' total paid."""
    visits = persona["past_visits"]
    return single("Paid", parts((v["service"], v["amount_paid"]) for v in visits))


def _paid_vs_owed(persona: Persona) -> tuple[Series, ...]:
    return single(
        "Past visits",
        (
            Point("Paid", persona["total_paid"]),
            Point("Owed", persona["balance_owed"]),
        ),
    )


DATASETS = (
    Dataset(
        "spending_by_service",
        "Spending by service",
        "bar",
        "money",
        _spending,
        asks=r"spend|spent|spending|by service|services",
        chart_types=("pie",),
    ),
    Dataset(
        "visits_by_provider",
        "Visits by provider",
        "bar",
        "count",
        lambda p: single("Visits", tallies(v["provider"] for v in p["past_visits"])),
        asks=r"provider|staff|who|stylist|visits by|how many visits",
        chart_types=("pie",),
    ),
    Dataset(
        "paid_vs_owed",
        "Paid vs owed",
        "pie",
        "money",
        _paid_vs_owed,
        asks=r"owed?|owing|balance|outstanding|unpaid|paid (?:vs|versus|and)",
        chart_types=("bar",),
    ),
)
METRICS = (
    Metric("next_appointment", "Next appointment", "", _next_when),
    Metric(
        "upcoming_appointments",
        "Upcoming appointments",
        "count",
        lambda p: len(p["upcoming_bookings"]),
    ),
    field_metric("balance_owed", "Balance owed", "money"),
    field_metric("deposits_paid", "Deposits paid", "money"),
    field_metric("total_paid", "Total paid", "money"),
)
TABS = (
    Tab(
        "Overview",
        (
            "next_appointment",
            "upcoming_appointments",
            "balance_owed",
            "deposits_paid",
            "paid_vs_owed",
        ),
    ),
    Tab("Visits", ("total_paid", "spending_by_service", "visits_by_provider")),
)


KIND = Kind(
    name="appointments",
    label="Appointments & services",
    fits="salons, barbers, spas, vets, garages and auto repair, dentists, law firms, "
    "accountants, tutors, cleaners, photographers and other booked services",
    schema=AppointmentsPersona,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your upcoming appointments, who they're with and where, deposits, past "
    "visits and what you paid, and any balance owed",
    example="When is my next appointment?",
    examples=(
        "When is my next appointment?",
        "Do I owe anything?",
        "What were my last visits?",
    ),
    hero="Book, check and manage your appointments.",
    chat_subtitle="Ask about your appointments or balance",
    catalogue=CATALOGUE,
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("appointments"),
    help_mentions=MENTIONS,
)
