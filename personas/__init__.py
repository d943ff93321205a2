"""Seeded fake customers for the chat demo: import everything from here.

Each kind of customer is one module in `personas/kinds/`, registered in
`personas.registry`; its schema is `kind_get(name).schema`.
"""

from personas.extremes import persona_emptied, persona_largest_seed
from personas.kinds.banking import CREDIT_CATEGORIES, BankingPersona, Transaction
from personas.kinds.generic import GenericPersona
from personas.kinds.healthcare import Appointment, HealthcarePersona, Prescription
from personas.kinds.insurance import Claim, InsurancePersona, Policy
from personas.registry import (
    Customer,
    Kind,
    Record,
    generate_persona,
    kind_get,
    kind_names,
    kind_register,
    kind_unregister,
    kinds,
    persona_build,
)
from personas.sampling import LOCALE_CURRENCIES, MAX_SEED, SUPPORTED_LOCALES

__all__ = [
    "CREDIT_CATEGORIES",
    "LOCALE_CURRENCIES",
    "MAX_SEED",
    "SUPPORTED_LOCALES",
    "Appointment",
    "BankingPersona",
    "Claim",
    "Customer",
    "GenericPersona",
    "HealthcarePersona",
    "InsurancePersona",
    "Kind",
    "Policy",
    "Prescription",
    "Record",
    "Transaction",
    "generate_persona",
    "kind_get",
    "kind_names",
    "kind_register",
    "kind_unregister",
    "kinds",
    "persona_build",
    "persona_emptied",
    "persona_largest_seed",
]
