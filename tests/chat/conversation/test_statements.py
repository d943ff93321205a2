"""The turn's statements made once store the rows the ORM's `save()` stores."""

from datetime import date

import pytest
from django.forms.models import model_to_dict

from chat.conversation.statements import row_update, rows_insert
from chat.models import Conversation, Message, Mode

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation() -> Conversation:
    mode = Mode.objects.get(slug="banking")
    return Conversation.objects.create(
        mode=mode,
        seed=7,
        as_of=date(2026, 1, 31),
        persona_kind=mode.persona_kind,
        persona={},
    )


def stored(message: Message) -> dict:
    """The row as read back, less what differs between any two rows."""
    row = model_to_dict(Message.objects.get(pk=message.pk))
    del row["id"]
    return row


def reply(conversation: Conversation, **fields) -> Message:
    return Message(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        status=Message.Status.STREAMING,
        prompt_version=conversation.mode.prompts.get(is_active=True),
        backend="openai",
        model="gpt-4o-mini",
        **fields,
    )


def test_rows_insert_stores_what_save_stores(conversation):
    saved = reply(conversation, content="héllo 🐶", tool_calls=[{"tool": "x"}])
    saved.save()
    inserted = reply(conversation, content="héllo 🐶", tool_calls=[{"tool": "x"}])
    rows_insert([inserted])
    assert inserted.pk > saved.pk
    assert not inserted._state.adding
    assert stored(inserted) == stored(saved)
    row = Message.objects.get(pk=inserted.pk)
    assert row.created == inserted.created and row.updated == inserted.updated
    assert row.tool_calls == [{"tool": "x"}]


def test_rows_insert_gives_each_row_its_own_pk_in_order(conversation):
    rows = [
        Message(conversation=conversation, role="user", content=f"message {n}")
        for n in range(3)
    ]
    rows_insert(rows)
    assert [row.pk for row in rows] == sorted({row.pk for row in rows})
    assert [message.content for message in conversation.messages.order_by("pk")] == [
        "message 0",
        "message 1",
        "message 2",
    ]


def test_row_update_writes_only_its_fields_and_moves_updated(conversation):
    message = reply(conversation, content="so far")
    rows_insert([message])
    before = Message.objects.get(pk=message.pk)
    message.content = "all of it"
    message.status = Message.Status.COMPLETE
    message.model = "not written"
    row_update(message, ("content", "status", "updated"))
    after = Message.objects.get(pk=message.pk)
    assert (after.content, after.status, after.model) == (
        "all of it",
        "complete",
        "gpt-4o-mini",
    )
    assert after.updated > before.updated
    assert after.created == before.created
