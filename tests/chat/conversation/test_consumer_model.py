"""The chat socket with the OpenAI-compatible backend: the real SDK over real HTTP."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from bench.openai_server import Behaviour
from bench.servers import free_port
from chat import services
from chat.dashboard.tabs import dashboard_payload
from chat.models import Message, Mode
from personas.formatting import money
from tests.chat.socket import reply_collect, send, session_create, socket_open

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@database_sync_to_async
def messages_of(conversation_id: int) -> list[Message]:
    return list(Message.objects.filter(conversation_id=conversation_id))


async def test_model_receives_system_prompt_with_the_customers_figures(openai_backend):
    # Pieces a moment apart stream as chunks of their own: none is held back.
    openai_backend.behaviour.chunk_delay = 0.02
    communicator, session = await socket_open(await session_create())
    persona = session["persona"]
    await send(communicator, "chat", text="What's my checking balance?")
    frames = await reply_collect(communicator)
    assert frames[-1]["payload"]["text"] == openai_backend.behaviour.reply
    assert sum(f["type"] == "chat_chunk" for f in frames) > 3
    system, *rest = openai_backend.chat_requests[-1]["messages"]
    assert system["role"] == "system"
    assert "Meridian Trust Bank" in system["content"]
    for figure in (
        money(persona["checking_balance"]),
        money(persona["savings_balance"]),
        money(persona["credit_limit"]),
        str(persona["credit_score"]),
        persona["recent_transactions"][0]["description"],
        persona["name"],
    ):
        assert figure in system["content"]
    assert rest == [{"role": "user", "content": "What's my checking balance?"}]
    *_, reply = await messages_of(session["conversation_id"])
    assert reply.pk == frames[-1]["payload"]["message_id"]
    assert (reply.backend, reply.model) == ("openai", openai_backend.model)
    await communicator.disconnect()


async def test_model_gets_the_last_n_turns_then_the_new_message(
    openai_backend, settings
):
    settings.CHAT_HISTORY_TURNS = 1
    openai_backend.behaviour = Behaviour(echo=True)
    communicator, _ = await socket_open(await session_create())
    for text in ("first question", "second question", "third question"):
        await send(communicator, "chat", text=text)
        await reply_collect(communicator)
    roles_contents = [
        (m["role"], m["content"]) for m in openai_backend.chat_requests[-1]["messages"]
    ][1:]
    assert roles_contents == [
        ("user", "second question"),
        ("assistant", "You said: second question"),
        ("user", "third question"),
    ]
    await communicator.disconnect()


async def test_prompt_edit_saved_by_staff_applies_to_the_next_reply(openai_backend):
    communicator, _ = await socket_open(await session_create())
    mode = await database_sync_to_async(Mode.objects.get)(slug="banking")
    await database_sync_to_async(services.prompt_version_create)(
        mode=mode, source="You are Penny, {{ persona.name }}'s banker.", user=None
    )
    update = await communicator.receive_json_from(timeout=5)
    assert update["type"] == "mode_updated"
    await send(communicator, "chat", text="Hello")
    await reply_collect(communicator)
    system = openai_backend.chat_requests[-1]["messages"][0]["content"]
    assert system.startswith("You are Penny, ") and system.endswith("'s banker.")
    await communicator.disconnect()


async def test_mode_saved_by_staff_reaches_sockets_in_that_mode(openai_backend):
    banking, session = await socket_open(await session_create())
    health, _ = await socket_open(await session_create())
    await send(health, "switch_mode", mode="healthcare")
    await reply_collect(health)
    mode = await database_sync_to_async(Mode.objects.get)(slug="banking")
    mode.company_name = "Meridian Trust"
    await database_sync_to_async(services.mode_save)(mode=mode, user=None)
    update = await banking.receive_json_from(timeout=5)
    assert update == {
        "type": "mode_updated",
        "payload": {
            "mode": update["payload"]["mode"],
            "dashboard": dashboard_payload(mode, session["persona"]),
        },
    }
    assert update["payload"]["mode"]["company_name"] == "Meridian Trust"
    assert await health.receive_nothing(timeout=0.3)
    await banking.disconnect()
    await health.disconnect()


MODEL_FAILURES = [
    (Behaviour(status=500), "model_server_error", True),
    (Behaviour(status=503), "model_server_error", True),
    (Behaviour(status=429), "model_rate_limited", True),
    (Behaviour(status=401), "model_auth", False),
    (Behaviour(status=404), "model_rejected", False),
    (Behaviour(first_token_delay=5), "model_timeout", True),
    (Behaviour(drop_after=2), "model_stream_broken", True),
    (Behaviour(malformed_after=1), "model_stream_broken", True),
]


@pytest.mark.parametrize(("behaviour", "code", "retryable"), MODEL_FAILURES)
async def test_model_failure_ends_the_reply_with_an_error_and_the_socket_lives_on(
    openai_backend, behaviour, code, retryable
):
    openai_backend.behaviour = behaviour
    communicator, session = await socket_open(await session_create())
    await send(communicator, "chat", text="What's my checking balance?")
    frames = await reply_collect(communicator)
    error = frames[-1]["payload"]
    assert frames[-1]["type"] == "error"
    assert (error["code"], error["retryable"]) == (code, retryable)
    assert error["message_id"] == frames[0]["payload"]["message_id"]
    *_, user, reply = await messages_of(session["conversation_id"])
    assert user.content == "What's my checking balance?"
    assert (reply.status, reply.error) == ("failed", error["message"])
    openai_backend.behaviour = Behaviour()
    await send(communicator, "chat", text="And now?")
    assert (await reply_collect(communicator))[-1]["type"] == "chat_end"
    await communicator.disconnect()


async def test_model_failure_shows_the_visitor_no_key_or_address(
    openai_backend, settings, caplog
):
    settings.OPENAI_API_KEY = key = "sk-proj-ABCDEF123456"
    openai_backend.behaviour = Behaviour(
        status=401, error_message=f"Bad key {key} at {openai_backend.base_url}"
    )
    communicator, session = await socket_open(await session_create())
    await send(communicator, "chat", text="Hello?")
    error = (await reply_collect(communicator))[-1]["payload"]
    *_, reply = await messages_of(session["conversation_id"])
    for shown in (str(error), reply.error):
        assert key not in shown and openai_backend.base_url not in shown
    logged = [r.getMessage() for r in caplog.records if r.name == "chat.llm.openai"]
    assert len(logged) == 1 and "[redacted]" in logged[0] and key not in logged[0]
    assert openai_backend.base_url in logged[0]
    await communicator.disconnect()


async def test_refused_connection_is_a_retryable_error(openai_backend, settings):
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"
    communicator, _ = await socket_open(await session_create())
    await send(communicator, "chat", text="Hello?")
    error = (await reply_collect(communicator))[-1]
    assert error["type"] == "error"
    assert (error["payload"]["code"], error["payload"]["retryable"]) == (
        "model_unreachable",
        True,
    )
    await communicator.disconnect()


async def test_chat_while_a_reply_streams_is_refused_as_busy(openai_backend):
    openai_backend.behaviour = Behaviour(chunk_delay=0.05)
    communicator, session = await socket_open(await session_create())
    await send(communicator, "chat", text="Tell me everything")
    assert (await communicator.receive_json_from(timeout=5))["type"] == "chat_start"
    await send(communicator, "chat", text="Hello?")
    frames = await reply_collect(communicator)
    busy = [f for f in frames if f["type"] == "error"]
    assert busy and busy[0]["payload"]["code"] == "busy"
    assert busy[0]["payload"]["retryable"] is True
    await reply_collect(communicator)
    contents = [m.content for m in await messages_of(session["conversation_id"])]
    assert "Hello?" not in contents
    await communicator.disconnect()


async def test_disconnect_mid_reply_stores_the_partial_reply_as_interrupted(
    openai_backend,
):
    openai_backend.behaviour = Behaviour(chunk_delay=0.2)
    communicator, session = await socket_open(await session_create())
    await send(communicator, "chat", text="Tell me a long story")
    await communicator.receive_json_from(timeout=5)
    first = await communicator.receive_json_from(timeout=5)
    assert first["type"] == "chat_chunk"
    await communicator.disconnect()
    await asyncio.sleep(0.1)
    *_, user, reply = await messages_of(session["conversation_id"])
    assert user.content == "Tell me a long story"
    assert reply.status == "interrupted"
    assert reply.content.startswith(first["payload"]["text"])
    assert len(reply.content) < len(openai_backend.behaviour.reply)


async def test_switch_mid_reply_interrupts_it_and_switches(openai_backend):
    openai_backend.behaviour = Behaviour(chunk_delay=0.2)
    communicator, session = await socket_open(await session_create())
    await send(communicator, "chat", text="Tell me a long story")
    await communicator.receive_json_from(timeout=5)
    await send(communicator, "switch_mode", mode="insurance")
    frames = []
    while not frames or frames[-1]["type"] != "mode_switch":
        frames.append(await communicator.receive_json_from(timeout=5))
    *_, reply = await messages_of(session["conversation_id"])
    assert reply.status == "interrupted"
    await communicator.disconnect()


@pytest.mark.parametrize("reason", ["stop", "length", "content_filter"])
async def test_chat_end_carries_the_models_finish_reason(openai_backend, reason):
    openai_backend.behaviour = Behaviour(finish_reason=reason)
    communicator, _ = await socket_open(await session_create())
    await send(communicator, "chat", text="Tell me everything")
    end = (await reply_collect(communicator))[-1]
    assert end["type"] == "chat_end"
    assert end["payload"]["finish_reason"] == reason
    assert end["payload"]["text"] == openai_backend.behaviour.reply
    await communicator.disconnect()
