"""The contract every registered kind keeps: a pure generator whose customers fit its
schema, a card that renders them, copy for the page and offline answers that answer
its own example question."""

import re
from datetime import date

import pytest

from personas import (
    SUPPORTED_LOCALES,
    Customer,
    Kind,
    Record,
    generate_persona,
    kind_get,
    kind_names,
    kind_register,
    kinds,
    persona_build,
)
from personas.card import card_render
from personas.formatting import Reader, written_for
from personas.registry import persona_draw

KINDS = [pytest.param(kind, id=kind.name) for kind in kinds()]
SEEDS = (0, 1, 42, 2026, 2**31 - 1)
# Dates that catch off-by-one and leap-year mistakes, and one on a weekend.
DAYS = (date(2000, 1, 1), date(2024, 2, 29), date(2026, 1, 31), date(2099, 12, 31))
NAME = re.compile(r"[a-z][a-z_]{0,19}")  # fits Mode.persona_kind's 20 characters


def inputs():
    return [(s, d, loc) for s in SEEDS for d in DAYS for loc in SUPPORTED_LOCALES]


def record_types(schema: type[Customer]) -> list[type]:
    """The types a schema's lists hold."""
    lists = [f.annotation for f in schema.model_fields.values()]
    return [a.__args__[0] for a in lists if getattr(a, "__origin__", None) is list]


def test_kinds_are_registered_once_in_order():
    assert kind_names()[:4] == ("banking", "insurance", "healthcare", "generic")
    assert [kind.name for kind in kinds()] == list(kind_names())
    with pytest.raises(ValueError, match="already registered"):
        kind_register(kind_get("banking"))


@pytest.mark.parametrize("kind", KINDS)
def test_kind_describes_itself(kind: Kind):
    assert NAME.fullmatch(kind.name)
    copy = (kind.label, kind.fits, kind.topics, kind.example, kind.hero)
    for text in (*copy, kind.chat_subtitle):
        assert text and text.strip() == text
    assert issubclass(kind.schema, Customer)
    assert all(issubclass(t, Record) for t in record_types(kind.schema))


@pytest.mark.parametrize("kind", KINDS)
def test_kind_generate_is_a_pure_function_of_its_inputs(kind: Kind):
    for seed, as_of, locale in inputs():
        first = generate_persona(kind.name, seed, as_of=as_of, locale=locale)
        draw = persona_draw(kind, seed, as_of=as_of, locale=locale)
        again = kind.generate(draw).model_dump(mode="json")
        assert again == first, (seed, as_of, locale)
        assert (first["locale"], first["currency"]) == (locale, draw.currency)


@pytest.mark.parametrize("kind", KINDS)
def test_kind_schema_round_trips_its_customers(kind: Kind):
    for seed, as_of, locale in inputs():
        model = persona_build(kind.name, seed, as_of=as_of, locale=locale)
        assert type(model) is kind.schema
        data = model.model_dump(mode="json")
        assert kind.schema.model_validate(data) == model
        assert kind.schema.model_validate_json(model.model_dump_json()) == model


@pytest.mark.parametrize("kind", KINDS)
def test_kind_card_renders_its_customers(kind: Kind):
    for seed, as_of, locale in inputs():
        persona = generate_persona(kind.name, seed, as_of=as_of, locale=locale)
        card = card_render(kind.card, persona)
        assert card["headline"]["value"] and card["sections"]


@pytest.mark.parametrize("kind", KINDS)
def test_kind_answers_its_example_question(kind: Kind):
    for seed, as_of, locale in inputs():
        persona = generate_persona(kind.name, seed, as_of=as_of, locale=locale)
        matched = [a for p, a in kind.answers if p.search(kind.example)]
        assert matched, f"no intent matches {kind.example!r}"
        with written_for(Reader.of(persona)):
            text = matched[0](persona, kind.example)
        assert text.strip() and "{" not in text and "None" not in text
