"""The hot path's shortcuts keep what a turn must see: the active prompt kept in the
process and the history read through its compiled SQL equal what the database holds,
across tabs and processes, and a store that fails is never acknowledged to the
page."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import DatabaseError

from chat import selectors
from chat.broadcast import mode_group_name, mode_updated_event
from chat.conversation import transcripts
from chat.models import Conversation, Message, Mode, PromptTemplate
from tests.chat.socket import (
    REJOIN_SECONDS,
    idle_modes_left,
    reply_collect,
    send,
    session_create,
    socket_open,
)
from tests.support import prompts

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def chat(communicator, text: str) -> list[dict]:
    await send(communicator, "chat", text=text)
    return await reply_collect(communicator)


@database_sync_to_async
def history_both(conversation_id: int) -> tuple[list[dict], list[dict]]:
    """The history as a turn reads it, and as the ORM's query reads it."""
    conversation = Conversation.objects.get(pk=conversation_id)
    read = transcripts.conversation_history(conversation=conversation, turns=3)
    rows = transcripts._history_rows(conversation.pk, turns=3)
    queried = [{"role": role, "content": content} for role, content in reversed(rows)]
    return read, queried


@database_sync_to_async
def message_written_elsewhere(conversation_id: int, text: str) -> None:
    """A visitor message from a tab another process serves: no signal here."""
    Message.objects.bulk_create(
        [Message(conversation_id=conversation_id, role="user", content=text)]
    )


@database_sync_to_async
def version_written_elsewhere(slug: str) -> PromptTemplate:
    return prompts.version_written_elsewhere(Mode.objects.get(slug=slug))


@database_sync_to_async
def reply_version(message_id: int) -> int | None:
    return Message.objects.get(pk=message_id).prompt_version.version


async def a_new_visitor_is_answered_with(version: PromptTemplate) -> None:
    """A new visitor's first reply records `version`."""
    communicator, _ = await socket_open(await session_create())
    reply = await chat(communicator, "hi")
    assert await reply_version(reply[-1]["payload"]["message_id"]) == version.version
    await communicator.disconnect()


async def test_history_read_equals_the_orms_query_across_two_tabs(settings):
    settings.CHAT_HISTORY_TURNS = 3
    session = await session_create()
    first, opened = await socket_open(session)
    second, resumed = await socket_open(session)
    assert resumed["conversation_id"] == opened["conversation_id"]
    for index in range(4):
        for tab in (first, second):
            assert (await chat(tab, f"question {index}"))[-1]["type"] == "chat_end"
    read, queried = await history_both(opened["conversation_id"])
    assert read == queried
    assert [row["content"] for row in read if row["role"] == "user"] == [
        "question 2",
        "question 3",
        "question 3",
    ]
    await first.disconnect()
    await second.disconnect()


async def test_history_holds_a_message_another_process_wrote(openai_backend):
    communicator, opened = await socket_open(await session_create())
    await chat(communicator, "hello")
    await message_written_elsewhere(opened["conversation_id"], "from the other tab")
    await chat(communicator, "and now?")
    history = openai_backend.chat_requests[-1]["messages"][1:]
    assert [(m["role"], m["content"]) for m in history] == [
        ("user", "hello"),
        ("assistant", openai_backend.behaviour.reply),
        ("user", "from the other tab"),
        ("user", "and now?"),
    ]
    await communicator.disconnect()


async def test_history_leaves_out_a_failed_reply(openai_backend):
    communicator, opened = await socket_open(await session_create())
    await chat(communicator, "hello")
    openai_backend.behaviour.status = 400
    assert (await chat(communicator, "fails"))[-1]["type"] == "error"
    read, queried = await history_both(opened["conversation_id"])
    assert read == queried
    assert [row["role"] for row in read] == ["user", "assistant", "user"]
    await communicator.disconnect()


async def test_a_save_elsewhere_reaches_the_next_turn_by_the_group_message():
    communicator, opened = await socket_open(await session_create())
    slug = opened["mode"]["slug"]
    before = await chat(communicator, "hi")
    version = await version_written_elsewhere(slug)
    stale = await chat(communicator, "hi")
    # Nothing in this process heard of the save yet: the kept version answers.
    assert await reply_version(stale[-1]["payload"]["message_id"]) == (
        await reply_version(before[-1]["payload"]["message_id"])
    )
    mode = await database_sync_to_async(Mode.objects.get)(slug=slug)
    await get_channel_layer().group_send(
        mode_group_name(mode.pk), mode_updated_event(mode)
    )
    assert (await communicator.receive_json_from(timeout=5))["type"] == "mode_updated"
    fresh = await chat(communicator, "hi")
    assert await reply_version(fresh[-1]["payload"]["message_id"]) == version.version
    await communicator.disconnect()


async def test_a_reply_whose_final_store_fails_is_never_acknowledged(monkeypatch):
    finish = transcripts.reply_finish

    def reply_finish_failing(*, status, **fields):
        if status == Message.Status.COMPLETE:
            raise DatabaseError("disk I/O error")
        return finish(status=status, **fields)

    monkeypatch.setattr(transcripts, "reply_finish", reply_finish_failing)
    communicator, _ = await socket_open(await session_create())
    frames = await chat(communicator, "What's my checking balance?")
    types = [frame["type"] for frame in frames]
    assert "chat_end" not in types and types[-1] == "error"
    assert frames[-1]["payload"]["code"] == "server_error"
    row = await database_sync_to_async(Message.objects.get)(
        pk=frames[-1]["payload"]["message_id"]
    )
    assert row.status == Message.Status.FAILED
    await communicator.disconnect()


async def test_a_save_heard_after_the_modes_last_socket_left_reaches_the_next():
    first, opened = await socket_open(await session_create())
    slug = opened["mode"]["slug"]
    await chat(first, "hi")
    await first.disconnect()  # the mode's last socket here: its group is kept a while
    mode = await database_sync_to_async(Mode.objects.get)(slug=slug)
    assert selectors.mode_watched(mode.pk)
    version = await version_written_elsewhere(slug)
    await get_channel_layer().group_send(
        mode_group_name(mode.pk), mode_updated_event(mode)
    )
    read = database_sync_to_async(selectors.prompt_active_cached)
    for _ in range(50):  # until the listener has forgotten the old version
        if (await read(mode)) == version:
            break
        await asyncio.sleep(0.1)
    await a_new_visitor_is_answered_with(version)


async def test_a_save_no_socket_here_heard_reaches_the_next_socket(settings):
    settings.CHAT_GROUP_REJOIN_SECONDS = REJOIN_SECONDS
    first, opened = await socket_open(await session_create())
    slug = opened["mode"]["slug"]
    await chat(first, "hi")
    mode = await database_sync_to_async(Mode.objects.get)(slug=slug)
    await first.disconnect()
    await idle_modes_left()  # the group is left: nothing hears the mode's saves
    assert not selectors.mode_watched(mode.pk)
    version = await version_written_elsewhere(slug)
    await a_new_visitor_is_answered_with(version)


async def test_a_socket_watches_the_mode_it_shows_until_a_while_after(settings):
    settings.CHAT_GROUP_REJOIN_SECONDS = REJOIN_SECONDS
    communicator, opened = await socket_open(await session_create())
    banking = await database_sync_to_async(Mode.objects.get)(slug="banking")
    insurance = await database_sync_to_async(Mode.objects.get)(slug="insurance")
    assert opened["mode"]["slug"] == "banking"
    await send(communicator, "chat", text="Presto-Change-O, you're an insurer")
    await reply_collect(communicator)  # mode_switch, then the greeting
    assert selectors.mode_watched(insurance.pk)
    await idle_modes_left()
    assert not selectors.mode_watched(banking.pk)
    await send(communicator, "clear")
    await reply_collect(communicator)
    assert selectors.mode_watched(insurance.pk)
    await communicator.disconnect()
    await idle_modes_left()
    assert not selectors.mode_watched(insurance.pk)


async def test_a_socket_whose_group_join_failed_is_no_watcher(monkeypatch):
    layer = get_channel_layer()  # the one the process's listener uses

    async def layer_down(group, channel):
        raise OSError("the channel layer is down")

    monkeypatch.setattr(layer, "group_add", layer_down)
    first, opened = await socket_open(await session_create())
    slug = opened["mode"]["slug"]
    mode = await database_sync_to_async(Mode.objects.get)(slug=slug)
    assert not selectors.mode_watched(mode.pk)  # it hears no save
    monkeypatch.undo()
    await chat(first, "hi")
    version = await version_written_elsewhere(slug)
    await a_new_visitor_is_answered_with(version)
    await first.disconnect()


async def test_a_missed_save_reaches_the_next_turn_within_the_rejoin_interval(
    settings,
):
    settings.CHAT_GROUP_REJOIN_SECONDS = 0.2
    communicator, opened = await socket_open(await session_create())
    await chat(communicator, "hi")
    version = await version_written_elsewhere(opened["mode"]["slug"])  # unheard
    await asyncio.sleep(0.3)
    reply = await chat(communicator, "hi")
    assert await reply_version(reply[-1]["payload"]["message_id"]) == version.version
    await communicator.disconnect()


async def test_a_save_reaches_the_system_prompt_the_model_is_sent(openai_backend):
    communicator, opened = await socket_open(await session_create())
    slug = opened["mode"]["slug"]
    await chat(communicator, "hi")
    await version_written_elsewhere(slug)
    mode = await database_sync_to_async(Mode.objects.get)(slug=slug)
    await get_channel_layer().group_send(
        mode_group_name(mode.pk), mode_updated_event(mode)
    )
    assert (await communicator.receive_json_from(timeout=5))["type"] == "mode_updated"
    await chat(communicator, "hi")
    system = openai_backend.chat_requests[-1]["messages"][0]["content"]
    assert system.rstrip().endswith("Be brief.")
    await communicator.disconnect()


async def test_an_idle_socket_keeps_two_tasks():
    """Its own (the application's) and the gate's reader: the consumer reads its
    inbox itself, with no task of Channels' waiting on it besides."""
    first, _ = await socket_open(await session_create())  # the listener is running
    before = asyncio.all_tasks()
    second, _ = await socket_open(await session_create())
    assert len(asyncio.all_tasks() - before) == 2
    for text in ("hi", "what is my balance?"):
        assert (await chat(second, text))[-1]["type"] == "chat_end"
    assert len(asyncio.all_tasks() - before) == 2
    for communicator in (first, second):
        await communicator.disconnect()
