"""The public API: one import for the chat app and everything else."""

import json
from datetime import date

import pytest

import personas
from chat.models import Mode
from personas import (
    SUPPORTED_LOCALES,
    BankingPersona,
    GenericPersona,
    HealthcarePersona,
    InsurancePersona,
    generate_persona,
    kind_get,
    kind_names,
    persona_build,
)

AS_OF = date(2026, 1, 31)
SCHEMAS = {
    "banking": BankingPersona,
    "insurance": InsurancePersona,
    "healthcare": HealthcarePersona,
    "generic": GenericPersona,
}


def test_personas_exports_every_public_name():
    for name in personas.__all__:
        assert getattr(personas, name) is not None
    assert {"Transaction", "Policy", "Claim", "Appointment"} <= set(personas.__all__)


def test_kind_names_are_the_built_in_kinds_in_order():
    assert kind_names() == ("banking", "insurance", "healthcare", "generic")
    assert all(kind_get(name).schema is SCHEMAS[name] for name in kind_names())


def test_supported_locales_match_mode_faker_locale_choices():
    choices = Mode._meta.get_field("faker_locale").choices
    assert SUPPORTED_LOCALES == ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "ja_JP")
    assert tuple(value for value, _label in choices) == SUPPORTED_LOCALES


@pytest.mark.parametrize("kind", kind_names())
def test_generate_persona_returns_json_ready_model_dump(kind):
    persona = generate_persona(kind, 42, as_of=AS_OF, locale="fr_FR")
    model = persona_build(kind, 42, as_of=AS_OF, locale="fr_FR")
    assert isinstance(model, SCHEMAS[kind])
    assert persona == model.model_dump(mode="json")
    assert json.loads(json.dumps(persona)) == persona


@pytest.mark.parametrize("kind", ["", "mortgage", "Banking"])
def test_generate_persona_unknown_kind_names_the_known_ones(kind):
    with pytest.raises(ValueError) as refused:
        generate_persona(kind, 42, as_of=AS_OF)
    assert repr(kind) in str(refused.value)
    assert "banking, insurance, healthcare, generic" in str(refused.value)


@pytest.mark.parametrize("kind", kind_names())
def test_generate_persona_seed_changes_the_persona(kind):
    personas_by_seed = [generate_persona(kind, seed, as_of=AS_OF) for seed in range(5)]
    assert len({json.dumps(p) for p in personas_by_seed}) == 5
