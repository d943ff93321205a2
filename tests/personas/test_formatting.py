import random
from datetime import date, time

import pytest
from babel.numbers import format_currency

from personas.formatting import (
    Reader,
    _money_form,
    clock_time,
    count,
    long_date,
    money,
    short_date,
    written_for,
)
from personas.sampling import LOCALE_CURRENCIES

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        (4210.55, "USD", "en_US", "$4,210.55"),
        (-42.1, "USD", "en_US", "-$42.10"),
        ("12345.6", "USD", "en_US", "$12,345.60"),
        (1234.56, "GBP", "en_GB", "£1,234.56"),
        (1234.56, "EUR", "de_DE", f"1.234,56{NBSP}€"),
        (-12345.67, "EUR", "es_ES", f"-12.345,67{NBSP}€"),
        (1234.56, "EUR", "fr_FR", f"1\u202f234,56{NBSP}€"),
        (123456.0, "JPY", "ja_JP", "￥123,456"),
    ],
)
def test_money_in_the_currency_and_locale(value, currency, locale, expected):
    assert money(value, currency, locale) == expected


# Ties, signs, zeros, carries and sizes where writing an amount could go wrong.
EDGE_AMOUNTS = [
    0, 0.0, -0.0, 0.004, -0.004, 0.005, -0.005, 0.015, 0.125, 2.675, 0.5, 1.5, 2.5,
    -2.5, 9.995, 99.999, 999.995, 1000, -1000, 999999.995, 1e-9, 123456789.555,
    12345678901234.5, 1e15, -1e15, 7, 70, 700, 7000, 70000, 700000, 7000000,
]  # fmt: skip


def amounts_drawn(count: int) -> list[float]:
    """Amounts of every size, to a cent, a mill or no unit at all, either sign."""
    rng = random.Random(20261202)
    drawn = []
    for _ in range(count):
        value = round(rng.uniform(0, 10 ** rng.randint(0, 12)), rng.choice([0, 2, 3]))
        drawn.append(-value if rng.random() < 0.3 else value)
    return drawn


@pytest.mark.parametrize("locale", sorted(LOCALE_CURRENCIES))
@pytest.mark.parametrize("currency", ["USD", "GBP", "EUR", "JPY", "CHF", "BHD"])
def test_money_writes_every_amount_as_babel_does(locale, currency):
    """The kept form (personas.formatting._MoneyForm) against Babel itself, for each
    locale we generate and currencies of 0, 2 and 3 decimals."""
    assert _money_form(locale, currency) is not None  # else this tests only Babel
    for value in [*EDGE_AMOUNTS, *amounts_drawn(300)]:
        expected = format_currency(value, currency, locale=locale)
        assert money(value, currency, locale) == expected, (value, currency, locale)


def test_money_leaves_to_babel_what_it_does_not_write():
    """Infinite amounts, and locales whose symbols Babel would read as quotes, are
    Babel's to write."""
    assert money(float("inf"), "USD", "en_US") == format_currency(
        float("inf"), "USD", locale="en_US"
    )
    assert _money_form("de_CH", "CHF") is None  # its digits are grouped by a quote


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en_US", "March 4, 2026"), ("de_DE", "4. März 2026"), ("ja_JP", "2026年3月4日")],
)
def test_long_date_in_the_locale(locale, expected):
    assert long_date("2026-03-04", locale) == long_date(date(2026, 3, 4), locale)
    assert long_date("2026-03-04", locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en_US", "Mar 4, 2026"), ("de_DE", "04.03.2026"), ("ja_JP", "2026/03/04")],
)
def test_short_date_in_the_locale(locale, expected):
    assert short_date("2026-03-04", locale) == short_date(date(2026, 3, 4), locale)
    assert short_date("2026-03-04", locale) == expected


def test_a_date_written_before_reads_as_each_reader_reads_it():
    """The dates kept as written are kept per form and locale, the reader's
    included."""
    day = date(2026, 3, 5)
    assert short_date(day, "de_DE") == "05.03.2026"
    assert short_date(day) == "Mar 5, 2026"
    assert long_date(day) == "March 5, 2026"
    with written_for(Reader("ja_JP", "JPY")):
        assert short_date(day) == "2026/03/05"
        assert long_date(day) == "2026年3月5日"
    assert long_date(day, "de_DE") == "5. März 2026"
    assert short_date(day, "de_DE") == "05.03.2026"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en_US", "9:30 AM"), ("de_DE", "09:30"), ("en_GB", "09:30")],
)
def test_clock_time_in_the_locale(locale, expected):
    assert clock_time("09:30:00", locale) == clock_time(time(9, 30), locale)
    assert clock_time("09:30:00", locale) == expected


def test_count_groups_digits_for_the_locale():
    assert (count(12345), count(12345, "de_DE")) == ("12,345", "12.345")


def test_written_for_sets_the_default_reader_inside_the_block_only():
    with written_for(Reader("de_DE", "EUR")):
        inside = (money(4210.55), long_date("2026-03-04"), money(1, "USD"))
    assert inside == (f"4.210,55{NBSP}€", "4. März 2026", f"1,00{NBSP}$")
    assert money(4210.55) == "$4,210.55"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ({"locale": "ja_JP", "currency": "JPY"}, Reader("ja_JP", "JPY")),
        ({"name": "saved before personas had a locale"}, Reader("en_US", "USD")),
    ],
)
def test_reader_of_reads_the_persona(persona, expected):
    assert Reader.of(persona) == expected
