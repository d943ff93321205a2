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
from typing import NamedTuple

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

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
    return format_currency(
        float(value), currency or reader.currency, locale=_locale(locale)
    )


def count(value: int | str, locale: str | None = None) -> str:
    """12,345 in en_US, 12.345 in de_DE."""
    return format_decimal(int(value), locale=_locale(locale))


def long_date(value: date | str, locale: str | None = None) -> str:
    """March 4, 2026 in en_US, 4. März 2026 in de_DE."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "long", locale=_locale(locale))


def short_date(value: date | str, locale: str | None = None) -> str:
    """Mar 4, 2026 in en_US, 04.03.2026 in de_DE: a date in a table's narrow column."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, "medium", locale=_locale(locale))


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
