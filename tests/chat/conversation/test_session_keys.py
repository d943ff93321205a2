"""A session key is a login, so none is stored, shown, logged or sent: conversations
keep a keyed hash of it (chat.conversation.visits.visitor_key), and staff who may
only look at transcripts find nothing in the admin that makes them someone else."""

import importlib
import json
import logging
import re
from collections.abc import Iterable

import pytest
from channels.db import database_sync_to_async
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.openai_server import OpenAIServer
from chat.admin import VISITOR_ID_CHARS
from chat.conversation.visits import visit_open, visitor_key
from chat.models import Conversation, Message, Mode, PromptTemplate
from tests.chat.migration import chat_migrate, chat_migrate_latest
from tests.chat.socket import (
    frames_until,
    reply_collect,
    send,
    session_create,
    socket_open,
)

socket_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SESSION_KEY = "q3v8k2m9x7c4b1n6z5l0p8w2e4r6t1y9"
VIEW_PERMISSIONS = (
    "view_conversation",
    "view_message",
    "view_mode",
    "view_prompttemplate",
)
BEFORE_HASHING = "0003_message_finish_reason_updated"
HASHED = "0004_conversation_visitor_key"


def test_visitor_key_is_a_stable_hash_that_does_not_contain_the_key():
    hashed = visitor_key(SESSION_KEY)

    assert re.fullmatch(r"[0-9a-f]{64}", hashed)
    assert SESSION_KEY not in hashed
    assert visitor_key(SESSION_KEY) == hashed
    assert visitor_key(SESSION_KEY[:-1] + "a") != hashed


def test_visitor_key_changes_with_the_secret_key(settings):
    """Keyed: without SECRET_KEY nobody can compute (or check a guess at) a hash."""
    before = visitor_key(SESSION_KEY)
    settings.SECRET_KEY = "another-tests-only-secret"

    assert visitor_key(SESSION_KEY) != before


@pytest.mark.parametrize("session_key", ["", None])
def test_visitor_key_is_blank_without_a_session(session_key):
    assert visitor_key(session_key) == ""


@database_sync_to_async
def conversation_row(conversation_id: int) -> dict:
    return Conversation.objects.values().get(pk=conversation_id)


@socket_db
async def test_conversation_stores_the_visitor_key_not_the_session_key():
    key = await session_create()
    communicator, session = await socket_open(key)
    await communicator.disconnect()

    row = await conversation_row(session["conversation_id"])

    assert row["visitor_key"] == visitor_key(key)
    assert key not in json.dumps(row, default=str)


@pytest.fixture
def chat_latest_after():
    """The tests after a migration test need the latest tables back."""
    yield
    chat_migrate_latest()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_hashes_stored_session_keys_and_keeps_them_resumable(
    chat_latest_after,
):
    old = chat_migrate(BEFORE_HASHING)
    banking = old.get_model("chat", "Mode").objects.get(slug="banking")
    old_conversation = old.get_model("chat", "Conversation").objects
    today = timezone.localdate()
    session = SessionStore()
    session.update({"mode_slug": "banking", "persona_seed": 7})
    session["persona_as_of"] = today.isoformat()
    session.create()
    key = session.session_key
    row = {"mode": banking, "seed": 7, "as_of": today, "persona_kind": "banking"}
    earlier = old_conversation.create(session_key=key, persona={}, **row)
    latest = old_conversation.create(session_key=key, persona={}, **row)
    cookieless = old_conversation.create(session_key="", persona={}, **row)
    session["conversation_id"] = latest.pk
    session.save()

    chat_migrate(HASHED)
    chat_migrate_latest()

    stored = dict(Conversation.objects.values_list("pk", "visitor_key"))
    assert stored == {
        earlier.pk: visitor_key(key),
        latest.pk: visitor_key(key),
        cookieless.pk: "",
    }
    visit, _ = visit_open(SessionStore(session_key=key), today=today)
    assert visit.conversation.pk == latest.pk
    # The migration inlines the hash; it must stay the app's.
    migration = importlib.import_module(f"chat.migrations.{HASHED}")
    assert migration.visitor_key(key) == visitor_key(key)


def session_keys() -> set[str]:
    """Every live login and visitor: what must never appear anywhere."""
    return set(Session.objects.values_list("session_key", flat=True))


def keys_in(text: str, keys: Iterable[str]) -> list[str]:
    return [key for key in keys if key in text]


def superuser_client() -> tuple[Client, str]:
    """A logged-in superuser's client and the session key that is their login."""
    user = get_user_model().objects.create_superuser("root", password=None)
    client = Client()
    client.force_login(user)
    return client, client.cookies["sessionid"].value


def viewer_client() -> Client:
    """Staff who may look at transcripts, modes and prompts, and change nothing."""
    user = get_user_model().objects.create_user("viewer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=VIEW_PERMISSIONS))
    client = Client()
    client.force_login(user)
    return client


async def visitors_chat(*keys: str | None) -> None:
    """Each visitor (None: without a cookie) chats, switches modes twice and asks for
    a new customer."""
    for key in keys:
        communicator, _ = await socket_open(key)
        await send(communicator, "chat", text="What's my checking balance?")
        await reply_collect(communicator)
        await send(
            communicator, "chat", text="Presto-Change-O, be an insurance company"
        )
        await frames_until(communicator, "chat_end")
        await send(communicator, "switch_mode", mode="healthcare")
        await frames_until(communicator, "chat_end")
        await send(communicator, "new_persona")
        await frames_until(communicator, "chat_end")
        await communicator.disconnect()


@pytest.fixture
async def chatted(transactional_db) -> tuple[Client, Client]:
    """Superuser and viewer clients after several visitors chatted; one visitor was
    the superuser, chatting from the browser that holds their admin login."""
    root, root_key = await database_sync_to_async(superuser_client)()
    viewer = await database_sync_to_async(viewer_client)()
    await visitors_chat(root_key, await session_create(), await session_create(), None)
    return root, viewer


def admin_object_urls() -> list[str]:
    """Every page the admin has: the index, each app, and for each registered model
    its list, add page and every object's change, history and delete pages."""
    registry = admin.site._registry
    urls = [reverse("admin:index")]
    urls += [
        reverse("admin:app_list", args=[label])
        for label in {model._meta.app_label for model in registry}
    ]
    for model in registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        for pk in model._default_manager.values_list("pk", flat=True):
            urls += [
                reverse(f"{name}_{page}", args=[pk])
                for page in ("change", "history", "delete")
            ]
    return urls


def admin_searches(keys: Iterable[str]) -> list[tuple[str, str]]:
    """(changelist, session key) for each searchable list and each key."""
    return [
        (reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist"), key)
        for m, model_admin in admin.site._registry.items()
        if model_admin.search_fields
        for key in keys
    ]


def admin_sweep(client: Client) -> list[str]:
    """Every admin page and search as `client` sees it; where any key showed."""
    keys = session_keys()
    problems = []
    for url in admin_object_urls():
        response = client.get(url)
        # 404: an app index where the user may see none of the app's models.
        assert response.status_code in (200, 403, 404), url
        problems += [f"{url}: {key}" for key in keys_in(response.text, keys)]
    for url, key in admin_searches(keys):
        response = client.get(url, {"q": key})
        if response.status_code != 200:
            continue
        assert response.context["cl"].result_count == 0, f"{url} found {key}"
        # The search box echoes the query: only the results could carry other keys.
        problems += [f"{url}?q=…: {k}" for k in keys_in(response.text, keys - {key})]
    return problems


@socket_db
@pytest.mark.parametrize("who", ["superuser", "viewer"])
async def test_admin_pages_show_no_session_key_after_chats(chatted, who):
    client = dict(zip(["superuser", "viewer"], chatted, strict=True))[who]

    problems = await database_sync_to_async(admin_sweep)(client)

    assert problems == []


def visitor_ids_shown(client: Client) -> list[str]:
    """The visitor ids the conversation list shows `client`."""
    response = client.get(reverse("admin:chat_conversation_changelist"))
    ids = re.findall(rf"\?q=([0-9a-f]{{{VISITOR_ID_CHARS}}})\"", response.text)
    assert ids, "the conversation list shows no visitor id"
    return ids


@socket_db
async def test_admin_visitor_id_finds_that_visitors_conversations(chatted):
    root, _ = chatted
    keys = await database_sync_to_async(session_keys)()
    root_key = root.cookies["sessionid"].value
    visitor_id = visitor_key(root_key)[:VISITOR_ID_CHARS]

    response = await database_sync_to_async(root.get)(
        reverse("admin:chat_conversation_changelist"), {"q": visitor_id}
    )

    found = response.context["cl"].result_list
    assert {c.visitor_key for c in found} == {visitor_key(root_key)}
    assert len(found) == 4  # the first visit, two switches and a new customer
    assert keys_in(response.text, keys) == []


def admin_index_status(session_cookie: str) -> int:
    """What GET /admin/ answers a browser sending `session_cookie` as its login."""
    client = Client()
    client.cookies["sessionid"] = session_cookie
    response = client.get(reverse("admin:index"))
    if response.status_code == 302:
        assert response.url.startswith(reverse("admin:login"))
    return response.status_code


def admin_logins_from_shown(viewer: Client) -> dict[str, int]:
    """Every visitor id and visitor key, tried as a session cookie."""
    shown = visitor_ids_shown(viewer)
    stored = Conversation.objects.exclude(visitor_key="").values_list(
        "visitor_key", flat=True
    )
    return {value: admin_index_status(value) for value in {*shown, *stored}}


@socket_db
async def test_admin_visitor_ids_and_keys_do_not_log_anyone_in(chatted):
    root, viewer = chatted
    root_key = root.cookies["sessionid"].value

    statuses = await database_sync_to_async(admin_logins_from_shown)(viewer)

    assert set(statuses.values()) == {302}
    # The check can tell a login: the superuser's own key, as a cookie, is one.
    assert await database_sync_to_async(admin_index_status)(root_key) == 200


def admin_state() -> dict[str, list[dict]]:
    """Everything a view-only user might try to change, as plain rows."""
    user_model = get_user_model()
    models = (Mode, PromptTemplate, Conversation, Message, user_model)
    state = {
        m.__name__: list(m._default_manager.order_by("pk").values()) for m in models
    }
    state["permissions"] = list(
        user_model.user_permissions.through.objects.order_by("pk").values()
    )
    return state


def admin_writes(client: Client) -> dict[str, int]:
    """POST to every add, change and delete page, the rollback and preview views,
    and bulk delete on every list; the status of each URL-level refusal."""
    hijack = {"is_superuser": "on", "is_staff": "on", "name": "Hijacked", "post": "yes"}
    statuses = {}
    for url in admin_object_urls():
        if url.endswith(("/add/", "/change/", "/delete/")):
            statuses[url] = client.post(url, hijack).status_code
    mode = Mode.objects.get(slug="banking")
    version = mode.prompts.get(is_active=True)
    for url in (
        reverse("admin:chat_mode_rollback", args=[mode.pk, version.pk]),
        reverse("admin:chat_mode_preview"),
    ):
        statuses[url] = client.post(url, {"system_prompt": "x"}).status_code
    for model in admin.site._registry:
        pks = model._default_manager.values_list("pk", flat=True)
        changelist = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        client.post(
            reverse(f"{changelist}_changelist"),
            {"action": "delete_selected", "_selected_action": list(pks), "post": "yes"},
        )
    return statuses


@socket_db
async def test_view_only_staff_cannot_change_anything(chatted):
    _, viewer = chatted
    before = await database_sync_to_async(admin_state)()

    statuses = await database_sync_to_async(admin_writes)(viewer)

    assert any("/rollback/" in url for url in statuses)
    assert any(url.endswith("/change/") for url in statuses)
    assert {url: s for url, s in statuses.items() if s != 403} == {}
    assert await database_sync_to_async(admin_state)() == before


async def frames_drain(communicator) -> list[dict]:
    """Whatever frames are still on their way."""
    frames = []
    while not await communicator.receive_nothing(timeout=0.2):
        frames.append(await communicator.receive_json_from())
    return frames


async def troubled_chat(key: str) -> list[dict]:
    """Every frame a socket receives through a chat full of mistakes and failures:
    bad frames, an unknown mode, a broken model stream, a switch and a reconnect."""
    communicator, session = await socket_open(key)
    frames = [{"type": "session", "payload": session}]
    for text in ("not json", '{"type": "nope", "payload": {}}', '{"type": "chat"}'):
        await communicator.send_to(text_data=text)
        frames += await frames_until(communicator, "error")
    await communicator.send_to(bytes_data=b"\x00\x01")
    frames += await frames_until(communicator, "error")
    await send(communicator, "switch_mode", mode="no-such-mode")
    frames += await frames_until(communicator, "error")
    await send(communicator, "chat", text="[malformed] What's my balance?")
    frames += await reply_collect(communicator)
    await send(communicator, "chat", text="[status:500] Are you there?")
    frames += await reply_collect(communicator)
    await send(communicator, "switch_mode", mode="insurance")
    frames += await frames_until(communicator, "chat_end")
    frames += await frames_drain(communicator)
    await communicator.disconnect()
    again, resumed = await socket_open(key)
    await again.disconnect()
    return [*frames, {"type": "session", "payload": resumed}]


@socket_db
async def test_frames_carry_no_session_key(openai_backend: OpenAIServer):
    key = await session_create()

    frames = await troubled_chat(key)

    assert {"error", "chat_end", "mode_switch"} <= {f["type"] for f in frames}
    switched = next(f for f in frames if f["type"] == "mode_switch")
    resumed = frames[-1]["payload"]["conversation_id"]
    assert resumed == switched["payload"]["conversation_id"]
    keys = await database_sync_to_async(session_keys)()
    assert key in keys
    assert keys_in(json.dumps(frames), keys) == []


@socket_db
async def test_log_lines_carry_no_session_key(openai_backend: OpenAIServer, caplog):
    caplog.set_level(logging.DEBUG)
    key = await session_create()

    await troubled_chat(key)

    keys = await database_sync_to_async(session_keys)()
    assert caplog.records, "nothing was logged: the flow did not run"
    logged = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
    assert keys_in(logged, keys) == []


@socket_db
async def test_model_requests_carry_no_session_key(openai_backend: OpenAIServer):
    key = await session_create()

    await troubled_chat(key)

    keys = await database_sync_to_async(session_keys)()
    assert openai_backend.chat_requests, "the model was never asked"
    assert keys_in(repr(openai_backend.requests), keys) == []
