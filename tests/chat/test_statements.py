"""The hot path's statements made once store the rows the ORM's `save()` stores and
read what its querysets read."""

from datetime import date

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict

from chat.models import Conversation, Message, Mode, PromptTemplate
from chat.statements import (
    objects_select,
    row_update,
    rows_insert,
    rows_select,
)

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


def active_versions_of(mode_pk: int):
    return PromptTemplate.objects.filter(mode_id=mode_pk, is_active=True)


def test_objects_select_returns_what_the_queryset_returns(conversation):
    banking, insurance = (
        Mode.objects.get(slug="banking"),
        Mode.objects.get(slug="insurance"),
    )
    for mode in (banking, insurance, banking):
        (selected,) = objects_select(active_versions_of, mode.pk)
        (queried,) = active_versions_of(mode.pk)
        assert model_to_dict(selected) == model_to_dict(queried)
        assert (selected.pk, selected.created, selected.is_active) == (
            queried.pk,
            queried.created,
            True,
        )
        assert not selected._state.adding
    assert objects_select(active_versions_of, 10**9) == []


def history_of(conversation_pk: int):
    return Message.objects.filter(conversation_id=conversation_pk).values_list(
        "role", "created", "tool_calls"
    )


def test_rows_select_converts_values_as_the_queryset_does(conversation):
    rows_insert([reply(conversation, tool_calls=[{"tool": "x"}])])
    assert rows_select(history_of, conversation.pk) == list(history_of(conversation.pk))
    ((_, created, tool_calls),) = rows_select(history_of, conversation.pk)
    assert created.tzinfo is not None and tool_calls == [{"tool": "x"}]


def a_query_of_two_pks(mode_pk: int):
    return PromptTemplate.objects.filter(mode_id=mode_pk, pk__gt=mode_pk)


def test_a_query_of_more_than_one_pk_is_refused():
    with pytest.raises(ValueError, match="a query of one pk"):
        objects_select(a_query_of_two_pks, 1)


def modes_words():
    return Mode.objects.filter(is_active=True).only("slug", "name")


def test_objects_select_of_no_pk_defers_what_the_queryset_defers():
    selected = objects_select(modes_words)
    assert [(m.pk, m.slug, m.name) for m in selected] == [
        (m.pk, m.slug, m.name) for m in modes_words()
    ]
    assert selected[0].get_deferred_fields() == modes_words()[0].get_deferred_fields()
    assert "catalogue" in selected[0].get_deferred_fields()


def test_a_query_of_no_pk_must_not_hold_one():
    with pytest.raises(ValueError, match="a query of no pk"):
        objects_select(lambda: Mode.objects.filter(pk=-1))


@pytest.mark.parametrize("model", [Message, Conversation])
def test_nothing_listens_to_the_saves_the_statements_skip(model):
    assert not pre_save.has_listeners(model)
    assert not post_save.has_listeners(model)


@pytest.mark.parametrize(
    ("table", "key", "index"),
    [
        ("chat_message", "conversation_id", ["conversation_id", "created"]),
        ("chat_conversation", "mode_id", ["mode_id", "started"]),
    ],
)
def test_a_row_keeps_one_index_on_its_parent(table, key, index):
    """Each row written updates every index on its table: the parent's lookups,
    ordered reads and cascades (or protection) all use the one that leads with it."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    on_parent = [
        c["columns"]
        for c in constraints.values()
        if c["index"] and c["columns"][0] == key
    ]
    assert on_parent == [index]
