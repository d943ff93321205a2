"""How figures read to people, in the customer's own locale and currency, by Babel: one
place on the server, so the prompt and the offline model never disagree about how a
balance is written (the page asks the browser's Intl for the same CLDR forms).

A render or a reply says whom it writes for once, `with written_for(reader):`, and
every figure inside follows; an explicit currency or locale still wins.
"""

import contextlib
import functools
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, time
from decimal import Decimal
from typing import NamedTuple

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_quantum,
    get_decimal_symbol,
    get_group_symbol,
)

# CLDR puts a narrow no-break space before AM/PM; prompts and tests read a plain one.
_NARROW_SPACE = "\u202f"


class Reader(NamedTuple):
    """Whom figures are written for: a customer's Faker locale and currency code."""

    locale: str = "en_US"
    currency: str = "USD"

    @classmethod
    def of(cls, persona: dict) -> "Reader":
        """The persona's own; one saved before personas carried them reads en_US."""
        default = cls()
        return cls(
            persona.get("locale", default.locale),
            persona.get("currency", default.currency),
        )


@functools.cache
def _babel_locale(locale: str) -> Locale:
    """A Faker locale as Babel's, parsed once: Babel parses a locale's name on every
    call that is given one, a dozen times per card."""
    return Locale.parse(locale)


def _locale(locale: str | None) -> Locale:
    return _babel_locale(locale or _READER.get().locale)


_US_READER = Reader()
_READER: ContextVar[Reader] = ContextVar("figures_reader", default=_US_READER)


@contextlib.contextmanager
def written_for(reader: Reader) -> Iterator[None]:
    """Figures formatted inside this block read the way `reader` reads them."""
    token = _READER.set(reader)
    try:
        yield
    finally:
        _READER.reset(token)


def money(
    value: float | int | str, currency: str | None = None, locale: str | None = None
) -> str:
    """$12,345.67 and -$42.10 in en_US; 1.234,56 € in de_DE; ￥123,456 in ja_JP."""
    reader = _READER.get()
    currency, locale = currency or reader.currency, locale or reader.locale
    amount = Decimal(str(float(value)))  # as format_currency reads a float
    form = _money_form(locale, currency)
    if form is None or not amount.is_finite():
        return format_currency(amount, currency, locale=_babel_locale(locale))
    return form.written(amount)


class _MoneyForm(NamedTuple):
    """How Babel's format_currency writes amounts of one currency in one locale, taken
    apart once. Babel works all of it out again for every amount, through layers of
    locale-data lookups (~18 µs an amount, a dozen amounts a card); `written` then
    does what its NumberPattern.apply does with a currency's standard pattern, and
    tests/personas/test_formatting.py holds the two equal."""

    prefixes: tuple[str, str]  # positive, negative; the currency written in
    suffixes: tuple[str, str]
    quantum: Decimal  # the currency's smallest unit
    digits: int  # its decimals
    min_whole: int  # zeros the whole part is padded to
    grouping: tuple[int, int]  # the first group's size, then the others'
    group: str
    decimal: str

    def written(self, amount: Decimal) -> str:
        negative = int(amount.is_signed())
        text = f"{abs(amount).normalize().quantize(self.quantum):f}"
        whole, _, fraction = text.partition(".")
        whole = whole.rjust(self.min_whole, "0")
        size, groups = self.grouping[0], ""
        while len(whole) > size:
            groups = self.group + whole[-size:] + groups
            whole = whole[:-size]
            size = self.grouping[1]
        number = whole + groups
        if self.digits:
            number += self.decimal + fraction.ljust(self.digits, "0")
        return self.prefixes[negative] + number + self.suffixes[negative]


@functools.cache
def _money_form(locale: str, currency: str) -> _MoneyForm | None:
    """None for a pattern `written` does not do (Babel writes those amounts): one in
    scientific or significant-digit form, scaled, naming the currency in words, or
    with quoted text."""
    where = _babel_locale(locale)
    pattern = where.currency_formats["standard"]
    symbol = get_currency_symbol(currency, where)

    def currency_in(affix: str) -> str:
        return affix.replace("¤¤", currency.upper()).replace("¤", symbol)

    prefixes = tuple(currency_in(affix) for affix in pattern.prefix)
    suffixes = tuple(currency_in(affix) for affix in pattern.suffix)
    group, decimal = get_group_symbol(where), get_decimal_symbol(where)
    if (
        pattern.exp_prec
        or pattern.scale
        or "@" in pattern.pattern
        or not pattern.number_pattern
        or any("¤¤¤" in affix for affix in (*pattern.prefix, *pattern.suffix))
        or "'" in "".join((*prefixes, *suffixes, group, decimal))
    ):
        return None
    digits = get_currency_precision(currency)
    return _MoneyForm(
        prefixes,
        suffixes,
        get_decimal_quantum(digits),
        digits,
        pattern.int_prec[0],
        pattern.grouping,
        group,
        decimal,
    )


def count(value: int | str, locale: str | None = None) -> str:
    """12,345 in en_US, 12.345 in de_DE."""
    return format_decimal(int(value), locale=_locale(locale))


def long_date(value: date | str, locale: str | None = None) -> str:
    """March 4, 2026 in en_US, 4. März 2026 in de_DE."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return _date_written(day, "long", _locale(locale))


def short_date(value: date | str, locale: str | None = None) -> str:
    """Mar 4, 2026 in en_US, 04.03.2026 in de_DE: a date in a table's narrow column."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return _date_written(day, "medium", _locale(locale))


@functools.lru_cache(maxsize=4096)
def _date_written(day: date, form: str, locale: Locale) -> str:
    """Kept: a card, its tabs and a prompt write the same few dates a dozen times or
    more, each ~40 µs in Babel; customers' dates fall within months of today."""
    return format_date(day, form, locale=locale)


def clock_time(value: time | str, locale: str | None = None) -> str:
    """9:30 AM in en_US, 09:30 in de_DE."""
    moment = time.fromisoformat(value) if isinstance(value, str) else value
    text = format_time(moment, "short", locale=_locale(locale))
    return text.replace(_NARROW_SPACE, " ")


def lower_first(text: str) -> str:
    """A title inside a sentence: "File a claim" -> "file a claim", but "ID card" and
    "ATM fees" stay as written."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
