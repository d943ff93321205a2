"""Personas per second, against the naive way: a new Faker() per persona and every
value drawn through Faker providers. Run: .venv/bin/python bench/personas.py"""

import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from faker import Faker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from personas import (  # noqa: E402
    Appointment,
    BankingPersona,
    Claim,
    GenericPersona,
    HealthcarePersona,
    InsurancePersona,
    Policy,
    Prescription,
    Transaction,
    generate_persona,
)

AS_OF = date(2026, 1, 31)
CATEGORIES = ("groceries", "fuel", "dining", "utilities", "subscriptions", "shopping")
MERCHANTS = ("Kroger", "Shell", "Starbucks", "Verizon Wireless", "Netflix", "Target")
POLICY_TYPES = ("Auto", "Home", "Life", "Umbrella")
MEDICATIONS = ("Lisinopril", "Atorvastatin", "Metformin", "Levothyroxine", "Losartan")


def _fresh_faker(seed: int) -> Faker:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return fake


def _money(fake: Faker, low: int, high: int) -> float:
    return fake.pyfloat(min_value=low, max_value=high, right_digits=2)


def _since(fake: Faker) -> date:
    return fake.date_between(AS_OF - timedelta(days=7300), AS_OF - timedelta(days=180))


def naive_banking(seed: int) -> dict:
    """The baseline banking persona."""
    fake = _fresh_faker(seed)
    transactions = [
        Transaction(
            date=fake.date_between(AS_OF - timedelta(days=30), AS_OF),
            description=fake.random_element(MERCHANTS),
            amount=-_money(fake, 5, 300),
            category=fake.random_element(CATEGORIES),
        )
        for _ in range(fake.random_int(5, 10))
    ]
    return BankingPersona(
        name=fake.name(),
        member_since=_since(fake),
        checking_balance=_money(fake, 500, 15_000),
        savings_balance=_money(fake, 1_000, 50_000),
        account_number_last4=fake.numerify("####"),
        credit_score=fake.random_int(620, 820),
        credit_limit=float(fake.random_int(2_000, 25_000, step=500)),
        recent_transactions=sorted(transactions, key=lambda t: t.date, reverse=True),
    ).model_dump(mode="json")


def _naive_policy(fake: Faker, kind: str) -> Policy:
    return Policy(
        type=kind,
        coverage=float(fake.random_int(50_000, 1_000_000, step=50_000)),
        premium=_money(fake, 15, 300),
        deductible=0.0 if kind == "Life" else float(fake.random_element((500, 1000))),
        policy_number=fake.bothify("??-#######").upper(),
        renewal_date=fake.date_between(AS_OF, AS_OF + timedelta(days=365)),
    )


def naive_insurance(seed: int) -> dict:
    """The baseline insurance persona."""
    fake = _fresh_faker(seed)
    kinds = fake.random_elements(POLICY_TYPES, fake.random_int(1, 3), unique=True)
    policies = [_naive_policy(fake, kind) for kind in kinds]
    claims = [
        Claim(
            claim_id=fake.bothify("CLM-####-######"),
            date=fake.date_between(AS_OF - timedelta(days=2000), AS_OF),
            type=fake.random_element(kinds),
            amount=_money(fake, 400, 40_000),
            status="Paid",
        )
        for _ in range(fake.random_int(0, 2))
    ]
    return InsurancePersona(
        name=fake.name(),
        member_since=_since(fake),
        active_policies=policies,
        claims_history=claims,
        total_coverage=round(sum(p.coverage for p in policies), 2),
        monthly_premium=round(sum(p.premium for p in policies), 2),
        risk_score=("Low", "Medium", "High")[len(claims)],
    ).model_dump(mode="json")


def _naive_appointment(fake: Faker) -> Appointment:
    return Appointment(
        date=fake.date_between(AS_OF + timedelta(days=1), AS_OF + timedelta(days=60)),
        time=fake.time_object(),
        provider=f"Dr. {fake.first_name()} {fake.last_name()}",
        specialty=fake.random_element(("Cardiology", "Dermatology", "Primary Care")),
        location=f"{fake.city()} Medical Center",
    )


def naive_healthcare(seed: int) -> dict:
    """The baseline healthcare persona."""
    fake = _fresh_faker(seed)
    medications = fake.random_elements(MEDICATIONS, fake.random_int(1, 3), unique=True)
    prescriptions = [
        Prescription(
            medication=name,
            dosage=f"{fake.random_element((10, 20, 50))} mg",
            frequency="Once daily",
            refills_remaining=fake.random_int(0, 5),
        )
        for name in medications
    ]
    deductible = float(fake.random_int(250, 7_500, step=50))
    return HealthcarePersona(
        name=fake.name(),
        member_id=fake.bothify("???#########").upper(),
        date_of_birth=fake.date_of_birth(minimum_age=25, maximum_age=75),
        primary_care_provider=f"Dr. {fake.first_name()} {fake.last_name()}",
        plan_name=f"{fake.random_element(('Summit', 'Evergreen'))} PPO Gold",
        deductible=deductible,
        deductible_met=_money(fake, 0, int(deductible)),
        out_of_pocket_max=float(fake.random_int(8_000, 9_000, step=100)),
        out_of_pocket_spent=_money(fake, int(deductible), 8_000),
        upcoming_appointments=[
            _naive_appointment(fake) for _ in range(fake.random_int(0, 2))
        ],
        active_prescriptions=prescriptions,
    ).model_dump(mode="json")


def naive_generic(seed: int) -> dict:
    """The baseline generic persona."""
    fake = _fresh_faker(seed)
    points = fake.random_int(0, 60_000)
    return GenericPersona(
        name=fake.name(),
        customer_since=_since(fake),
        account_value=_money(fake, 50, 25_000),
        recent_activity_count=fake.random_int(0, 30),
        loyalty_points=points,
        status="Gold" if points >= 15_000 else "Bronze",
    ).model_dump(mode="json")


# The built-in kinds, each with its baseline.
NAIVE = {
    "banking": naive_banking,
    "insurance": naive_insurance,
    "healthcare": naive_healthcare,
    "generic": naive_generic,
}


def per_second(make: Callable[[int], dict], budget: float) -> float:
    """Personas made per second over about `budget` seconds."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < budget:
        make(count)
        count += 1
    return count / elapsed


def best_rates(
    ours: Callable[[int], dict], naive: Callable[[int], dict], rounds: int = 5
) -> tuple[float, float]:
    """The best of several alternating rounds, so a busy machine slows both alike."""
    ours(0), naive(0)
    best_ours = best_naive = 0.0
    for _ in range(rounds):
        best_ours = max(best_ours, per_second(ours, 0.2))
        best_naive = max(best_naive, per_second(naive, 0.2))
    return best_ours, best_naive


def main() -> None:
    """Print one line per kind: ours, the baseline, and the speed-up."""
    print(f"{'kind':<12}{'personas/s':>12}{'baseline/s':>12}{'speed-up':>10}")
    for kind, baseline in NAIVE.items():
        ours, naive = best_rates(
            lambda seed, k=kind: generate_persona(k, seed, as_of=AS_OF), baseline
        )
        print(f"{kind:<12}{ours:>12,.0f}{naive:>12,.0f}{ours / naive:>9.1f}×")


if __name__ == "__main__":
    main()
