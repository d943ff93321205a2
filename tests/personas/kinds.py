"""What the archetype kinds' tests share: the inputs hypothesis draws, a catalogue a
mode might store, and the offline answer a kind's intents give."""

from collections.abc import Callable
from datetime import date

from hypothesis import settings
from hypothesis import strategies as st

from personas.formatting import Reader, written_for
from personas.registry import generate_persona, kind_get
from personas.sampling import SUPPORTED_LOCALES, prices_for

seeds = st.integers(min_value=-(2**63), max_value=2**64)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
locales = st.sampled_from(SUPPORTED_LOCALES)
many = settings(max_examples=200, deadline=None)
AS_OF = date(2026, 1, 31)


@st.composite
def catalogues(draw) -> list[dict]:
    """A mode's own catalogue: one to eight distinct names with price ranges."""
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


def in_range(value: float, low: float, high: float, currency: str) -> bool:
    """Within a catalogue range once both ends are rounded as prices are."""
    price = prices_for(currency)
    return price.exact(low) <= value <= price.exact(high)


def kind_answer(kind: str, persona: dict, question: str) -> str:
    """The reply of the kind's first intent matching the question."""
    with written_for(Reader.of(persona)):
        for pattern, answer in kind_get(kind).answers:
            if pattern.search(question):
                return answer(persona, question)
    raise AssertionError(f"No {kind} intent matches {question!r}.")


def persona_where(kind: str, test: Callable[[dict], object]) -> dict:
    """The first seed's customer (as of AS_OF) that passes the test."""
    personas = (generate_persona(kind, seed, as_of=AS_OF) for seed in range(500))
    return next(persona for persona in personas if test(persona))
