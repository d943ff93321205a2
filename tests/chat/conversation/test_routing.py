"""The chat socket's one address: the page names it, and only it opens."""

import pytest
from channels.testing import WebsocketCommunicator

from chat.conversation.routing import CHAT_SOCKET_PATH
from demo_site.asgi import application
from tests.chat.socket import HOST, ORIGIN, socket_open


@pytest.mark.django_db
def test_the_page_opens_the_socket_at_its_address(client):
    page = client.get("/").content.decode()
    assert f'data-ws-path="{CHAT_SOCKET_PATH}"' in page


@pytest.mark.parametrize("path", ["/ws/chat", "/ws/chat/x/", "/ws/", "/"])
async def test_a_socket_anywhere_else_is_refused_at_its_handshake(path):
    communicator = WebsocketCommunicator(application, path, headers=[HOST, ORIGIN])
    connected, _ = await communicator.connect(timeout=5)
    assert connected is False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_socket_opens_at_its_address():
    communicator, payload = await socket_open()
    assert payload["conversation_id"]
    await communicator.disconnect()
