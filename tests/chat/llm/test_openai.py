"""chat.llm against the local OpenAI-compatible server, via the real SDK over HTTP."""

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from bench.openai_server import Behaviour, OpenAIServer
from chat import llm
from chat.llm import openai as llm_openai
from personas.formatting import money

PERSONA = {"name": "Jordan Ellis", "checking_balance": 4210.55}
SYSTEM = f"You are Meridian Trust Bank. Checking: {money(4210.55)}."
MESSAGES = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello Jordan!"},
    {"role": "user", "content": "What is my checking balance?"},
]


async def reply_collect(messages: list[dict] = MESSAGES) -> list[str]:
    """Every piece of one reply."""
    stream = llm.reply_stream(
        llm.ReplyRequest(messages=messages, persona_kind="banking", persona=PERSONA)
    )
    return [piece async for piece in stream]


async def reply_error(messages: list[dict] = MESSAGES) -> llm.ModelError:
    with pytest.raises(llm.ModelError) as caught:
        await reply_collect(messages)
    return caught.value


def failure_logs(caplog) -> list[str]:
    """The warnings chat.llm logged about failed replies."""
    return [r.getMessage() for r in caplog.records if r.name == "chat.llm.openai"]


def visitor_message(code: str) -> str:
    return llm.FAILURES[code][1]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port held by a socket that never listens, so connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_backend_info_offline_without_key_or_base_url():
    assert llm.backend_info() == llm.BackendInfo("offline", "offline-persona-v1")


@pytest.mark.parametrize(
    "key, base_url",
    [("sk-test", ""), ("", "http://127.0.0.1:11434/v1"), ("sk-test", "http://x/v1")],
)
def test_backend_info_openai_with_key_or_base_url(settings, key, base_url):
    settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = key, base_url
    settings.OPENAI_MODEL = "llama3.2"
    assert llm.backend_info() == llm.BackendInfo("openai", "llama3.2")


async def test_reply_stream_offline_answers_from_persona():
    pieces = await reply_collect()
    assert "$4,210.55" in "".join(pieces)


async def test_reply_stream_streams_pieces_in_order(openai_backend: OpenAIServer):
    openai_backend.behaviour.reply = "Your checking balance is $4,210.55 today."
    pieces = await reply_collect()
    assert "".join(pieces) == openai_backend.behaviour.reply
    # Events that arrive together come as one piece, never a word cut in two.
    assert all(piece.endswith(" ") for piece in pieces[:-1])


async def test_reply_stream_joins_events_read_together(openai_backend: OpenAIServer):
    openai_backend.behaviour.together = True
    assert await reply_collect() == [openai_backend.behaviour.reply]


async def test_reply_stream_sends_text_read_before_a_malformed_event(
    openai_backend: OpenAIServer,
):
    openai_backend.behaviour.together = True
    openai_backend.behaviour.malformed_after = 2
    pieces: list[str] = []
    with pytest.raises(llm.ModelError) as caught:
        async for piece in llm.reply_stream(
            llm.ReplyRequest(messages=MESSAGES, persona_kind="banking", persona=PERSONA)
        ):
            pieces.append(piece)
    assert pieces == ["Hello from "]
    assert caught.value.code == "model_stream_broken"


@pytest.mark.parametrize("finish_reason", ["stop", "length"])
async def test_reply_stream_reads_each_body_to_the_end_and_reuses_the_connection(
    openai_backend: OpenAIServer, finish_reason
):
    openai_backend.behaviour.finish_reason = finish_reason
    for _ in range(3):
        await reply_collect()
    assert len({r.client_port for r in openai_backend.requests}) == 1


async def test_reply_stream_finish_reason_comes_last(openai_backend: OpenAIServer):
    openai_backend.behaviour.finish_reason = "content_filter"
    *text, finish = await reply_collect()
    assert "".join(text) == openai_backend.behaviour.reply
    assert finish == llm.Finish("content_filter")


@pytest.mark.parametrize(
    "error, logged",
    [
        ('{"error": {"message": "The engine overloaded."}}', "The engine overloaded."),
        ('{"error": "boom"}', "An error occurred during streaming"),
    ],
)
async def test_reply_stream_error_event_mid_stream(
    openai_backend: OpenAIServer, caplog, error, logged
):
    openai_backend.behaviour.malformed_after = 1
    openai_backend.behaviour.malformed = error
    failure = await reply_error()
    assert (failure.code, failure.retryable) == ("model_stream_broken", True)
    assert logged in failure_logs(caplog)[0]


async def test_reply_stream_sends_system_prompt_history_and_question_in_order(
    openai_backend: OpenAIServer,
):
    await reply_collect()
    [body] = openai_backend.chat_requests
    assert body["messages"] == MESSAGES
    assert "$4,210.55" in body["messages"][0]["content"]
    assert body["stream"] is True
    assert body["model"] == openai_backend.model


async def test_reply_stream_sends_the_api_key(openai_backend: OpenAIServer):
    await reply_collect()
    assert openai_backend.requests[-1].headers["authorization"] == "Bearer test-key"


async def test_reply_stream_base_url_alone_uses_placeholder_key(
    settings, openai_backend: OpenAIServer
):
    settings.OPENAI_API_KEY = ""
    await reply_collect()
    authorization = openai_backend.requests[-1].headers["authorization"]
    assert authorization == f"Bearer {llm_openai.PLACEHOLDER_API_KEY}"


async def test_reply_stream_reuses_client_and_connection_within_loop(
    openai_backend: OpenAIServer,
):
    await reply_collect()
    await reply_collect()
    first, second = openai_backend.requests
    assert first.client_port == second.client_port


def test_reply_stream_works_in_each_new_event_loop(settings, openai_server):
    """A client cached from a closed loop would fail with 'Event loop is closed'."""
    settings.OPENAI_BASE_URL = openai_server.base_url

    async def reply_then_close() -> str:
        text = "".join(await reply_collect())
        await llm_openai.clients_close()
        return text

    assert asyncio.run(reply_then_close()) == asyncio.run(reply_then_close())
    assert len(openai_server.chat_requests) == 2


async def test_reply_stream_new_client_when_settings_change(
    settings, openai_backend: OpenAIServer
):
    await reply_collect()
    settings.OPENAI_API_KEY = "another-key"
    await reply_collect()
    keys = [r.headers["authorization"] for r in openai_backend.requests]
    assert keys == ["Bearer test-key", "Bearer another-key"]


def test_failures_are_the_documented_codes_and_retryable_flags():
    documented = re.findall(r"^``(model_\w+)``\s+(yes|no)\b", llm_openai.__doc__, re.M)
    table = {code: retryable for code, (retryable, _) in llm.FAILURES.items()}
    assert table == {code: flag == "yes" for code, flag in documented}


@pytest.mark.parametrize(
    "status, code, retryable",
    [
        (400, "model_rejected", False),
        (401, "model_auth", False),
        (403, "model_auth", False),
        (404, "model_rejected", False),
        (429, "model_rate_limited", True),
        (500, "model_server_error", True),
        (503, "model_server_error", True),
    ],
)
async def test_reply_stream_http_error_then_recovers(
    openai_backend: OpenAIServer, caplog, status, code, retryable
):
    openai_backend.behaviour.status = status
    error = await reply_error()
    assert (error.code, error.retryable) == (code, retryable)
    assert error.message == visitor_message(code)
    [logged] = failure_logs(caplog)
    assert f"HTTP {status}" in logged and openai_backend.base_url in logged
    openai_backend.behaviour.status = None
    assert await reply_collect()


LEAKY_KEYS = ["sk-proj-ABCDEF123456", "configured-but-not-key-shaped-0042"]


@pytest.mark.parametrize("key", LEAKY_KEYS)
@pytest.mark.parametrize("status", [401, 404, 500])
async def test_reply_stream_error_tells_the_visitor_no_address_key_or_upstream_words(
    settings, openai_backend: OpenAIServer, caplog, key, status
):
    settings.OPENAI_API_KEY = key
    upstream = f"Incorrect API key provided: {key} for {openai_backend.base_url}."
    openai_backend.behaviour.status = status
    openai_backend.behaviour.error_message = upstream
    error = await reply_error()
    for leak in (key, openai_backend.base_url, "Incorrect API key", "test-model"):
        assert leak not in error.message
    [logged] = failure_logs(caplog)
    assert "Incorrect API key provided: [redacted] for" in logged
    assert openai_backend.base_url in logged and key not in logged


@pytest.mark.parametrize(
    "text, expected",
    [
        ("key sk-proj-ABCDEF123456 refused", "key [redacted] refused"),
        ("Incorrect API key provided: sk-proj-****3456.", "key provided: [redacted]."),
        ("Authorization: Bearer abc.def-123", "Bearer [redacted]"),
        ("at http://user:pa55@model.internal/v1", "http://[redacted]@model.internal"),
        ("the key was the-configured-key!", "the key was [redacted]!"),
        ("sk- alone, and desk-top", "sk- alone, and desk-top"),
    ],
)
def test_redacted_removes_keys_and_passwords(settings, text, expected):
    settings.OPENAI_API_KEY = "the-configured-key"
    assert expected in llm_openai.redacted(text)


@pytest.mark.parametrize("status", [400, 401, 404])
async def test_reply_stream_client_errors_are_not_retried(
    openai_backend: OpenAIServer, status
):
    openai_backend.behaviour.status = status
    await reply_error()
    assert len(openai_backend.chat_requests) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_reply_stream_sdk_retries_then_gives_up(
    settings, openai_backend: OpenAIServer, status
):
    settings.OPENAI_MAX_RETRIES = 2
    openai_backend.behaviour.status = status
    await reply_error()
    assert len(openai_backend.chat_requests) == 3


@pytest.mark.parametrize("status", [429, 503])
async def test_reply_stream_sdk_retry_succeeds(openai_backend: OpenAIServer, status):
    openai_backend.behaviour.status, openai_backend.behaviour.fail_times = status, 1
    assert "".join(await reply_collect()) == openai_backend.behaviour.reply
    assert len(openai_backend.chat_requests) == 2


async def test_a_benchmark_model_keeps_no_request_but_still_counts_them(
    settings, openai_backend: OpenAIServer
):
    """A benchmark's model keeps nothing (its bodies would pile up for minutes), yet
    `fail_times` still counts its requests: the SDK's retry gets the reply."""
    behaviour = Behaviour(status=503, fail_times=1)
    with OpenAIServer(behaviour=behaviour, keep_requests=False) as server:
        settings.OPENAI_BASE_URL = server.base_url
        assert "".join(await reply_collect()) == behaviour.reply
        assert (server.requests, server.chat_count) == ([], 2)
    assert openai_backend.requests == []


async def test_reply_stream_refused_connection(
    settings, openai_backend, caplog, closed_port
):
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{closed_port}/v1"
    settings.OPENAI_MAX_RETRIES = 0
    error = await reply_error()
    assert (error.code, error.retryable) == ("model_unreachable", True)
    assert f"127.0.0.1:{closed_port}" not in error.message
    [logged] = failure_logs(caplog)
    assert f"127.0.0.1:{closed_port}" in logged and "unreachable" in logged


async def raw_server(answer) -> tuple[asyncio.Server, int]:
    """A server that reads a request's head, then does `answer(writer)`: what no
    OpenAI-compatible server should."""

    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        await answer(writer)
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def closed_at_once(writer) -> None:
    return None


async def chunked_framing_broken(writer) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
    writer.write(b"transfer-encoding: chunked\r\n\r\n")
    event = b'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n'
    writer.write(b"%x\r\n%s\r\n" % (len(event), event))
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.write(b"zz\r\nnot a chunk\r\n")
    await writer.drain()
    await asyncio.sleep(0.5)


async def test_reply_stream_a_connection_closed_before_an_answer_is_unreachable(
    settings, caplog
):
    server, port = await raw_server(closed_at_once)
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.OPENAI_MAX_RETRIES = 0
    async with server:
        error = await reply_error()
    assert (error.code, error.retryable) == ("model_unreachable", True)
    [logged] = failure_logs(caplog)
    assert "unreachable" in logged and "OPENAI_TIMEOUT" not in logged


async def test_reply_stream_broken_chunked_framing_ends_within_openai_timeout(
    settings, caplog
):
    server, port = await raw_server(chunked_framing_broken)
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.OPENAI_MAX_RETRIES = 0
    settings.OPENAI_TIMEOUT = 1.0
    started = time.monotonic()
    async with server:
        with pytest.raises(llm.ModelError) as caught:
            await reply_collect()
    assert caught.value.code in ("model_timeout", "model_stream_broken")
    assert time.monotonic() - started < settings.CHAT_REPLY_MAX_SECONDS
    assert failure_logs(caplog)


async def test_reply_stream_first_token_timeout_then_recovers(
    settings, openai_backend: OpenAIServer, caplog
):
    settings.OPENAI_FIRST_TOKEN_TIMEOUT = 0.2
    openai_backend.behaviour.first_token_delay = 5
    started = time.monotonic()
    error = await reply_error()
    assert time.monotonic() - started < 1
    assert (error.code, error.retryable) == ("model_timeout", True)
    assert error.message == visitor_message("model_timeout")
    assert "OPENAI_FIRST_TOKEN_TIMEOUT=0.2 s" in failure_logs(caplog)[0]
    # A fresh connection's first reply may take more than 0.2 s on a busy machine.
    settings.OPENAI_FIRST_TOKEN_TIMEOUT = 1.0
    openai_backend.behaviour.first_token_delay = 0
    assert await reply_collect()


async def test_reply_stream_first_token_timeout_counts_only_text(
    settings, openai_backend: OpenAIServer
):
    """The role chunk arrives at once; the deadline still waits for real text."""
    settings.OPENAI_FIRST_TOKEN_TIMEOUT = 0.2
    openai_backend.behaviour.first_token_delay = 0.5
    assert (await reply_error()).code == "model_timeout"


async def test_reply_stream_sdk_read_timeout(
    settings, openai_backend: OpenAIServer, caplog
):
    settings.OPENAI_TIMEOUT = 0.2
    openai_backend.behaviour.first_token_delay = 5
    error = await reply_error()
    assert (error.code, error.retryable) == ("model_timeout", True)
    assert "OPENAI_TIMEOUT=0.2 s" in failure_logs(caplog)[0]


async def test_reply_stream_later_pieces_have_no_first_token_deadline(
    settings, openai_backend: OpenAIServer
):
    settings.OPENAI_FIRST_TOKEN_TIMEOUT = 0.5
    openai_backend.behaviour.reply = "one two three"
    openai_backend.behaviour.chunk_delay = 0.3
    assert await reply_collect() == ["one ", "two ", "three"]


async def test_reply_stream_connection_dropped_mid_stream(openai_backend: OpenAIServer):
    openai_backend.behaviour.drop_after = 2
    pieces: list[str] = []
    with pytest.raises(llm.ModelError) as caught:
        async for piece in llm.reply_stream(
            llm.ReplyRequest(messages=MESSAGES, persona_kind="banking", persona=PERSONA)
        ):
            pieces.append(piece)
    assert "".join(pieces) == "Hello from "
    assert (caught.value.code, caught.value.retryable) == ("model_stream_broken", True)
    openai_backend.behaviour.drop_after = None
    assert await reply_collect()


@pytest.mark.parametrize(
    "event", ['{"choices": [', '{"choices": [{"index": 0}]}', '{"choices": "x"}']
)
async def test_reply_stream_malformed_chunk(openai_backend: OpenAIServer, event):
    openai_backend.behaviour.malformed_after = 1
    openai_backend.behaviour.malformed = event
    error = await reply_error()
    assert (error.code, error.retryable) == ("model_stream_broken", True)


async def test_reply_stream_empty_reply(openai_backend: OpenAIServer):
    openai_backend.behaviour.reply = ""
    error = await reply_error()
    assert (error.code, error.retryable) == ("model_empty_reply", True)


async def test_reply_stream_magic_word_steers_one_reply(openai_backend: OpenAIServer):
    messages = [*MESSAGES[:-1], {"role": "user", "content": "[status:401] hi"}]
    assert (await reply_error(messages)).code == "model_auth"
    assert await reply_collect()


async def test_reply_stream_cancellation_propagates(openai_backend: OpenAIServer):
    openai_backend.behaviour.first_token_delay = 5
    task = asyncio.create_task(reply_collect())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    openai_backend.behaviour.first_token_delay = 0
    assert await reply_collect()


async def test_reply_stream_closing_early_releases_the_stream(
    openai_backend: OpenAIServer,
):
    openai_backend.behaviour.chunk_delay = 0.05
    stream = llm.reply_stream(
        llm.ReplyRequest(messages=MESSAGES, persona_kind="banking", persona=PERSONA)
    )
    assert await anext(stream) == "Hello "
    await stream.aclose()
    openai_backend.behaviour.chunk_delay = 0
    assert "".join(await reply_collect()) == openai_backend.behaviour.reply


def server_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    """Threads started since `before`, leaving out the loop's executor workers."""
    new = set(threading.enumerate()) - before
    return [thread for thread in new if not thread.name.startswith("asyncio_")]


async def test_openai_server_stop_cuts_slow_replies_and_joins_threads(settings):
    before = set(threading.enumerate())
    server = OpenAIServer(behaviour=Behaviour(first_token_delay=30)).start()
    settings.OPENAI_BASE_URL, settings.OPENAI_FIRST_TOKEN_TIMEOUT = server.base_url, 60
    task = asyncio.create_task(reply_collect())
    while not server.chat_requests:
        await asyncio.sleep(0.01)
    assert server_threads(before)  # serving, and a handler sleeping in the reply
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1
    assert server_threads(before) == []
    with pytest.raises(llm.ModelError):
        await task
    await llm_openai.clients_close()
