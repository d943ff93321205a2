"""The persona models: what the assistant knows about the customer in front of it."""

from datetime import date, time
from typing import Literal

from pydantic import BaseModel, ConfigDict

TransactionCategory = Literal[
    "groceries",
    "fuel",
    "dining",
    "utilities",
    "subscriptions",
    "shopping",
    "payroll",
    "transfer_in",
    "transfer_out",
]
CREDIT_CATEGORIES = frozenset({"payroll", "transfer_in"})
PolicyType = Literal["Auto", "Home", "Life", "Umbrella"]
ClaimStatus = Literal["Paid", "Approved", "Pending", "Under review", "Denied"]
RiskScore = Literal["Low", "Medium", "High"]
LoyaltyStatus = Literal["Bronze", "Silver", "Gold", "Platinum"]


class _Persona(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Customer(_Persona):
    """Who the customer is and whom their figures are written for; the defaults read
    personas saved before they carried a locale and currency."""

    name: str
    locale: str = "en_US"
    currency: str = "USD"


class Transaction(_Persona):
    date: date
    description: str
    amount: float
    category: TransactionCategory


class BankingPersona(_Customer):
    member_since: date
    checking_balance: float
    savings_balance: float
    account_number_last4: str
    credit_score: int
    credit_limit: float
    recent_transactions: list[Transaction]


class Policy(_Persona):
    type: PolicyType
    coverage: float
    premium: float
    deductible: float
    policy_number: str
    renewal_date: date


class Claim(_Persona):
    claim_id: str
    date: date
    type: PolicyType
    amount: float
    status: ClaimStatus


class InsurancePersona(_Customer):
    member_since: date
    active_policies: list[Policy]
    claims_history: list[Claim]
    total_coverage: float
    monthly_premium: float
    risk_score: RiskScore


class Appointment(_Persona):
    date: date
    time: time
    provider: str
    specialty: str
    location: str


class Prescription(_Persona):
    medication: str
    dosage: str
    frequency: str
    refills_remaining: int


class HealthcarePersona(_Customer):
    member_id: str
    date_of_birth: date
    primary_care_provider: str
    plan_name: str
    deductible: float
    deductible_met: float
    out_of_pocket_max: float
    out_of_pocket_spent: float
    upcoming_appointments: list[Appointment]
    active_prescriptions: list[Prescription]


class GenericPersona(_Customer):
    customer_since: date
    account_value: float
    recent_activity_count: int
    loyalty_points: int
    status: LoyaltyStatus


PERSONA_MODELS: dict[str, type[_Customer]] = {
    "banking": BankingPersona,
    "insurance": InsurancePersona,
    "healthcare": HealthcarePersona,
    "generic": GenericPersona,
}
