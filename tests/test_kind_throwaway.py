"""A kind registered by a test alone (tests/support/observatory.py) works end to end:
the admin's form, lint and preview, the socket's `session` frame with its card, and
the offline model's answers, with no edit in chat/ or static/. The browser half is
tests/e2e/test_kind_throwaway.py."""

from collections.abc import Iterator
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from chat.conversation.visits import SEED_KEY
from chat.models import Mode
from personas.card import card_render
from personas.formatting import Reader, written_for
from personas.registry import Kind, generate_persona, kind_register, kind_unregister
from tests.chat.socket import (
    reply_collect,
    send,
    session_create_in,
    socket_open,
)
from tests.support.observatory import NAME, OBSERVATORY
from tests.support.stargazing import (
    CATALOGUE,
    GREETING,
    MODE_FIELDS,
    SLUG,
    SYSTEM_PROMPT,
    stargazing_save,
)

SEED = 7


@pytest.fixture
def observatory() -> Iterator[Kind]:
    """The throwaway kind, registered for this test only."""
    kind_register(OBSERVATORY)
    yield OBSERVATORY
    kind_unregister(NAME)


@pytest.fixture
def stargazing(observatory) -> Mode:
    return stargazing_save()


def add_form(**overrides) -> dict:
    return (
        MODE_FIELDS
        | {
            "is_active": "on",
            "system_prompt": SYSTEM_PROMPT,
            "greeting_template": GREETING,
        }
        | overrides
    )


@pytest.mark.django_db
def test_throwaway_kind_is_a_choice_the_admin_saves(admin_client, observatory):
    response = admin_client.post(reverse("admin:chat_mode_add"), add_form())

    assert response.status_code == 302
    assert Mode.objects.get(slug=SLUG).persona_kind == NAME


@pytest.mark.django_db
def test_throwaway_kind_lint_refuses_a_variable_its_schema_lacks(
    admin_client, observatory
):
    data = add_form(system_prompt="{{ persona.member_numbr }}")

    response = admin_client.post(reverse("admin:chat_mode_add"), data)

    errors = response.context["adminform"].form.errors["system_prompt"]
    assert "Unknown variable persona.member_numbr" in str(errors)
    assert not Mode.objects.filter(slug=SLUG).exists()


@pytest.mark.django_db
def test_throwaway_kind_previews_its_customer(admin_client, observatory):
    data = MODE_FIELDS | {
        "system_prompt": "{{ persona.member_number }}",
        "greeting_template": GREETING,
        "seed": SEED,
    }

    response = admin_client.post(reverse("admin:chat_mode_preview"), data)

    customer = generate_persona(NAME, SEED)
    result = response.json()
    assert result["system_prompt"] == {
        "text": customer["member_number"],
        "problems": [],
    }
    assert result["greeting_template"]["text"] == f"Good evening, {customer['name']}."


def test_throwaway_kind_card_lays_out_its_table_and_meter(observatory):
    persona = generate_persona(NAME, SEED, as_of=date(2026, 3, 4))

    card = card_render(OBSERVATORY.card, persona)

    nights, membership = card["sections"]
    table = nights["blocks"][0]
    assert [c["label"] for c in table["columns"]] == [
        "Night",
        "Session",
        "Fee",
        "Seeing",
    ]
    assert [row[1]["text"] for row in table["rows"]] == [
        night["session"] for night in persona["nights"]
    ]
    assert membership["blocks"][0]["items"][0]["value"] == persona["dues_paid"]


async def session_create_for_stargazing() -> str:
    """A visitor who last talked in the throwaway kind's mode."""
    return await session_create_in(SLUG, **{SEED_KEY: SEED})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_throwaway_kind_session_frame_carries_its_persona_and_card(stargazing):
    communicator, session = await socket_open(await session_create_for_stargazing())

    persona = generate_persona(
        NAME, SEED, as_of=timezone.localdate(), catalogue=CATALOGUE
    )
    assert session["mode"]["persona_kind"] == NAME
    assert session["mode"]["hero"] == OBSERVATORY.hero
    assert session["mode"]["chat_subtitle"] == OBSERVATORY.chat_subtitle
    assert session["persona"] == persona
    assert session["card"] == card_render(OBSERVATORY.card, persona)
    assert session["card"]["headline"]["value"] == persona["member_number"]
    assert {night["session"] for night in persona["nights"]} == {"Planetarium show"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_throwaway_kind_offline_model_answers_from_its_own_facts(stargazing):
    communicator, session = await socket_open(await session_create_for_stargazing())

    await send(communicator, "chat", text=OBSERVATORY.example)

    end = (await reply_collect(communicator))[-1]
    persona = session["persona"]
    with written_for(Reader.of(persona)):
        expected = OBSERVATORY.answers[1][1](persona, OBSERVATORY.example)
    assert end["type"] == "chat_end"
    assert end["payload"]["text"] == expected
    await communicator.disconnect()
