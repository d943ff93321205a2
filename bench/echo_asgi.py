"""A bare Channels echo consumer: the floor the chat benchmarks hold the site against.

It speaks just enough of docs/protocol.md for the same benchmark client: `GET /`
sets a `sessionid` cookie, the socket sends a `session` frame on connect, answers a
trigger with `mode_switch` and a streamed greeting, and any other `chat` at once with
the test model's default reply in the same pieces (chat_start, a chat_chunk a word,
chat_end). No sessions, no Origin check, no
database, no model: what is left is Daphne, Channels and JSON.

Serve: daphne bench.echo_asgi:application (from the project root).
"""

import json
import time

from django.conf import settings

if not settings.configured:
    settings.configure()  # no apps, no channel layer: nothing but the consumer

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from bench.openai_server import DEFAULT_REPLY, text_pieces  # noqa: E402

TRIGGER = "presto-change-o"
GREETING = (
    "Welcome to Echo Mutual, Pat Doe! I can see your policies, claims and renewal "
    "dates. What can I help you with today?"
)
GREETING_PIECES = [
    "".join(words) for words in zip(*[iter(text_pieces(GREETING))] * 3, strict=False)
]
REPLY_PIECES = text_pieces(DEFAULT_REPLY)


class EchoConsumer(AsyncWebsocketConsumer):
    message_id = 0

    async def connect(self) -> None:
        """Accept and describe a fixed session, as the site's `session` frame does."""
        await self.accept()
        await self.send_frame("session", {"conversation_id": 1, "messages": []})

    async def receive(self, text_data: str | None = None, bytes_data=None) -> None:
        """A trigger switches (with a greeting); any other chat gets the reply."""
        arrived = time.monotonic()
        frame = json.loads(text_data or "{}")
        text = frame.get("payload", {}).get("text", "")
        if frame.get("type") != "chat" or not isinstance(text, str):
            await self.send_frame("error", {"code": "invalid_frame", "message": "?"})
            return
        if text.lower().startswith(TRIGGER):
            server_ms = round((time.monotonic() - arrived) * 1000, 2)
            await self.send_frame(
                "mode_switch",
                {"conversation_id": 2, "reason": "switch", "server_ms": server_ms},
            )
            await self.stream(GREETING_PIECES)
        else:
            await self.stream(REPLY_PIECES)

    async def stream(self, pieces: list[str]) -> None:
        self.message_id += 1
        await self.send_frame("chat_start", {"message_id": self.message_id})
        for piece in pieces:
            await self.send_frame(
                "chat_chunk", {"message_id": self.message_id, "text": piece}
            )
        text = "".join(pieces)
        await self.send_frame(
            "chat_end",
            {"message_id": self.message_id, "text": text, "finish_reason": "stop"},
        )

    async def send_frame(self, frame_type: str, payload: dict) -> None:
        await self.send(text_data=json.dumps({"type": frame_type, "payload": payload}))


async def page(scope: dict, receive, send) -> None:
    """Any HTTP request: an empty page that sets a session cookie, as `/` does."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/html"),
                (b"set-cookie", b"sessionid=echo; HttpOnly; Path=/; SameSite=Lax"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


application = ProtocolTypeRouter(
    {
        "http": page,
        "websocket": URLRouter([path("ws/chat/", EchoConsumer.as_asgi())]),
    }
)
