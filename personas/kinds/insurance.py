"""Insurance: a policyholder whose totals and risk score agree with policies and
claims."""

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal, NamedTuple

from personas.answers import (
    Answer,
    Intents,
    Persona,
    counted,
    first_match,
    joined,
    listed,
    newest_first,
    says,
    words,
)
from personas.articles import Mention, Mentions, articles_read
from personas.card import (
    Card,
    Column,
    Figure,
    Row,
    Section,
    Table,
    Tiles,
    date_of,
    money_of,
    of,
)
from personas.figures import (
    Dataset,
    Metric,
    Series,
    Tab,
    field_metric,
    parts,
    single,
    tallies,
)
from personas.formatting import count, long_date, money
from personas.registry import Customer, Kind, Record
from personas.sampling import Draw, Prices, member_since

# The customer's data.

PolicyType = Literal["Auto", "Home", "Life", "Umbrella"]
ClaimStatus = Literal["Paid", "Approved", "Pending", "Under review", "Denied"]
RiskScore = Literal["Low", "Medium", "High"]


class Policy(Record):
    type: PolicyType
    coverage: float
    premium: float
    deductible: float
    policy_number: str
    renewal_date: date


class Claim(Record):
    claim_id: str
    date: date
    type: PolicyType
    amount: float
    status: ClaimStatus


class InsurancePersona(Customer):
    member_since: date
    active_policies: list[Policy]
    claims_history: list[Claim]
    total_coverage: float
    monthly_premium: float
    risk_score: RiskScore


# How it is generated.


class _PolicyTerms(NamedTuple):
    """What a policy of one type plausibly covers and costs (premiums are monthly)."""

    coverages: tuple[int, ...]
    premium: tuple[float, float]
    deductibles: tuple[int, ...]
    prefix: str


_POLICY_TERMS = {
    "Auto": _PolicyTerms(
        (50_000, 100_000, 250_000, 300_000, 500_000), (85, 260), (250, 500, 1_000), "AU"
    ),
    "Home": _PolicyTerms(
        (200_000, 300_000, 400_000, 500_000, 650_000, 800_000),
        (75, 310),
        (500, 1_000, 2_500),
        "HO",
    ),
    "Life": _PolicyTerms(
        (100_000, 250_000, 500_000, 750_000, 1_000_000), (18, 120), (0,), "LI"
    ),
    "Umbrella": _PolicyTerms(
        (1_000_000, 2_000_000, 3_000_000, 5_000_000), (15, 65), (250, 500, 1_000), "UM"
    ),
}
# Life insurance pays out on death, so a living customer never has a Life claim.
_CLAIM_AMOUNTS = {
    "Auto": (450, 18_000),
    "Home": (1_200, 45_000),
    "Umbrella": (8_000, 150_000),
}
_RISK_BY_CLAIMS: tuple[RiskScore, ...] = ("Low", "Medium", "High")


def _policy(rng: random.Random, kind: str, as_of: date, price: Prices) -> Policy:
    terms = _POLICY_TERMS[kind]
    return Policy(
        type=kind,
        coverage=price(rng.choice(terms.coverages)),
        premium=price(rng.uniform(*terms.premium)),
        deductible=price(rng.choice(terms.deductibles)),
        policy_number=f"{terms.prefix}-{rng.randrange(10**7):07d}",
        renewal_date=as_of + timedelta(days=rng.randint(1, 365)),
    )


def _policies(rng: random.Random, as_of: date, price: Prices) -> list[Policy]:
    """One to three policies of different types, in a fixed type order."""
    kinds = rng.sample(list(_POLICY_TERMS), rng.randint(1, 3))
    return [_policy(rng, kind, as_of, price) for kind in _POLICY_TERMS if kind in kinds]


def _claim(
    rng: random.Random, kind: str, day: date, as_of: date, price: Prices
) -> Claim:
    """Recent claims are still open; older ones were settled."""
    if (as_of - day).days <= 45:
        status = rng.choice(("Pending", "Under review", "Approved"))
    else:
        status = rng.choices(("Paid", "Denied"), weights=(9, 1))[0]
    return Claim(
        claim_id=f"CLM-{day.year}-{rng.randrange(10**6):06d}",
        date=day,
        type=kind,
        amount=price(rng.uniform(*_CLAIM_AMOUNTS[kind])),
        status=status,
    )


def _claims(
    rng: random.Random,
    policies: list[Policy],
    since: date,
    as_of: date,
    price: Prices,
) -> list[Claim]:
    """Zero to two claims on the customer's claimable policies, newest first."""
    claimable = [p.type for p in policies if p.type in _CLAIM_AMOUNTS]
    number = rng.randint(0, 2) if claimable else 0
    days_ago = sorted(rng.sample(range(1, (as_of - since).days), number))
    return [
        _claim(rng, rng.choice(claimable), as_of - timedelta(days=n), as_of, price)
        for n in days_ago
    ]


def generate(draw: Draw) -> InsurancePersona:
    """A policyholder whose totals and risk score agree with policies and claims."""
    as_of, price = draw.as_of, draw.price
    since = member_since(draw.rng("membership"), as_of)
    policies = _policies(draw.rng("policies"), as_of, price)
    claims = _claims(draw.rng("claims"), policies, since, as_of, price)
    return InsurancePersona(
        **draw.customer(),
        member_since=since,
        active_policies=policies,
        claims_history=claims,
        total_coverage=price.exact(sum(p.coverage for p in policies)),
        monthly_premium=price.exact(sum(p.premium for p in policies)),
        risk_score=_RISK_BY_CLAIMS[len(claims)],
    )


# What the offline model answers.

_POLICY_TYPES = {
    "Auto": words(r"auto|cars?|vehicles?|driving"),
    "Home": words(r"home|house|homeowners?|property"),
    "Life": words(r"life"),
    "Umbrella": words(r"umbrella|liability"),
}


def _by_policy(
    one: Callable[[Row], str], every: Callable[[Persona, list[Row]], str]
) -> Answer:
    """Answer about the policy type the question names, else about every policy."""

    def answer(persona: Persona, question: str) -> str:
        named = first_match(_POLICY_TYPES, question)
        chosen = [p for p in persona["active_policies"] if named in (None, p["type"])]
        if not chosen:
            return f"You don't have an active {named or 'insurance'} policy with us."
        return one(chosen[0]) if named else every(persona, chosen)

    return answer


def _each(policies: list[Row], field: str) -> str:
    """'Auto $500.00 and Home $1,000.00'."""
    return joined([f"{p['type']} {money(p[field])}" for p in policies])


def _renewal(policy: Row) -> str:
    return (
        f"{policy['type']} policy ({policy['policy_number']}) renews on "
        f"{long_date(policy['renewal_date'])}"
    )


def _claims_answer(persona: Persona, question: str) -> str:
    """The newest claims (of the type named, if any) and where each stands."""
    named = first_match(_POLICY_TYPES, question)
    claims = [c for c in persona["claims_history"] if named in (None, c["type"])]
    if not claims:
        return f"You have no {named + ' ' if named else ''}claims on file."
    lines = [
        f"claim {c['claim_id']} ({c['type']}, {money(c['amount'])}, filed "
        f"{long_date(c['date'])}) is {c['status']}"
        for c in newest_first(claims)[:3]
    ]
    return f"You have {counted(len(claims), 'claim')} on file: {'; '.join(lines)}."


def _policies_answer(persona: Persona, policies: list[Row]) -> str:
    names = joined([f"{p['type']} ({p['policy_number']})" for p in policies])
    number = counted(len(policies), "active policy", "active policies")
    return f"You have {number}: {names}."


def _policy_text(policy: Row) -> str:
    return (
        f"Your {policy['type']} policy is {policy['policy_number']}, covering up to "
        f"{money(policy['coverage'])} for {money(policy['premium'])} a month."
    )


def _claim_text(claim: Row) -> str:
    return (
        f"Claim {claim['claim_id']} ({claim['type']}, {money(claim['amount'])}, filed "
        f"{long_date(claim['date'])}) is {claim['status']}."
    )


ANSWERS: Intents = (
    (
        words(r"claims?"),
        listed(
            lambda p: newest_first(p["claims_history"]), _claim_text, _claims_answer
        ),
    ),
    (
        words(r"renew(?:al|s)?|expire[sd]?|expiration"),
        _by_policy(
            lambda p: f"Your {_renewal(p)}.",
            lambda persona, ps: (
                f"Next up: your {_renewal(min(ps, key=lambda p: p['renewal_date']))}."
            ),
        ),
    ),
    (
        words(r"deductibles?|deductables?"),
        _by_policy(
            lambda p: f"Your {p['type']} deductible is {money(p['deductible'])}.",
            lambda persona, ps: f"Your deductibles: {_each(ps, 'deductible')}.",
        ),
    ),
    (
        words(r"premiums?|monthly|pay (?:each|per|a) month|cost|how much do i pay"),
        _by_policy(
            lambda p: f"Your {p['type']} premium is {money(p['premium'])} a month.",
            lambda persona, ps: (
                f"Your total premium is {money(persona['monthly_premium'])} a month: "
                f"{_each(ps, 'premium')}."
            ),
        ),
    ),
    (
        words(r"coverage|covered|cover|insured for|how much insurance"),
        _by_policy(
            lambda p: f"Your {p['type']} policy covers up to {money(p['coverage'])}.",
            lambda persona, ps: (
                f"Your total coverage is {money(persona['total_coverage'])}: "
                f"{_each(ps, 'coverage')}."
            ),
        ),
    ),
    (words(r"risk"), says("Your risk score is {}.", "risk_score")),
    (
        words(r"polic(?:y|ies)|insurance|plans?"),
        listed(
            lambda p: p["active_policies"],
            _policy_text,
            _by_policy(_policy_text, _policies_answer),
        ),
    ),
)


# What its help articles name.


def _policy_mention(preposition: str, assumed: str | None = None) -> Mention:
    """ " on your Auto policy AU-6435980": the type the question names (else
    `assumed`), or the customer's only policy."""

    def mention(persona: Persona, question: str) -> str | None:
        named = first_match(_POLICY_TYPES, question) or assumed
        chosen = [p for p in persona["active_policies"] if named in (None, p["type"])]
        if not chosen or (named is None and len(chosen) > 1):
            return None
        policy = chosen[0]
        return f" {preposition} your {policy['type']} policy {policy['policy_number']}"

    return mention


MENTIONS: Mentions = (
    (words(r"drivers?|vehicles?"), _policy_mention("to", "Auto")),
    (words(r"claims?|coverage"), _policy_mention("on")),
)


# How the card reads.

# How each claim status reads at a glance.
_CLAIM_TONES = {
    "Paid": "good",
    "Approved": "good",
    "Pending": "wait",
    "Under review": "wait",
    "Denied": "bad",
}


def _active_policies(persona: Persona) -> str:
    number = len(persona["active_policies"])
    return f"{count(number)} active {'policy' if number == 1 else 'policies'}"


CARD = Card(
    headline=Figure(
        "Total coverage", money_of("total_coverage"), testid="total-coverage"
    ),
    summary=(
        Figure("Member since", date_of("member_since")),
        Figure("Monthly premium", money_of("monthly_premium")),
    ),
    sections=(
        Section(
            "Your coverage",
            "coverage",
            (
                Tiles(
                    (
                        Figure(
                            "Total coverage",
                            money_of("total_coverage"),
                            _active_policies,
                        ),
                        Figure("Monthly premium", money_of("monthly_premium")),
                        Figure("Risk profile", of("risk_score"), testid="risk-score"),
                    )
                ),
            ),
        ),
        Section(
            "Policies",
            "policies",
            (
                Table(
                    caption="Policies",
                    rows=lambda persona: persona["active_policies"],
                    columns=(
                        Column(
                            "Policy",
                            of("type"),
                            note=of("policy_number"),
                            style="strong",
                        ),
                        Column("Coverage", money_of("coverage"), style="num"),
                        Column(
                            "Deductible",
                            money_of("deductible"),
                            style="num hide-narrow",
                        ),
                        Column(
                            "Premium",
                            lambda row: f"{money(row['premium'])}/mo",
                            style="num",
                        ),
                        Column(
                            "Renews",
                            date_of("renewal_date"),
                            style="hide-narrow nowrap",
                        ),
                    ),
                    empty="No active policies.",
                ),
            ),
        ),
        Section(
            "Claims",
            "claims",
            (
                Table(
                    caption="Claims",
                    rows=lambda persona: persona["claims_history"],
                    columns=(
                        Column(
                            "Claim",
                            lambda row: f"{row['type']} claim",
                            note=of("claim_id"),
                            style="strong",
                        ),
                        Column("Filed", date_of("date"), style="hide-narrow nowrap"),
                        Column("Amount", money_of("amount"), style="num"),
                        Column(
                            "Status",
                            of("status"),
                            tone=lambda row: _CLAIM_TONES.get(row["status"], "wait"),
                            pill=True,
                        ),
                    ),
                    empty="No claims on file.",
                ),
            ),
        ),
    ),
)

# The dashboard.


def _policy_figures(field: str) -> Callable[[Persona], tuple[Series, ...]]:
    """One of each policy's figures, by policy type, largest first."""

    def series(persona: Persona) -> tuple[Series, ...]:
        policies = persona["active_policies"]
        return single("Policies", parts((p["type"], p[field]) for p in policies))

    return series


def _claims_by_status(persona: Persona) -> tuple[Series, ...]:
    return single("Claims", tallies(c["status"] for c in persona["claims_history"]))


DATASETS = (
    Dataset(
        "coverage_by_policy",
        "Coverage by policy",
        "pie",
        "money",
        _policy_figures("coverage"),
        asks=r"coverage|covered|cover|insured for",
        chart_types=("bar",),
    ),
    Dataset(
        "premium_by_policy",
        "Monthly premium by policy",
        "bar",
        "money",
        _policy_figures("premium"),
        asks=r"premiums?|monthly|cost|pay",
        chart_types=("pie",),
    ),
    Dataset(
        "deductible_by_policy",
        "Deductible by policy",
        "bar",
        "money",
        _policy_figures("deductible"),
        asks=r"deductibles?",
    ),
    Dataset(
        "claims_by_status",
        "Claims by status",
        "bar",
        "count",
        _claims_by_status,
        asks=r"claims?|status",
        chart_types=("pie",),
    ),
)
METRICS = (
    field_metric("total_coverage", "Total coverage", "money"),
    field_metric("monthly_premium", "Monthly premium", "money"),
    field_metric("risk_score", "Risk profile", ""),
    Metric(
        "active_policies",
        "Active policies",
        "count",
        lambda p: len(p["active_policies"]),
    ),
    Metric(
        "claims_on_file", "Claims on file", "count", lambda p: len(p["claims_history"])
    ),
)
TABS = (
    Tab(
        "Overview",
        ("total_coverage", "monthly_premium", "risk_score", "coverage_by_policy"),
    ),
    Tab(
        "Policies",
        ("active_policies", "premium_by_policy", "deductible_by_policy"),
    ),
    Tab("Claims", ("claims_on_file", "claims_by_status")),
)


KIND = Kind(
    name="insurance",
    label="Insurance",
    fits="insurers and brokers: auto, home, life, renters, pet and travel cover",
    schema=InsurancePersona,
    generate=generate,
    card=CARD,
    answers=ANSWERS,
    topics="your policies, coverage, premiums, deductibles, claims and renewals",
    example="What is the status of my claim?",
    examples=(
        "What policies do I have?",
        "When does my policy renew?",
        "What are my deductibles?",
        "What is the status of my claim?",
    ),
    hero="Your policies and claims at a glance, and a secure chat with our virtual "
    "assistant.",
    chat_subtitle="Ask about your policies, billing and claims",
    datasets=DATASETS,
    metrics=METRICS,
    tabs=TABS,
    help_articles=articles_read("insurance"),
    help_mentions=MENTIONS,
)
