"""The public API: one import for the chat app and everything else."""

import json
from datetime import date

import pytest

import personas
from chat.models import Mode
from personas import (
    PERSONA_KINDS,
    PERSONA_MODELS,
    SUPPORTED_LOCALES,
    generate_banking_persona,
    generate_generic_persona,
    generate_healthcare_persona,
    generate_insurance_persona,
    generate_persona,
)

AS_OF = date(2026, 1, 31)
TYPED_GENERATORS = {
    "banking": generate_banking_persona,
    "insurance": generate_insurance_persona,
    "healthcare": generate_healthcare_persona,
    "generic": generate_generic_persona,
}


def test_personas_exports_every_public_name():
    for name in personas.__all__:
        assert getattr(personas, name) is not None
    assert {"Transaction", "Policy", "Claim", "Appointment"} <= set(personas.__all__)


def test_persona_kinds_are_the_models():
    assert PERSONA_KINDS == ("banking", "insurance", "healthcare", "generic")
    assert set(PERSONA_KINDS) == set(PERSONA_MODELS)


def test_supported_locales_match_mode_faker_locale_choices():
    choices = Mode._meta.get_field("faker_locale").choices
    assert SUPPORTED_LOCALES == ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "ja_JP")
    assert tuple(value for value, _label in choices) == SUPPORTED_LOCALES


@pytest.mark.parametrize("kind", PERSONA_KINDS)
def test_generate_persona_returns_json_ready_model_dump(kind):
    persona = generate_persona(kind, 42, as_of=AS_OF, locale="fr_FR")
    model = TYPED_GENERATORS[kind](42, as_of=AS_OF, locale="fr_FR")
    assert isinstance(model, PERSONA_MODELS[kind])
    assert persona == model.model_dump(mode="json")
    assert json.loads(json.dumps(persona)) == persona


@pytest.mark.parametrize("kind", ["", "mortgage", "Banking"])
def test_generate_persona_unknown_kind_names_the_known_ones(kind):
    with pytest.raises(ValueError) as refused:
        generate_persona(kind, 42, as_of=AS_OF)
    assert repr(kind) in str(refused.value)
    assert "banking, insurance, healthcare, generic" in str(refused.value)


@pytest.mark.parametrize("kind", PERSONA_KINDS)
def test_generate_persona_seed_changes_the_persona(kind):
    personas_by_seed = [generate_persona(kind, seed, as_of=AS_OF) for seed in range(5)]
    assert len({json.dumps(p) for p in personas_by_seed}) == 5
