"""The site's sessions: Django's database sessions, saved without zlib, an existing
one by an UPDATE made once, and the chat socket's found by SocketSession."""

import zlib
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo_site.sessions import SessionStore, SocketSession

# Data zlib would shorten: Django's own store saves it compressed.
COMPRESSIBLE = {"notes": "the same words " * 50}


@pytest.fixture
def zlib_refused(monkeypatch) -> None:
    """zlib.compress raises: a save that still calls it fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("zlib.compress called")

    monkeypatch.setattr(zlib, "compress", refuse)


@pytest.mark.django_db
def test_session_save_never_compresses(zlib_refused):
    session = SessionStore()
    session.update(COMPRESSIBLE)
    session.create()
    assert SessionStore(session_key=session.session_key).load() == COMPRESSIBLE


@pytest.mark.django_db
def test_session_saved_compressed_still_loads():
    old = db.SessionStore()
    old.update(COMPRESSIBLE)
    old.create()
    stored = old.model.objects.get(session_key=old.session_key).session_data
    assert stored.startswith(".")  # Django's store did compress it
    assert SessionStore(session_key=old.session_key).load() == COMPRESSIBLE


@pytest.mark.django_db
def test_page_makes_its_session_without_zlib(client, zlib_refused):
    response = client.get("/")
    assert response.status_code == 200
    assert client.session.session_key


@pytest.mark.django_db
def test_saving_an_existing_session_updates_its_row_in_one_statement():
    session = SessionStore()
    session["mode"] = "banking"
    session.create()
    session["mode"] = "insurance"
    session.set_expiry(3600)
    with CaptureQueriesContext(connection) as queries:
        session.save()
    assert [q["sql"].split()[0] for q in queries] == ["UPDATE"]
    row = Session.objects.get(session_key=session.session_key)
    assert SessionStore(session_key=session.session_key).load()["mode"] == "insurance"
    assert abs(row.expire_date - session.get_expiry_date()) < timedelta(seconds=1)


@pytest.mark.django_db
def test_saving_a_session_whose_row_is_gone_raises_update_error_as_djangos_does():
    ours, djangos = SessionStore(), db.SessionStore()
    for session in (ours, djangos):
        session.create()
        Session.objects.filter(session_key=session.session_key).delete()
        session["mode"] = "banking"
        with pytest.raises(UpdateError):
            session.save()
    assert not Session.objects.exists()  # neither made a row


@pytest.mark.django_db
def test_a_new_session_is_still_created_with_a_key_of_its_own():
    session = SessionStore()
    session["mode"] = "banking"
    session.save()
    assert session.session_key
    assert SessionStore(session_key=session.session_key).load() == {"mode": "banking"}


async def socket_session_seen(headers: list[tuple[bytes, bytes]]):
    """What SocketSession gives its app for a socket with `headers`, and what the
    app's `send` passes on."""
    seen, sent = {}, []

    async def app(scope, receive, send):
        seen["scope"] = scope
        await send({"type": "websocket.accept"})

    async def send(message):
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws/chat/", "headers": headers}
    await SocketSession(app)(scope, None, send)
    return seen["scope"], sent


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_socket_gets_the_session_its_cookie_names():
    session = SessionStore()
    session["mode"] = "insurance"
    await sync_to_async(session.create)()
    cookie = f"theme=dark; sessionid={session.session_key}; other=1".encode()
    scope, sent = await socket_session_seen([(b"host", b"x"), (b"cookie", cookie)])
    assert scope["session"].session_key == session.session_key
    assert await sync_to_async(scope["session"].load)() == {"mode": "insurance"}
    assert scope["headers"][1] == (b"cookie", cookie)  # the scope is otherwise as given
    assert sent == [{"type": "websocket.accept"}]  # frames go out untouched


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "headers",
    [[], [(b"cookie", b"theme=dark")], [(b"cookie", b"sessionid=no-such-session")]],
)
async def test_a_socket_naming_no_live_session_gets_an_empty_one_without_a_key(headers):
    scope, _ = await socket_session_seen(headers)
    assert await sync_to_async(scope["session"].load)() == {}
    assert scope["session"].session_key is None
