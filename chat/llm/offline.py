"""The offline model: answers about the current customer straight from the persona.

No network and no weights, so the site works on a fresh machine. The last user message
is matched against a few intents for the persona kind (first match wins, so specific
intents come before general ones) and answered in a short sentence with the exact
figures, formatted by `personas.formatting`. It is deterministic: the same
question about the same persona always gets the same words.
"""

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from chat.llm.base import BackendInfo, ReplyRequest, text_pieces
from personas.formatting import Reader, clock_time, long_date, money, written_for

MODEL_NAME = "offline-persona-v1"

Persona = dict[str, Any]
Record = dict[str, Any]  # one transaction, policy, claim, appointment or prescription
# An intent's answer: the persona and the question in, a short reply out.
Answer = Callable[[Persona, str], str]
Intents = list[tuple[re.Pattern[str], Answer]]


def _words(alternatives: str) -> re.Pattern[str]:
    """Whole words or phrases in any case, so "hi" does not match "this"."""
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def _match(patterns: dict[str, re.Pattern[str]], question: str) -> str | None:
    """The first key whose pattern occurs in the question."""
    return next((key for key, p in patterns.items() if p.search(question)), None)


def _join(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 2 else parts)


def _count(number: int, noun: str, plural: str = "") -> str:
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def _says(template: str, field: str, form: Callable[[Any], str] = str) -> Answer:
    """An answer stating one figure of the persona, e.g. money(credit_limit)."""
    return lambda persona, question: template.format(form(persona[field]))


# Banking: balances, credit, and the month's statement.

CATEGORY_WORDS = {
    "groceries": r"groceries|grocery|supermarkets?",
    "fuel": r"fuel|gas|petrol",
    "dining": r"dining|restaurants?|eating out|takeout|coffee",
    "utilities": r"utilities|utility|electric(?:ity)?|(?:phone|internet) bill",
    "subscriptions": r"subscriptions?|streaming",
    "shopping": r"shopping",
    "payroll": r"payroll|paychecks?|salary|wages?|(?:get|got) paid",
    "transfer_in": r"transfers? (?:in|from savings)|incoming transfers?",
    "transfer_out": r"transfers? (?:out|to savings)|outgoing transfers?",
}
CATEGORIES = {name: _words(words) for name, words in CATEGORY_WORDS.items()}
LABELS = {"transfer_in": "transfers in", "transfer_out": "transfers out"}
# Categories that bring money in rather than take it out.
INCOME = frozenset({"payroll", "transfer_in"})


def _newest_first(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda record: record["date"], reverse=True)


def _category(persona: Persona, question: str) -> str:
    """The total for the category the question names, and its latest transaction."""
    category = _match(CATEGORIES, question) or ""
    label = LABELS.get(category, category)
    found = [
        t
        for t in _newest_first(persona["recent_transactions"])
        if t["category"] == category
    ]
    if not found:
        return f"I don't see any {label} in your recent transactions."
    total, latest = money(sum(abs(t["amount"]) for t in found)), found[0]
    verb, preposition = ("received", "from") if category in INCOME else ("spent", "on")
    return (
        f"You {verb} {total} {preposition} {label} across "
        f"{_count(len(found), 'transaction')}; the latest was "
        f"{money(abs(latest['amount']))} ({latest['description']}) on "
        f"{long_date(latest['date'])}."
    )


def _transactions(persona: Persona, question: str) -> str:
    latest = _newest_first(persona["recent_transactions"])[:3]
    if not latest:
        return "I don't see any recent transactions on your account."
    lines = [
        f"{t['description']} {money(t['amount'])} on {long_date(t['date'])}"
        for t in latest
    ]
    return f"Your latest transactions: {'; '.join(lines)}."


def _balances(persona: Persona, question: str) -> str:
    return (
        f"Your checking balance is {money(persona['checking_balance'])} and your "
        f"savings balance is {money(persona['savings_balance'])}."
    )


BANKING: Intents = [
    (_words(r"limit"), _says("Your credit limit is {}.", "credit_limit", money)),
    (
        _words(r"credit score|fico|score"),
        _says("Your credit score is {}.", "credit_score"),
    ),
    (_words("|".join(CATEGORY_WORDS.values())), _category),
    (
        _words(r"savings"),
        _says("Your savings balance is {}.", "savings_balance", money),
    ),
    (
        _words(r"checking"),
        _says("Your checking balance is {}.", "checking_balance", money),
    ),
    (
        _words(r"transactions?|recent|activity|purchases?|spen[dt]|spending|statement"),
        _transactions,
    ),
    (_words(r"balances?|how much money|how much do i have|funds"), _balances),
    (_words(r"account number"), _says("It ends in {}.", "account_number_last4")),
]


# Insurance: policies, what they cover and cost, claims and renewals.

POLICY_TYPES = {
    "Auto": _words(r"auto|cars?|vehicles?|driving"),
    "Home": _words(r"home|house|homeowners?|property"),
    "Life": _words(r"life"),
    "Umbrella": _words(r"umbrella|liability"),
}


def _by_policy(
    one: Callable[[Record], str], every: Callable[[Persona, list[Record]], str]
) -> Answer:
    """Answer about the policy type the question names, else about every policy."""

    def answer(persona: Persona, question: str) -> str:
        named = _match(POLICY_TYPES, question)
        chosen = [p for p in persona["active_policies"] if named in (None, p["type"])]
        if not chosen:
            return f"You don't have an active {named or 'insurance'} policy with us."
        return one(chosen[0]) if named else every(persona, chosen)

    return answer


def _each(policies: list[Record], field: str) -> str:
    """'Auto $500.00 and Home $1,000.00'."""
    return _join([f"{p['type']} {money(p[field])}" for p in policies])


def _renewal(policy: Record) -> str:
    return (
        f"{policy['type']} policy ({policy['policy_number']}) renews on "
        f"{long_date(policy['renewal_date'])}"
    )


def _claims(persona: Persona, question: str) -> str:
    """The newest claims (of the type named, if any) and where each stands."""
    named = _match(POLICY_TYPES, question)
    claims = [c for c in persona["claims_history"] if named in (None, c["type"])]
    if not claims:
        return f"You have no {named + ' ' if named else ''}claims on file."
    lines = [
        f"claim {c['claim_id']} ({c['type']}, {money(c['amount'])}, filed "
        f"{long_date(c['date'])}) is {c['status']}"
        for c in _newest_first(claims)[:3]
    ]
    return f"You have {_count(len(claims), 'claim')} on file: {'; '.join(lines)}."


def _policies(persona: Persona, policies: list[Record]) -> str:
    names = _join([f"{p['type']} ({p['policy_number']})" for p in policies])
    count = _count(len(policies), "active policy", "active policies")
    return f"You have {count}: {names}."


INSURANCE: Intents = [
    (_words(r"claims?"), _claims),
    (
        _words(r"renew(?:al|s)?|expire[sd]?|expiration"),
        _by_policy(
            lambda p: f"Your {_renewal(p)}.",
            lambda persona, ps: (
                f"Next up: your {_renewal(min(ps, key=lambda p: p['renewal_date']))}."
            ),
        ),
    ),
    (
        _words(r"deductibles?"),
        _by_policy(
            lambda p: f"Your {p['type']} deductible is {money(p['deductible'])}.",
            lambda persona, ps: f"Your deductibles: {_each(ps, 'deductible')}.",
        ),
    ),
    (
        _words(r"premiums?|monthly|pay (?:each|per|a) month|cost"),
        _by_policy(
            lambda p: f"Your {p['type']} premium is {money(p['premium'])} a month.",
            lambda persona, ps: (
                f"Your total premium is {money(persona['monthly_premium'])} a month: "
                f"{_each(ps, 'premium')}."
            ),
        ),
    ),
    (
        _words(r"coverage|covered|cover|insured for|how much insurance"),
        _by_policy(
            lambda p: f"Your {p['type']} policy covers up to {money(p['coverage'])}.",
            lambda persona, ps: (
                f"Your total coverage is {money(persona['total_coverage'])}: "
                f"{_each(ps, 'coverage')}."
            ),
        ),
    ),
    (_words(r"risk"), _says("Your risk score is {}.", "risk_score")),
    (
        _words(r"polic(?:y|ies)|insurance|plans?"),
        _by_policy(
            lambda p: (
                f"Your {p['type']} policy is {p['policy_number']}, covering up to "
                f"{money(p['coverage'])} for {money(p['premium'])} a month."
            ),
            _policies,
        ),
    ),
]


# Healthcare: visits, prescriptions, and how far through the plan year's limits.


def _progress(spent: float, limit: float, what: str) -> str:
    left = money(max(limit - spent, 0))
    return f"You've met {money(spent)} of your {money(limit)} {what}; {left} to go."


def _prescription(p: Record) -> str:
    refills = _count(p["refills_remaining"], "refill")
    return f"{p['medication']} {p['dosage']} ({p['frequency']}), {refills} left"


def _prescriptions(persona: Persona, question: str) -> str:
    """The medication the question names, else every active prescription."""
    scripts = persona["active_prescriptions"]
    # The first word is enough: "albuterol" names the "Albuterol inhaler".
    named = [
        p
        for p in scripts
        if _words(re.escape(p["medication"].split()[0])).search(question)
    ]
    if named:
        return f"Your {_prescription(named[0])}."
    if not scripts:
        return "You have no active prescriptions."
    lines = "; ".join(_prescription(p) for p in scripts)
    return f"You have {_count(len(scripts), 'active prescription')}: {lines}."


def _next_appointment(persona: Persona, question: str) -> str:
    visits = sorted(
        persona["upcoming_appointments"], key=lambda a: (a["date"], a["time"])
    )
    if not visits:
        return "You have no upcoming appointments."
    a, later = visits[0], len(visits) - 1
    return (
        f"Your next appointment is with {a['provider']} ({a['specialty']}) on "
        f"{long_date(a['date'])} at {clock_time(a['time'])}, at {a['location']}."
        + (f" You have {_count(later, 'more')} after that." if later else "")
    )


HEALTHCARE: Intents = [
    (
        _words(
            r"prescriptions?|medications?|medicines?|meds|refills?|pharmacy|drugs?"
            r"|dose|dosage|take|taking"
        ),
        _prescriptions,
    ),
    (
        _words(r"out[- ]of[- ]pocket|oop|max(?:imum)?"),
        lambda p, q: _progress(
            p["out_of_pocket_spent"], p["out_of_pocket_max"], "out-of-pocket maximum"
        ),
    ),
    (
        _words(r"deductible"),
        lambda p, q: _progress(p["deductible_met"], p["deductible"], "deductible"),
    ),
    (
        _words(r"primary care|pcp|my doctor|family doctor|gp"),
        _says("Your primary care provider is {}.", "primary_care_provider"),
    ),
    (
        _words(r"member id|member number|id|insurance card|card"),
        _says("Your member ID is {}.", "member_id"),
    ),
    (
        _words(r"appointments?|visits?|doctors?|checkups?|scheduled?"),
        _next_appointment,
    ),
    (
        _words(r"plans?|insurance|coverage|network"),
        _says("You're on the {} plan.", "plan_name"),
    ),
]


# Generic: a customer of any business.


def _activity(persona: Persona, question: str) -> str:
    count = _count(persona["recent_activity_count"], "activity", "activities")
    return f"Your account shows {count} recently."


GENERIC: Intents = [
    (
        _words(r"points|loyalty|rewards?"),
        lambda p, q: (
            f"You have {_count(p['loyalty_points'], 'loyalty point')} "
            f"({p['status']} status)."
        ),
    ),
    (_words(r"status|tier|level|membership"), _says("Your status is {}.", "status")),
    (_words(r"activity|activities|recent|transactions?|orders?"), _activity),
    (
        _words(r"account value|value|worth|balance|how much"),
        _says("Your account value is {}.", "account_value", money),
    ),
]


# Every kind: what it answers, greetings and thanks.

INTENTS = {
    "banking": BANKING,
    "insurance": INSURANCE,
    "healthcare": HEALTHCARE,
    "generic": GENERIC,
}
TOPICS = {
    "banking": "your checking and savings balances, credit score and limit, and "
    "recent transactions, including spending by category such as groceries",
    "insurance": "your policies, coverage, premiums, deductibles, claims and renewals",
    "healthcare": "your appointments, prescriptions and refills, deductible and "
    "out-of-pocket progress, primary care provider, plan and member ID",
    "generic": "your account value, loyalty points, status and recent activity",
}
EXAMPLES = {
    "banking": "How much did I spend on groceries?",
    "insurance": "What is the status of my claim?",
    "healthcare": "When is my next appointment?",
    "generic": "How many loyalty points do I have?",
}
THANKS = _words(r"thanks|thank you|thx|cheers|appreciate it")
GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|howdy|good (?:morning|afternoon|evening))\b", re.IGNORECASE
)
UNAVAILABLE = "I can't see your account details right now; please try again shortly."


def _small_talk(question: str, kind: str, persona: Persona) -> str:
    """Thanks, a greeting, or what this kind of assistant can answer."""
    name = (persona.get("name") or "there").split()[0]
    topics = TOPICS.get(kind, TOPICS["generic"])
    if THANKS.search(question):
        return f"You're welcome, {name}! Is there anything else I can help with?"
    if GREETING.search(question):
        return f"Hi {name}! I can help with {topics}. What would you like to know?"
    example = EXAMPLES.get(kind, EXAMPLES["generic"])
    return f'I can answer questions about {topics}. Try asking "{example}"'


def reply_text(*, question: str, persona_kind: str, persona: Persona) -> str:
    """The whole reply: the first matching intent's answer, else small talk."""
    with written_for(Reader.of(persona)):
        return _answer(question, persona_kind, persona)


def _answer(question: str, persona_kind: str, persona: Persona) -> str:
    """The first matching intent's answer, in the customer's own figures."""
    for pattern, answer in INTENTS.get(persona_kind, []):
        if pattern.search(question):
            try:
                return answer(persona, question)
            except (KeyError, TypeError, ValueError):
                return UNAVAILABLE  # no persona yet, or one of another kind
    return _small_talk(question, persona_kind, persona)


class OfflineBackend:
    """Answers from the persona alone, so a fresh machine works without a model."""

    def info(self) -> BackendInfo:
        return BackendInfo(backend="offline", model=MODEL_NAME)

    def reply_stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        """The reply to the last visitor message, streamed like a model's."""
        users = [m for m in request.messages if m.get("role") == "user"]
        question = users[-1]["content"] if users else ""
        text = reply_text(
            question=question,
            persona_kind=request.persona_kind,
            persona=request.persona,
        )
        return text_pieces(text)
