"""Daphne's server, as patched: each connection's inbox is the gate's FrameQueue."""

import asyncio

import pytest
from daphne.server import Server

import demo_site.asgi  # noqa: F401  (installs the patches, as a server does)
from chat.conversation.gate import FrameQueue
from demo_site import daphne_patches


class ServerStandIn:
    """What create_application reads of Daphne's server."""

    def __init__(self, app) -> None:
        self.connections: dict = {}
        self.application = app
        self.replies: list[tuple] = []

    async def handle_reply(self, protocol, message) -> None:
        self.replies.append((protocol, message))


def test_the_entry_point_installs_both_methods():
    assert Server.create_application is daphne_patches.create_application
    assert Server.kill_all_applications is daphne_patches.kill_all_applications


async def test_a_connections_messages_reach_its_application_in_order():
    async def echo(scope, receive, send) -> None:
        while (message := await receive())["type"] != "websocket.disconnect":
            await send({"type": "websocket.send", "text": message["text"]})

    server = ServerStandIn(echo)
    server.connections["protocol"] = {}
    inbox = daphne_patches.create_application(server, "protocol", {"type": "websocket"})
    assert isinstance(inbox, FrameQueue)
    for text in ("one", "two"):
        inbox.put_nowait({"type": "websocket.receive", "text": text})
    inbox.put_nowait({"type": "websocket.disconnect"})
    await asyncio.wait_for(server.connections["protocol"]["application_instance"], 5)
    assert [message["text"] for _, message in server.replies] == ["one", "two"]


def test_a_connection_closed_before_its_application_started_gets_none():
    async def app(scope, receive, send) -> None:
        pass

    server, made = ServerStandIn(app), []
    server.connections["protocol"] = {}

    def application(**kwargs):
        del server.connections["protocol"]  # Daphne dropped it meanwhile
        made.append(app(**kwargs))
        return made[-1]

    server.application = application
    assert daphne_patches.create_application(server, "protocol", {}) is None
    made[0].close()  # never started, as under Daphne


async def test_a_second_reader_waiting_at_once_is_refused():
    inbox = FrameQueue()
    first = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="one reader"):
        await inbox.get()
    inbox.put_nowait({"type": "websocket.connect"})
    assert await asyncio.wait_for(first, 5) == {"type": "websocket.connect"}
