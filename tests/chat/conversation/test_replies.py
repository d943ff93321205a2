"""Every reply ends in a frame and a clean row: capped, saved as it streams, marked
when its process stops, and stored whatever the model sends."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import DatabaseError
from django.utils import timezone

from chat import llm
from chat.conversation import transcripts
from chat.conversation.frames import CloseCode
from chat.conversation.replies import Reply, ReplyProgress, tool_frame
from chat.dashboard.tools import ToolOutcome, tool_run
from chat.models import Conversation, Message, Mode
from personas import kind_get
from tests.chat.socket import (
    reply_collect,
    send,
    session_create,
    socket_communicator,
    socket_open,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LONG_REPLY = "word " * 2000


@database_sync_to_async
def reply_row(message_id: int) -> Message:
    return Message.objects.get(pk=message_id)


async def chat(communicator, text: str = "Tell me everything") -> list[dict]:
    await send(communicator, "chat", text=text)
    return await reply_collect(communicator)


@pytest.mark.parametrize(
    ("pieces", "text"),
    [
        (["a\ud83d", "\ude00b"], "a\U0001f600b"),  # a pair split across pieces
        (["a\ud83d", " b"], "a\ufffd b"),
        (["\ude00x"], "\ufffdx"),
        (["nul\x00"], "nul\ufffd"),
    ],
)
def test_reply_progress_joins_split_pairs_and_replaces_what_cannot_be_stored(
    pieces, text
):
    progress = ReplyProgress()
    sent = [progress.add(piece) for piece in pieces]
    assert progress.text == "".join(sent) == text
    assert progress.text.encode("utf-8")


def test_reply_progress_stops_at_the_character_cap(settings):
    settings.CHAT_REPLY_MAX_CHARS = 10
    progress = ReplyProgress()
    assert progress.add("12345678") == "12345678"
    assert progress.add("9abc") == "9a"
    assert progress.full and progress.finish_reason == "length"
    assert progress.text == "123456789a"


async def test_a_reply_past_the_character_cap_ends_stored_and_marked(
    settings, openai_backend
):
    settings.CHAT_REPLY_MAX_CHARS = 100
    openai_backend.behaviour.reply = LONG_REPLY
    communicator, _ = await socket_open(await session_create())
    end = (await chat(communicator))[-1]
    assert end["type"] == "chat_end"
    assert end["payload"]["finish_reason"] == "length"
    assert len(end["payload"]["text"]) == 100
    row = await reply_row(end["payload"]["message_id"])
    assert (row.status, row.finish_reason) == ("complete", "length")
    assert row.content == end["payload"]["text"]
    assert openai_backend.chat_requests[-1]["max_tokens"] == settings.OPENAI_MAX_TOKENS
    await communicator.disconnect()


async def test_an_endless_stream_ends_at_the_time_limit_stored_and_marked(
    settings, openai_backend
):
    settings.CHAT_REPLY_MAX_SECONDS = 2
    openai_backend.behaviour.reply = LONG_REPLY
    openai_backend.behaviour.chunk_delay = 0.02
    communicator, _ = await socket_open(await session_create())
    frames = await chat(communicator)
    end = frames[-1]
    assert end["type"] == "chat_end"
    assert end["payload"]["finish_reason"] == "time_limit"
    assert 0 < len(end["payload"]["text"]) < len(LONG_REPLY)
    row = await reply_row(end["payload"]["message_id"])
    assert (row.status, row.finish_reason) == ("complete", "time_limit")
    assert row.content == end["payload"]["text"]
    # The socket goes on: the next message gets its own reply.
    openai_backend.behaviour.chunk_delay = 0
    openai_backend.behaviour.reply = "Short."
    assert (await chat(communicator))[-1]["payload"]["text"] == "Short."
    await communicator.disconnect()


async def test_a_streaming_reply_is_saved_as_it_goes(settings, openai_backend):
    settings.CHAT_REPLY_SAVE_SECONDS = 0.1
    openai_backend.behaviour.reply = LONG_REPLY
    openai_backend.behaviour.chunk_delay = 0.02
    communicator, _ = await socket_open(await session_create())
    await send(communicator, "chat", text="Tell me everything")
    start = await communicator.receive_json_from(timeout=5)
    await asyncio.sleep(0.6)
    row = await reply_row(start["payload"]["message_id"])
    assert row.status == "streaming"
    assert row.content.startswith("word word")
    await communicator.disconnect()
    row = await reply_row(start["payload"]["message_id"])
    assert row.status == "interrupted"
    assert len(row.content) >= len("word word")


async def test_server_shutdown_marks_the_reply_and_closes_with_4012(openai_backend):
    """Daphne cancels every application on SIGTERM; the reply is stored first."""
    openai_backend.behaviour.reply = LONG_REPLY
    openai_backend.behaviour.chunk_delay = 0.02
    communicator, _ = await socket_open(await session_create())
    await send(communicator, "chat", text="Tell me everything")
    start = await communicator.receive_json_from(timeout=5)
    await communicator.receive_json_from(timeout=5)  # a chunk
    communicator.future.cancel()
    outputs = []
    while (output := await communicator.receive_output(timeout=5))["type"] != (
        "websocket.close"
    ):
        outputs.append(output)
    assert output["code"] == CloseCode.SERVER_RESTARTING
    row = await reply_row(start["payload"]["message_id"])
    assert row.status == "interrupted"
    assert row.content.startswith("word")


@database_sync_to_async
def streaming_rows(conversation_id: int, *ages_seconds: float) -> list[int]:
    """Replies left `streaming`, last saved `ages_seconds` ago."""
    ids = []
    for age in ages_seconds:
        message = Message.objects.create(
            conversation_id=conversation_id,
            role=Message.Role.ASSISTANT,
            status=Message.Status.STREAMING,
            content="Half a repl",
        )
        updated = timezone.now() - timedelta(seconds=age)
        Message.objects.filter(pk=message.pk).update(updated=updated)
        ids.append(message.pk)
    return ids


@database_sync_to_async
def statuses(ids: list[int]) -> list[str]:
    return [Message.objects.get(pk=pk).status for pk in ids]


async def test_stale_streaming_rows_are_interrupted_and_shown_on_resume(settings):
    settings.CHAT_REPLY_MAX_SECONDS = 60
    key = await session_create()
    communicator, session = await socket_open(key)
    await communicator.disconnect()
    stale, live = await streaming_rows(session["conversation_id"], 3600, 5)
    communicator, resumed = await socket_open(key)
    assert resumed["conversation_id"] == session["conversation_id"]
    shown = {m["id"]: m for m in resumed["messages"]}
    assert shown[stale]["status"] == "interrupted"
    assert shown[stale]["content"] == "Half a repl"
    assert live not in shown
    assert await statuses([stale, live]) == ["interrupted", "streaming"]
    await communicator.disconnect()


sweep_everywhere = database_sync_to_async(transcripts.replies_interrupt_stale)


async def test_the_start_up_sweep_interrupts_every_stale_row(settings):
    settings.CHAT_REPLY_MAX_SECONDS = 60
    communicator, session = await socket_open(await session_create())
    await communicator.disconnect()
    stale, live = await streaming_rows(session["conversation_id"], 3600, 5)
    assert await sweep_everywhere() == 1
    assert await statuses([stale, live]) == ["interrupted", "streaming"]


@pytest.mark.parametrize(
    "reply",
    ["lone \ud83d high", "\ude00 lone low", "nul \x00 inside"],
)
async def test_text_no_database_can_store_is_stored_replaced(openai_backend, reply):
    openai_backend.behaviour.reply = reply
    communicator, _ = await socket_open(await session_create())
    end = (await chat(communicator))[-1]
    assert end["type"] == "chat_end"
    row = await reply_row(end["payload"]["message_id"])
    assert row.status == "complete"
    assert "\ufffd" in row.content and row.content == end["payload"]["text"]
    await communicator.disconnect()


async def test_a_reply_row_that_cannot_be_created_ends_in_an_error_frame(
    monkeypatch, openai_backend
):
    begin = transcripts.exchange_begin

    def exchange_begin_failing(**fields):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(transcripts, "exchange_begin", exchange_begin_failing)
    communicator, session = await socket_open(await session_create())
    frames = await chat(communicator)
    assert [f["type"] for f in frames] == ["error"]
    assert frames[0]["payload"]["code"] == "server_error"
    assert frames[0]["payload"]["retryable"] is True
    monkeypatch.setattr(transcripts, "exchange_begin", begin)
    assert (await chat(communicator))[-1]["type"] == "chat_end"
    await communicator.disconnect()


async def test_offline_replies_record_how_they_finished():
    communicator, _ = await socket_open(await session_create())
    end = (await chat(communicator, "What's my checking balance?"))[-1]
    row = await reply_row(end["payload"]["message_id"])
    assert (row.status, row.finish_reason, row.backend) == (
        "complete",
        "stop",
        llm.backend_info().backend,
    )
    await communicator.disconnect()


async def test_the_first_socket_of_a_process_sweeps_every_conversation(settings):
    settings.CHAT_REPLY_MAX_SECONDS = 60
    communicator, session = await socket_open(await session_create())
    await communicator.disconnect()
    (stale,) = await streaming_rows(session["conversation_id"], 3600)
    transcripts.replies_interrupt_stale_once.cache_clear()  # a fresh process
    other, _ = await socket_open(await session_create())  # another conversation
    assert await statuses([stale]) == ["interrupted"]
    await other.disconnect()


@database_sync_to_async
def messages_add(conversation_id: int, count: int) -> None:
    Message.objects.bulk_create(
        Message(conversation_id=conversation_id, role="user", content=f"m{n}")
        for n in range(count)
    )


async def test_the_session_frame_redraws_a_bounded_tail_of_the_conversation():
    key = await session_create()
    communicator, session = await socket_open(key)
    await communicator.disconnect()
    await messages_add(session["conversation_id"], transcripts.RESUME_MESSAGES + 50)
    communicator, resumed = await socket_open(key)
    shown = [m["content"] for m in resumed["messages"]]
    assert len(shown) == transcripts.RESUME_MESSAGES
    assert shown[-1] == f"m{transcripts.RESUME_MESSAGES + 49}"
    await communicator.disconnect()


async def test_a_template_that_cannot_render_is_not_offered_a_retry(settings):
    settings.PROMPT_RENDER_MAX_STEPS = 1  # the banking prompt loops over more
    communicator, _ = await socket_open(await session_create())
    frames = await chat(communicator, "What's my checking balance?")
    assert [f["type"] for f in frames] == ["error"]
    assert frames[0]["payload"]["code"] == "mode_unavailable"
    assert frames[0]["payload"]["retryable"] is False
    settings.PROMPT_RENDER_MAX_STEPS = 5000
    assert (await chat(communicator, "What's my checking balance?"))[-1]["type"] == (
        "chat_end"
    )
    await communicator.disconnect()


@database_sync_to_async
def modes_retire() -> None:
    Mode.objects.update(is_active=False)


async def test_a_socket_that_cannot_open_says_so_and_closes():
    await modes_retire()
    communicator = socket_communicator(await session_create())
    assert (await communicator.connect())[0]
    error = json.loads((await communicator.receive_output(timeout=5))["text"])
    assert (error["type"], error["payload"]["code"]) == ("error", "server_error")
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": CloseCode.SERVER_ERROR}


UNKNOWN_TOOL_CALL = llm.ToolCall("call-1", "show_comets", "{}")


@database_sync_to_async
def conversation_get(conversation_id: int) -> Conversation:
    return Conversation.objects.get(pk=conversation_id)


async def reply_for_a_new_conversation(sent: list) -> Reply:
    """A reply in a banking conversation, its frames kept in `sent`."""
    communicator, session = await socket_open(await session_create())
    await communicator.disconnect()

    async def send(frame_type: str, payload: dict) -> None:
        sent.append((frame_type, payload))

    return Reply(
        send,
        conversation=await conversation_get(session["conversation_id"]),
        info=llm.BackendInfo(backend="offline", model="m"),
        prompt_version=None,
    )


def unknown_tool_outcome(kind_name: str) -> dict:
    return tool_run(UNKNOWN_TOOL_CALL, kind=kind_get(kind_name), persona={}).stored()


async def test_a_reply_that_fails_after_a_call_stores_its_outcome_as_failed():
    sent: list = []
    reply = await reply_for_a_new_conversation(sent)

    async def pieces() -> AsyncIterator[llm.Piece]:
        yield "Partly "
        yield UNKNOWN_TOOL_CALL
        raise llm.ModelError("model_stream_broken")

    await reply.run(pieces())
    assert [frame_type for frame_type, _ in sent] == [
        "chat_start",
        "chat_chunk",
        "tool_error",
        "error",
    ]
    assert sent[2][1]["code"] == "tool_unknown"
    row = await reply_row(reply.message_id)
    assert (row.status, row.content) == ("failed", "Partly ")
    assert row.tool_calls == [unknown_tool_outcome("banking")]


async def test_a_streaming_reply_saves_its_outcomes_as_it_goes(settings):
    settings.CHAT_REPLY_SAVE_SECONDS = 0
    reply = await reply_for_a_new_conversation([])
    asked_again = asyncio.Event()

    async def pieces() -> AsyncIterator[llm.Piece]:
        yield "Drawing "
        yield UNKNOWN_TOOL_CALL
        asked_again.set()  # the call's outcome was sent and saved before this
        await asyncio.Event().wait()
        yield "never"

    streaming = asyncio.create_task(reply.run(pieces()))
    await asked_again.wait()
    row = await reply_row(reply.message_id)
    assert (row.status, row.content) == ("streaming", "Drawing ")
    assert row.tool_calls == [unknown_tool_outcome("banking")]
    streaming.cancel()
    await asyncio.gather(streaming, return_exceptions=True)
    row = await reply_row(reply.message_id)
    assert (row.status, row.tool_calls) == (
        "interrupted",
        [unknown_tool_outcome("banking")],
    )


def test_tool_frame_says_a_result_or_an_error_with_its_code():
    result = ToolOutcome("c1", "show_chart", {}, result={"dataset": "d"})
    error = ToolOutcome("c2", "show_chart", {}, error={"code": "x", "message": "y"})
    assert tool_frame(result, 5) == (
        "tool_result",
        {
            "message_id": 5,
            "call_id": "c1",
            "tool": "show_chart",
            "result": result.result,
        },
    )
    assert tool_frame(error, 5) == (
        "tool_error",
        {
            "message_id": 5,
            "call_id": "c2",
            "tool": "show_chart",
            "code": "x",
            "message": "y",
        },
    )
