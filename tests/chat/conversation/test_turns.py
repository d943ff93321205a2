"""The work behind the consumer's handlers, called directly."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.conversation.turns import turn_messages, turn_prepare
from chat.conversation.visits import Customer, visit_start
from chat.models import Message, Mode


class FakeSession(dict):
    """A session with no key, as a socket without a cookie has."""

    session_key = None


@pytest.fixture
def visit(db):
    customer = Customer(seed=7, as_of=timezone.localdate())
    mode = Mode.objects.get(slug="banking")
    return visit_start(FakeSession(), mode=mode, customer=customer)


def mode_queries(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if 'FROM "chat_mode"' in q["sql"]
    ]


def test_turn_prepare_reads_the_modes_only_for_a_trigger(visit):
    with CaptureQueriesContext(connection) as ordinary:
        turn_prepare(visit, "What's my checking balance?")
    with CaptureQueriesContext(connection) as trigger:
        turn = turn_prepare(visit, "Presto-Change-O, you're an insurer")
    assert turn.switch_to.slug == "insurance"
    assert mode_queries(ordinary) == []
    assert len(mode_queries(trigger)) == 1


def test_turn_prepare_stores_the_message_before_deciding(visit):
    turn = turn_prepare(visit, "Presto-Change-O, you're a bakery")
    assert (
        "bakery" in turn.canned_reply
        and "Guardian Shield Insurance" in turn.canned_reply
    )
    stored = Message.objects.filter(conversation=visit.conversation, role="user")
    assert [m.content for m in stored] == ["Presto-Change-O, you're a bakery"]


def test_turn_prepare_sends_system_prompt_history_and_the_new_message(visit):
    turn_prepare(visit, "first")
    turn = turn_prepare(visit, "second")
    messages = turn_messages(visit, turn)
    roles = [m["role"] for m in messages]
    assert roles == ["system", "user", "user"]
    assert messages[-1]["content"] == "second"
    assert turn.prompt_version.is_active
