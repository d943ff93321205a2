"""Bad input on the chat socket: refused clearly, nothing lost or stored wrongly."""

import json

import pytest
from channels.db import database_sync_to_async

from chat.conversation.frames import CloseCode
from chat.models import Message
from tests.chat.socket import reply_collect, send, session_create, socket_open

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def one_window(settings) -> None:
    """No rate-limit window ends mid-test, which would start every count again."""
    settings.CHAT_RATE_LIMIT_WINDOW_SECONDS = 3600


BAD_FRAMES = [
    ("not json", "invalid_json"),
    ("[1, 2]", "invalid_frame"),
    ('"chat"', "invalid_frame"),
    ("{}", "invalid_frame"),
    ('{"type": "dance", "payload": {}}', "invalid_frame"),
    ('{"type": 5, "payload": {}}', "invalid_frame"),
    ('{"type": "chat"}', "invalid_frame"),
    ('{"type": "chat", "payload": {}}', "invalid_frame"),
    ('{"type": "chat", "payload": {"text": 42}}', "invalid_frame"),
    ('{"type": "chat", "payload": {"text": null}}', "invalid_frame"),
    ('{"type": "chat", "payload": {"text": ""}}', "invalid_frame"),
    ('{"type": "chat", "payload": {"text": "  \\n\\t "}}', "invalid_frame"),
    ('{"type": "chat", "payload": "hello"}', "invalid_frame"),
    ('{"type": "chat", "payload": {"text": "hi", "extra": 1}}', "invalid_frame"),
    ('{"type": "switch_mode", "payload": {}}', "invalid_frame"),
    ('{"type": "switch_mode", "payload": {"mode": ["banking"]}}', "invalid_frame"),
    ('{"type": "clear", "payload": {"everything": true}}', "invalid_frame"),
    (json.dumps({"type": "chat", "payload": {"text": "x" * 4001}}), "message_too_long"),
]


@database_sync_to_async
def stored_messages() -> list[tuple[str, str]]:
    return list(Message.objects.values_list("role", "content"))


@pytest.mark.parametrize(("raw", "code"), BAD_FRAMES)
async def test_bad_frame_is_refused_and_the_socket_keeps_working(raw, code):
    communicator, session = await socket_open(await session_create())
    await communicator.send_to(text_data=raw)
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "error"
    assert frame["payload"]["code"] == code
    assert frame["payload"]["retryable"] is False
    assert len(frame["payload"]["message"]) > 20
    assert await stored_messages() == [
        ("assistant", m["content"]) for m in session["messages"]
    ]
    await send(communicator, "chat", text="What's my credit limit?")
    reply = await reply_collect(communicator)
    assert reply[-1]["type"] == "chat_end"
    await communicator.disconnect()


async def test_binary_frame_is_refused():
    communicator, _ = await socket_open(await session_create())
    await communicator.send_to(bytes_data=b"\x00\x01")
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["payload"]["code"] == "binary_not_supported"
    await send(communicator, "clear")
    assert (await communicator.receive_json_from(timeout=5))["type"] == "mode_switch"
    await communicator.disconnect()


async def test_error_message_says_what_to_fix():
    communicator, _ = await socket_open(await session_create())
    await communicator.send_to(text_data='{"type": "chat", "payload": {"text": 42}}')
    frame = await communicator.receive_json_from(timeout=5)
    assert "payload.text" in frame["payload"]["message"]
    await communicator.send_to(text_data='{"type": "dance"}')
    frame = await communicator.receive_json_from(timeout=5)
    assert "chat, switch_mode, new_persona, clear" in frame["payload"]["message"]
    await communicator.disconnect()


async def test_frame_far_over_the_limit_closes_with_4009(settings):
    settings.CHAT_MAX_FRAME_BYTES = 1000
    communicator, _ = await socket_open(await session_create())
    await communicator.send_to(text_data="x" * 5000)
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": CloseCode.FRAME_TOO_LARGE}
    assert ("user", "x" * 5000) not in await stored_messages()


async def test_rate_limit_answers_with_retry_after(settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 2
    communicator, _ = await socket_open(await session_create())
    for _ in range(2):
        await send(communicator, "chat", text="What's my checking balance?")
        assert (await reply_collect(communicator))[-1]["type"] == "chat_end"
    await send(communicator, "chat", text="What's my checking balance?")
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["payload"]["code"] == "rate_limited"
    assert frame["payload"]["retryable"] is True
    assert (
        0 < frame["payload"]["retry_after"] <= settings.CHAT_RATE_LIMIT_WINDOW_SECONDS
    )
    await communicator.disconnect()


async def test_rate_limit_is_per_session_across_tabs(settings):
    settings.CHAT_RATE_LIMIT_MESSAGES = 1
    key = await session_create()
    first, _ = await socket_open(key)
    second, _ = await socket_open(key)
    other, _ = await socket_open(await session_create())
    await send(first, "chat", text="What's my checking balance?")
    await reply_collect(first)
    await send(second, "chat", text="What's my checking balance?")
    assert (await second.receive_json_from(timeout=5))["payload"]["code"] == (
        "rate_limited"
    )
    await send(other, "chat", text="What's my checking balance?")
    assert (await reply_collect(other))[-1]["type"] == "chat_end"
    for communicator in (first, second, other):
        await communicator.disconnect()


async def test_nul_in_a_message_is_stored_as_a_replacement_character():
    """PostgreSQL cannot store NUL, so it arrives as U+FFFD on every back end."""
    communicator, _ = await socket_open(await session_create())
    await send(communicator, "chat", text="my\x00balance")
    reply = await reply_collect(communicator)
    assert reply[-1]["type"] == "chat_end"
    assert ("user", "my\ufffdbalance") in await stored_messages()
    await communicator.disconnect()


async def test_nul_in_a_mode_slug_is_an_unknown_mode():
    communicator, _ = await socket_open(await session_create())
    await send(communicator, "switch_mode", mode="bank\x00ing")
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["payload"]["code"] == "unknown_mode"
    await communicator.disconnect()
