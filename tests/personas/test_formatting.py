from datetime import date, time

import pytest

from personas.formatting import (
    Reader,
    clock_time,
    count,
    long_date,
    money,
    short_date,
    written_for,
)

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
