"""The chat socket end to end through the real ASGI application (offline model)."""

import asyncio
from datetime import date

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from chat import services
from chat.conversation.visits import seed_from_session_key
from chat.dashboard.tabs import dashboard_payload
from chat.models import Conversation, Message, Mode
from demo_site.asgi import application
from personas import generate_persona
from personas.card import card_render
from personas.formatting import money
from personas.registry import kind_get
from tests.chat.socket import (
    frames_until,
    reply_collect,
    send,
    session_create,
    session_data,
    socket_open,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def persona_for(kind: str, seed: int, as_of: date | None = None) -> dict:
    return generate_persona(kind, seed, as_of=as_of or timezone.localdate())


def card_of(kind: str, persona: dict) -> dict:
    return card_render(kind_get(kind).card, persona)


@database_sync_to_async
def dashboard_of(slug: str, persona: dict) -> dict:
    return dashboard_payload(Mode.objects.get(slug=slug), persona)


@database_sync_to_async
def messages_of(conversation_id: int) -> list[Message]:
    messages = Message.objects.select_related("conversation")
    return list(messages.filter(conversation_id=conversation_id))


async def test_connect_sends_session_with_the_visitors_customer():
    key = await session_create()
    communicator, session = await socket_open(key)
    assert session["mode"]["slug"] == "banking"
    assert session["mode"]["company_name"] == "Meridian Trust Bank"
    assert session["persona"] == persona_for("banking", seed_from_session_key(key))
    assert session["card"] == card_of("banking", session["persona"])
    assert session["dashboard"] == await dashboard_of("banking", session["persona"])
    assert [tab["title"] for tab in session["dashboard"]["tabs"]] == [
        "Overview",
        "Spending",
        "Accounts",
    ]
    assert [m["slug"] for m in session["modes"]] == [
        "banking",
        "insurance",
        "healthcare",
    ]
    assert session["llm"]["backend"] == "offline"
    assert await database_sync_to_async(
        Conversation.objects.filter(pk=session["conversation_id"]).exists
    )()
    await communicator.disconnect()


async def test_connect_resumes_the_same_customer_and_conversation():
    key = await session_create()
    first, session = await socket_open(key)
    await send(first, "chat", text="What's my checking balance?")
    await reply_collect(first)
    await first.disconnect()
    second, again = await socket_open(key)
    assert again["persona"] == session["persona"]
    assert again["conversation_id"] == session["conversation_id"]
    assert [m["role"] for m in again["messages"]] == ["user", "assistant"]
    await second.disconnect()


async def test_connect_without_session_still_works():
    communicator, session = await socket_open(None)
    assert session["persona"]["name"]
    await send(communicator, "chat", text="What is my savings balance?")
    frames = await reply_collect(communicator)
    assert money(session["persona"]["savings_balance"]) in frames[-1]["payload"]["text"]
    await communicator.disconnect()


async def test_two_visitors_get_their_own_customers_and_history():
    (a, session_a), (b, session_b) = [
        await socket_open(await session_create()) for _ in range(2)
    ]
    assert session_a["persona"] != session_b["persona"]
    await asyncio.gather(
        send(a, "chat", text="What's my checking balance?"),
        send(b, "chat", text="What's my credit score?"),
    )
    reply_a, reply_b = await asyncio.gather(reply_collect(a), reply_collect(b))
    assert (
        money(session_a["persona"]["checking_balance"])
        in (reply_a[-1]["payload"]["text"])
    )
    assert str(session_b["persona"]["credit_score"]) in reply_b[-1]["payload"]["text"]
    texts_a = [m.content for m in await messages_of(session_a["conversation_id"])]
    assert "What's my credit score?" not in texts_a
    await a.disconnect()
    await b.disconnect()


async def test_chat_streams_a_reply_and_stores_it_with_provenance():
    key = await session_create()
    communicator, session = await socket_open(key)
    await send(communicator, "chat", text="What's my checking balance?")
    frames = await reply_collect(communicator)
    kinds = [f["type"] for f in frames]
    assert kinds[0] == "chat_start" and kinds[-1] == "chat_end"
    chunks = [f["payload"]["text"] for f in frames if f["type"] == "chat_chunk"]
    assert len(chunks) > 1
    end = frames[-1]["payload"]
    assert end["text"] == "".join(chunks)
    assert money(session["persona"]["checking_balance"]) in end["text"]
    user, reply = await messages_of(session["conversation_id"])
    assert (user.role, user.content) == ("user", "What's my checking balance?")
    assert reply.pk == end["message_id"] and reply.content == end["text"]
    assert reply.status == "complete" and reply.backend == "offline"
    assert reply.conversation.seed == seed_from_session_key(key)
    assert reply.prompt_version_id is not None
    assert reply.time_to_first_token_ms is not None
    await communicator.disconnect()


async def test_trigger_switches_mode_with_persona_and_streams_greeting():
    key = await session_create()
    communicator, session = await socket_open(key)
    await send(communicator, "chat", text="Presto-Change-O, be an insurance company")
    switch = await communicator.receive_json_from(timeout=5)
    assert switch["type"] == "mode_switch"
    payload = switch["payload"]
    assert payload["mode"]["company_name"] == "Guardian Shield Insurance"
    assert payload["persona"] == persona_for("insurance", seed_from_session_key(key))
    assert payload["card"] == card_of("insurance", payload["persona"])
    assert payload["dashboard"] == await dashboard_of("insurance", payload["persona"])
    assert [tab["title"] for tab in payload["dashboard"]["tabs"]] == [
        "Overview",
        "Policies",
        "Claims",
    ]
    assert payload["conversation_id"] != session["conversation_id"]
    assert payload["reason"] == "switch"
    greeting = await reply_collect(communicator)
    assert "Guardian Shield Insurance" in greeting[-1]["payload"]["text"]
    old = await messages_of(session["conversation_id"])
    assert old[-1].content == "Presto-Change-O, be an insurance company"
    await communicator.disconnect()


@database_sync_to_async
def greeting_versions(conversation_id: int) -> list[tuple[int, int]]:
    """(active version, the greeting's recorded version) for a conversation."""
    greeting = Message.objects.select_related("conversation__mode").get(
        conversation_id=conversation_id, backend="greeting"
    )
    active = greeting.conversation.mode.prompts.get(is_active=True)
    return active.pk, greeting.prompt_version_id


@database_sync_to_async
def insurance_greeting_edit(greeting: str) -> None:
    mode = Mode.objects.get(slug="insurance")
    services.mode_save(mode=mode, user=None, greeting=greeting)


async def switch_to_insurance(communicator) -> tuple[dict, str]:
    """The mode_switch frame's payload and the greeting's text."""
    await send(communicator, "chat", text="Presto-Change-O, be an insurance company")
    switch = (await frames_until(communicator, "mode_switch"))[-1]["payload"]
    end = (await frames_until(communicator, "chat_end"))[-1]["payload"]
    return switch, end["text"]


async def test_greeting_records_the_version_it_came_from_and_a_later_edit():
    communicator, _ = await socket_open(await session_create())
    first, _ = await switch_to_insurance(communicator)
    active, recorded = await greeting_versions(first["conversation_id"])
    assert recorded == active
    await send(communicator, "chat", text="Presto-Change-O, be a bank")
    await frames_until(communicator, "chat_end")
    await insurance_greeting_edit("Hello again, {{ persona.name }}.")
    second, text = await switch_to_insurance(communicator)
    edited, recorded_after = await greeting_versions(second["conversation_id"])
    assert recorded_after == edited != active
    assert text == f"Hello again, {second['persona']['name']}."
    await communicator.disconnect()


async def test_switching_back_gives_the_same_customer():
    communicator, session = await socket_open(await session_create())
    await send(communicator, "switch_mode", mode="healthcare")
    await frames_until(communicator, "chat_end")
    await send(communicator, "switch_mode", mode="banking")
    back = await frames_until(communicator, "mode_switch")
    assert back[-1]["payload"]["persona"] == session["persona"]
    await communicator.disconnect()


@pytest.mark.parametrize("slug", ["bakery", "", "BANKING"])
async def test_switch_mode_to_unknown_slug_is_an_error(slug):
    communicator, _ = await socket_open(await session_create())
    await send(communicator, "switch_mode", mode=slug)
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["payload"]["code"] == "unknown_mode"
    await communicator.disconnect()


async def test_switch_mode_to_inactive_mode_is_an_error():
    await database_sync_to_async(Mode.objects.filter(slug="insurance").update)(
        is_active=False
    )
    communicator, session = await socket_open(await session_create())
    assert "insurance" not in [m["slug"] for m in session["modes"]]
    await send(communicator, "switch_mode", mode="insurance")
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "error" and frame["payload"]["code"] == "unknown_mode"
    await communicator.disconnect()


async def test_new_persona_draws_a_new_seed_kept_in_the_session():
    key = await session_create()
    communicator, session = await socket_open(key)
    await send(communicator, "new_persona")
    frame = (await frames_until(communicator, "mode_switch"))[-1]["payload"]
    assert frame["reason"] == "new_persona"
    assert frame["persona"] != session["persona"]
    await frames_until(communicator, "chat_end")
    await communicator.disconnect()
    stored = await session_data(key)
    assert frame["persona"] == persona_for("banking", stored["persona_seed"])
    again, resumed = await socket_open(key)
    assert resumed["persona"] == frame["persona"]
    await again.disconnect()


async def test_clear_starts_a_new_conversation_with_the_same_customer():
    communicator, session = await socket_open(await session_create())
    await send(communicator, "clear")
    frame = (await frames_until(communicator, "mode_switch"))[-1]["payload"]
    assert frame["reason"] == "clear"
    assert frame["persona"] == session["persona"]
    assert frame["conversation_id"] != session["conversation_id"]
    await communicator.disconnect()


async def test_pinned_seed_gives_that_seeds_customer():
    key = await session_create(persona_seed=7)
    communicator, session = await socket_open(key)
    assert session["persona"] == persona_for("banking", 7)
    await communicator.disconnect()


async def test_as_of_is_fixed_when_the_session_first_gets_its_customer():
    key = await session_create(persona_seed=7, persona_as_of="2025-12-31")
    communicator, session = await socket_open(key)
    assert session["persona"] == persona_for("banking", 7, date(2025, 12, 31))
    await communicator.disconnect()


async def test_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/chat/", headers=[(b"origin", b"http://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_persona_kind_change_by_staff_starts_a_fitting_conversation():
    key = await session_create()
    communicator, session = await socket_open(key)
    mode = await database_sync_to_async(Mode.objects.get)(slug="banking")
    mode.persona_kind = "generic"
    await database_sync_to_async(services.mode_save)(mode=mode, user=None)
    frame = (await frames_until(communicator, "mode_switch"))[-1]["payload"]
    assert frame["persona"] == persona_for("generic", seed_from_session_key(key))
    assert frame["conversation_id"] != session["conversation_id"]
    await frames_until(communicator, "chat_end")
    await send(communicator, "chat", text="How many loyalty points do I have?")
    reply = (await reply_collect(communicator))[-1]
    assert f"{frame['persona']['loyalty_points']:,}" in reply["payload"]["text"]
    await communicator.disconnect()
    again, resumed = await socket_open(key)
    assert resumed["conversation_id"] == frame["conversation_id"]
    await again.disconnect()


async def test_reconnect_after_persona_kind_change_does_not_resume_a_stale_customer():
    key = await session_create()
    first, session = await socket_open(key)
    await first.disconnect()
    mode = await database_sync_to_async(Mode.objects.get)(slug="banking")
    mode.persona_kind = "generic"
    await database_sync_to_async(services.mode_save)(mode=mode, user=None)
    again, resumed = await socket_open(key)
    assert resumed["conversation_id"] != session["conversation_id"]
    assert resumed["persona"] == persona_for("generic", seed_from_session_key(key))
    await again.disconnect()


async def test_staff_save_reaches_every_socket_sharing_the_mode():
    sockets = [(await socket_open(await session_create()))[0] for _ in range(2)]
    mode = await database_sync_to_async(Mode.objects.get)(slug="banking")
    mode.name = "Renamed Bank"
    await database_sync_to_async(services.mode_save)(mode=mode, user=None)
    for communicator in sockets:
        update = (await frames_until(communicator, "mode_updated"))[-1]["payload"]
        assert update["mode"]["name"] == "Renamed Bank"
    later, session = await socket_open(await session_create())
    assert session["mode"]["name"] == "Renamed Bank"
    for communicator in (*sockets, later):
        await communicator.disconnect()
