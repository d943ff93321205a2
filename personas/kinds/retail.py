"""Retail: a shop's customer, with orders of catalogue items on their way or delivered,
a return or two, loyalty points and store credit. Any shop fits; its catalogue names
what was bought."""

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal, get_args

from personas.answers import (
    Intents,
    Persona,
    counted,
    joined,
    listed,
    says,
    says_money,
    words,
)
from personas.articles import Mention, Mentions, articles_read, record_named
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
from personas.catalogue import Catalogue, catalogue_of
from personas.figures import (
    Dataset,
    Metric,
    Series,
    Tab,
    by_day,
    field_metric,
    single,
    tallies,
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

OrderStatus = Literal["Processing", "Shipped", "Delivered", "Cancelled"]
ReturnStatus = Literal["Requested", "Received", "Refunded"]
LoyaltyTier = Literal["Bronze", "Silver", "Gold", "Platinum"]
TIERS = tiers_of((0, 1_000, 5_000, 10_000), get_args(LoyaltyTier))
# Days since an order was placed until it ships, and until it may have arrived.
_SHIPS_AFTER, _ARRIVES_AFTER = 3, 8
# Days since a return was requested until the item is back, and until it is refunded.
_RECEIVED_AFTER, _REFUNDED_AFTER = 4, 11


class OrderLine(Record):
    item: str
    quantity: int
    unit_price: float
    line_total: float


class Order(Record):
    order_number: str
    placed_on: date
    status: OrderStatus
    lines: list[OrderLine]
    total: float
    expected_delivery: date | None  # for an order on its way: after as_of
    delivered_on: date | None


class Return(Record):
    return_id: str
    order_number: str
    item: str
    quantity: int
    refund: float
    requested_on: date
    status: ReturnStatus


class RetailCustomer(Customer):
    customer_since: date
    orders: list[Order]  # newest first
    returns: list[Return]  # newest first
    loyalty_points: int
    loyalty_tier: LoyaltyTier
    points_to_next_tier: int  # 0 at the top tier
    store_credit: float


# A home and lifestyle store's range, in dollars: what a shop without its own sells.
CATALOGUE = catalogue_of(
    (
        ("Stoneware dinner plates, set of 4", 28, 42),
        ("Linen duvet cover, queen", 89, 139),
        ("Cotton bath towel set", 34, 58),
        ("Cast-iron skillet, 10 in", 29, 45),
        ("Bamboo cutting board", 18, 32),
        ("Scented soy candle, 8 oz", 14, 24),
        ("Wool throw blanket", 59, 95),
        ("Ceramic table lamp", 49, 89),
        ("Insulated water bottle, 24 oz", 19, 32),
        ("Wireless earbuds", 49, 129),
        ("Running shoes", 75, 140),
        ("Merino crew-neck sweater", 68, 110),
        ("Hardcover cookbook", 22, 38),
        ("Glazed plant pot, 8 in", 16, 28),
        ("Cordless drill, 20 V", 79, 149),
        ("Building block set, 500 pieces", 25, 60),
    )
)


def _lines(
    rng: random.Random, items_rng: random.Random, catalogue: Catalogue, price: Prices
) -> list[OrderLine]:
    """One to three different items; which items and their prices come from their own
    stream, so another catalogue changes names and prices but not the order's shape."""
    quantities = rng.choices((1, 2, 3), weights=(6, 3, 1), k=rng.randint(1, 3))
    items = items_rng.sample(catalogue, min(len(quantities), len(catalogue)))
    lines = []
    for item, quantity in zip(items, quantities, strict=False):
        unit_price = price.exact(items_rng.uniform(item.low, item.high))
        lines.append(
            OrderLine(
                item=item.name,
                quantity=quantity,
                unit_price=unit_price,
                line_total=price.exact(unit_price * quantity),
            )
        )
    return lines


def _status(rng: random.Random, age: int, newest: bool) -> OrderStatus:
    """What an order placed `age` days ago has come to; only older ones were
    cancelled, so the newest is always on its way or delivered."""
    cancelled = rng.random() < 0.1
    if age < _SHIPS_AFTER:
        return "Processing"
    if age < _ARRIVES_AFTER:
        return "Shipped"
    return "Cancelled" if cancelled and not newest else "Delivered"


def _delivery(
    rng: random.Random, status: OrderStatus, placed: date, as_of: date
) -> dict[str, date | None]:
    """Expected after as_of while on its way; delivered within a week of placing."""
    days = timedelta(days=rng.randint(1, 4))
    expected = {"Processing": as_of + days + timedelta(days=3), "Shipped": as_of + days}
    return {
        "expected_delivery": expected.get(status),
        "delivered_on": placed + days + timedelta(days=3)
        if status == "Delivered"
        else None,
    }


def _order(
    rng: random.Random, items_rng: random.Random, draw: Draw, age: int, newest: bool
) -> Order:
    placed = draw.as_of - timedelta(days=age)
    status = _status(rng, age, newest)
    lines = _lines(rng, items_rng, draw.catalogue, draw.price)
    return Order(
        order_number=f"ORD-{rng.randrange(10**7):07d}",
        placed_on=placed,
        status=status,
        lines=lines,
        total=draw.price.exact(sum(line.line_total for line in lines)),
        **_delivery(rng, status, placed, draw.as_of),
    )


def _orders(rng: random.Random, items_rng: random.Random, draw: Draw) -> list[Order]:
    """One to five orders over the last five months, newest first."""
    ages = sorted(rng.sample(range(150), rng.randint(1, 5)))
    return [
        _order(rng, items_rng, draw, age, newest=index == 0)
        for index, age in enumerate(ages)
    ]


def _return_status(days_ago: int) -> ReturnStatus:
    if days_ago < _RECEIVED_AFTER:
        return "Requested"
    return "Received" if days_ago < _REFUNDED_AFTER else "Refunded"


def _return(
    rng: random.Random, order: Order, line: OrderLine, as_of: date, price: Prices
) -> Return:
    """Some or all of a delivered line, sent back within a month of delivery."""
    assert order.delivered_on is not None  # only delivered lines are returned
    window = min(30, (as_of - order.delivered_on).days)
    requested = order.delivered_on + timedelta(days=rng.randint(1, window))
    quantity = rng.randint(1, line.quantity)
    return Return(
        return_id=f"RMA-{rng.randrange(10**6):06d}",
        order_number=order.order_number,
        item=line.item,
        quantity=quantity,
        refund=price.exact(line.unit_price * quantity),
        requested_on=requested,
        status=_return_status((as_of - requested).days),
    )


def _returns(
    rng: random.Random, orders: list[Order], as_of: date, price: Prices
) -> list[Return]:
    """Up to two returns of different delivered lines, newest first."""
    delivered = [
        (o, line) for o in orders if o.status == "Delivered" for line in o.lines
    ]
    picks = rng.sample(delivered, min(rng.randint(0, 2), len(delivered)))
    returns = [_return(rng, order, line, as_of, price) for order, line in picks]
    return sorted(returns, key=lambda r: r.requested_on, reverse=True)


def _store_credit(rng: random.Random, price: Prices) -> float:
    """Most customers hold none; some have a gift card or a goodwill credit."""
    return price(rng.uniform(5, 75)) if rng.random() < 0.4 else 0.0


def generate(draw: Draw) -> RetailCustomer:
    """A shop's customer whose totals add up and whose orders fit their dates."""
    orders = _orders(draw.rng("orders"), draw.rng("orders.items"), draw)
    return RetailCustomer(
        **draw.customer(),
        customer_since=member_since(draw.rng("membership"), draw.as_of),
        orders=orders,
        returns=_returns(draw.rng("returns"), orders, draw.as_of, draw.price),
        **loyalty_standing(draw.rng("loyalty").randint(0, 15_000), TIERS),
        store_credit=_store_credit(draw.rng("store_credit"), draw.price),
    )


# The offline model's facts.


def _line_text(line: dict) -> str:
    """'2 × Scented soy candle, 8 oz'."""
    return f"{line['quantity']} × {line['item']}"


def _named_order(persona: Persona, question: str, live: bool = False) -> dict | None:
    """The order whose number the question gives, else the newest (not cancelled)."""
    orders = persona["orders"]
    named = [o for o in orders if o["order_number"].casefold() in question.casefold()]
    chosen = named or [o for o in orders if not live or o["status"] != "Cancelled"]
    return chosen[0] if chosen else None


_ORDER_PROGRESS = {
    "Delivered": "was delivered on {day}",
    "Shipped": "has shipped and should arrive by {day}",
    "Processing": "is being prepared and should arrive by {day}",
    "Cancelled": "was cancelled",
}


def _delivery_day(order: dict) -> str:
    """When it arrived, or when it should: the one date a customer asks about."""
    day = order["delivered_on"] or order["expected_delivery"]
    return long_date(day) if day else ""


def _progress(order: dict) -> str:
    return _ORDER_PROGRESS[order["status"]].format(day=_delivery_day(order))


def _where(persona: Persona, question: str) -> str:
    order = _named_order(persona, question, live=True)
    if order is None:
        return "I don't see any open or delivered orders on your account."
    return (
        f"Your order {order['order_number']} (placed {long_date(order['placed_on'])}) "
        f"{_progress(order)}."
    )


def _what(persona: Persona, question: str) -> str:
    order = _named_order(persona, question)
    if order is None:
        return "I don't see any orders on your account."
    items = joined([_line_text(line) for line in order["lines"]])
    return (
        f"Your order {order['order_number']} of {long_date(order['placed_on'])}: "
        f"{items}, {money(order['total'])} in all."
    )


def _orders_list(persona: Persona, question: str) -> str:
    orders = persona["orders"]
    if not orders:
        return "I don't see any orders on your account."
    latest = "; ".join(
        f"{o['order_number']} {money(o['total'])} ({o['status']})" for o in orders[:3]
    )
    return f"You have {counted(len(orders), 'order')} with us; the latest: {latest}."


_RETURN_PROGRESS = {
    "Requested": "we're waiting for the item and will refund {refund} when it arrives",
    "Received": "we have the item back and will refund {refund} shortly",
    "Refunded": "{refund} has been refunded",
}


def _order_text(order: dict) -> str:
    return (
        f"Your order {order['order_number']} (placed {long_date(order['placed_on'])}, "
        f"{money(order['total'])}) {_progress(order)}."
    )


def _return_line(r: dict) -> str:
    progress = _RETURN_PROGRESS[r["status"]].format(refund=money(r["refund"]))
    return (
        f"Your return {r['return_id']} of {_line_text(r)} (order "
        f"{r['order_number']}) is {r['status']}: {progress}."
    )


def _return_text(persona: Persona, question: str) -> str:
    returns = persona["returns"]
    if not returns:
        return "You have no returns on file."
    others = (
        f" You have {counted(len(returns) - 1, 'other return')}." if returns[1:] else ""
    )
    return _return_line(returns[0]) + others


ANSWERS: Intents = (
    (
        words(r"returns?|returned|returning|refunds?|refunded|send (?:it|them) back"),
        listed(lambda p: p["returns"], _return_line, _return_text),
    ),
    (
        words(r"store credit|credit|gift cards?|vouchers?"),
        says_money("Your store credit balance is {}.", "store_credit"),
    ),
    (words(r"points|loyalty|rewards?|tier"), points_answer(TIERS)),
    (
        words(
            r"what did i (?:order|buy|get)|items?|bought|purchased|in my order"
            r"|what(?:'s| is| was) in (?:it|that|there|the order)|inside"
        ),
        _what,
    ),
    (
        words(
            r"where(?:'s| is| are)? (?:my|it|the|they|order)|track(?:ing)?"
            r"|deliver(?:y|ed)?|ship(?:ped|ping)?|arriv(?:e|es|al)|dispatch(?:ed)?"
            r"|status|when will"
        ),
        _where,
    ),
    (
        words(r"orders?|purchases?|order history"),
        listed(lambda p: p["orders"], _order_text, _orders_list),
    ),
    (
        words(r"customer since|member since|how long|since when|become a customer"),
        says("You've been a customer since {}.", "customer_since", long_date),
    ),
)


# What its help articles name.


def _order_mention(status: str, phrase: Callable[[Persona], str]) -> Mention:
    """The order the question names by number, else the newest in `status`."""

    def mention(persona: Persona, question: str) -> str | None:
        orders = persona["orders"]
        chosen = record_named(orders, ("order_number",), question) or next(
            (order for order in orders if order["status"] == status), None
        )
        return None if chosen is None else phrase(chosen)

    return mention


def _returnable(order: Persona) -> str:
    delivered = order["delivered_on"]
    when = f" (delivered {long_date(delivered)})" if delivered else ""
    return f" from order {order['order_number']}{when}"


def _on_its_way(order: Persona) -> str:
    due = order["expected_delivery"]
    when = f", due {long_date(due)}" if due else ""
    return f", such as order {order['order_number']} ({order['status'].lower()}{when})"


def _unshipped(order: Persona) -> str:
    return f", such as order {order['order_number']}, which has not shipped yet"


MENTIONS: Mentions = (
    (words(r"returns?"), _order_mention("Delivered", _returnable)),
    (words(r"track|tracking"), _order_mention("Shipped", _on_its_way)),
    (words(r"cancel"), _order_mention("Processing", _unshipped)),
    (
        words(r"points|store credit"),
        lambda persona, question: (
            f" (you have {count(persona['loyalty_points'])} points and "
            f"{money(persona['store_credit'])} in store credit)"
        ),
    ),
)


# The customer card.

_ORDER_TONES = {
    "Delivered": "good",
    "Shipped": "wait",
    "Processing": "wait",
    "Cancelled": "bad",
}
_RETURN_TONES = {"Refunded": "good", "Received": "wait", "Requested": "wait"}


def _delivery_note(order: dict) -> str:
    return "Expected" if order["expected_delivery"] else ""


CARD = Card(
    headline=Figure("Store credit", money_of("store_credit"), testid="store-credit"),
    summary=(
        Figure("Loyalty tier", of("loyalty_tier"), testid="loyalty-tier"),
        Figure("Customer since", date_of("customer_since")),
    ),
    sections=(
        Section(
            "Orders",
            "orders",
            (
                Table(
                    caption="Your recent orders",
                    rows=lambda p: p["orders"],
                    columns=(
                        Column(
                            "Order",
                            of("order_number"),
                            note=date_of("placed_on"),
                            style="nowrap",
                        ),
                        Column(
                            "Items",
                            lambda o: joined([_line_text(line) for line in o["lines"]]),
                            style="hide-narrow",
                        ),
                        Column("Total", money_of("total"), style="num strong"),
                        Column(
                            "Status",
                            of("status"),
                            tone=lambda o: _ORDER_TONES[o["status"]],
                            pill=True,
                        ),
                        Column(
                            "Delivery",
                            _delivery_day,
                            note=_delivery_note,
                            style="nowrap muted",
                        ),
                    ),
                    empty="No orders yet.",
                ),
            ),
        ),
        Section(
            "Returns",
            "returns",
            (
                Table(
                    caption="Your returns",
                    rows=lambda p: p["returns"],
                    columns=(
                        Column(
                            "Return",
                            of("return_id"),
                            note=date_of("requested_on"),
                            style="nowrap",
                        ),
                        Column("Item", _line_text),
                        Column(
                            "Refund",
                            money_of("refund"),
                            tone=lambda r: "credit",
                            style="num",
                        ),
                        Column(
                            "Status",
                            of("status"),
                            tone=lambda r: _RETURN_TONES[r["status"]],
                            pill=True,
                        ),
                    ),
                    empty="No returns.",
                ),
            ),
        ),
        Section(
            "Rewards",
            "rewards",
            (
                Facts(
                    (
                        Figure(
                            "Loyalty points",
                            count_of("loyalty_points"),
                            testid="loyalty-points",
                        ),
                        Figure("Points to next tier", count_of("points_to_next_tier")),
                    )
                ),
            ),
        ),
    ),
)

# The dashboard.

# Orders still on their way to the customer.
_ON_THE_WAY = frozenset({"Processing", "Shipped"})


def _spending(persona: Persona) -> tuple[Series, ...]:
    """What each order cost, oldest first; a cancelled order cost nothing."""
    charged = [o for o in persona["orders"] if o["status"] != "Cancelled"]
    return single("Spending", by_day(charged, "placed_on", "total"))


DATASETS = (
    Dataset(
        "spending_by_order",
        "Spending by order",
        "bar",
        "money",
        _spending,
        asks=r"spend|spent|spending|order totals?|how much",
        chart_types=("line",),
    ),
    Dataset(
        "orders_by_status",
        "Orders by status",
        "pie",
        "count",
        lambda p: single("Orders", tallies(o["status"] for o in p["orders"])),
        asks=r"status|deliver|shipped|processing|cancel",
        chart_types=("bar",),
    ),
    Dataset(
        "loyalty_progress",
        "Points to the next tier",
        "progress",
        "points",
        loyalty_progress,
        asks=r"points|loyalty|tier|rewards?",
        chart_types=("pie", "bar"),
    ),
)
METRICS = (
    field_metric("store_credit", "Store credit", "money"),
    Metric(
        "orders_on_the_way",
        "Orders on the way",
        "count",
        lambda p: sum(o["status"] in _ON_THE_WAY for o in p["orders"]),
    ),
    field_metric("loyalty_tier", "Loyalty tier", ""),
    field_metric("loyalty_points", "Loyalty points", "points"),
    field_metric("points_to_next_tier", "Points to next tier", "points"),
)
TABS = (
    Tab(
        "Orders",
        ("orders_on_the_way", "store_credit", "spending_by_order", "orders_by_status"),
    ),
    Tab(
        "Rewards",
        ("loyalty_tier", "loyalty_points", "points_to_next_tier", "loyalty_progress"),
    ),
)


KIND = Kind(
    name="retail",
    label="Retail",
    fits="any shop: pet stores, florists, bakeries, bookshops, electronics, fashion, "
    "groceries, furniture, toy stores, hardware, sporting goods, gift shops",
    schema=RetailCustomer,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your orders and deliveries, what you ordered, returns and refunds, "
    "loyalty points and tier, and store credit",
    example="Where is my order?",
    examples=(
        "Where is my order?",
        "How many points do I have?",
        "What's the status of my return?",
    ),
    hero="Your orders, returns and rewards at a glance, and a secure chat with our "
    "virtual assistant.",
    chat_subtitle="Ask about orders, deliveries, returns and rewards",
    catalogue=CATALOGUE,
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("retail"),
    help_mentions=MENTIONS,
)
