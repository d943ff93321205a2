"""Tool calls through chat.llm.openai: the tools go out with the request, and the
streamed pieces of each call come back whole, via the real SDK over HTTP."""

import json
from collections.abc import Iterator

import httpx2
import pytest

from bench.openai_server import CHART_REPLY, OpenAIServer
from chat import llm
from chat.dashboard.tools import tool_run, tool_schemas
from personas.registry import generate_persona
from tests.support.planetarium import NAME, PLANETARIUM, registered

MESSAGES = [
    {"role": "system", "content": "You are the observatory's assistant."},
    {"role": "user", "content": "Chart my nights, please."},
]
TOOLS = tool_schemas(PLANETARIUM)
NIGHTS = json.dumps({"dataset": "night_fees", "title": "Your nights under the dome"})
DUES = json.dumps({"dataset": "dues"})


def request(tools: tuple[dict, ...] = TOOLS, text: str = "") -> llm.ReplyRequest:
    messages = [*MESSAGES[:-1], {"role": "user", "content": text}] if text else MESSAGES
    return llm.ReplyRequest(
        messages=messages, persona_kind=NAME, persona={}, tools=tools
    )


async def reply_collect(**kwargs) -> list[llm.Piece]:
    """Every piece of one reply."""
    return [piece async for piece in llm.reply_stream(request(**kwargs))]


def calls_in(pieces: list[llm.Piece]) -> list[llm.ToolCall]:
    return [piece for piece in pieces if isinstance(piece, llm.ToolCall)]


def text_in(pieces: list[llm.Piece]) -> str:
    return "".join(piece for piece in pieces if isinstance(piece, str))


def calls_send(server: OpenAIServer, *arguments: str, **behaviour) -> None:
    """Have the server answer with one show_chart call per arguments text."""
    server.behaviour.tool_calls = [
        {"name": "show_chart", "arguments": text} for text in arguments
    ]
    for name, value in behaviour.items():
        setattr(server.behaviour, name, value)


async def test_reply_stream_sends_the_tools(openai_backend: OpenAIServer):
    await reply_collect()
    [body] = openai_backend.chat_requests
    assert body["tools"] == json.loads(json.dumps(TOOLS))
    assert [tool["function"]["name"] for tool in body["tools"]] == [
        "show_chart",
        "show_metrics",
    ]


async def test_reply_stream_without_tools_says_nothing_of_them(
    openai_backend: OpenAIServer,
):
    await reply_collect(tools=())
    [body] = openai_backend.chat_requests
    assert set(body) == {"model", "messages", "max_tokens", "stream"}


@pytest.mark.parametrize("size", [1, 3, 7])
async def test_reply_stream_split_arguments_come_back_whole(
    openai_backend: OpenAIServer, size
):
    calls_send(openai_backend, NIGHTS, arguments_chunk=size)
    pieces = await reply_collect()
    assert calls_in(pieces) == [llm.ToolCall("call_test_0", "show_chart", NIGHTS)]
    assert text_in(pieces) == openai_backend.behaviour.reply


async def test_reply_stream_split_arguments_read_together(
    openai_backend: OpenAIServer,
):
    """Every chunk in one read, the finish and [DONE] too."""
    calls_send(openai_backend, NIGHTS, DUES, arguments_chunk=2, together=True)
    pieces = await reply_collect()
    assert pieces == [
        openai_backend.behaviour.reply,
        llm.ToolCall("call_test_0", "show_chart", NIGHTS),
        llm.ToolCall("call_test_1", "show_chart", DUES),
    ]


async def test_reply_stream_parallel_calls_come_in_the_order_they_began(
    openai_backend: OpenAIServer,
):
    calls_send(openai_backend, NIGHTS, DUES, arguments_chunk=4)
    openai_backend.behaviour.tool_calls_parallel = True
    pieces = await reply_collect()
    assert calls_in(pieces) == [
        llm.ToolCall("call_test_0", "show_chart", NIGHTS),
        llm.ToolCall("call_test_1", "show_chart", DUES),
    ]


async def test_reply_stream_new_id_at_a_reused_index_is_another_call(
    openai_backend: OpenAIServer,
):
    calls_send(openai_backend, NIGHTS, DUES, arguments_chunk=5, tool_index_reused=True)
    pieces = await reply_collect()
    assert calls_in(pieces) == [
        llm.ToolCall("call_test_0", "show_chart", NIGHTS),
        llm.ToolCall("call_test_1", "show_chart", DUES),
    ]


async def test_reply_stream_calls_without_ids_get_their_own(
    openai_backend: OpenAIServer,
):
    calls_send(openai_backend, NIGHTS, DUES, arguments_chunk=3)
    for call in openai_backend.behaviour.tool_calls:
        call["id"] = None
    pieces = await reply_collect()
    assert [call.call_id for call in calls_in(pieces)] == ["call_0", "call_1"]
    assert [call.arguments for call in calls_in(pieces)] == [NIGHTS, DUES]


async def test_reply_stream_call_without_a_name_still_arrives(
    openai_backend: OpenAIServer,
):
    openai_backend.behaviour.tool_calls = [{"arguments": NIGHTS}]
    pieces = await reply_collect()
    assert calls_in(pieces) == [llm.ToolCall("call_test_0", "", NIGHTS)]


@pytest.fixture
def persona() -> Iterator[dict]:
    """A customer of the throwaway planetarium kind, for tool_run."""
    with registered():
        yield generate_persona(NAME, 7)


async def test_reply_stream_malformed_arguments_arrive_raw_and_fail_alone(
    openai_backend: OpenAIServer, persona
):
    broken = '{"dataset": "nig'
    calls_send(openai_backend, broken, NIGHTS, arguments_chunk=4)
    first, second = calls_in(await reply_collect())
    assert first.arguments == broken
    outcomes = [
        tool_run(call, kind=PLANETARIUM, persona=persona) for call in (first, second)
    ]
    assert outcomes[0].error["code"] == "tool_malformed"
    assert outcomes[0].arguments == broken
    assert outcomes[1].error is None
    assert outcomes[1].result["title"] == "Your nights under the dome"


async def test_reply_stream_unknown_tool_arrives_for_the_page_to_refuse(
    openai_backend: OpenAIServer, persona
):
    openai_backend.behaviour.tool_calls = [{"name": "launch_rocket", "arguments": "{}"}]
    [call] = calls_in(await reply_collect())
    assert call.name == "launch_rocket"
    assert (
        tool_run(call, kind=PLANETARIUM, persona=persona).error["code"]
        == "tool_unknown"
    )


async def test_reply_stream_text_before_between_and_after_calls(
    openai_backend: OpenAIServer,
):
    calls_send(
        openai_backend,
        NIGHTS,
        DUES,
        reply="Here you are. ",
        reply_between="And another. ",
        reply_after="Anything else?",
    )
    pieces = await reply_collect()
    assert text_in(pieces) == "Here you are. And another. Anything else?"
    assert pieces[-2:] == calls_in(pieces)  # the calls once the reply finished


async def test_reply_stream_only_tool_calls_is_no_empty_reply(
    openai_backend: OpenAIServer,
):
    calls_send(openai_backend, NIGHTS, reply="")
    pieces = await reply_collect()
    assert pieces == [llm.ToolCall("call_test_0", "show_chart", NIGHTS)]


@pytest.mark.parametrize("reason", ["tool_calls", "stop"])
async def test_reply_stream_normal_finish_is_not_told_and_brings_the_calls(
    openai_backend: OpenAIServer, reason
):
    calls_send(openai_backend, NIGHTS, finish_reason=reason, together=True)
    pieces = await reply_collect()
    assert pieces == [
        openai_backend.behaviour.reply,
        llm.ToolCall("call_test_0", "show_chart", NIGHTS),
    ]


async def test_reply_stream_cut_call_comes_before_the_finish(
    openai_backend: OpenAIServer,
):
    calls_send(openai_backend, NIGHTS, finish_reason="length")
    pieces = await reply_collect()
    assert pieces[-2:] == [
        llm.ToolCall("call_test_0", "show_chart", NIGHTS),
        llm.Finish("length"),
    ]


async def test_reply_stream_dropped_mid_call_is_broken_after_the_text(
    openai_backend: OpenAIServer,
):
    calls_send(openai_backend, NIGHTS, reply="Here you are.", arguments_chunk=3)
    openai_backend.behaviour.drop_after = 5  # three words, the call's head, a piece
    pieces: list[llm.Piece] = []
    with pytest.raises(llm.ModelError) as caught:
        async for piece in llm.reply_stream(request()):
            pieces.append(piece)
    assert caught.value.code == "model_stream_broken"
    assert pieces and text_in(pieces) == "Here you are."
    assert calls_in(pieces) == []


async def test_reply_stream_tool_call_of_the_wrong_shape_is_a_broken_stream(
    openai_backend: OpenAIServer,
):
    openai_backend.behaviour.malformed_after = 1
    openai_backend.behaviour.malformed = json.dumps(
        {"choices": [{"index": 0, "delta": {"tool_calls": ["x"]}}]}
    )
    with pytest.raises(llm.ModelError) as caught:
        await reply_collect()
    assert caught.value.code == "model_stream_broken"


async def test_reply_stream_first_call_piece_meets_the_first_token_deadline(
    settings, openai_backend: OpenAIServer
):
    """The call's head comes at once; its arguments after the deadline has passed."""
    await reply_collect()  # a connection kept alive, so the head comes at once
    settings.OPENAI_FIRST_TOKEN_TIMEOUT, settings.OPENAI_TIMEOUT = 1.0, 5.0
    calls_send(openai_backend, NIGHTS, reply="", chunk_delay=1.2)
    [call] = await reply_collect()
    assert call.arguments == NIGHTS


async def test_reply_stream_no_text_and_no_call_is_an_empty_reply(
    openai_backend: OpenAIServer,
):
    openai_backend.behaviour.reply = ""
    openai_backend.behaviour.tool_calls = []
    with pytest.raises(llm.ModelError) as caught:
        await reply_collect()
    assert caught.value.code == "model_empty_reply"


async def test_reply_stream_chart_magic_word_answers_with_a_chart_call(
    openai_backend: OpenAIServer,
):
    pieces = await reply_collect(text="Show me [chart:night_fees] please")
    assert text_in(pieces) == CHART_REPLY
    [call] = calls_in(pieces)
    assert (call.name, call.arguments) == ("show_chart", '{"dataset": "night_fees"}')


async def test_reply_stream_chart_magic_word_without_the_tool_is_text_alone(
    openai_backend: OpenAIServer,
):
    pieces = await reply_collect(tools=(), text="[chart:night_fees]")
    assert "".join(pieces) == CHART_REPLY


async def test_chart_magic_word_sends_the_arguments_in_pieces(
    openai_server: OpenAIServer,
):
    """As the wire has it: the call's head, then its arguments a few at a time."""
    body = {
        "model": openai_server.model,
        "stream": True,
        "messages": [{"role": "user", "content": "[chart:dues]"}],
        "tools": list(TOOLS),
    }
    async with httpx2.AsyncClient() as client:
        response = await client.post(
            f"{openai_server.base_url}/chat/completions", json=body
        )
    chunks = [
        json.loads(line.removeprefix("data: "))
        for line in response.text.splitlines()
        if line.startswith("data: {")
    ]
    calls = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if "tool_calls" in c["choices"][0]["delta"]
    ]
    assert calls[0]["function"]["name"] == "show_chart"
    pieces = [call["function"]["arguments"] for call in calls]
    assert len(pieces) > 2 and "".join(pieces) == '{"dataset": "dues"}'
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


async def test_reply_stream_keeps_one_call_past_the_cap(openai_backend: OpenAIServer):
    """The one over tells the page calls were refused; the rest are never kept."""
    calls_send(openai_backend, *[DUES] * (llm.TOOL_CALLS_MAX * 3))
    calls = calls_in(await reply_collect())
    assert len(calls) == llm.TOOL_CALLS_MAX + 1
    assert {call.arguments for call in calls} == {DUES}


async def test_reply_stream_cuts_arguments_one_past_their_limit(
    openai_backend: OpenAIServer,
):
    huge = json.dumps({"dataset": "dues", "title": "x" * 50_000})
    calls_send(openai_backend, huge, arguments_chunk=1000)
    [call] = calls_in(await reply_collect())
    assert call.arguments == huge[: llm.TOOL_ARGUMENTS_MAX_CHARS + 1]
    outcome = tool_run(call, kind=PLANETARIUM, persona={})
    assert outcome.error["code"] == "tool_malformed"


async def test_reply_stream_cuts_a_long_name_and_id(openai_backend: OpenAIServer):
    openai_backend.behaviour.tool_calls = [
        {"name": "show_chart" * 20, "arguments": DUES, "id": "c" * 500}
    ]
    [call] = calls_in(await reply_collect())
    assert call.name == ("show_chart" * 20)[: llm.TOOL_NAME_MAX_CHARS]
    assert call.call_id == "c" * llm.TOOL_NAME_MAX_CHARS
