"""The one registry of customer kinds: everything else (the admin's choices, the lint's
variables, the preview, the offline answers, the page's card) reads it from here.

A kind is one module in `personas/kinds/` building a `Kind`, plus one line in
`personas/kinds/__init__.py` registering it. Tests may register a throwaway kind with
`kind_register` and take it away with `kind_unregister`.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, ConfigDict

from personas.answers import Intents
from personas.articles import Article, Mentions
from personas.card import Card
from personas.catalogue import Catalogue, catalogue_parse
from personas.figures import Dataset, Metric, Tab
from personas.sampling import LOCALE_CURRENCIES, Draw, locale_check, prices_for


class Customer(BaseModel):
    """Who the customer is and whom their figures are written for; every kind's schema
    extends it. The defaults read personas saved before they carried a locale."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    locale: str = "en_US"
    currency: str = "USD"


class Record(BaseModel):
    """One row of a persona: a transaction, a policy, an order, a booking, ..."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class Kind:
    """A kind of customer, from its data to how it reads on the page."""

    name: str  # stored on modes and conversations: "banking"
    label: str  # the admin's choice: "Banking"
    fits: str  # the industries it suits, for staff and the mode generator
    schema: type[Customer]
    generate: Callable[[Draw], Customer]
    card: Card
    answers: Intents  # the offline model's facts, most specific first
    topics: str  # "your orders, returns, ..." what the offline model can answer
    example: str  # one question it answers well
    hero: str  # the page's line under the company name
    chat_subtitle: str  # the line under the chat's heading
    catalogue: Catalogue = field(default=())  # in dollars; a mode's own replaces it
    datasets: tuple[Dataset, ...] = ()  # what the dashboard can chart
    metrics: tuple[Metric, ...] = ()  # what its tiles can show
    tabs: tuple[Tab, ...] = ()  # the dashboard's default tabs
    help_articles: tuple[Article, ...] = ()  # a new mode's default help articles
    # Questions it answers well, offered (those with something to say for the
    # customer) when it cannot answer one; `example` alone if none.
    examples: tuple[str, ...] = ()
    help_mentions: Mentions = ()  # how a how-to names the customer's own records


_KINDS: dict[str, Kind] = {}


def _loaded() -> dict[str, Kind]:
    """The registry, with the built-in kinds registered on first use."""
    import personas.kinds  # noqa: F401  (registers the built-in kinds)

    return _KINDS


def kind_register(kind: Kind) -> Kind:
    if kind.name in _loaded():
        raise ValueError(f"A kind named {kind.name!r} is already registered.")
    _KINDS[kind.name] = kind
    _kind_catalogue_priced.cache_clear()
    return kind


def kind_unregister(name: str) -> None:
    _loaded().pop(name, None)
    _kind_catalogue_priced.cache_clear()


def kinds() -> tuple[Kind, ...]:
    return tuple(_loaded().values())


def kind_names() -> tuple[str, ...]:
    return tuple(_loaded())


def kind_choices() -> list[tuple[str, str]]:
    """For model and form fields: Django calls it each time, so a kind registered later
    (a test's throwaway one) is a valid choice."""
    return [(kind.name, kind.label) for kind in kinds()]


def kind_get(name: str) -> Kind:
    """Raises ValueError, naming the known kinds, for a kind nobody registered."""
    kind = _loaded().get(name)
    if kind is None:
        raise ValueError(
            f"Unknown persona kind {name!r}; use one of: {', '.join(_KINDS)}."
        )
    return kind


def persona_draw(
    kind: Kind,
    seed: int,
    *,
    as_of: date | None = None,
    locale: str = "en_US",
    catalogue: object = None,
) -> Draw:
    """The generator's inputs, with 'today' settled once so no section reads the clock.

    A mode's catalogue is in its own currency; without one, the kind's dollar catalogue
    is restated in the customer's.
    """
    locale_check(locale)
    price = prices_for(LOCALE_CURRENCIES[locale])
    items = catalogue_parse(catalogue) if catalogue else ()
    return Draw(
        seed=seed,
        as_of=date.today() if as_of is None else as_of,
        locale=locale,
        catalogue=items or _kind_catalogue_priced(kind.name, price.per_dollar),
        price=price,
    )


@functools.cache
def _kind_catalogue_priced(name: str, per_dollar: float) -> Catalogue:
    """A kind's dollar catalogue in a currency, restated once per currency rather
    than for every customer (forgotten when the registry changes)."""
    return tuple(item.priced(per_dollar) for item in kind_get(name).catalogue)


def persona_build(
    kind: str,
    seed: int,
    *,
    as_of: date | None = None,
    locale: str = "en_US",
    catalogue: object = None,
) -> Customer:
    """The persona as its kind's model."""
    chosen = kind_get(kind)
    draw = persona_draw(chosen, seed, as_of=as_of, locale=locale, catalogue=catalogue)
    return chosen.generate(draw)


def generate_persona(
    kind: str,
    seed: int,
    *,
    as_of: date | None = None,
    locale: str = "en_US",
    catalogue: object = None,
) -> dict:
    """The persona as JSON-ready data for prompts and storage: a pure function of
    (kind, seed, as_of, locale, catalogue)."""
    persona = persona_build(kind, seed, as_of=as_of, locale=locale, catalogue=catalogue)
    return persona.model_dump(mode="json")
