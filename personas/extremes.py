"""Customers at the edges of what the generators make, to check templates against."""

import functools
import json
from datetime import date

from personas.registry import generate_persona


@functools.cache
def persona_largest_seed(
    kind: str, *, seeds: range, as_of: date, locale: str = "en_US"
) -> int:
    """The seed among `seeds` whose customer has the most list items (then text).

    A template that loops, or indexes, past what a typical customer has is tried on
    this one; the first such seed wins, so the answer never changes between runs.
    """
    return max(
        seeds,
        key=lambda seed: _bulk(
            generate_persona(kind, seed, as_of=as_of, locale=locale)
        ),
    )


def _bulk(persona: dict) -> tuple[int, int]:
    items = sum(len(value) for value in persona.values() if isinstance(value, list))
    return items, len(json.dumps(persona, ensure_ascii=False))


def persona_emptied(persona: dict) -> dict:
    """The same customer with every list empty: no transactions, claims, visits…"""
    return {
        name: [] if isinstance(value, list) else value
        for name, value in persona.items()
    }
