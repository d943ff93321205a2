"""Tool calls on the chat socket: each call's `tool_result` or `tool_error` goes out as
it arrives, after the text before it and before `chat_end`; the outcomes are stored
with the reply however it ends, and the `session` frame redraws them. Written
against the throwaway kind's dashboard (tests/support/observatory_charts.py)."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import ClassVar

import pytest
from channels.db import database_sync_to_async

from chat import llm
from chat.conversation.replies import TOOL_CALLS_KEPT, TOOL_CALLS_MAX
from chat.conversation.visits import SEED_KEY
from chat.dashboard.tools import tool_caption, tool_run
from chat.models import Message, Mode
from personas import Kind, kind_register, kind_unregister
from tests.chat.socket import (
    frames_until,
    reply_collect,
    send,
    session_create_in,
    socket_open,
)
from tests.support.observatory import NAME
from tests.support.observatory_charts import OBSERVATORY_CHARTED
from tests.support.stargazing import SLUG, stargazing_save

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SEED = 7
HANG = "<the stream waits here until it is cancelled>"
FEES_CALL = llm.ToolCall("call-fees", "show_chart", '{"dataset": "night_fees"}')


class ScriptedBackend:
    """A backend of the tests' own that streams `pieces` (a `HANG` waits forever)."""

    pieces: ClassVar[list] = []
    requests: ClassVar[list[llm.ReplyRequest]] = []

    def info(self) -> llm.BackendInfo:
        return llm.BackendInfo(backend="scripted", model="script-1")

    async def reply_stream(self, request: llm.ReplyRequest) -> AsyncIterator:
        self.requests.append(request)
        for piece in self.pieces:
            if piece == HANG:
                await asyncio.Event().wait()
            await asyncio.sleep(0)
            yield piece


@pytest.fixture
def charted() -> Iterator[Kind]:
    kind_register(OBSERVATORY_CHARTED)
    yield OBSERVATORY_CHARTED
    kind_unregister(NAME)


@pytest.fixture
def stargazing(charted) -> Mode:
    return stargazing_save()


@pytest.fixture
def scripted(settings, stargazing) -> type[ScriptedBackend]:
    """The scripted backend answers; set `pieces` before the chat."""
    settings.LLM_BACKEND = f"{__name__}.ScriptedBackend"
    ScriptedBackend.pieces, ScriptedBackend.requests = [], []
    return ScriptedBackend


async def stargazer_session() -> str:
    return await session_create_in(SLUG, **{SEED_KEY: SEED})


@database_sync_to_async
def reply_row(message_id: int) -> Message:
    return Message.objects.get(pk=message_id)


async def chat(communicator, text: str) -> list[dict]:
    await send(communicator, "chat", text=text)
    return await reply_collect(communicator)


def types_of(frames: list[dict]) -> list[str]:
    return [frame["type"] for frame in frames]


def outcome_of(call: llm.ToolCall, persona: dict):
    return tool_run(call, kind=OBSERVATORY_CHARTED, persona=persona)


async def test_offline_chart_request_sends_its_chart_then_a_caption(stargazing):
    communicator, session = await socket_open(await stargazer_session())
    frames = await chat(communicator, "Can you show me a chart of my fees?")
    assert types_of(frames) == ["chat_start", "tool_result", "chat_chunk", "chat_end"]
    start, result, caption, end = (frame["payload"] for frame in frames)
    call = llm.ToolCall("offline-1", "show_chart", '{"dataset": "night_fees"}')
    outcome = outcome_of(call, session["persona"])
    assert result == {
        "message_id": start["message_id"],
        "call_id": "offline-1",
        "tool": "show_chart",
        "result": outcome.result,
    }
    assert caption["text"] == end["text"] == tool_caption([outcome])
    row = await reply_row(start["message_id"])
    assert (row.status, row.content) == ("complete", end["text"])
    assert row.tool_calls == [outcome.stored()]
    await communicator.disconnect()


async def test_offline_chart_request_with_a_question_answers_before_the_chart(
    stargazing,
):
    communicator, _ = await socket_open(await stargazer_session())
    frames = await chat(communicator, "How much dues do I owe? Chart them.")
    kinds = types_of(frames)
    assert kinds[0] == "chat_start" and kinds[-2:] == ["tool_result", "chat_end"]
    assert set(kinds[1:-2]) == {"chat_chunk"}
    end = frames[-1]["payload"]
    assert "dues left to pay" in end["text"]
    assert frames[-2]["payload"]["result"]["dataset"] == "dues"
    row = await reply_row(end["message_id"])
    assert [call["result"]["dataset"] for call in row.tool_calls] == ["dues"]
    await communicator.disconnect()


async def test_a_bad_call_is_a_tool_error_while_the_text_and_other_calls_arrive(
    scripted,
):
    unknown = llm.ToolCall("call-1", "show_chart", '{"dataset": "comets"}')
    malformed = llm.ToolCall("call-3", "show_chart", '{"dataset": ')
    scripted.pieces = ["Here you go. ", unknown, FEES_CALL, malformed, "Done."]
    communicator, session = await socket_open(await stargazer_session())
    frames = await chat(communicator, "Chart my fees")
    assert types_of(frames) == [
        "chat_start",
        "chat_chunk",
        "tool_error",
        "tool_result",
        "tool_error",
        "chat_chunk",
        "chat_end",
    ]
    invalid, malformed_error = frames[2]["payload"], frames[4]["payload"]
    assert (invalid["call_id"], invalid["code"]) == ("call-1", "tool_invalid")
    assert "dataset" in invalid["message"]
    assert (malformed_error["call_id"], malformed_error["code"]) == (
        "call-3",
        "tool_malformed",
    )
    assert frames[3]["payload"]["result"]["dataset"] == "night_fees"
    end = frames[-1]["payload"]
    assert end["text"] == "Here you go. Done."
    row = await reply_row(end["message_id"])
    persona = session["persona"]
    assert row.tool_calls == [
        outcome_of(call, persona).stored() for call in (unknown, FEES_CALL, malformed)
    ]
    await communicator.disconnect()


async def test_calls_past_the_cap_are_refused_and_stored_without_arguments(scripted):
    scripted.pieces = [FEES_CALL] * (TOOL_CALLS_MAX + 2)
    communicator, _ = await socket_open(await stargazer_session())
    frames = await chat(communicator, "Chart everything")
    tools = [f for f in frames if f["type"].startswith("tool_")]
    assert types_of(tools) == ["tool_result"] * TOOL_CALLS_MAX + ["tool_error"] * 2
    assert {f["payload"]["code"] for f in tools[TOOL_CALLS_MAX:]} == {"too_many_tools"}
    row = await reply_row(frames[-1]["payload"]["message_id"])
    assert len(row.tool_calls) == TOOL_CALLS_MAX + 2
    assert [call["arguments"] for call in row.tool_calls[TOOL_CALLS_MAX:]] == ["", ""]
    await communicator.disconnect()


async def test_calls_past_twice_the_cap_are_dropped(scripted):
    scripted.pieces = [FEES_CALL] * (TOOL_CALLS_KEPT + 5)
    communicator, _ = await socket_open(await stargazer_session())
    frames = await chat(communicator, "Chart everything, again and again")
    tools = [f for f in frames if f["type"].startswith("tool_")]
    assert len(tools) == TOOL_CALLS_KEPT
    row = await reply_row(frames[-1]["payload"]["message_id"])
    assert len(row.tool_calls) == TOOL_CALLS_KEPT
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("calls", "caption"),
    [
        ([FEES_CALL], "Here is a chart of your fees by night."),
        ([llm.ToolCall("c", "show_comets", "{}")], "I couldn't draw that here."),
    ],
)
async def test_a_reply_of_calls_alone_says_a_caption_and_stores_it(
    scripted, calls, caption
):
    scripted.pieces = calls
    communicator, _ = await socket_open(await stargazer_session())
    frames = await chat(communicator, "Chart my fees")
    assert types_of(frames)[-2:] == ["chat_chunk", "chat_end"]
    assert frames[-2]["payload"]["text"] == frames[-1]["payload"]["text"] == caption
    row = await reply_row(frames[-1]["payload"]["message_id"])
    assert (row.content, row.status) == (caption, "complete")
    await communicator.disconnect()


async def test_the_session_frame_after_a_reload_redraws_the_charts(stargazing):
    key = await stargazer_session()
    communicator, _ = await socket_open(key)
    end = (await chat(communicator, "show my fees as a pie"))[-1]["payload"]
    await communicator.disconnect()
    communicator, resumed = await socket_open(key)
    question, reply = resumed["messages"][-2:]
    assert (question["role"], question["tool_calls"]) == ("user", [])
    assert reply["id"] == end["message_id"]
    assert reply["content"] == end["text"]
    (call,) = reply["tool_calls"]
    assert call["arguments"] == {"dataset": "night_fees", "chart_type": "pie"}
    assert call["result"]["chart_type"] == "pie"
    assert call == (await reply_row(end["message_id"])).tool_calls[0]
    await communicator.disconnect()


async def test_a_reply_cancelled_mid_stream_stores_its_outcomes_as_interrupted(
    scripted,
):
    scripted.pieces = ["Drawing ", FEES_CALL, HANG, "never sent"]
    communicator, _ = await socket_open(await stargazer_session())
    await send(communicator, "chat", text="Chart my fees")
    frames = await frames_until(communicator, "tool_result")
    assert types_of(frames) == ["chat_start", "chat_chunk", "tool_result"]
    await send(communicator, "switch_mode", mode="banking")
    await frames_until(communicator, "mode_switch")
    row = await reply_row(frames[0]["payload"]["message_id"])
    assert (row.status, row.content) == ("interrupted", "Drawing ")
    assert [call["result"]["dataset"] for call in row.tool_calls] == ["night_fees"]
    await communicator.disconnect()


async def test_the_model_is_offered_the_kinds_tools_and_reads_text_history(scripted):
    scripted.pieces = [FEES_CALL]
    communicator, _ = await socket_open(await stargazer_session())
    first = (await chat(communicator, "Chart my fees"))[-1]["payload"]
    await chat(communicator, "Thanks")
    request = scripted.requests[-1]
    offered = {tool["function"]["name"]: tool for tool in request.tools}
    assert set(offered) == {"show_chart", "show_metrics"}
    dataset = offered["show_chart"]["function"]["parameters"]["properties"]["dataset"]
    assert dataset["enum"] == ["night_fees", "night_seeing", "dues"]
    assert request.messages[1:] == [
        {"role": "user", "content": "Chart my fees"},
        {"role": "assistant", "content": first["text"]},
        {"role": "user", "content": "Thanks"},
    ]
    await communicator.disconnect()


# These drive the real SDK against bench/openai_server.py's `Behaviour.tool_calls`;
# they pass once the OpenAI backend reads `delta.tool_calls` (the backend helper's
# half of issue 11) and sends `request.tools`.
SERVER_FEES_CALL = {"name": "show_chart", "arguments": '{"dataset": "night_fees"}'}


async def test_openai_tool_calls_arrive_after_the_text_and_are_stored(
    openai_backend, stargazing
):
    openai_backend.behaviour.reply = "Here is your chart. "
    openai_backend.behaviour.tool_calls = [SERVER_FEES_CALL]
    communicator, _ = await socket_open(await stargazer_session())
    frames = await chat(communicator, "Chart my fees")
    kinds = types_of(frames)
    assert kinds[0] == "chat_start" and kinds[-2:] == ["tool_result", "chat_end"]
    assert set(kinds[1:-2]) == {"chat_chunk"}
    end = frames[-1]["payload"]
    assert (end["text"], end["finish_reason"]) == ("Here is your chart. ", "stop")
    row = await reply_row(end["message_id"])
    assert row.tool_calls[0]["arguments"] == {"dataset": "night_fees"}
    offered = openai_backend.chat_requests[-1]["tools"]
    assert [tool["function"]["name"] for tool in offered] == [
        "show_chart",
        "show_metrics",
    ]
    await communicator.disconnect()


async def test_openai_reply_of_calls_alone_gets_the_caption(openai_backend, stargazing):
    openai_backend.behaviour.reply = ""
    openai_backend.behaviour.tool_calls = [
        SERVER_FEES_CALL,
        {"name": "show_chart", "arguments": '{"dataset": "dues", "chart_type": "pie"}'},
    ]
    communicator, _ = await socket_open(await stargazer_session())
    frames = await chat(communicator, "Chart my fees and dues")
    assert types_of(frames) == [
        "chat_start",
        "tool_result",
        "tool_error",
        "chat_chunk",
        "chat_end",
    ]
    assert frames[2]["payload"]["code"] == "unknown_chart_type"
    assert frames[-1]["payload"]["text"] == "Here is a chart of your fees by night."
    await communicator.disconnect()
