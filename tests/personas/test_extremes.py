from datetime import date

import pytest

from personas import (
    generate_persona,
    kind_names,
    persona_emptied,
    persona_largest_seed,
)

AS_OF = date(2026, 1, 15)
SEEDS = range(40)


def list_items(persona: dict) -> int:
    return sum(len(value) for value in persona.values() if isinstance(value, list))


@pytest.mark.parametrize("kind", kind_names())
def test_persona_largest_seed_has_the_most_list_items(kind):
    largest = persona_largest_seed(kind, seeds=SEEDS, as_of=AS_OF)

    most = max(list_items(generate_persona(kind, s, as_of=AS_OF)) for s in SEEDS)
    assert largest in SEEDS
    assert list_items(generate_persona(kind, largest, as_of=AS_OF)) == most


def test_persona_emptied_empties_every_list_and_keeps_the_rest():
    persona = generate_persona("insurance", 3, as_of=AS_OF)

    emptied = persona_emptied(persona)

    assert emptied["active_policies"] == emptied["claims_history"] == []
    assert emptied["name"] == persona["name"]
    assert list_items(persona) > 0
