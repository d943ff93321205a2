"""How the offline model reads a message: its asks, and what a follow-up leans on."""

import pytest

from chat.llm.asks import asks_of, clauses, leans_on_context, respelt, topic_of
from personas import kind_get

BANKING = kind_get("banking").answers
INSURANCE = kind_get("insurance").answers


def intent_names(text: str, intents=BANKING) -> list[str]:
    """Each ask's answer, named by the first intent pattern it belongs to."""
    patterns = {answer: pattern.pattern for pattern, answer in intents}
    return [patterns[ask.answer] for ask in asks_of(text, intents)]


def test_clauses_cut_at_every_place_an_ask_may_end():
    assert clauses("Balance? And my limit, also my score; plus savings") == [
        "Balance",
        "my limit",
        "my score",
        "savings",
    ]


def test_asks_of_answers_each_ask_in_the_order_asked():
    names = intent_names("what's my credit limit and what's my checking balance?")
    assert names == [BANKING[0][0].pattern, BANKING[4][0].pattern]


def test_asks_of_keeps_a_phrase_whose_parts_ask_nothing_apart():
    """'bread and butter': 'butter' asks nothing, so it stays with its clause."""
    asks = asks_of("What did I spend on bread and butter?", BANKING)
    assert [ask.words for ask in asks] == ["What did I spend on bread butter"]


def test_asks_of_gives_a_leaning_clause_the_ask_before():
    asks = asks_of(
        "When does my auto policy renew and what's my deductible?", INSURANCE
    )
    assert asks[1].words == "what's my deductible When does my auto policy renew"


def test_asks_of_leaves_a_clause_that_stands_alone():
    asks = asks_of(
        "What's my auto deductible and how many claims do I have?", INSURANCE
    )
    assert asks[1].words == "how many claims do I have"


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        ("and my savings?", True),
        ("What about home?", True),
        ("the second one?", True),
        ("when is it due?", True),
        ("savings?", True),
        ("How much did I spend on groceries last month?", False),
        ("Can I get a home loan from you?", False),
    ],
)
def test_leans_on_context(text, leans):
    assert leans_on_context(text) is leans


def test_topic_of_reaches_back_over_follow_ups_to_a_question_that_stands_alone():
    earlier = ["What's my credit score?", "What's my auto deductible?", "and home?"]
    topic = topic_of(earlier, INSURANCE)
    assert topic is not None
    assert topic.words == "and home? What's my auto deductible"


def test_topic_of_nothing_asked_yet():
    assert topic_of(["hello", "what's the weather?"], BANKING) is None


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("whats my credit scroe", "whats my credit score"),
        ("my savigns", "my savings"),
        ("my chekcing balance", "my checking balance"),
        ("order me a taxi", "order me a taxi"),  # "orders" is another form, no slip
        ("the weather tomorrow", "the weather tomorrow"),
    ],
)
def test_respelt_fixes_one_slip_from_an_intent_word(typed, read):
    assert respelt(typed, BANKING) == read
