"""Help articles through the chat socket: how-tos answered from them, offline and by a
model, and a staff edit reaching the next answer of a chat already open."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from chat.broadcast import mode_group_name, mode_updated_event
from chat.models import HelpArticle, Mode
from personas import generate_persona, kind_get
from tests.chat.socket import frames_until, reply_collect, send, session_create
from tests.chat.socket import socket_open as socket_open_frame
from tests.chat.test_admin import change_data, change_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CLAIM_QUESTION = "I was in a car accident yesterday, how do I file a claim?"
LOST_CARD_QUESTION = "How do I report a lost card?"


async def socket_open(**session):
    communicator, _ = await socket_open_frame(await session_create(**session))
    return communicator


async def ask(communicator, text: str) -> str:
    await send(communicator, "chat", text=text)
    frames = await reply_collect(communicator)
    assert frames[-1]["type"] == "chat_end", frames[-1]
    return frames[-1]["payload"]["text"]


async def switch_to(communicator, slug: str) -> dict:
    await send(communicator, "switch_mode", mode=slug)
    switch = (await frames_until(communicator, "mode_switch"))[-1]["payload"]
    await frames_until(communicator, "chat_end")
    return switch["persona"]


def seed_with_auto_policy() -> tuple[int, dict]:
    today = timezone.localdate()
    for seed in range(100):
        persona = generate_persona("insurance", seed, as_of=today)
        autos = [p for p in persona["active_policies"] if p["type"] == "Auto"]
        if autos:
            return seed, autos[0]
    raise AssertionError("No customer among the first 100 seeds has an Auto policy.")


async def test_a_how_to_is_answered_from_the_article_for_this_customer():
    seed, auto = seed_with_auto_policy()
    communicator = await socket_open(persona_seed=seed)
    await switch_to(communicator, "insurance")

    text = await ask(communicator, CLAIM_QUESTION)

    claim = kind_get("insurance").help_articles[0]
    assert text == (
        f"To file a claim on your Auto policy {auto['policy_number']}: {claim.body}"
    )
    assert "no Auto claims" not in text
    await communicator.disconnect()


async def test_a_question_of_fact_is_still_answered_with_the_figure():
    seed, auto = seed_with_auto_policy()
    communicator = await socket_open(persona_seed=seed)
    await switch_to(communicator, "insurance")

    text = await ask(communicator, "What's my auto policy number?")

    assert auto["policy_number"] in text
    assert not text.startswith("To ")
    await communicator.disconnect()


@database_sync_to_async
def staff_edit_first_article(body: str) -> None:
    """Staff change the banking mode's first article on its admin page."""
    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("staff"))
    mode = Mode.objects.get(slug="banking")
    response = staff.post(
        change_url(mode), change_data(mode) | {"help_articles-0-body": body}
    )
    assert response.status_code == 302


async def test_an_article_edited_by_staff_reaches_the_next_answer_of_an_open_chat(
    settings,
):
    settings.PROMPT_RENDER_MAX_MS = 10_000  # the save lints the prompt on a clock
    communicator = await socket_open()
    before = await ask(communicator, LOST_CARD_QUESTION)
    assert "Lock your card straight away" in before

    await staff_edit_first_article("Call us on 0800 123 456 at once. We block it.")
    await frames_until(communicator, "mode_updated")

    after = await ask(communicator, LOST_CARD_QUESTION)
    assert after.endswith(": Call us on 0800 123 456 at once. We block it.")
    await communicator.disconnect()


@database_sync_to_async
def article_written_elsewhere(title: str, body: str) -> Mode:
    """An article edited as another process would: no signal reaches this one."""
    HelpArticle.objects.filter(mode__slug="banking", title=title).update(body=body)
    return Mode.objects.get(slug="banking")


async def test_an_edit_in_another_process_reaches_the_chat_by_the_group_message():
    communicator = await socket_open()
    title = kind_get("banking").help_articles[0].title
    await ask(communicator, LOST_CARD_QUESTION)

    mode = await article_written_elsewhere(title, "Phone the fraud team. Now.")
    stale = await ask(communicator, LOST_CARD_QUESTION)
    await get_channel_layer().group_send(
        mode_group_name(mode.pk), mode_updated_event(mode)
    )
    assert (await communicator.receive_json_from(timeout=5))["type"] == "mode_updated"
    fresh = await ask(communicator, LOST_CARD_QUESTION)

    assert "Lock your card straight away" in stale  # kept until it heard
    assert fresh.endswith(": Phone the fraud team. Now.")
    await communicator.disconnect()


async def test_the_model_is_given_the_articles_that_match_the_message(openai_backend):
    communicator = await socket_open()
    lost_card = kind_get("banking").help_articles[0]

    await ask(communicator, LOST_CARD_QUESTION)
    how_to = openai_backend.chat_requests[-1]["messages"][0]["content"]
    await ask(communicator, "What's my checking balance?")
    fact = openai_backend.chat_requests[-1]["messages"][0]["content"]

    assert f"- {lost_card.title}: {lost_card.body}" in how_to
    assert "Help articles" not in fact
    await communicator.disconnect()
