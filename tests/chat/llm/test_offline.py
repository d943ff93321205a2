"""The offline model: the right figure from the persona, formatted, per question."""

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import date, time

import pytest

from chat import llm
from chat.llm import asks, offline
from personas import (
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
    kind_get,
    kind_register,
    kind_unregister,
)
from personas.answers import says, words
from personas.formatting import clock_time, long_date, money

BANKING = BankingPersona(
    name="Jordan Ellis",
    member_since=date(2015, 6, 1),
    checking_balance=4210.55,
    savings_balance=18250.0,
    account_number_last4="0427",
    credit_score=742,
    credit_limit=15000.0,
    recent_transactions=[
        Transaction(
            date=date(2026, 3, 2),
            description="Whole Foods Market",
            amount=-84.2,
            category="groceries",
        ),
        Transaction(
            date=date(2026, 3, 5),
            description="Shell",
            amount=-52.75,
            category="fuel",
        ),
        Transaction(
            date=date(2026, 2, 27),
            description="Trader Joe's",
            amount=-47.25,
            category="groceries",
        ),
        Transaction(
            date=date(2026, 3, 1),
            description="Payroll deposit — Acme Corp",
            amount=3120.4,
            category="payroll",
        ),
        Transaction(
            date=date(2026, 2, 20),
            description="Netflix",
            amount=-15.49,
            category="subscriptions",
        ),
    ],
).model_dump(mode="json")

INSURANCE = InsurancePersona(
    name="Avery Brooks",
    member_since=date(2012, 1, 15),
    active_policies=[
        Policy(
            type="Auto",
            coverage=250000.0,
            premium=142.3,
            deductible=500.0,
            policy_number="AU-1234567",
            renewal_date=date(2026, 9, 14),
        ),
        Policy(
            type="Home",
            coverage=500000.0,
            premium=98.1,
            deductible=1000.0,
            policy_number="HO-7654321",
            renewal_date=date(2026, 5, 2),
        ),
    ],
    claims_history=[
        Claim(
            claim_id="CLM-2026-000481",
            date=date(2026, 2, 10),
            type="Auto",
            amount=2450.0,
            status="Pending",
        ),
        Claim(
            claim_id="CLM-2024-031337",
            date=date(2024, 7, 3),
            type="Home",
            amount=8200.5,
            status="Paid",
        ),
    ],
    total_coverage=750000.0,
    monthly_premium=240.4,
    risk_score="Medium",
).model_dump(mode="json")

HEALTHCARE = HealthcarePersona(
    name="Sam Rivera",
    member_id="KPX004512377",
    date_of_birth=date(1980, 4, 9),
    primary_care_provider="Dr. Lena Park",
    plan_name="Summit Care PPO Gold",
    deductible=2000.0,
    deductible_met=850.0,
    out_of_pocket_max=6500.0,
    out_of_pocket_spent=1320.75,
    upcoming_appointments=[
        Appointment(
            date=date(2026, 4, 20),
            time=time(14, 0),
            provider="Dr. Omar Haddad",
            specialty="Dermatology",
            location="Springfield Health Clinic",
        ),
        Appointment(
            date=date(2026, 3, 18),
            time=time(9, 30),
            provider="Dr. Priya Nair",
            specialty="Cardiology",
            location="Riverside Medical Center",
        ),
    ],
    active_prescriptions=[
        Prescription(
            medication="Lisinopril",
            dosage="10 mg",
            frequency="Once daily",
            refills_remaining=2,
        ),
        Prescription(
            medication="Albuterol inhaler",
            dosage="90 mcg per puff",
            frequency="2 puffs every 4–6 hours as needed",
            refills_remaining=1,
        ),
    ],
).model_dump(mode="json")

GENERIC = GenericPersona(
    name="Casey Morgan",
    customer_since=date(2019, 11, 3),
    account_value=3456.78,
    recent_activity_count=12,
    loyalty_points=23456,
    status="Gold",
).model_dump(mode="json")

PERSONAS = {
    "banking": BANKING,
    "insurance": INSURANCE,
    "healthcare": HEALTHCARE,
    "generic": GENERIC,
}


def reply(kind: str, question: str) -> str:
    return offline.reply_text(
        question=question, persona_kind=kind, persona=PERSONAS[kind]
    )


Expected = Callable[[dict], list[str]]

CASES: list[tuple[str, str, Expected]] = [
    # Banking.
    (
        "banking",
        "What's my checking balance?",
        lambda p: [money(p["checking_balance"])],
    ),
    ("banking", "How much is in my savings?", lambda p: [money(p["savings_balance"])]),
    (
        "banking",
        "What's my balance?",
        lambda p: [money(p["checking_balance"]), money(p["savings_balance"])],
    ),
    ("banking", "What is my credit score?", lambda p: [str(p["credit_score"])]),
    ("banking", "what's my CREDIT LIMIT", lambda p: [money(p["credit_limit"])]),
    (
        "banking",
        "Show me my recent transactions",
        lambda p: ["Shell", money(-52.75), long_date("2026-03-05"), "Whole Foods"],
    ),
    (
        "banking",
        "How much did I spend on groceries?",
        lambda p: [money(84.2 + 47.25), "2 transactions", long_date("2026-03-02")],
    ),
    ("banking", "What did I spend on gas?", lambda p: [money(52.75), "Shell"]),
    ("banking", "When did I last get paid?", lambda p: ["received", money(3120.4)]),
    ("banking", "How much goes on subscriptions?", lambda p: [money(15.49)]),
    ("banking", "What's my account number?", lambda p: ["0427"]),
    ("banking", "Any transfers to savings?", lambda p: ["any transfers out"]),
    # Insurance.
    (
        "insurance",
        "What policies do I have?",
        lambda p: ["2 active policies", "AU-1234567", "HO-7654321"],
    ),
    ("insurance", "How much coverage do I have?", lambda p: [money(750000)]),
    ("insurance", "What's my home coverage?", lambda p: [money(500000)]),
    ("insurance", "What is my monthly premium?", lambda p: [money(240.4)]),
    ("insurance", "What's the premium on my car?", lambda p: [money(142.3)]),
    ("insurance", "What is my auto deductible?", lambda p: [money(500)]),
    (
        "insurance",
        "What are my deductibles?",
        lambda p: [f"Auto {money(500)}", f"Home {money(1000)}"],
    ),
    (
        "insurance",
        "What's the status of my claim?",
        lambda p: ["CLM-2026-000481", "Pending", money(2450), long_date("2026-02-10")],
    ),
    ("insurance", "Any home claims?", lambda p: ["1 claim", "Paid", money(8200.5)]),
    (
        "insurance",
        "When does my auto policy renew?",
        lambda p: ["AU-1234567", long_date("2026-09-14")],
    ),
    ("insurance", "When is my next renewal?", lambda p: [long_date("2026-05-02")]),
    ("insurance", "Do I have life insurance?", lambda p: ["don't have an active Life"]),
    # Healthcare.
    (
        "healthcare",
        "When is my next appointment?",
        lambda p: [
            "Dr. Priya Nair",
            "Cardiology",
            long_date("2026-03-18"),
            clock_time("09:30:00"),
        ],
    ),
    (
        "healthcare",
        "What prescriptions am I on?",
        lambda p: ["Lisinopril", "Albuterol"],
    ),
    (
        "healthcare",
        "How many refills are left on my lisinopril?",
        lambda p: ["Lisinopril 10 mg", "2 refills"],
    ),
    ("healthcare", "Can I refill my albuterol?", lambda p: ["1 refill left"]),
    (
        "healthcare",
        "How much of my deductible have I met?",
        lambda p: [money(850), money(2000), money(1150)],
    ),
    (
        "healthcare",
        "How close am I to my out-of-pocket max?",
        lambda p: [money(1320.75), money(6500), money(6500 - 1320.75)],
    ),
    ("healthcare", "Who is my primary care doctor?", lambda p: ["Dr. Lena Park"]),
    ("healthcare", "What plan am I on?", lambda p: ["Summit Care PPO Gold"]),
    ("healthcare", "What's my member ID?", lambda p: ["KPX004512377"]),
    # Generic.
    ("generic", "How many loyalty points do I have?", lambda p: ["23,456"]),
    ("generic", "What's my status?", lambda p: ["Gold"]),
    ("generic", "What is my account worth?", lambda p: [money(3456.78)]),
    ("generic", "Any recent activity?", lambda p: ["12 activities"]),
    # Small talk, any kind.
    ("banking", "Hello!", lambda p: ["Hi Jordan!"]),
    ("healthcare", "good morning", lambda p: ["Hi Sam!"]),
    ("insurance", "Thanks so much", lambda p: ["You're welcome, Avery!"]),
    ("generic", "thank you!", lambda p: ["You're welcome, Casey!"]),
]


@pytest.mark.parametrize("kind, question, expected", CASES)
def test_reply_text_states_the_persona_figure(kind, question, expected):
    text = reply(kind, question)
    for fragment in expected(PERSONAS[kind]):
        assert fragment in text, f"{fragment!r} not in {text!r}"


@pytest.mark.parametrize("kind", ["banking", "insurance", "healthcare", "generic"])
def test_reply_text_says_it_does_not_have_that_and_what_it_can_answer(kind):
    text = reply(kind, "What's the weather like on Mars?")
    assert text.startswith(offline.UNKNOWN)
    assert f'"{kind_get(kind).examples[0]}"' in text
    assert not any(character.isdigit() for character in text), text


def test_reply_text_offers_only_examples_with_something_to_say():
    """A customer with nothing booked is not offered "When is my next appointment?"."""
    persona = generate_persona("appointments", 1, as_of=date(2026, 3, 1))
    assert persona["upcoming_bookings"] == []
    text = offline.reply_text(
        question="Do you sell gift cards?", persona_kind="appointments", persona=persona
    )
    assert text == (
        f'{offline.UNKNOWN} I can answer questions like "Do I owe anything?" or '
        '"What were my last visits?"'
    )


def test_reply_text_greeting_says_what_it_can_answer():
    assert "credit score" in reply("banking", "Hi there")


def test_reply_text_question_beats_greeting():
    assert money(BANKING["credit_limit"]) in reply("banking", "Hi, what's my limit?")


def test_reply_text_matches_whole_words_only():
    """'this' holds 'hi' and 'scored' holds 'score', yet neither should match."""
    text = reply("banking", "Is this scored?")
    assert text.startswith(offline.UNKNOWN)


def test_reply_text_empty_lists():
    persona = {**INSURANCE, "claims_history": []}
    text = offline.reply_text(
        question="my claims", persona_kind="insurance", persona=persona
    )
    assert text == "You have no claims on file."


def test_reply_text_persona_of_another_kind():
    text = offline.reply_text(
        question="What's my balance?", persona_kind="banking", persona=GENERIC
    )
    assert text == offline.UNAVAILABLE


@pytest.mark.parametrize(
    ("locale", "balance"), [("de_DE", "10.298,98\xa0€"), ("ja_JP", "￥1,716,496")]
)
def test_reply_text_states_figures_in_the_customer_currency(locale, balance):
    persona = generate_persona("banking", 42, as_of=date(2026, 1, 31), locale=locale)

    text = offline.reply_text(
        question="What's my checking balance?", persona_kind="banking", persona=persona
    )

    assert text == f"Your checking balance is {balance}."


def test_reply_text_unknown_kind_talks_like_a_generic_business():
    text = offline.reply_text(
        question="What's my balance?", persona_kind="mortgage", persona=GENERIC
    )
    assert text.startswith(offline.UNKNOWN)
    assert f'"{kind_get("generic").examples[0]}"' in text


@pytest.fixture
def florist():
    """A throwaway kind: generic customers with answers and topics of its own."""
    kind = dataclasses.replace(
        kind_get("generic"),
        name="florist",
        answers=((words(r"bouquets?"), says("{} has a bouquet on order.", "name")),),
        topics="your bouquets",
        example="Where is my bouquet?",
        examples=(),
    )
    kind_register(kind)
    yield kind
    kind_unregister(kind.name)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("my bouquet?", "Casey Morgan has a bouquet on order."),
        ("Hi", "Hi Casey! I can help with your bouquets. What would you like to know?"),
        (
            "What are my points?",
            f'{offline.UNKNOWN} I can answer questions like "Where is my bouquet?"',
        ),
    ],
)
def test_reply_text_reads_the_kind_from_the_registry(florist, question, expected):
    text = offline.reply_text(
        question=question, persona_kind="florist", persona=GENERIC
    )
    assert text == expected


def test_reply_text_is_deterministic():
    assert reply("insurance", "my claims") == reply("insurance", "my claims")


@pytest.mark.parametrize("seed", range(8))
def test_reply_text_answers_generated_personas(seed):
    """Every question of the table also works on whatever the generator makes."""
    for kind, question, _ in CASES:
        persona = generate_persona(kind, seed, as_of=date(2026, 3, 1))
        text = offline.reply_text(question=question, persona_kind=kind, persona=persona)
        assert text not in ("", offline.UNAVAILABLE), question
        assert "{" not in text and "None" not in text, text


async def test_reply_stream_answers_last_user_message_in_pieces():
    messages = [
        {"role": "system", "content": "You are a bank. What is my credit limit?"},
        {"role": "user", "content": "What's my credit score?"},
        {"role": "assistant", "content": "It is 742."},
        {"role": "user", "content": "And my checking balance?"},
    ]
    stream = offline.OfflineBackend().reply_stream(
        llm.ReplyRequest(messages=messages, persona_kind="banking", persona=BANKING)
    )
    pieces = [piece async for piece in stream]
    assert "".join(pieces) == "Your checking balance is $4,210.55."
    assert pieces == ["Your checking balance ", "is $4,210.55."]


async def offline_reply(text: str) -> str:
    request = llm.ReplyRequest(
        messages=[{"role": "user", "content": text}],
        persona_kind="banking",
        persona=BANKING,
    )
    stream = offline.OfflineBackend().reply_stream(request)
    return "".join([piece async for piece in stream if isinstance(piece, str)])


async def test_reply_stream_reads_only_the_head_of_a_long_message():
    """Past QUESTION_READ_CHARS a message is not read, so its length costs nothing."""
    padding = "la " * (llm.QUESTION_READ_CHARS // 3)
    assert "$4,210.55" in await offline_reply("What's my checking balance? " + padding)
    late = await offline_reply(padding + "What's my checking balance?")
    assert late.startswith(offline.UNKNOWN) and "$4,210.55" not in late


def test_respelt_leaves_a_word_longer_than_any_known_word():
    kind = kind_get("banking")
    word = "b" + "a" * 5000
    assert asks.respelt(f"my {word} please", kind.answers) == f"my {word} please"
    assert asks.respelt("my cheking", kind.answers) == "my checking"


async def test_reply_stream_lets_other_tasks_run_between_pieces():
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    seen = [ticks async for _ in llm.text_pieces("one two three four five six")]
    ticker.cancel()
    assert seen[0] < seen[1]


async def test_llm_reply_stream_uses_offline_model_by_default():
    assert llm.backend_info().backend == "offline"
    stream = llm.reply_stream(
        llm.ReplyRequest(
            messages=[{"role": "user", "content": "What's my status?"}],
            persona_kind="generic",
            persona=GENERIC,
        )
    )
    assert "".join([piece async for piece in stream]) == "Your status is Gold."


def follow_up(kind: str, question: str, *earlier: str) -> str:
    return offline.reply_text(
        question=question, persona_kind=kind, persona=PERSONAS[kind], earlier=earlier
    )


def test_reply_text_answers_every_ask_in_the_order_asked():
    text = reply(
        "insurance", "When does my auto policy renew and what's my deductible?"
    )
    assert text == (
        f"Your Auto policy (AU-1234567) renews on {long_date('2026-09-14')}. "
        f"Your Auto deductible is {money(500)}."
    )


def test_reply_text_answers_at_most_three_asks():
    text = reply("banking", "my limit, my score, my savings and my checking")
    assert text.count(". ") == offline.MAX_ASKS - 1
    assert money(BANKING["checking_balance"]) not in text


@pytest.mark.parametrize(
    ("kind", "earlier", "question", "expected"),
    [
        ("banking", ["What's my checking balance?"], "and my savings?", "$18,250.00"),
        ("insurance", ["What's my auto deductible?"], "what about home?", "$1,000.00"),
        ("insurance", ["What's my auto deductible?"], "and the premium?", "$142.30"),
        (
            "banking",
            ["Show me my recent transactions"],
            "the second one?",
            "Whole Foods",
        ),
        ("healthcare", ["What am I taking?"], "the second one", "Albuterol"),
    ],
)
def test_reply_text_follows_up_on_the_conversation(kind, earlier, question, expected):
    assert expected in follow_up(kind, question, *earlier)


def test_reply_text_follow_up_that_changes_nothing_is_not_about_the_topic():
    text = follow_up("banking", "and the weather?", "What's my checking balance?")
    assert text.startswith(offline.UNKNOWN)


def test_reply_text_says_what_it_can_do_when_asked():
    assert "credit score" in reply("banking", "What can you do?")


async def test_reply_stream_follows_up_on_the_history():
    messages = [
        {"role": "system", "content": "You are a bank."},
        {"role": "user", "content": "How much did I spend on groceries?"},
        {"role": "assistant", "content": "You spent $131.45 on groceries."},
        {"role": "user", "content": "what about gas?"},
    ]
    stream = offline.OfflineBackend().reply_stream(
        llm.ReplyRequest(messages=messages, persona_kind="banking", persona=BANKING)
    )
    text = "".join([piece async for piece in stream])
    assert text.startswith(f"You spent {money(52.75)} on fuel")
