"""What the archetype kinds' tests share: input strategies, catalogues of other
industries, and the offline answer straight from a kind's intents."""

import random
from collections.abc import Callable
from datetime import date

from babel.numbers import get_currency_precision
from hypothesis import settings
from hypothesis import strategies as st

from personas.catalogue import catalogue_parse
from personas.formatting import Reader, written_for
from personas.registry import generate_persona, kind_get, persona_draw
from personas.sampling import SUPPORTED_LOCALES, prices_for

AS_OF = date(2026, 1, 31)
seeds = st.integers(min_value=-(2**63), max_value=2**64)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
locales = st.sampled_from(SUPPORTED_LOCALES)
many = settings(max_examples=200, deadline=None)

_item_names = st.from_regex(r"[A-Z][a-z]{2,12}( [a-z0-9]{1,8}){0,3}", fullmatch=True)


@st.composite
def _item(draw: st.DrawFn) -> dict:
    low = draw(st.integers(0, 500_000)) / 100
    return {
        "name": draw(_item_names),
        "low": low,
        "high": low + draw(st.integers(0, 50_000)) / 100,
    }


# A mode's own catalogue, or none (the kind's own is used).
catalogues = st.one_of(
    st.none(),
    st.lists(_item(), min_size=1, max_size=8, unique_by=lambda i: i["name"].casefold()),
)


@st.composite
def own_catalogues(draw) -> list[dict]:
    """A mode's own catalogue, never empty: one to eight distinct names."""
    names = draw(
        st.lists(
            st.text("abcdefghij klm", min_size=1, max_size=20)
            .map(str.strip)
            .filter(bool),
            min_size=1,
            max_size=8,
            unique_by=str.casefold,
        )
    )
    items = []
    for name in names:
        low = draw(st.integers(min_value=1, max_value=5_000))
        high = draw(st.integers(min_value=low, max_value=low + 5_000))
        items.append({"name": name, "low": low, "high": high})
    return items


# Other industries' catalogues, in the mode's currency.
PET_STORE = [
    {"name": "Grain-free salmon kibble, 12 lb", "low": 38, "high": 64},
    {"name": "Cat scratching post", "low": 24, "high": 45},
    {"name": "Dog chew toy, large", "low": 8, "high": 16},
    {"name": "Clumping cat litter, 20 lb", "low": 14, "high": 22},
    {"name": "Aquarium filter cartridge, 3 pack", "low": 9, "high": 15},
]
GYM = [
    {"name": "Off-peak membership", "low": 25, "high": 25},
    {"name": "Unlimited classes membership", "low": 59, "high": 69},
    {"name": "Family membership", "low": 99, "high": 120},
]
HOLIDAY_PARK = [
    {"name": "Woodland lodge, sleeps 4", "low": 120, "high": 210},
    {"name": "Lakeside caravan", "low": 70, "high": 130},
    {"name": "Glamping tent", "low": 60, "high": 95},
    {"name": "Adventure pass, per guest", "low": 35, "high": 55},
]


def persona_of(
    kind: str,
    seed: int,
    *,
    as_of: date = AS_OF,
    locale: str = "en_US",
    catalogue: list | None = None,
) -> dict:
    return generate_persona(kind, seed, as_of=as_of, locale=locale, catalogue=catalogue)


def catalogue_names(kind: str, catalogue: list | None) -> set[str]:
    """The item names a persona may use: the mode's catalogue, else the kind's."""
    items = catalogue_parse(catalogue) or kind_get(kind).catalogue
    return {item.name for item in items}


def price_range(kind: str, catalogue: list | None, locale: str) -> dict:
    """Each item's (low, high) in the persona's currency, widened by its rounding."""
    draw = persona_draw(kind_get(kind), 0, locale=locale, catalogue=catalogue)
    slack = 10**-draw.price.decimals / 2
    return {i.name: (i.low - slack, i.high + slack) for i in draw.catalogue}


def decimals(persona: dict) -> int:
    return get_currency_precision(persona["currency"])


def is_rounded(amount: float, persona: dict) -> bool:
    """To the currency's smallest unit: cents, or whole yen."""
    return round(amount, decimals(persona)) == amount


def tier_for(points: int, floors: dict[int, str]) -> str:
    """The tier a table of floors gives, written out here independently of the kind."""
    return floors[max(floor for floor in floors if floor <= points)]


def offline_answer(kind: str, persona: dict, question: str) -> str | None:
    """The first of the kind's intents that matches, answered for the customer."""
    with written_for(Reader.of(persona)):
        for pattern, answer in kind_get(kind).answers:
            if pattern.search(question):
                return answer(persona, question)
    return None


def kind_answer(kind: str, persona: dict, question: str) -> str:
    """offline_answer, for a question one of the kind's intents must match."""
    answer = offline_answer(kind, persona, question)
    assert answer is not None, f"No {kind} intent matches {question!r}."
    return answer


def in_range(value: float, low: float, high: float, currency: str) -> bool:
    """Within a catalogue range once both ends are rounded as prices are."""
    price = prices_for(currency)
    return price.exact(low) <= value <= price.exact(high)


def persona_where(kind: str, test: Callable[[dict], object]) -> dict:
    """The first seed's customer (as of AS_OF) that passes the test."""
    personas = (generate_persona(kind, seed, as_of=AS_OF) for seed in range(500))
    return next(persona for persona in personas if test(persona))


def greedy(section):
    """The section, changed to draw extra values before doing its usual work."""

    def wrapper(*args, **kwargs):
        for arg in args:
            if isinstance(arg, random.Random):
                arg.random()
        return section(*args, **kwargs)

    return wrapper


def without(persona: dict, fields: set[str]) -> dict:
    return {key: value for key, value in persona.items() if key not in fields}
