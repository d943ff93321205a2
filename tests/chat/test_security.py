"""Who may reach what: the socket's Origin check, the admin's login and CSRF, the
session cookie, one visitor's transcript kept from another, the page's CSP, and a
rate limit that holds however many visitors there are."""

import asyncio
import secrets

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from chat.conversation.ratelimit import Action, abudgets_spend
from chat.conversation.visits import visitor_key
from chat.models import Conversation, Message, Mode
from demo_site.asgi import application
from tests.chat.socket import (
    reply_collect,
    send,
    session_create,
    session_data,
    socket_open,
)

FOREIGN_ORIGINS = [
    ("foreign-host", b"http://evil.example"),
    ("lookalike-suffix", b"http://testserver.evil.example"),
    ("lookalike-prefix", b"http://eviltestserver"),
    ("null", b"null"),
    ("not-a-url", b"testserver"),
]


@pytest.fixture
def plain_static(settings) -> None:
    """Pages link static files; tests have no collected manifest to hash them."""
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        }
    }


def user_client(*, staff: bool, enforce_csrf_checks: bool = False) -> Client:
    """A logged-in client; staff are superusers. No password: hashing one is slow."""
    username = f"user-{secrets.token_hex(4)}"
    user = get_user_model().objects.create_user(
        username, is_staff=staff, is_superuser=staff
    )
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


def admin_urls() -> list[str]:
    mode = Mode.objects.get(slug="banking")
    return [
        reverse("admin:index"),
        reverse("admin:chat_mode_changelist"),
        reverse("admin:chat_mode_change", args=[mode.pk]),
        reverse("admin:chat_conversation_changelist"),
        reverse("admin:chat_prompttemplate_changelist"),
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "origin", [o for _, o in FOREIGN_ORIGINS], ids=[n for n, _ in FOREIGN_ORIGINS]
)
async def test_socket_from_foreign_origin_is_refused(origin):
    communicator = WebsocketCommunicator(
        application, "/ws/chat/", headers=[(b"origin", origin)]
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_socket_without_origin_is_refused():
    key = await session_create()
    communicator = WebsocketCommunicator(
        application, "/ws/chat/", headers=[(b"cookie", f"sessionid={key}".encode())]
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_socket_from_own_origin_is_accepted():
    """The other half of the Origin tests: the page's own origin gets in."""
    communicator, session = await socket_open(await session_create())
    assert session["conversation_id"]
    await communicator.disconnect()


@pytest.mark.django_db
@pytest.mark.parametrize("visitor", ["anonymous", "non-staff user"])
def test_admin_redirects_anyone_but_staff_to_login(visitor):
    client = Client() if visitor == "anonymous" else user_client(staff=False)
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


@pytest.mark.django_db
def test_admin_preview_refuses_non_staff_user():
    client = user_client(staff=False)
    response = client.post(
        reverse("admin:chat_mode_preview"), {"system_prompt": "{{ persona.name }}"}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_admin_shows_modes_to_staff(plain_static):
    """The other half of the login tests: staff do get in."""
    response = user_client(staff=True).get(reverse("admin:chat_mode_changelist"))
    assert response.status_code == 200
    assert b"Meridian" in response.content or b"Banking" in response.content


@pytest.mark.django_db
def test_admin_change_without_csrf_token_is_forbidden():
    mode = Mode.objects.get(slug="banking")
    client = user_client(staff=True, enforce_csrf_checks=True)
    response = client.post(
        reverse("admin:chat_mode_change", args=[mode.pk]),
        {"name": "Hijacked", "company_name": "Evil Corp"},
    )
    assert response.status_code == 403
    mode.refresh_from_db()
    assert mode.company_name != "Evil Corp"


@pytest.mark.django_db
def test_admin_rollback_without_csrf_token_is_forbidden():
    mode = Mode.objects.get(slug="banking")
    version = mode.prompts.get(is_active=True)
    client = user_client(staff=True, enforce_csrf_checks=True)
    response = client.post(
        reverse("admin:chat_mode_rollback", args=[mode.pk, version.pk])
    )
    assert response.status_code == 403
    assert mode.prompts.count() == 1


@pytest.mark.django_db
def test_admin_preview_without_csrf_token_is_forbidden():
    client = user_client(staff=True, enforce_csrf_checks=True)
    response = client.post(
        reverse("admin:chat_mode_preview"), {"system_prompt": "{{ persona.name }}"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_chat_page_session_cookie_is_httponly_and_samesite_lax(plain_static):
    response = Client().get(reverse("chat:page"))
    assert response.status_code == 200
    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_chat_page_csp_has_no_unsafe_inline_script(plain_static):
    response = Client().get(reverse("chat:page"))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split(maxsplit=1) + [""])[:2] for part in policy.split(";") if part
    )
    directives = {name.strip(): value for name, value in directives.items()}
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src, policy
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in directives.get("default-src", "")


@database_sync_to_async
def conversation_texts(conversation_id: int) -> list[str]:
    return list(
        Message.objects.filter(conversation_id=conversation_id).values_list(
            "content", flat=True
        )
    )


@database_sync_to_async
def conversation_visitor_key(conversation_id: int) -> str:
    return Conversation.objects.get(pk=conversation_id).visitor_key


async def visitor_a_chat(secret: str) -> tuple[str, dict]:
    """Visitor A's session key and session frame, after A said `secret`."""
    key = await session_create()
    communicator, session = await socket_open(key)
    await send(communicator, "chat", text=secret)
    assert (await reply_collect(communicator))[-1]["type"] == "chat_end"
    await communicator.disconnect()
    return key, session


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_second_visitor_never_sees_first_visitors_conversation():
    secret = "My mother's maiden name is Quetzalcoatl"
    key_a, session_a = await visitor_a_chat(secret)
    communicator, session_b = await socket_open(await session_create())
    assert session_b["conversation_id"] != session_a["conversation_id"]
    assert session_b["persona"] != session_a["persona"]
    assert secret not in str(session_b)
    await send(communicator, "clear")
    switch = await communicator.receive_json_from(timeout=5)
    assert switch["payload"]["conversation_id"] != session_a["conversation_id"]
    await communicator.disconnect()
    assert secret in await conversation_texts(session_a["conversation_id"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_forged_sessionid_gets_a_fresh_customer():
    secret = "The vault code is 4417"
    key_a, session_a = await visitor_a_chat(secret)
    forged = key_a[:-4] + ("aaaa" if not key_a.endswith("aaaa") else "bbbb")
    for cookie in (forged, "x" * 32, "../../etc/passwd", secrets.token_hex(16)):
        communicator, session = await socket_open(cookie)
        assert session["conversation_id"] != session_a["conversation_id"]
        assert session["persona"] != session_a["persona"]
        assert secret not in str(session)
        assert session["messages"] == []
        await communicator.disconnect()
        stored = await conversation_visitor_key(session["conversation_id"])
        assert stored != visitor_key(key_a)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_session_naming_another_visitors_conversation_does_not_resume_it():
    """A session copying someone else's customer, and naming their conversation as
    sessions once did, starts its own: a visit resumes only its visitor's."""
    secret = "My PIN is 9931"
    key_a, session_a = await visitor_a_chat(secret)
    data_a = await session_data(key_a)
    key_b = await session_create(
        conversation_id=session_a["conversation_id"],
        mode_slug="banking",
        persona_seed=data_a["persona_seed"],
        persona_as_of=data_a["persona_as_of"],
    )
    communicator, session_b = await socket_open(key_b)
    assert session_b["conversation_id"] != session_a["conversation_id"]
    assert secret not in str(session_b)
    await communicator.disconnect()


# The default cache (LocMemCache) keeps 300 keys; the rate limit keeps one a session.
MANY_SESSIONS = 400


async def message_count(visitor: str) -> float | None:
    """One message of `visitor`, each visitor from an address of their own."""
    return await abudgets_spend(Action.MESSAGE, address=visitor, visitor=visitor)


async def test_rate_limit_holds_while_many_other_sessions_chat(settings):
    """One visitor's count survives other visitors' messages in the same window."""
    settings.CHAT_RATE_LIMIT_MESSAGES = 2
    settings.CHAT_RATE_LIMIT_WINDOW_SECONDS = 3600  # no window ends mid-test
    await cache.aclear()
    answers = []
    for burst in range(3):
        for other in range(MANY_SESSIONS):
            await message_count(f"other-{burst}-{other}")
        answers.append(await message_count("visitor"))
    assert answers[:2] == [None, None]
    assert answers[2] is not None, "the third message in the window was not limited"


async def test_rate_limit_never_fails_for_many_concurrent_sessions(settings):
    """Many sessions' first messages at once: each counted, none raising."""
    settings.CHAT_RATE_LIMIT_WINDOW_SECONDS = 3600
    await cache.aclear()
    answers = await asyncio.gather(
        *(message_count(f"visitor-{i}") for i in range(MANY_SESSIONS)),
        return_exceptions=True,
    )
    assert [a for a in answers if isinstance(a, Exception)][:1] == []
    assert answers == [None] * MANY_SESSIONS
