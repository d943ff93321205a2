"""The chat socket (docs/protocol.md): one visitor, one mode, one customer at a time.

A reply streams in its own task kept on the consumer, because a consumer handles one
frame at a time: while a handler awaited a long stream, a mode switch or a disconnect
would wait behind it. Switching and disconnecting cancel that task instead.

The socket hears of staff edits through its mode's channel-layer group. A channel-layer
outage (Redis restarting) must not end the chat, so joining and leaving the group only
log failures, and a second task re-joins now and then: Redis forgets groups on restart.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from functools import cached_property, partial

from channels.db import aclose_old_connections, database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from chat import llm, replies, transcripts, visitors
from chat.broadcast import mode_group_name
from chat.frames import ChatFrame, Frame, FrameError, SwitchModeFrame, frame_parse
from chat.layers import UNREACHABLE_ERRORS, outage_log
from chat.models import Message, Mode
from chat.offline import text_pieces
from chat.prompts import render_greeting
from chat.ratelimit import rate_limit_retry_after
from chat.selectors import mode_get_active

db = database_sync_to_async
logger = logging.getLogger(__name__)
SERVER_ERROR = "server_error"
SERVER_ERROR_MESSAGE = "Something went wrong on our side; please try again."


async def task_cancel(task: asyncio.Task | None) -> None:
    """Cancel a task and wait until it has finished."""
    if task and not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


class ChatConsumer(AsyncJsonWebsocketConsumer):
    visit: visitors.Visit
    reply_task: asyncio.Task | None = None
    rejoin_task: asyncio.Task | None = None
    frame_arrived: float = 0.0

    async def connect(self) -> None:
        """Accept, load (or resume) the visitor's visit and describe it in `session`."""
        await self.accept()
        self.visit = await db(visitors.visit_open)(
            self.scope["session"], today=timezone.localdate()
        )
        await self.group_join()
        self.rejoin_task = asyncio.create_task(self.group_rejoin_periodically())
        await self.send_frame("session", await db(replies.session_payload)(self.visit))

    async def disconnect(self, code: int) -> None:
        """Stop a streaming reply (stored as interrupted) and leave the mode group."""
        await self.reply_cancel()
        await task_cancel(self.rejoin_task)
        if hasattr(self, "visit"):
            await self.group_leave(self.group)

    async def receive(self, text_data: str | None = None, bytes_data=None) -> None:
        """Validate one frame and hand it to its handler; refuse anything malformed."""
        self.frame_arrived = time.monotonic()
        if text_data is None:
            await self.send_error("binary_not_supported", "Send JSON text frames only.")
            return
        if len(text_data.encode("utf-8", "replace")) > settings.CHAT_MAX_FRAME_BYTES:
            await self.close(code=1009)
            return
        try:
            frame = frame_parse(text_data)
        except FrameError as exc:
            await self.send_error(exc.code, exc.message)
            return
        try:
            await getattr(self, f"on_{frame.type}")(frame)
        except Exception:
            logger.exception("Chat frame %r failed", frame.type)
            await self.send_error(SERVER_ERROR, SERVER_ERROR_MESSAGE, retryable=True)

    async def on_chat(self, frame: ChatFrame) -> None:
        """A visitor message: a trigger switches modes, anything else asks the model."""
        if self.reply_task and not self.reply_task.done():
            await self.send_error(
                "busy",
                "A reply is still streaming; wait for it to finish before sending "
                "another message.",
                retryable=True,
            )
            return
        identity = self.scope["session"].session_key or self.channel_name
        if (retry_after := await rate_limit_retry_after(identity)) is not None:
            await self.send_error(
                "rate_limited",
                f"Too many messages; try again in {retry_after:g} seconds.",
                retryable=True,
                retry_after=retry_after,
            )
            return
        turn = await db(replies.turn_prepare)(self.visit, frame.payload.text)
        if turn.switch_to is not None:
            await self.visit_replace("switch", self.starter(mode=turn.switch_to))
        elif turn.canned_reply is not None:
            self.reply_start(text_pieces(turn.canned_reply), backend="canned")
        else:
            self.reply_start(
                llm.reply_stream(
                    messages=turn.messages,
                    persona_kind=self.visit.mode.persona_kind,
                    persona=self.visit.persona,
                ),
                prompt_version=turn.prompt_version,
            )

    async def on_switch_mode(self, frame: SwitchModeFrame) -> None:
        """The page's mode picker."""
        mode = await db(mode_get_active)(frame.payload.mode)
        if mode is None:
            await self.send_error(
                "unknown_mode",
                f"There is no active mode {frame.payload.mode[:60]!r}; pick one of "
                "the modes listed in the session frame.",
            )
            return
        await self.visit_replace("switch", self.starter(mode=mode))

    async def on_new_persona(self, frame: Frame) -> None:
        """A new customer (a new seed kept in the session), same mode."""
        await self.visit_replace(
            "new_persona", partial(visitors.visit_new_customer, visit=self.visit)
        )

    async def on_clear(self, frame: Frame) -> None:
        """A new conversation with the same customer."""
        await self.visit_replace("clear", self.starter(mode=self.visit.mode))

    async def mode_updated(self, event: dict) -> None:
        """Staff saved this mode or its prompt: refresh it and tell the page."""
        refreshed = await db(replies.visit_refresh_mode)(self.visit)
        if refreshed.mode.persona_kind != self.visit.mode.persona_kind:
            # The customer no longer fits the mode: a new conversation with a new one.
            await self.visit_replace("switch", self.starter(mode=refreshed.mode))
            return
        self.visit = refreshed
        await self.send_frame("mode_updated", {"mode": event["mode"]})

    @property
    def group(self) -> str:
        return mode_group_name(self.visit.mode.pk)

    @cached_property
    def group_lock(self) -> asyncio.Lock:
        """Serialises joins and leaves, so a re-join never revives a group just left."""
        return asyncio.Lock()

    async def group_join(self) -> None:
        async with self.group_lock:
            await self.layer_call(self.channel_layer.group_add, self.group)

    async def group_leave(self, group: str) -> None:
        async with self.group_lock:
            await self.layer_call(self.channel_layer.group_discard, group)

    async def group_rejoin_periodically(self) -> None:
        """Re-join the mode's group, which Redis forgets when it restarts."""
        while True:
            await asyncio.sleep(settings.CHAT_GROUP_REJOIN_SECONDS)
            await self.group_join()

    async def layer_call(self, method: Callable, group: str) -> None:
        """Join or leave `group`; a channel-layer outage is logged, not fatal."""
        try:
            await method(group, self.channel_name)
        except UNREACHABLE_ERRORS as exc:
            outage_log.warn(method.__name__, exc)

    def starter(self, *, mode: Mode) -> Callable[[SessionBase], visitors.Visit]:
        """A new conversation in `mode` with this visitor's customer."""
        return partial(visitors.visit_start, mode=mode, customer=self.visit.customer)

    async def visit_replace(
        self, reason: str, start: Callable[[SessionBase], visitors.Visit]
    ) -> None:
        """Start a new conversation, announce it, and stream the mode's greeting."""
        await self.reply_cancel()
        old_group = self.group
        self.visit = await db(start)(self.scope["session"])
        if self.group != old_group:
            await self.group_leave(old_group)
            await self.group_join()
        payload = replies.mode_switch_payload(self.visit, reason)
        payload["server_ms"] = round((time.monotonic() - self.frame_arrived) * 1000, 2)
        await self.send_frame("mode_switch", payload)
        # No I/O: the greeting is a field of the mode in hand, its template cached.
        greeting = render_greeting(self.visit.mode, self.visit.persona)
        self.reply_start(text_pieces(greeting), backend="greeting")

    def reply_start(
        self,
        pieces: AsyncIterator[str | llm.Finish],
        *,
        backend: str = "",
        prompt_version=None,
    ) -> None:
        info = llm.backend_info()
        self.reply_task = asyncio.create_task(
            self.reply_send(
                pieces,
                backend=backend or info.backend,
                model="" if backend else info.model,
                prompt_version=prompt_version,
            )
        )

    async def reply_send(
        self,
        pieces: AsyncIterator[str | llm.Finish],
        *,
        backend: str,
        model: str,
        prompt_version,
    ) -> None:
        """Stream one reply to the page and store it however it ends."""
        message = await db(transcripts.reply_begin)(
            conversation=self.visit.conversation,
            prompt_version=prompt_version,
            backend=backend,
            model=model,
        )
        await self.send_frame("chat_start", {"message_id": message.pk})
        progress = replies.ReplyProgress()
        try:
            async for piece in pieces:
                if isinstance(piece, llm.Finish):
                    progress.finish_reason = piece.reason
                    continue
                progress.add(piece)
                await self.send_frame(
                    "chat_chunk", {"message_id": message.pk, "text": piece}
                )
        except llm.ModelError as exc:
            await self.reply_fail(
                message, progress, exc.code, exc.message, exc.retryable
            )
            return
        except Exception:
            logger.exception("Reply %s failed", message.pk)
            await self.reply_fail(
                message, progress, SERVER_ERROR, SERVER_ERROR_MESSAGE, True
            )
            return
        except asyncio.CancelledError:
            await asyncio.shield(
                self.reply_save(message, progress, Message.Status.INTERRUPTED)
            )
            raise
        await self.reply_save(message, progress, Message.Status.COMPLETE)
        await self.send_frame(
            "chat_end",
            {
                "message_id": message.pk,
                "text": progress.text,
                "finish_reason": progress.finish_reason,
            },
        )

    async def reply_save(
        self, message: Message, progress, status: str, error: str = ""
    ) -> None:
        await aclose_old_connections()
        await db(transcripts.reply_finish)(
            message=message,
            text=progress.text,
            status=status,
            time_to_first_token_ms=progress.first_token_ms,
            duration_ms=progress.elapsed_ms,
            error=error,
        )

    async def reply_fail(
        self, message: Message, progress, code: str, text: str, retryable: bool
    ) -> None:
        """Store the reply as failed and tell the page, which may offer a retry."""
        await self.reply_save(message, progress, Message.Status.FAILED, text)
        await self.send_error(code, text, retryable=retryable, message_id=message.pk)

    async def reply_cancel(self) -> None:
        """Cancel a streaming reply and wait until its partial text is stored."""
        task, self.reply_task = self.reply_task, None
        await task_cancel(task)

    async def send_frame(self, frame_type: str, payload: dict) -> None:
        await self.send_json({"type": frame_type, "payload": payload})

    async def send_error(
        self, code: str, message: str, *, retryable: bool = False, **extra
    ) -> None:
        payload = {"code": code, "message": message, "retryable": retryable}
        await self.send_frame("error", payload | extra)
