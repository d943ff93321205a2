"""How the chat sockets hear staff saves: one channel-layer channel per process.

A channel per socket cost every socket a queue in the layer, a task receiving on it and
a task re-joining its group. Instead each event loop has one listener: one channel,
in the group (chat.broadcast) of every mode a socket here shows, from the first such
socket until a full re-join interval after the last left (a visitor switching to the
mode meanwhile finds what is kept of it trusted, not read again). It forgets what is
kept of a saved mode once, then hands the `mode.updated` event to each of the mode's
sockets through its inbox, the queue the gate feeds the consumer its frames from
(chat.conversation.gate), so the consumer handles it between two frames. What this
process keeps of a mode is trusted only while the channel is in the mode's group
(chat.selectors.mode_watch). From its start, the channel is also in the group of every
process (EVERY_MODE's), which each save of any mode reaches: while it is, the words
every mode answers to are trusted too.

A channel-layer outage (Redis restarting) must not end any chat: a failed join or
leave is logged, not raised, and a task re-joins every group now and then, since Redis
forgets groups when it restarts.
"""

import asyncio
import logging
import time
from collections.abc import Callable

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from chat.broadcast import mode_group_name
from chat.conversation.gate import FrameQueue
from chat.layers import UNREACHABLE_ERRORS, outage_log
from chat.selectors import (
    EVERY_MODE,
    mode_forget,
    mode_unwatch,
    mode_watch,
    mode_watched,
)

logger = logging.getLogger(__name__)
# After a receive failed for another reason than an outage, before the next one.
RECEIVE_RETRY_SECONDS = 1.0


class ModeListener:
    """One event loop's channel, the groups it is in, and each mode's sockets."""

    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel = ""  # named at the first join
        # Mode pk -> its sockets' inboxes (none: no socket here shows it now) and
        # when the last of them left.
        self.inboxes: dict[int, set[FrameQueue]] = {}
        self.idle_since: dict[int, float] = {}
        # One join or leave at a time, so a re-join never revives a group just left.
        self.lock = asyncio.Lock()
        self.tasks: list[asyncio.Task] = []  # held: the loop holds tasks weakly

    async def show(self, inbox: FrameQueue, mode_pk: int) -> None:
        """Hand `inbox` the mode's saves. In the mode's group already, that is all;
        else the only socket here showing it joins the group (again, if the last
        join failed). Returns once no join is under way, so a save after it is
        heard."""
        joined = mode_pk in self.inboxes and mode_watched(mode_pk)
        alone = not self.inboxes.get(mode_pk)
        self.inboxes.setdefault(mode_pk, set()).add(inbox)
        self.idle_since.pop(mode_pk, None)
        if joined:
            return
        async with self.lock:
            if alone and mode_pk in self.inboxes:
                await self.join(mode_pk)

    def hide(self, inbox: FrameQueue, mode_pk: int) -> None:
        """No longer hand `inbox` the mode's saves. The group is left by the re-join
        tick, once no socket here has shown the mode for a full interval."""
        inboxes = self.inboxes.get(mode_pk)
        if inboxes is None:
            return
        inboxes.discard(inbox)
        if not inboxes:
            self.idle_since[mode_pk] = time.monotonic()

    async def join(self, mode_pk: int) -> None:
        """Join (again) the mode's group, holding the lock; only in it does this
        process trust what it keeps of the mode."""
        if not self.channel:
            await self.start()
        if await self.layer_call(self.layer.group_add, mode_pk):
            mode_watch(mode_pk)
        else:
            mode_unwatch(mode_pk)

    async def start(self) -> None:
        """The channel, its tasks, and its place in the group of every process."""
        self.channel = await self.layer.new_channel()
        self.tasks = [
            asyncio.create_task(self.receive_forever()),
            asyncio.create_task(self.rejoin_periodically()),
        ]
        await self.join(EVERY_MODE)

    async def layer_call(self, method: Callable, mode_pk: int) -> bool:
        """Join or leave the mode's group; whatever fails is logged (an outage now
        and then), never raised: it would end the re-join task, or the socket."""
        try:
            await method(mode_group_name(mode_pk), self.channel)
        except UNREACHABLE_ERRORS as exc:
            outage_log.warn(method.__name__, exc)
            return False
        except Exception:
            logger.exception("%s failed for mode %s", method.__name__, mode_pk)
            return False
        return True

    async def rejoin_periodically(self) -> None:
        """Re-join every group now and then (Redis forgets them when it restarts,
        and a join that failed is tried again), and leave those of modes no socket
        here has shown for a full interval."""
        while True:
            await asyncio.sleep(settings.CHAT_GROUP_REJOIN_SECONDS)
            async with self.lock:
                for mode_pk in [EVERY_MODE, *self.inboxes]:
                    if self.idle_for(mode_pk) >= settings.CHAT_GROUP_REJOIN_SECONDS:
                        await self.leave(mode_pk)
                    else:
                        await self.join(mode_pk)

    def idle_for(self, mode_pk: int) -> float:
        """How long no socket here has shown the mode (0 while one does)."""
        since = self.idle_since.get(mode_pk)
        return 0.0 if since is None else time.monotonic() - since

    async def leave(self, mode_pk: int) -> None:
        """Leave the group of a mode no socket here shows, holding the lock; what is
        kept of it is untrusted first, so a leave cancelled midway leaves it so."""
        del self.inboxes[mode_pk], self.idle_since[mode_pk]
        mode_unwatch(mode_pk)
        await self.layer_call(self.layer.group_discard, mode_pk)

    async def receive_forever(self) -> None:
        """Hand each message on the channel on; one that fails is logged, and the
        listener goes on for the other messages. A receive that fails (beyond the
        outages the layer waits out) may have lost a save: every mode is untrusted
        until the next re-join, and the listener tries again shortly."""
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except Exception:
                logger.exception("The chat sockets' channel could not be read")
                for mode_pk in [EVERY_MODE, *self.inboxes]:
                    mode_unwatch(mode_pk)
                await asyncio.sleep(RECEIVE_RETRY_SECONDS)
                continue
            try:
                await self.mode_updated(message)
            except Exception:
                logger.exception("A channel-layer message was not handed on")

    async def mode_updated(self, event: dict) -> None:
        """Staff saved a mode (`mode.updated`, or `modes.changed` as EVERY_MODE's):
        forget what is kept of it once, in the database thread (a read queued there
        before the save's message is undone too), then put the event in each of the
        mode's inboxes, which never waits."""
        mode_pk = event["mode_pk"]
        await database_sync_to_async(mode_forget)(mode_pk)
        for inbox in list(self.inboxes.get(mode_pk, ())):
            inbox.put_nowait(event)


_listeners: dict[asyncio.AbstractEventLoop, ModeListener] = {}


def listener() -> ModeListener:
    """The running event loop's listener (tests run many loops, one after another)."""
    loop = asyncio.get_running_loop()
    if loop not in _listeners:
        for closed in [old for old in _listeners if old.is_closed()]:
            del _listeners[closed]
        _listeners[loop] = ModeListener()
    return _listeners[loop]
