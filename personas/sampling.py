"""What every kind's generator draws from: per-section random streams, the locale's
names and currency, and one `Draw` carrying a persona's inputs.

Each section of a persona (identity, balances, orders, ...) draws from its own
`random.Random`, seeded from (seed, section name), so adding a draw to one section never
reshuffles the others. Names and places come from Faker's locale data; every number and
choice comes from the section's `random.Random`, which is far cheaper than Faker's
providers.
"""

import functools
import hashlib
import importlib
import itertools
import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import NamedTuple

from babel import Locale
from babel.numbers import get_currency_precision
from faker import Faker

from personas.catalogue import Catalogue

# Each Faker locale we generate for, with its currency: the one list of locales.
LOCALE_CURRENCIES = {
    "en_US": "USD",
    "en_GB": "GBP",
    "de_DE": "EUR",
    "fr_FR": "EUR",
    "es_ES": "EUR",
    "ja_JP": "JPY",
}
SUPPORTED_LOCALES = tuple(LOCALE_CURRENCIES)
# A dollar of the built-in price tables in each currency: round, plausible rates.
_UNITS_PER_DOLLAR = {"USD": 1.0, "GBP": 0.8, "EUR": 0.9, "JPY": 150.0}
# Seeds are 31-bit: what a visitor may pin with ?seed=N and staff may preview.
MAX_SEED = 2**31 - 1

# Where the family name comes first, and how a physician is addressed.
_FAMILY_NAME_FIRST = frozenset({"ja_JP"})
_DOCTOR_FORMATS = {"en_GB": "Dr {}", "fr_FR": "Dr {}", "ja_JP": "{} 医師"}
# Half-hour slots of a working day, 08:00 to 16:30.
WORKING_SLOTS = tuple(time(hour, minute) for hour in range(8, 17) for minute in (0, 30))
# Real towns where Faker's own city() invents names ("West Davidmouth"); the other
# locales' city() lists real places.
_TOWNS = {
    "en_US": (
        "Springfield", "Madison", "Franklin", "Georgetown", "Greenville", "Bristol",
        "Fairview", "Salem", "Arlington", "Ashland", "Burlington", "Clinton", "Dover",
        "Oxford", "Riverside", "Lexington", "Milford", "Newport", "Plymouth", "Windsor",
    ),
    "en_GB": (
        "Reading", "Bath", "York", "Chester", "Guildford", "Harrogate", "Cheltenham",
        "Norwich", "Exeter", "Durham", "Lancaster", "Salisbury", "Shrewsbury",
        "Winchester", "Colchester", "Carlisle",
    ),
    "fr_FR": (
        "Lyon", "Nantes", "Rennes", "Dijon", "Angers", "Tours", "Reims", "Annecy",
        "Grenoble", "Nancy", "Metz", "Rouen", "Caen", "Poitiers", "Limoges", "Besançon",
    ),
}  # fmt: skip

_thread = threading.local()


def locale_choices() -> list[tuple[str, str]]:
    """For model and form fields: each locale with its English name from CLDR."""
    return [
        (locale, Locale.parse(locale).get_display_name("en"))
        for locale in SUPPORTED_LOCALES
    ]


def subseed(seed: int, section: str) -> int:
    """A 64-bit seed for one section; hashlib, unlike hash(), ignores PYTHONHASHSEED."""
    digest = hashlib.blake2b(f"{seed}/{section}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def section_rng(seed: int, section: str) -> random.Random:
    """The section's own random stream."""
    return random.Random(subseed(seed, section))


class _NamePool(NamedTuple):
    """Names with running weight totals, ready for random.choices."""

    names: tuple[str, ...]
    cum_weights: tuple[float, ...]


def _name_pool(table: Mapping[str, float] | Iterable[str]) -> _NamePool:
    """Faker keeps names either weighted (a dict) or equally likely (a tuple)."""
    if isinstance(table, Mapping):
        return _NamePool(tuple(table), tuple(itertools.accumulate(table.values())))
    names = tuple(table)
    return _NamePool(names, tuple(range(1, len(names) + 1)))


@functools.cache
def _name_pools(locale: str) -> tuple[_NamePool, _NamePool]:
    """The locale's given and family names from Faker's data, weights summed once.

    Faker re-sums every weight (thousands for en_US) on each first_name() call, which
    made names the slowest part of a persona.
    """
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    return _name_pool(provider.first_names), _name_pool(provider.last_names)


def section_faker(seed: int, section: str, locale: str) -> Faker:
    """This thread's Faker for the locale, reseeded for the section.

    Building a Faker costs about a millisecond, so each thread keeps one per locale;
    finish with it before the next call, which reseeds the same instance.
    """
    fakers: dict[str, Faker] | None = getattr(_thread, "fakers", None)
    if fakers is None:
        fakers = _thread.fakers = {}
    if locale not in fakers:
        fakers[locale] = Faker(locale)
    fake = fakers[locale]
    fake.seed_instance(subseed(seed, section))
    return fake


def locale_check(locale: str) -> None:
    """Fail early and say what would work."""
    if locale not in SUPPORTED_LOCALES:
        supported = ", ".join(SUPPORTED_LOCALES)
        raise ValueError(f"Unsupported locale {locale!r}; use one of: {supported}.")


class Prices(NamedTuple):
    """Dollar figures restated in the customer's currency, to its smallest unit."""

    per_dollar: float
    decimals: int

    def __call__(self, dollars: float) -> float:
        return round(dollars * self.per_dollar, self.decimals)

    def exact(self, amount: float) -> float:
        """A figure already in the currency (a draw, a sum), to its smallest unit."""
        return round(amount, self.decimals)


@functools.cache
def prices_for(currency: str) -> Prices:
    """Babel knows each currency's decimals (none for yen)."""
    return Prices(_UNITS_PER_DOLLAR[currency], get_currency_precision(currency))


def person_name(rng: random.Random, locale: str) -> str:
    """Given and family name only; Faker's name() adds titles like 'Prof. B.Sc.'."""
    first_names, last_names = _name_pools(locale)
    first = rng.choices(first_names.names, cum_weights=first_names.cum_weights)[0]
    last = rng.choices(last_names.names, cum_weights=last_names.cum_weights)[0]
    return f"{last} {first}" if locale in _FAMILY_NAME_FIRST else f"{first} {last}"


def doctor_name(rng: random.Random, locale: str) -> str:
    return _DOCTOR_FORMATS.get(locale, "Dr. {}").format(person_name(rng, locale))


def member_since(rng: random.Random, as_of: date) -> date:
    """Between six months and twenty years before as_of."""
    return as_of - timedelta(days=rng.randint(180, 20 * 365))


def town(rng: random.Random, fake: Faker, locale: str) -> str:
    """A customer's home town: a real one, from our list or the locale's."""
    towns = _TOWNS.get(locale)
    return rng.choice(towns) if towns else fake.city()


@functools.cache
def weekdays_ahead(weekday: int, days: int = 60) -> tuple[int, ...]:
    """Offsets 1..days that land on Monday to Friday, counting from a given weekday."""
    return tuple(n for n in range(1, days + 1) if (weekday + n) % 7 < 5)


@dataclass(frozen=True)
class Draw:
    """One persona's inputs: a kind's generator is a pure function of this.

    `catalogue` is the mode's vocabulary (or the kind's own), already priced in the
    customer's currency; `price` restates the built-in dollar tables in it.
    """

    seed: int
    as_of: date
    locale: str
    catalogue: Catalogue
    price: Prices

    @property
    def currency(self) -> str:
        return LOCALE_CURRENCIES[self.locale]

    def rng(self, section: str) -> random.Random:
        return section_rng(self.seed, section)

    def faker(self, section: str) -> Faker:
        return section_faker(self.seed, section, self.locale)

    def customer(self) -> dict[str, str]:
        """Who the customer is and whom their figures are written for."""
        return {
            "name": person_name(self.rng("identity"), self.locale),
            "locale": self.locale,
            "currency": self.currency,
        }
