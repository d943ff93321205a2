"""Every kind's default help articles, and the offline model's how-to answers."""

import re
from datetime import date

import pytest

from personas import generate_persona, kind_get, kinds
from personas.articles import Article, how_to_answer, record_named_or_only
from personas.formatting import Reader, long_date, money, written_for

AS_OF = date(2026, 1, 15)
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
CLAIM = Article(title="File a claim", body="Call us.", keywords=("claim", "accident"))


def answer(question: str, articles, kind_name: str, persona: dict) -> str | None:
    with written_for(Reader.of(persona)):
        return how_to_answer(question, articles, persona, kind_get(kind_name))


@pytest.mark.parametrize("kind", kinds(), ids=lambda kind: kind.name)
def test_every_kind_has_a_few_plain_default_articles(kind):
    articles = kind.help_articles

    assert 3 <= len(articles) <= 5
    assert len({article.title.casefold() for article in articles}) == len(articles)
    for article in articles:
        assert 2 <= len(SENTENCE_END.findall(article.body)) <= 4, article.title
        assert article.keywords, article.title
        assert "\n" not in article.body


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("banking", "Report a lost or stolen card"),
        ("banking", "Dispute a charge"),
        ("banking", "Set up a transfer"),
        ("banking", "Update your address"),
        ("insurance", "File a claim"),
        ("insurance", "Add a driver or vehicle"),
        ("insurance", "Change your coverage"),
        ("insurance", "Update your address"),
        ("healthcare", "Refill a prescription"),
        ("healthcare", "Move an appointment"),
        ("healthcare", "Get a referral"),
        ("healthcare", "Update your address"),
        ("retail", "Return an item"),
        ("subscription", "Cancel your subscription"),
        ("subscription", "Pause your subscription"),
        ("travel", "Change a booking"),
        ("utilities", "Report an outage"),
        ("appointments", "Reschedule an appointment"),
        ("education", "Withdraw from a course"),
        ("generic", "Update your details"),
    ],
)
def test_the_defaults_cover_what_customers_ask_most(kind, title):
    assert title in [article.title for article in kind_get(kind).help_articles]


def insurance_customer(holds) -> dict:
    """The first customer whose policy types `holds` accepts."""
    for seed in range(100):
        persona = generate_persona("insurance", seed)
        if holds([policy["type"] for policy in persona["active_policies"]]):
            return persona
    raise AssertionError("No customer among the first 100 seeds fits.")


def test_how_to_answer_gives_the_claim_steps_on_the_policy_the_question_names():
    persona = insurance_customer(lambda types: "Auto" in types)
    auto = next(p for p in persona["active_policies"] if p["type"] == "Auto")
    claim = kind_get("insurance").help_articles[0]

    text = answer(
        "I was in a car accident yesterday, how do I file a claim?",
        (claim,),
        "insurance",
        persona,
    )

    assert text == (
        f"To file a claim on your Auto policy {auto['policy_number']}: {claim.body}"
    )


def test_how_to_answer_names_no_policy_the_customer_does_not_hold():
    persona = insurance_customer(lambda types: types == ["Home"])

    text = answer("how do I file a claim for my car?", (CLAIM,), "insurance", persona)

    assert text == "To file a claim: Call us."


@pytest.mark.parametrize(
    "question",
    [
        "What's the status of my claim?",
        "When does my auto policy renew?",
        "claim",
        "",
    ],
)
def test_how_to_answer_leaves_questions_of_fact_to_the_intents(question):
    persona = generate_persona("insurance", 1)

    assert answer(question, (CLAIM,), "insurance", persona) is None


def test_how_to_answer_needs_an_article():
    persona = generate_persona("insurance", 1)

    assert answer("How do I file a claim?", (), "insurance", persona) is None


@pytest.mark.parametrize(
    ("title", "opening"),
    [
        ("How to file a claim", "To file a claim"),
        ("How do I file a claim?", "To file a claim"),
        ("ID card replacement", "To ID card replacement"),
    ],
)
def test_how_to_answer_reads_a_staff_title_as_the_task(title, opening):
    article = Article(title=title, body="Call us.", keywords=("claim",))
    persona = generate_persona("generic", 1)

    text = answer("how can I do that?", (article,), "generic", persona)

    assert text == f"{opening}: Call us."


def test_how_to_answer_names_nothing_for_a_customer_of_another_shape():
    claim = kind_get("insurance").help_articles[0]
    banking_customer = generate_persona("banking", 1)

    text = answer("How do I file a claim?", (claim,), "insurance", banking_customer)

    assert text == f"To file a claim: {claim.body}"


def mention_of(kind: str, question: str, seed: int = 3) -> tuple[str, dict]:
    """The words between "To <task>" and the steps, for the kind's article that the
    question's words name."""
    persona = generate_persona(kind, seed, as_of=AS_OF)
    article = next(
        a
        for a in kind_get(kind).help_articles
        if any(keyword in question for keyword in a.keywords)
    )
    text = answer(question, (article,), kind, persona)
    task = article.title[0].lower() + article.title[1:]
    said = text.removeprefix(f"To {task}").removesuffix(f": {article.body}")
    return said, persona


def test_a_dispute_names_the_charge_the_question_does():
    persona = generate_persona("banking", 3, as_of=AS_OF)
    charge = next(t for t in persona["recent_transactions"] if t["amount"] < 0)
    word = next(w for w in charge["description"].split() if len(w) > 3)

    said, persona = mention_of("banking", f"how do I dispute the {word} charge?")

    with written_for(Reader.of(persona)):
        assert said.startswith(f" for {charge['description']}")
        assert money(-charge["amount"]) in said


@pytest.mark.parametrize(
    ("asked", "merchant"),
    [("my Disney+ charge", "Disney+"), ("the amazon one", "Amazon.com")],
)
def test_a_dispute_names_a_merchant_spelt_with_punctuation(asked, merchant):
    """Merchants named as visitors type them: without the "+" or the ".com"."""
    seed = next(
        seed
        for seed in range(100)
        if {"Disney+", "Amazon.com"}
        <= {
            t["description"]
            for t in generate_persona("banking", seed, as_of=AS_OF)[
                "recent_transactions"
            ]
            if t["amount"] < 0
        }
    )
    said, _ = mention_of("banking", f"how do I dispute {asked} charge?", seed)
    assert said.startswith(f" for {merchant} (")


def test_a_refill_names_the_prescription_the_question_does():
    persona = generate_persona("healthcare", 3, as_of=AS_OF)
    rx = persona["active_prescriptions"][0]

    said, _ = mention_of(
        "healthcare", f"how do I refill my {rx['medication'].lower()} prescription?"
    )

    assert said.startswith(f" for your {rx['medication']} {rx['dosage']}")


@pytest.mark.parametrize(
    ("kind", "question", "field"),
    [
        ("banking", "how do I report a lost card?", "account_number_last4"),
        ("retail", "how do I return something?", "orders"),
        ("subscription", "how do I cancel my subscription?", "plan_name"),
        ("travel", "how do I change my booking?", "upcoming_bookings"),
        ("utilities", "how do I report an outage?", "service_town"),
        ("education", "how can I get a transcript?", "student_id"),
        ("generic", "how do I redeem my points?", "loyalty_points"),
    ],
)
def test_each_kind_names_the_customers_own_record(kind, question, field):
    said, persona = mention_of(kind, question)

    value = persona[field]
    if isinstance(value, list):
        value = next(iter(value[0].values()))
    if isinstance(value, int):
        value = f"{value:,}"
    assert str(value) in said


def test_an_appointment_move_names_the_next_one():
    persona = generate_persona("healthcare", 3, as_of=AS_OF)
    soonest = min(
        persona["upcoming_appointments"], key=lambda a: (a["date"], a["time"])
    )

    said, _ = mention_of("healthcare", "how do I reschedule my appointment?")

    with written_for(Reader.of(persona)):
        assert soonest["provider"] in said
        assert long_date(soonest["date"]) in said


def test_record_named_or_only_picks_the_only_record_or_none_of_several():
    one, two = {"name": "Lisinopril"}, {"name": "Metformin"}

    assert record_named_or_only([one], ("name",), "a refill") is one
    assert record_named_or_only([one, two], ("name",), "a refill") is None
    assert record_named_or_only([one, two], ("name",), "my metformin") is two
