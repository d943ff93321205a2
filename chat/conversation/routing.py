"""The chat socket's one address.

Channels' URLRouter matches a list of Django paths and hands the consumer a copy of
the scope with the match in it (`url_route`), which lives as long as the socket:
~1 KiB of an idle socket for a path the chat has one of, with nothing to capture.
"""

from channels.security.websocket import WebsocketDenier

from chat.conversation.consumer import ChatConsumer

CHAT_SOCKET_PATH = "/ws/chat/"


class SocketPath:
    """ASGI middleware: `app` at `path` alone; a socket opened anywhere else is
    refused at its handshake."""

    def __init__(self, path: str, app) -> None:
        self.path = path
        self.app = app

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["path"] != self.path:
            await WebsocketDenier()(scope, receive, send)
            return
        await self.app(scope, receive, send)


chat_socket = SocketPath(CHAT_SOCKET_PATH, ChatConsumer.as_asgi())
