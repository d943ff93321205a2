"""A draft as an unsaved mode: priced in its locale, marked generated, with prompts
that pass the lint for every kind and read generated text only as data."""

from datetime import date

import pytest

from chat.generation.building import mode_build
from chat.generation.offline import draft_offline
from chat.generation.prompts import greeting_source, system_prompt_source
from chat.generation.requests import industry_request
from chat.models import Mode
from chat.prompting.rendering import prompt_template_problems, render_source
from personas.registry import generate_persona, kind_names


def pet_store(**changes):
    return draft_offline(industry_request("a pet store")).model_copy(update=changes)


@pytest.mark.parametrize("kind", kind_names())
def test_prompt_sources_pass_the_lint_for_every_kind(kind):
    assert prompt_template_problems(system_prompt_source(kind), kind) == []
    assert prompt_template_problems(greeting_source(kind), kind) == []


@pytest.mark.parametrize(
    ("locale", "low", "high"),
    [("en_US", 38.0, 64.0), ("en_GB", 30.4, 51.2), ("ja_JP", 5700.0, 9600.0)],
)
def test_mode_build_prices_the_catalogue_in_the_locale_currency(locale, low, high):
    mode = mode_build(pet_store(), locale=locale).mode
    first = mode.catalogue[0]
    assert (first["name"], first["low"], first["high"]) == (
        "Grain-free salmon kibble, 12 lb",
        low,
        high,
    )
    assert mode.faker_locale == locale


@pytest.mark.django_db
def test_mode_build_marks_the_mode_generated_and_valid():
    mode = mode_build(pet_store(), request_text="a pet store").mode
    mode.full_clean(exclude=["id"])
    assert (mode.pk, mode.origin, mode.is_approved) == (None, "generated", False)
    assert (mode.generator, mode.request_text) == ("offline", "a pet store")
    assert mode.alias_list[:2] == ["pet store", "pet stores"]


@pytest.mark.parametrize(
    "hostile",
    ["{{ settings }}", "{% load static %}", "{% debug %}", "{{ persona.name }}"],
)
def test_generated_text_renders_as_literal_text(hostile):
    draft = pet_store(company_name=hostile, tagline=hostile, name=hostile)
    parts = mode_build(draft)
    persona = generate_persona(draft.persona_kind, 1, as_of=date(2026, 1, 15))
    text = render_source(parts.source, mode=parts.mode, persona=persona)
    greeting = render_source(parts.greeting, mode=parts.mode, persona=persona)
    assert f"- Company: {hostile}\n" in text and f"- Tagline: {hostile}\n" in text
    assert greeting.startswith(f"Welcome to {hostile}, {persona['name']}!")


def test_mode_build_rejects_an_unknown_locale():
    with pytest.raises(ValueError, match="Unsupported locale 'xx_XX'"):
        mode_build(pet_store(), locale="xx_XX")


def test_mode_build_leaves_the_mode_unsaved():
    assert isinstance(mode_build(pet_store()).mode, Mode)
    assert mode_build(pet_store()).mode._state.adding
