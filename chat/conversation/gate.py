"""The chat socket's gate: ASGI middleware that meters every frame as it arrives.

A consumer handles one message at a time, and the server queues what arrives meanwhile
without bound, so a client that sends faster than its consumer works would make that
queue grow. The gate reads the socket itself, spends each frame against the socket's
budget (frames and bytes per second, size) and hands frames on through a queue it
bounds; a socket over any of these is closed with a close code
(chat.conversation.frames.CloseCode) before its frames can cost more. It also keeps the
budget of each client address: sockets opened per window, and sockets open at once, and
tells the app that address (as the budgets count it: an IPv6 client by its /64) as
`scope["client_address"]`, and the queue the app reads as `scope["inbox"]`, where the
process's listener puts channel-layer events between the frames
(chat.conversation.listening); those are not frames, and spend no budget.
"""

import asyncio
import collections
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings

from chat.conversation.addresses import scope_client_address
from chat.conversation.frames import CloseCode
from chat.conversation.ratelimit import Action, abudgets_spend

logger = logging.getLogger(__name__)
# Sockets open now in this process, per client address.
open_sockets: collections.Counter[str] = collections.Counter()


@dataclass
class TokenBucket:
    """`rate` tokens a second, saving up to `capacity`; starts full."""

    rate: float
    capacity: float
    tokens: float = field(init=False)
    last: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def take(self, amount: float, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if amount > self.tokens:
            return False
        self.tokens -= amount
        return True


class SocketBudget:
    """What one socket may send: frames and bytes per second (bursts of twice that),
    and no frame over CHAT_MAX_FRAME_BYTES."""

    def __init__(self) -> None:
        frames, size = (
            settings.CHAT_SOCKET_FRAMES_PER_SECOND,
            settings.CHAT_SOCKET_BYTES_PER_SECOND,
        )
        self.frames = TokenBucket(frames, 2 * frames)
        self.bytes = TokenBucket(size, max(2 * size, settings.CHAT_MAX_FRAME_BYTES))

    def refusal(self, message: dict, now: float) -> CloseCode | None:
        """Why this frame closes the socket, or None when it is within budget."""
        size = _frame_size(message)
        if size > settings.CHAT_MAX_FRAME_BYTES:
            return CloseCode.FRAME_TOO_LARGE
        if not (self.frames.take(1, now) and self.bytes.take(size, now)):
            return CloseCode.TOO_FAST
        return None


def _frame_size(message: dict) -> int:
    if (text := message.get("text")) is not None:
        return len(text.encode("utf-8", "replace"))
    return len(message.get("bytes") or b"")


class SocketGate:
    """Wraps the chat application; see the module docstring."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        address = scope_client_address(scope)
        # Counted before any await, so sockets arriving together all see each other.
        open_sockets[address] += 1
        try:
            if refusal := await self.address_refusal(address):
                await _refuse(receive, send, refusal)
                return
            socket = GatedSocket(receive, send)
            # One copy of the scope for the whole socket: each copy lives as long.
            scope = scope | {"client_address": address, "inbox": socket.queue}
            await socket.run(self.app, scope)
        finally:
            open_sockets[address] -= 1
            if open_sockets[address] <= 0:
                del open_sockets[address]

    @staticmethod
    async def address_refusal(address: str) -> CloseCode | None:
        """Why this address may not open another socket now (this one counted)."""
        if open_sockets[address] > settings.CHAT_ADDRESS_OPEN_SOCKETS:
            return CloseCode.TOO_MANY_SOCKETS
        if await abudgets_spend(Action.CONNECTION, address=address) is not None:
            return CloseCode.TOO_MANY_SOCKETS
        return None


async def _refuse(receive, send, code: CloseCode) -> None:
    """Accept, then close with `code` at once, so the page learns why."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code.value})
    while (await receive())["type"] != "websocket.disconnect":
        pass


class FrameQueue:
    """The frames (and channel-layer events) waiting for the app, and the app's wait
    for the next one; under Daphne, also each connection's inbox from the server
    (demo_site.daphne_patches).

    Writers that never wait (the gate bounds the frames it puts) and one reader:
    asyncio.Queue would keep four deques for that (its own, its getters', its
    putters', an Event's), some 3 KB for every open socket. A second reader waiting
    at once is a mistake, refused rather than left waiting forever."""

    def __init__(self) -> None:
        self.frames: list[dict] = []
        self.waiter: asyncio.Future | None = None

    def put_nowait(self, message: dict) -> None:
        self.frames.append(message)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def get(self) -> dict:
        while not self.frames:
            if self.waiter is not None:
                raise RuntimeError("A FrameQueue has one reader; another is waiting.")
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.frames.pop(0)


class GatedSocket:
    """One socket's frames, metered on arrival and queued for the app up to a bound."""

    def __init__(self, receive, send) -> None:
        self.receive = receive
        self.send = send
        self.queue = FrameQueue()
        self.budget = SocketBudget()
        self.closed = False

    async def run(self, app, scope: dict) -> None:
        reader = asyncio.create_task(self.read())
        try:
            await app(scope, self.queue.get, self.send)
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def read(self) -> None:
        """Move messages from the server to the app's queue, metering frames."""
        while True:
            message = await self.receive()
            if message["type"] == "websocket.receive":
                if self.closed:
                    continue
                if refusal := self.refusal(message):
                    await self.close(refusal)
                    continue
            self.queue.put_nowait(message)
            if message["type"] == "websocket.disconnect":
                return

    def refusal(self, message: dict) -> CloseCode | None:
        waiting = sum(m["type"] == "websocket.receive" for m in self.queue.frames)
        if waiting >= settings.CHAT_SOCKET_QUEUE_FRAMES:
            return CloseCode.TOO_FAST
        return self.budget.refusal(message, time.monotonic())

    async def close(self, code: CloseCode) -> None:
        """Close the socket, drop what waits, and tell the app it has ended."""
        logger.info("Closing a chat socket: %s (%d)", code.name, code)
        self.closed = True
        self.queue.frames.clear()
        await self.send({"type": "websocket.close", "code": code.value})
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code.value})
