"""The second floor for bench/chat.py: bench/echo_asgi.py's consumer, but each chat
that is no trigger is relayed from the model through the `openai` SDK's own stream.

No database, no sessions, no templates: what is left is Daphne, Channels, JSON and
the model client as the SDK gives it. The site should cost no more than this.

Serve: OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 daphne bench.relay_asgi:application
"""

import os

import openai
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from bench.echo_asgi import REPLY_PIECES, EchoConsumer, page

QUESTION = [{"role": "user", "content": "hi"}]


class RelayConsumer(EchoConsumer):
    async def stream(self, pieces: list[str]) -> None:
        """The greeting as the echo sends it; any other reply from the model."""
        if pieces is not REPLY_PIECES:
            await super().stream(pieces)
            return
        self.message_id += 1
        await self.send_frame("chat_start", {"message_id": self.message_id})
        texts = []
        async for chunk in await relay_client().chat.completions.create(
            model="test-model", messages=QUESTION, stream=True
        ):
            text = chunk.choices[0].delta.content if chunk.choices else None
            if text:
                texts.append(text)
                await self.send_frame(
                    "chat_chunk", {"message_id": self.message_id, "text": text}
                )
        end = {"text": "".join(texts), "finish_reason": "stop"}
        await self.send_frame("chat_end", {"message_id": self.message_id, **end})


_clients: list[openai.AsyncOpenAI] = []


def relay_client() -> openai.AsyncOpenAI:
    """One client for the process (Daphne runs one event loop)."""
    if not _clients:
        _clients.append(
            openai.AsyncOpenAI(
                api_key="x", base_url=os.environ["OPENAI_BASE_URL"], timeout=120
            )
        )
    return _clients[0]


application = ProtocolTypeRouter(
    {
        "http": page,
        "websocket": URLRouter([path("ws/chat/", RelayConsumer.as_asgi())]),
    }
)
