"""The same (kind, seed, as_of, locale) gives the same persona: across processes,
threads, days of the week and edits to other sections.

Regenerate the golden files after an intended change with
UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/personas -k golden
"""

import importlib
import json
import os
import random
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from faker import Faker

from personas import SUPPORTED_LOCALES, generate_persona, kind_names, registry
from personas.sampling import section_faker

AS_OF = date(2026, 1, 31)
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_CASES = [
    (kind, seed, "en_US") for kind in kind_names() for seed in (1, 42, 2026)
]
GOLDEN_CASES += [
    (kind, 42, locale) for kind in kind_names() for locale in ("de_DE", "ja_JP")
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The fields a section may change, for each section generator per kind (by the name
# the kind's module calls it by).
SECTIONS = [
    ("banking", "personas.sampling.person_name", {"name"}),
    ("banking", "personas.kinds.banking.member_since", {"member_since"}),
    (
        "banking",
        "personas.kinds.banking._balances",
        {
            "checking_balance",
            "savings_balance",
            "account_number_last4",
            "credit_score",
            "credit_limit",
        },
    ),
    ("banking", "personas.kinds.banking._transactions", {"recent_transactions"}),
    (
        "insurance",
        "personas.kinds.insurance._claims",
        {"claims_history", "risk_score"},
    ),
    (
        "insurance",
        "personas.kinds.insurance._policies",
        {
            "active_policies",
            "total_coverage",
            "monthly_premium",
            "claims_history",
            "risk_score",
        },
    ),
    ("healthcare", "personas.kinds.healthcare._member_id", {"member_id"}),
    ("healthcare", "personas.kinds.healthcare._date_of_birth", {"date_of_birth"}),
    (
        "healthcare",
        "personas.kinds.healthcare._appointments",
        {"upcoming_appointments"},
    ),
    (
        "healthcare",
        "personas.kinds.healthcare._prescriptions",
        {"active_prescriptions"},
    ),
    (
        "healthcare",
        "personas.kinds.healthcare._plan",
        {
            "plan_name",
            "deductible",
            "deductible_met",
            "out_of_pocket_max",
            "out_of_pocket_spent",
        },
    ),
    (
        "generic",
        "personas.kinds.generic._loyalty",
        {"account_value", "recent_activity_count", "loyalty_points", "status"},
    ),
    ("generic", "personas.kinds.generic.member_since", {"customer_since"}),
]
SAMPLE_SCRIPT = (
    "import json; from tests.personas.test_generators_determinism import sample; "
    "print(json.dumps(sample()))"
)


def sample() -> list[dict]:
    """A few personas of every kind, in two scripts; SAMPLE_SCRIPT prints them."""
    return [
        generate_persona(kind, seed, as_of=AS_OF, locale=locale)
        for kind in kind_names()
        for seed in (1, 42, 2026)
        for locale in ("en_US", "de_DE", "ja_JP")
    ]


@pytest.mark.parametrize(("kind", "seed", "locale"), GOLDEN_CASES)
def test_generate_persona_matches_golden_file(kind, seed, locale):
    path = GOLDEN / f"{kind}-{seed}-{locale}.json"
    persona = generate_persona(kind, seed, as_of=AS_OF, locale=locale)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(persona, indent=2, ensure_ascii=False) + "\n")
    assert persona == json.loads(path.read_text())


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_generate_persona_ignores_hash_randomisation(hash_seed):
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run(
        [sys.executable, "-c", SAMPLE_SCRIPT],
        capture_output=True,
        check=True,
        cwd=PROJECT_ROOT,
        env=env,
        text=True,
    )
    assert json.loads(result.stdout) == sample()


def frozen_date(today: date) -> type[date]:
    """A date class whose today() is fixed, to stand in for the clock."""

    class Frozen(date):
        @classmethod
        def today(cls) -> date:
            return today

    return Frozen


def test_generate_persona_reads_no_clock_when_given_as_of(monkeypatch):
    """Two different 'todays' give the same persona for the same as_of."""
    results = []
    for today in (date(2020, 6, 1), date(2031, 12, 24)):
        monkeypatch.setattr(registry, "date", frozen_date(today))
        results.append([generate_persona(k, 7, as_of=AS_OF) for k in kind_names()])
    assert results[0] == results[1]


def test_generate_persona_as_of_defaults_to_today(monkeypatch):
    monkeypatch.setattr(registry, "date", frozen_date(AS_OF))
    for kind in kind_names():
        assert generate_persona(kind, 7) == generate_persona(kind, 7, as_of=AS_OF)


def test_generate_persona_threads_match_sequential_run():
    """Threads switching often would expose any shared, reseeded Faker.

    Healthcare gets the most cases: its appointments are what use Faker.
    """
    cases = [
        (kind, seed, locale)
        for kind in kind_names()
        for seed in range(100 if kind == "healthcare" else 10)
        for locale in SUPPORTED_LOCALES
    ]
    expected = [generate_persona(k, s, as_of=AS_OF, locale=loc) for k, s, loc in cases]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            got = list(
                pool.map(
                    lambda c: generate_persona(c[0], c[1], as_of=AS_OF, locale=c[2]),
                    cases,
                )
            )
    finally:
        sys.setswitchinterval(interval)
    assert got == expected


def test_faker_one_instance_per_thread_and_locale():
    mine = section_faker(1, "appointments", "en_US")
    theirs: list[Faker] = []
    worker = threading.Thread(
        target=lambda: theirs.append(section_faker(1, "x", "en_US"))
    )
    worker.start()
    worker.join()
    assert section_faker(2, "appointments", "en_US") is mine
    assert theirs[0] is not mine
    assert section_faker(1, "appointments", "de_DE") is not mine


def greedy(section):
    """The section, changed to draw extra values before doing its usual work."""

    def wrapper(*args, **kwargs):
        for arg in args:
            if isinstance(arg, random.Random):
                arg.random()
        return section(*args, **kwargs)

    return wrapper


def without(persona: dict, fields: set[str]) -> dict:
    return {key: value for key, value in persona.items() if key not in fields}


@pytest.mark.parametrize(("kind", "section", "fields"), SECTIONS)
def test_generate_persona_sections_draw_independently(
    monkeypatch, kind, section, fields
):
    """Extra draws in one section change that section only."""
    before = [generate_persona(kind, seed, as_of=AS_OF) for seed in range(30)]
    # By module, not by dotted path: `personas.kinds` is also the registry's function.
    path, name = section.rsplit(".", 1)
    module = importlib.import_module(path)
    monkeypatch.setattr(module, name, greedy(getattr(module, name)))
    after = [generate_persona(kind, seed, as_of=AS_OF) for seed in range(30)]
    assert [without(p, fields) for p in after] == [without(p, fields) for p in before]
    assert after != before, "the patch should have changed the section"
