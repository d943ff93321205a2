"""Seeded fake customers for the chat demo: import everything from here."""

from personas.extremes import persona_emptied, persona_largest_seed
from personas.generators import (
    LOCALE_CURRENCIES,
    MAX_SEED,
    PERSONA_KINDS,
    SUPPORTED_LOCALES,
    generate_banking_persona,
    generate_generic_persona,
    generate_healthcare_persona,
    generate_insurance_persona,
    generate_persona,
)
from personas.schemas import (
    CREDIT_CATEGORIES,
    PERSONA_MODELS,
    Appointment,
    BankingPersona,
    Claim,
    GenericPersona,
    HealthcarePersona,
    InsurancePersona,
    Policy,
    Prescription,
    Transaction,
)

__all__ = [
    "LOCALE_CURRENCIES",
    "MAX_SEED",
    "CREDIT_CATEGORIES",
    "PERSONA_KINDS",
    "PERSONA_MODELS",
    "SUPPORTED_LOCALES",
    "Appointment",
    "BankingPersona",
    "Claim",
    "GenericPersona",
    "HealthcarePersona",
    "InsurancePersona",
    "Policy",
    "Prescription",
    "Transaction",
    "generate_banking_persona",
    "generate_generic_persona",
    "generate_healthcare_persona",
    "generate_insurance_persona",
    "generate_persona",
    "persona_emptied",
    "persona_largest_seed",
]
