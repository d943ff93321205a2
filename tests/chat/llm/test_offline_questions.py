"""The offline model measured on the question table: the share of visitor questions
answered with every expected fact (tests/data/offline_questions.toml)."""

import re

from bench.questions import Question, questions_load
from chat.llm import offline
from personas import kind_names
from tests.support.facts import fact_texts

QUESTIONS = questions_load()
SHARE_NEEDED = 0.95


def conversation_reply(question: Question, persona: dict) -> str:
    """The reply to the row's ask after its earlier messages, each answered in turn."""
    earlier: list[str] = []
    for message in question.before:
        offline.reply_text(
            question=message,
            persona_kind=question.kind,
            persona=persona,
            earlier=earlier,
        )
        earlier.append(message)
    return offline.reply_text(
        question=question.ask,
        persona_kind=question.kind,
        persona=persona,
        earlier=earlier,
    )


def question_missing(question: Question) -> list[str]:
    """What the reply lacks: expected facts, or for an unknown the honest words (and
    no figure at all)."""
    persona = question.persona()
    reply = conversation_reply(question, persona)
    if question.unknown:
        honest = reply.startswith(offline.UNKNOWN) and not re.search(r"\d", reply)
        return [] if honest else [f"{offline.UNKNOWN!r} with no figure"]
    wanted = [text for fact in question.facts for text in fact_texts(fact, persona)]
    return [text for text in wanted if text not in reply]


def test_offline_questions_cover_every_kind():
    assert len(QUESTIONS) >= 150
    assert {q.kind for q in QUESTIONS} == set(kind_names())
    assert all(q.facts or q.unknown for q in QUESTIONS)


def test_offline_questions_each_fact_reads_the_persona():
    """A fact the table cannot read is the table's mistake, not a miss."""
    for question in QUESTIONS:
        persona = question.persona()
        for fact in question.facts:
            assert fact_texts(fact, persona), (question.ask, fact)


def test_offline_questions_answered_with_every_fact(capsys):
    misses = []
    for question in QUESTIONS:
        missing = question_missing(question)
        if missing:
            misses.append((question, missing))
    share = 1 - len(misses) / len(QUESTIONS)
    with capsys.disabled():
        print(f"\noffline questions answered in full: {share:.1%} of {len(QUESTIONS)}")
        for question, missing in misses:
            persona = question.persona()
            reply = conversation_reply(question, persona)
            print(f"  MISS [{question.kind}] {question.ask!r}: lacks {missing}")
            print(f"       reply: {reply}")
    assert share >= SHARE_NEEDED
