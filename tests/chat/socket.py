"""Helpers for driving the real ASGI application's chat socket in tests."""

import asyncio

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from chat.conversation import listening
from chat.conversation.visits import visitor_key
from chat.models import Conversation, Mode
from demo_site.asgi import application

ORIGIN = (b"origin", b"http://testserver")
# A browser names the host it connects to; the Origin check compares the two.
HOST = (b"host", b"testserver")


@database_sync_to_async
def session_create(**data) -> str:
    """A saved Django session (as a visitor's browser would have), returning its key."""
    session = SessionStore()
    session.update(data)
    session.create()
    return session.session_key


@database_sync_to_async
def session_create_in(mode_slug: str, **data) -> str:
    """A saved session whose visitor last talked in `mode_slug` with a customer no
    longer theirs (a seed none has): their visit starts a new conversation there."""
    session = SessionStore()
    session.update(data)
    session.create()
    mode = Mode.objects.get(slug=mode_slug)
    Conversation.objects.create(
        visitor_key=visitor_key(session.session_key),
        mode=mode,
        seed=-1,
        as_of=timezone.localdate(),
        persona_kind=mode.persona_kind,
        persona={},
    )
    return session.session_key


@database_sync_to_async
def mode_read(slug: str) -> Mode:
    """The mode as stored now, from the socket's side of a test."""
    return Mode.objects.get(slug=slug)


@database_sync_to_async
def session_data(session_key: str) -> dict:
    return SessionStore(session_key=session_key).load()


def socket_communicator(
    session_key: str | None = None,
    origin=ORIGIN,
    *,
    client: str = "127.0.0.1",
    headers: tuple = (),
) -> WebsocketCommunicator:
    """A communicator for the chat socket, from `client` (the peer's address)."""
    headers = [*headers, HOST, origin] if origin else [*headers, HOST]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
    # The application has not run yet: the scope can still say who connects.
    communicator.scope["client"] = (client, 40000)
    return communicator


async def socket_open(session_key: str | None = None, origin=ORIGIN, **kwargs):
    """A connected communicator and its `session` frame's payload."""
    communicator = socket_communicator(session_key, origin, **kwargs)
    connected, _ = await communicator.connect()
    assert connected
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "session"
    return communicator, frame["payload"]


async def frames_until(communicator, frame_type: str, timeout: float = 5) -> list[dict]:
    """Every frame received up to and including the first of `frame_type`."""
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        frames.append(frame)
        if frame["type"] == frame_type:
            return frames


async def reply_collect(communicator, timeout: float = 5) -> list[dict]:
    """The frames of one reply: chat_start, chunks, and chat_end or error."""
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        frames.append(frame)
        if frame["type"] in ("chat_end", "error"):
            return frames


async def send(communicator, frame_type: str, **payload) -> None:
    await communicator.send_json_to({"type": frame_type, "payload": payload})


# A short re-join interval, for tests that wait for the listener's tick.
REJOIN_SECONDS = 0.3


async def idle_modes_left(timeout: float = 5) -> None:
    """Once, with CHAT_GROUP_REJOIN_SECONDS at REJOIN_SECONDS, the listener has left
    the group of each mode no socket shows (a full interval, then a tick)."""
    ear = listening.listener()
    for _ in range(int(timeout / 0.05)):
        if all(ear.inboxes.values()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"modes shown by no socket are still joined: {ear.inboxes}")


async def group_members(group: str) -> int:
    """Channels in a channel-layer group, in memory or in Redis."""
    layer = get_channel_layer()
    if hasattr(layer, "groups"):
        return len(layer.groups.get(group, {}))
    connection = layer.connection(layer.consistent_hash(group))
    return await connection.zcard(layer._group_key(group))
