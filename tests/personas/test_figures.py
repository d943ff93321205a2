"""Every kind's dashboard agrees with its customer to the cent: each dataset, metric
and default tab computes for many customers (and emptied ones) in the shape
docs/protocol.md gives, and the charts add up to what the card totals."""

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from personas import (
    CREDIT_CATEGORIES,
    Kind,
    generate_persona,
    kind_get,
    kinds,
    persona_emptied,
)
from personas.card import Facts, Meters, Tiles, card_render
from personas.figures import (
    CHART_TYPES,
    FigureError,
    Point,
    by_day,
    chart_compute,
    metrics_compute,
    panel_names,
    parts,
    progress,
    tabs_compute,
    to_cents,
)
from personas.formatting import Reader, count, long_date, money, short_date, written_for
from personas.kinds.retail import TIERS as RETAIL_TIERS
from personas.kinds.travel import TIERS as TRAVEL_TIERS

AS_OF = date(2026, 1, 31)
SEEDS = range(200)
# The card's wording is checked on fewer: rendering a card is the slow part.
CARD_SEEDS = 20
# Dollars, euros written the German way, and yen with no minor unit.
LOCALES = ("en_US", "de_DE", "ja_JP")
KINDS = [pytest.param(kind, id=kind.name) for kind in kinds()]
NAME = re.compile(r"[a-z][a-z0-9_]*")
CHART_KEYS = {"dataset", "chart_type", "title", "unit", "series"}
METRIC_KEYS = {"key", "label", "value", "unit"}

Chart = dict
Persona = dict


@functools.cache
def customers(kind: str, locale: str) -> tuple[Persona, ...]:
    return tuple(
        generate_persona(kind, seed, as_of=AS_OF, locale=locale) for seed in SEEDS
    )


def charts(kind: str, dataset: str) -> Iterator[tuple[Persona, Chart]]:
    """Every sampled customer of the kind, with the dataset charted for them."""
    datasets = kind_get(kind).datasets
    for locale in LOCALES:
        for persona in customers(kind, locale):
            yield persona, chart_compute(datasets, dataset, persona)


def points(chart: Chart) -> list[tuple[str, float]]:
    """The only series' (label, value) pairs."""
    [series] = chart["series"]
    return [(point["label"], point["value"]) for point in series["points"]]


def values(chart: Chart) -> dict[str, float]:
    pairs = points(chart)
    labels = [label for label, _value in pairs]
    assert len(set(labels)) == len(labels), labels
    return dict(pairs)


def total(chart_or_values: Chart | list) -> int:
    """The sum in cents of a chart's points, or of amounts."""
    if isinstance(chart_or_values, dict):
        chart_or_values = [value for _label, value in points(chart_or_values)]
    return sum(to_cents(value) for value in chart_or_values)


def largest_first(chart: Chart) -> bool:
    numbers = [value for _label, value in points(chart)]
    return numbers == sorted(numbers, reverse=True)


def short_dates(persona: Persona, days: list[str]) -> list[str]:
    """The labels a trend should have: these days in order, as the customer reads."""
    return [short_date(day, locale=persona["locale"]) for day in sorted(set(days))]


def _assert_finite_number(value: object) -> None:
    assert not isinstance(value, bool)
    assert isinstance(value, int | float) and math.isfinite(value), value


def _assert_chart_shape(chart: Chart, kind: Kind, persona: Persona) -> None:
    assert set(chart) == CHART_KEYS
    assert chart["chart_type"] in CHART_TYPES
    assert chart["title"] and chart["unit"]
    if next(d for d in kind.datasets if d.name == chart["dataset"]).unit == "money":
        assert chart["unit"] == persona["currency"]
    for series in chart["series"]:
        assert set(series) == {"name", "points"} and series["name"]
        for point in series["points"]:
            assert set(point) == {"label", "value"}
            assert isinstance(point["label"], str) and point["label"].strip()
            _assert_finite_number(point["value"])
    json.dumps(chart, allow_nan=False)


def _assert_metrics_shape(result: dict, kind: Kind) -> None:
    assert [m["key"] for m in result["metrics"]] == [m.name for m in kind.metrics]
    for metric in result["metrics"]:
        assert set(metric) == METRIC_KEYS and metric["label"]
        assert isinstance(metric["unit"], str)
        if metric["unit"] == "":
            assert isinstance(metric["value"], str) and metric["value"]
        else:
            _assert_finite_number(metric["value"])
    json.dumps(result, allow_nan=False)


# What each kind offers.


@pytest.mark.parametrize("kind", KINDS)
def test_kind_offers_a_dashboard(kind: Kind):
    assert len(kind.datasets) >= 2
    assert 3 <= len(kind.metrics) <= 6
    assert 2 <= len(kind.tabs) <= 4
    names = panel_names(kind.datasets, kind.metrics)
    assert len(set(names)) == len(names), names
    assert all(NAME.fullmatch(name) for name in names), names
    for tab in kind.tabs:
        assert tab.title and tab.panels
        assert set(tab.panels) <= set(names), tab
    assert len({tab.title for tab in kind.tabs}) == len(kind.tabs)
    for dataset in kind.datasets:
        assert dataset.title and dataset.chart_type in CHART_TYPES
        assert set(dataset.chart_types) <= set(CHART_TYPES) - {dataset.chart_type}
    assert all(metric.label for metric in kind.metrics)


@pytest.mark.parametrize("kind", KINDS)
def test_dataset_title_is_found_by_its_own_asks_alone(kind: Kind):
    """The offline model picks a chart by its `asks`: naming a dataset by its title
    picks that one and no other of the kind."""
    asks = {d.name: re.compile(d.asks, re.IGNORECASE) for d in kind.datasets}
    for dataset in kind.datasets:
        found = [name for name, ask in asks.items() if ask.search(dataset.title)]
        assert found == [dataset.name], (dataset.title, found)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("locale", LOCALES)
def test_figures_compute_in_shape_for_every_customer(kind: Kind, locale: str):
    """Every dataset and every metric, for 200 customers and for each of them with
    every list emptied."""
    keys = [metric.name for metric in kind.metrics]
    for full in customers(kind.name, locale):
        for persona in (full, persona_emptied(full)):
            for dataset in kind.datasets:
                chart = chart_compute(kind.datasets, dataset.name, persona)
                assert chart["chart_type"] == dataset.chart_type
                _assert_chart_shape(chart, kind, persona)
            _assert_metrics_shape(metrics_compute(kind.metrics, keys, persona), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_chart_draws_as_each_type_it_allows(kind: Kind):
    persona = customers(kind.name, "en_US")[0]
    for dataset in kind.datasets:
        usual = chart_compute(kind.datasets, dataset.name, persona)
        for chart_type in dataset.chart_types:
            chart = chart_compute(
                kind.datasets, dataset.name, persona, chart_type=chart_type
            )
            assert chart == {**usual, "chart_type": chart_type}


@pytest.mark.parametrize("kind", KINDS)
def test_default_tabs_compute_each_panel_in_order(kind: Kind):
    """Charts one panel each; a run of metrics one `show_metrics` panel."""
    persona = customers(kind.name, "de_DE")[0]
    computed = tabs_compute(kind.datasets, kind.metrics, kind.tabs, persona)
    assert [tab["title"] for tab in computed] == [tab.title for tab in kind.tabs]
    for tab, result in zip(kind.tabs, computed, strict=True):
        named: list[str] = []
        for panel in result["panels"]:
            if panel["tool"] == "show_chart":
                _assert_chart_shape(panel["result"], kind, persona)
                named.append(panel["result"]["dataset"])
            else:
                assert panel["tool"] == "show_metrics"
                named += [m["key"] for m in panel["result"]["metrics"]]
        assert named == list(tab.panels)


@pytest.mark.parametrize("kind", KINDS)
def test_chart_refuses_a_chart_type_the_dataset_does_not_allow(kind: Kind):
    dataset = kind.datasets[0]
    refused = set(CHART_TYPES) - {dataset.chart_type, *dataset.chart_types}
    for chart_type in refused:
        with pytest.raises(FigureError, match=dataset.title) as caught:
            chart_compute(
                kind.datasets,
                dataset.name,
                customers(kind.name, "en_US")[0],
                chart_type=chart_type,
            )
        assert caught.value.code == "unknown_chart_type"


# The metrics read as the card does.


def _card_texts(kind: Kind, persona: Persona) -> dict[str, list[str]]:
    """Every labelled figure of the rendered card: its value, note and meter text."""
    rendered = card_render(kind.card, persona)
    texts: dict[str, list[str]] = {}
    for figure in (rendered["headline"], *rendered["summary"]):
        texts.setdefault(figure["label"], []).append(figure["value"])
    for section in rendered["sections"]:
        for block in section["blocks"]:
            for item in block.get("items", ()):
                text = item.get("figure", item.get("value"))
                texts.setdefault(item["label"], []).append(text)
    return texts


def _written(metric: dict, persona: Persona) -> str:
    """A metric's value as the card writes it."""
    if metric["unit"] == "":
        return metric["value"]
    if metric["unit"] == persona["currency"]:
        return money(metric["value"])
    return count(metric["value"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("locale", LOCALES)
def test_metrics_named_like_card_figures_show_the_cards_figures(
    kind: Kind, locale: str
):
    """A tile labelled like a figure of the card (most of them) shows its value."""
    keys = [metric.name for metric in kind.metrics]
    card_labels = {
        item.label
        for section in kind.card.sections
        for block in section.blocks
        if isinstance(block, Tiles | Facts | Meters)
        for item in block.items
    } | {figure.label for figure in (kind.card.headline, *kind.card.summary)}
    shared = [m for m in kind.metrics if m.label in card_labels]
    assert len(shared) * 2 >= len(kind.metrics), [m.label for m in kind.metrics]
    checked = 0
    for persona in customers(kind.name, locale)[:CARD_SEEDS]:
        texts = _card_texts(kind, persona)
        with written_for(Reader.of(persona)):
            for metric in metrics_compute(kind.metrics, keys, persona)["metrics"]:
                if metric["label"] in texts:
                    written = _written(metric, persona)
                    cards = texts[metric["label"]]
                    assert any(written in text for text in cards), (metric, cards)
                    checked += 1
    assert checked >= len(shared), "the card shows too few of the tiles' figures"


# The charts agree with the customer.


def _banking_spending(persona: Persona, chart: Chart) -> None:
    debits = Counter()
    for t in persona["recent_transactions"]:
        if t["amount"] < 0 and t["category"] not in CREDIT_CATEGORIES:
            label = t["category"].replace("_", " ").capitalize()
            debits[label] -= to_cents(t["amount"])
    assert {label: to_cents(v) for label, v in points(chart)} == dict(debits)
    assert largest_first(chart)


def _banking_balance(persona: Persona, chart: Chart) -> None:
    """Opens where the day's moves lead back to, and ends on today's balance."""
    transactions = persona["recent_transactions"]
    trend = points(chart)
    assert trend[-1][1] == persona["checking_balance"]
    opening = to_cents(persona["checking_balance"]) - total(
        [t["amount"] for t in transactions]
    )
    assert to_cents(trend[0][1]) == opening
    days = sorted({t["date"] for t in transactions})
    assert [label for label, _v in trend[1:]] == short_dates(persona, days)
    for (_, before), (_, after), day in zip(trend[:-1], trend[1:], days, strict=True):
        moved = [t["amount"] for t in transactions if t["date"] == day]
        assert to_cents(after) - to_cents(before) == total(moved)


def _banking_in_out(persona: Persona, chart: Chart) -> None:
    amounts = [t["amount"] for t in persona["recent_transactions"]]
    figures = values(chart)
    assert to_cents(figures["Money in"]) == total([a for a in amounts if a > 0])
    assert to_cents(figures["Money out"]) == -total([a for a in amounts if a < 0])


def _insurance_per_policy(field: str, whole: str | None) -> Callable:
    def check(persona: Persona, chart: Chart) -> None:
        policies = persona["active_policies"]
        assert values(chart) == {p["type"]: p[field] for p in policies}
        assert largest_first(chart)
        if whole:
            assert total(chart) == to_cents(persona[whole])

    return check


def _tally_of(records: str, field: str) -> Callable:
    """A count chart: how many of the customer's records have each value."""

    def check(persona: Persona, chart: Chart) -> None:
        assert values(chart) == Counter(r[field] for r in persona[records])
        assert sum(value for _label, value in points(chart)) == len(persona[records])
        assert largest_first(chart)

    return check


def _progress_of(done: str, whole: str | Callable, labels: tuple[str, str]):
    """A progress chart: the part done is the customer's figure, and with the part
    left it makes the whole."""

    def check(persona: Persona, chart: Chart) -> None:
        figures = values(chart)
        assert list(figures) == list(labels)
        limit = whole(persona) if callable(whole) else persona[whole]
        assert figures[labels[0]] == persona[done]
        assert to_cents(figures[labels[1]]) >= 0
        assert total(chart) == to_cents(limit)

    return check


def _refills(persona: Persona, chart: Chart) -> None:
    scripts = persona["active_prescriptions"]
    assert values(chart) == {p["medication"]: p["refills_remaining"] for p in scripts}
    assert largest_first(chart)


def _sums_by_day(records: str, day: str, amount: str, keep=lambda r: True):
    """A trend of money by date: oldest first, and adding up to the records'."""

    def check(persona: Persona, chart: Chart) -> None:
        kept = [r for r in persona[records] if keep(r)]
        assert [label for label, _v in points(chart)] == short_dates(
            persona, [r[day] for r in kept]
        )
        assert total(chart) == total([r[amount] for r in kept])

    return check


def _sums_to(records: str | Callable, label: str, amount: str, whole: str | None):
    """Parts of money by label, largest first, adding up to the card's total."""

    def check(persona: Persona, chart: Chart) -> None:
        rows = records(persona) if callable(records) else persona[records]
        expected = Counter()
        for row in rows:
            expected[row[label]] += to_cents(row[amount])
        assert {name: to_cents(v) for name, v in points(chart)} == dict(expected)
        assert largest_first(chart)
        if whole:
            assert total(chart) == to_cents(persona[whole])

    return check


def _points_with_next_tier(persona: Persona) -> int:
    return persona["loyalty_points"] + persona["points_to_next_tier"]


def _loyalty_to_next_tier(tiers) -> Callable:
    """The points held and still needed make the next tier's floor (or, at the
    top, the points held)."""
    as_card = _progress_of(
        "loyalty_points", _points_with_next_tier, ("Points", "To next tier")
    )

    def check(persona: Persona, chart: Chart) -> None:
        as_card(persona, chart)
        held = persona["loyalty_points"]
        above = [floor for floor, _name in tiers if floor > held]
        assert total(chart) == to_cents(min(above, default=held))

    return check


def _subscription_payments(persona: Persona, chart: Chart) -> None:
    _sums_by_day("payment_history", "billed_on", "amount")(persona, chart)
    assert all(value == persona["cycle_price"] for _label, value in points(chart))


def _subscription_yearly_cost(persona: Persona, chart: Chart) -> None:
    """The customer's own cycle costs what their bills charge in a year."""
    figures = {label: to_cents(value) for label, value in points(chart)}
    price = to_cents(persona["cycle_price"])
    if persona["billing_cycle"] == "Monthly":
        assert figures["Billed monthly"] == 12 * price
    else:
        assert figures["Billed annually"] == price
    assert figures["Billed annually"] < figures["Billed monthly"] or price == 0


def _travel_upcoming_vs_past(persona: Persona, chart: Chart) -> None:
    figures = values(chart)
    for label, field in (("Upcoming", "upcoming_bookings"), ("Past", "past_bookings")):
        assert to_cents(figures[label]) == total([b["total"] for b in persona[field]])


def _utilities_by_status(persona: Persona, chart: Chart) -> None:
    figures = {label: to_cents(value) for label, value in points(chart)}
    unpaid = figures.get("Due", 0) + figures.get("Overdue", 0)
    assert unpaid == to_cents(persona["balance_due"])
    assert total(chart) == total([b["amount"] for b in persona["bills"]])
    assert largest_first(chart)


def _appointments_paid_vs_owed(persona: Persona, chart: Chart) -> None:
    figures = values(chart)
    assert figures == {"Paid": persona["total_paid"], "Owed": persona["balance_owed"]}
    assert total(chart) == total([v["price"] for v in persona["past_visits"]])


def _education_tuition(persona: Persona, chart: Chart) -> None:
    _progress_of("tuition_paid", "tuition_fees", ("Paid", "To pay"))(persona, chart)
    assert values(chart)["To pay"] == persona["tuition_balance"]


_GENERIC_FLOORS = {"Bronze": 0, "Silver": 5_000, "Gold": 15_000, "Platinum": 40_000}


def _generic_status_progress(persona: Persona, chart: Chart) -> None:
    figures = values(chart)
    assert figures["Points"] == persona["loyalty_points"]
    assert (figures["To go"] == 0) == (persona["status"] == "Platinum")
    if persona["status"] != "Platinum":
        above = [f for f in _GENERIC_FLOORS.values() if f > persona["loyalty_points"]]
        assert sum(figures.values()) == min(above)


def _generic_each_status(persona: Persona, chart: Chart) -> None:
    figures = values(chart)
    assert list(figures) == ["Silver", "Gold", "Platinum"]
    held = _GENERIC_FLOORS[persona["status"]]
    for status, needed in figures.items():
        floor = _GENERIC_FLOORS[status]
        assert needed == max(floor - persona["loyalty_points"], 0)
        assert (needed == 0) == (floor <= held)


def _not_cancelled(order: dict) -> bool:
    return order["status"] != "Cancelled"


def _every_booking(persona: Persona) -> list[dict]:
    return persona["upcoming_bookings"] + persona["past_bookings"]


def _travel_spending(persona: Persona, chart: Chart) -> None:
    _sums_to(_every_booking, "item", "total", None)(persona, chart)
    split = chart_compute(kind_get("travel").datasets, "upcoming_vs_past", persona)
    assert total(chart) == total(split)


AGREEMENTS: dict[tuple[str, str], Callable[[Persona, Chart], None]] = {
    ("banking", "spending_by_category"): _banking_spending,
    ("banking", "balance_trend"): _banking_balance,
    ("banking", "money_in_out"): _banking_in_out,
    ("insurance", "coverage_by_policy"): _insurance_per_policy(
        "coverage", "total_coverage"
    ),
    ("insurance", "premium_by_policy"): _insurance_per_policy(
        "premium", "monthly_premium"
    ),
    ("insurance", "deductible_by_policy"): _insurance_per_policy("deductible", None),
    ("insurance", "claims_by_status"): _tally_of("claims_history", "status"),
    ("healthcare", "deductible_progress"): _progress_of(
        "deductible_met", "deductible", ("Met", "To go")
    ),
    ("healthcare", "out_of_pocket_progress"): _progress_of(
        "out_of_pocket_spent", "out_of_pocket_max", ("Spent", "To go")
    ),
    ("healthcare", "refills_by_prescription"): _refills,
    ("retail", "spending_by_order"): _sums_by_day(
        "orders", "placed_on", "total", _not_cancelled
    ),
    ("retail", "orders_by_status"): _tally_of("orders", "status"),
    ("retail", "loyalty_progress"): _loyalty_to_next_tier(RETAIL_TIERS),
    ("subscription", "usage_this_month"): _progress_of(
        "usage_used", "usage_allowance", ("Used", "Left")
    ),
    ("subscription", "payment_history"): _subscription_payments,
    ("subscription", "yearly_cost"): _subscription_yearly_cost,
    ("travel", "spending_by_booking"): _travel_spending,
    ("travel", "upcoming_vs_past"): _travel_upcoming_vs_past,
    ("travel", "loyalty_progress"): _loyalty_to_next_tier(TRAVEL_TIERS),
    ("utilities", "usage_this_period"): _progress_of(
        "usage_used", "usage_allowance", ("Used", "Left")
    ),
    ("utilities", "bill_history"): _sums_by_day("bills", "issued", "amount"),
    ("utilities", "bills_by_status"): _utilities_by_status,
    ("appointments", "spending_by_service"): _sums_to(
        "past_visits", "service", "amount_paid", "total_paid"
    ),
    ("appointments", "visits_by_provider"): _tally_of("past_visits", "provider"),
    ("appointments", "paid_vs_owed"): _appointments_paid_vs_owed,
    ("education", "lessons_progress"): _progress_of(
        "current_lessons_completed", "current_lessons_total", ("Completed", "To go")
    ),
    ("education", "tuition_progress"): _education_tuition,
    ("education", "tuition_by_course"): _sums_to(
        "enrolments", "course", "tuition", "tuition_fees"
    ),
    ("education", "tuition_payments"): _sums_by_day("payments", "date", "amount"),
    ("generic", "status_progress"): _generic_status_progress,
    ("generic", "points_to_each_status"): _generic_each_status,
}


def test_every_dataset_has_an_agreement_checked():
    offered = {(kind.name, d.name) for kind in kinds() for d in kind.datasets}
    assert offered == set(AGREEMENTS)


@pytest.mark.parametrize(("kind", "dataset"), list(AGREEMENTS))
def test_chart_agrees_with_the_customer(kind: str, dataset: str):
    check = AGREEMENTS[kind, dataset]
    for persona, chart in charts(kind, dataset):
        check(persona, chart)


def test_usage_charts_read_in_the_plans_own_unit():
    for kind, dataset in (
        ("subscription", "usage_this_month"),
        ("utilities", "usage_this_period"),
    ):
        for persona, chart in charts(kind, dataset):
            assert chart["unit"] == persona["usage_unit"]


# The pieces the datasets are made of.


def test_parts_sum_in_cents_largest_first():
    tenths = parts([("Dining", 0.1)] * 10 + [("Fuel", 1.01), ("Rent", 0.3)])
    assert tenths == (Point("Fuel", 1.01), Point("Dining", 1.0), Point("Rent", 0.3))
    assert parts([]) == ()


def test_progress_leaves_the_rest_of_the_whole_never_below_zero():
    [met] = progress("Deductible", 0.1 + 0.2, 1_000.0, ("Met", "To go"))
    assert met.points == (Point("Met", 0.3), Point("To go", 999.7))
    [over] = progress("Usage", 12, 10, ("Used", "Left"))
    assert over.points == (Point("Used", 12), Point("Left", 0))
    assert isinstance(over.points[1].value, int)


def test_by_day_adds_each_days_amounts_oldest_first():
    rows = [
        {"day": "2026-01-03", "amount": -4.5},
        {"day": "2026-01-01", "amount": 10.0},
        {"day": "2026-01-03", "amount": -0.25},
    ]
    with written_for(Reader("de_DE", "EUR")):
        assert by_day(rows, "day", "amount") == (
            Point("01.01.2026", 10.0),
            Point("03.01.2026", -4.75),
        )


def test_charts_are_written_for_the_customer_whoever_computes_them():
    """Labels and values come out the same inside any other reader's block."""
    kind = kind_get("utilities")
    persona = customers("utilities", "de_DE")[3]
    alone = [chart_compute(kind.datasets, d.name, persona) for d in kind.datasets]
    keys = [metric.name for metric in kind.metrics]
    with written_for(Reader("ja_JP", "JPY")):
        inside = [chart_compute(kind.datasets, d.name, persona) for d in kind.datasets]
        tiles = metrics_compute(kind.metrics, keys, persona)
    assert inside == alone
    assert points(alone[1])[0][0] == short_date(persona["bills"][-1]["issued"], "de_DE")
    next_bill = next(m for m in tiles["metrics"] if m["key"] == "next_bill_date")
    assert next_bill["value"] == long_date(persona["next_bill_date"], "de_DE")
