"""The chat socket (docs/protocol.md): one visitor, one mode, one customer at a time.

A reply streams in its own task kept on the consumer, because a consumer handles one
frame at a time: while a handler awaited a long stream, a mode switch or a disconnect
would wait behind it. Switching and disconnecting cancel that task instead.

The socket has no channel-layer channel of its own: the process's listener
(chat.conversation.listening) is in its mode's group and hands it staff's saves of the
mode between its frames.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from functools import cached_property, partial
from typing import assert_never

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from chat import llm
from chat.conversation import conjure, listening, replies, turns, visits
from chat.conversation.frames import (
    ChatFrame,
    ClearFrame,
    CloseCode,
    Frame,
    FrameError,
    NewPersonaFrame,
    SwitchModeFrame,
    frame_parse,
)
from chat.conversation.ratelimit import Action, abudgets_spend, visitor_identity
from chat.conversation.replies import SERVER_ERROR, SERVER_ERROR_MESSAGE
from chat.dashboard.tools import tool_schemas
from chat.generation.conjuring import GenerationRefused
from chat.generation.drafts import IndustryRequest
from chat.models import Message, Mode, PromptTemplate
from chat.prompting.rendering import PromptTemplateError, render_greeting
from chat.selectors import mode_get_active, mode_words_current
from personas import kind_get

db = database_sync_to_async
# Templates render in a worker thread: off the event loop, and off the one database
# thread every socket of the process shares.
render = partial(sync_to_async, thread_sensitive=False)
logger = logging.getLogger(__name__)
GREETING = llm.BackendInfo(backend="greeting", model="")
MODE_UNAVAILABLE = "mode_unavailable"
MODE_UNAVAILABLE_MESSAGE = (
    "This assistant cannot answer right now; please pick another mode."
)
# What a spent budget refused, in its error's words.
BUDGET_WORDS = {
    Action.MESSAGE: "messages",
    Action.CONVERSATION: "new conversations",
    Action.GENERATION: "new industries",
}


async def task_cancel(task: asyncio.Task | None) -> None:
    """Cancel a task and wait until it has finished."""
    if task and not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def visit_start_versioned(
    start: Callable[[], visits.Visit],
) -> tuple[visits.Visit, PromptTemplate | None]:
    """The visit `start` makes and the version its greeting comes from, read in the
    same database trip so the greeting's message can record it (and the mode's help
    articles, for its turns)."""
    visit = start()
    return visit, mode_words_current(visit.mode)


def visit_open_versioned(session: SessionBase, *, today) -> visits.VisitOpened:
    """The socket's visit, with its mode's active version and help articles current
    for its turns (chat.selectors.mode_words_current)."""
    opened = visits.visit_open_payload(session, today=today)
    mode_words_current(opened.visit.mode)
    return opened


class ChatConsumer(AsyncJsonWebsocketConsumer):
    channel_layer = None  # the socket has no channel of its own (see the docstring)
    visit: visits.Visit
    reply_task: asyncio.Task | None = None
    shown: int | None = None  # the mode whose saves the listener hands this socket
    frame_arrived: float = 0.0
    invalid_frames: int = 0
    address: str  # the client's (chat.conversation.addresses), as the gate found it
    visitor: str  # who the budgets count (chat.conversation.ratelimit.visitor_identity)

    async def __call__(self, scope, receive, send) -> None:
        """The socket's whole life: however it ends, every task it started ends too.

        Its messages are read from its one inbox, one after another, as Channels'
        would be, but without Channels' task and `asyncio.wait` for each: those cost
        every frame CPU and every idle socket ~1 KiB, for a choice among inboxes the
        socket does not have (it has no channel of its own).
        """
        self.scope, self.base_send = scope, send
        try:
            with contextlib.suppress(StopConsumer):
                while True:
                    await self.dispatch(await receive())
        except asyncio.CancelledError:
            # The server is shutting down: store the reply in flight, then say so.
            await self.socket_end()
            with contextlib.suppress(Exception):
                await self.close(code=CloseCode.SERVER_RESTARTING.value)
            raise
        finally:
            await self.socket_end()

    async def connect(self) -> None:
        """Accept, then open the visit; a failure says so and closes the socket."""
        await self.accept()
        try:
            await self.visit_open()
        except Exception:
            logger.exception("Opening a chat socket failed")
            await self.send_error(SERVER_ERROR, SERVER_ERROR_MESSAGE, retryable=True)
            await self.close(code=CloseCode.SERVER_ERROR.value)

    async def visit_open(self) -> None:
        """Load (or resume) the visitor's visit and describe it in `session`."""
        opened = await db(visit_open_versioned)(
            self.scope["session"], today=timezone.localdate()
        )
        self.visit = opened.visit
        # The session is loaded now: a cookie naming no session has no key.
        self.address = self.scope["client_address"]
        self.visitor = visitor_identity(self.scope["session"].session_key, self.address)
        await self.mode_show(self.visit.mode.pk)
        await self.send_frame("session", opened.payload)
        if not opened.resumed:  # counted, not refused: the socket budget bounds it
            await abudgets_spend(
                Action.CONVERSATION, address=self.address, visitor=self.visitor
            )

    async def disconnect(self, code: int) -> None:
        """Stop a streaming reply (stored as interrupted) and the mode's saves."""
        await self.socket_end()

    async def socket_end(self) -> None:
        """End the reply and stop hearing the mode's saves; safe to repeat."""
        try:
            await self.reply_cancel()
        finally:
            await self.mode_show(None)

    async def mode_show(self, mode_pk: int | None) -> None:
        """Have the listener hand this socket `mode_pk`'s saves (None: none), and
        no longer its last mode's."""
        shown, self.shown = self.shown, mode_pk
        if shown == mode_pk:
            return
        ear, inbox = listening.listener(), self.scope["inbox"]
        if shown is not None:
            ear.hide(inbox, shown)
        if mode_pk is not None:
            await ear.show(inbox, mode_pk)

    async def dispatch(self, message: dict) -> None:
        """As Channels', less its `aclose_old_connections()` before each handler: a
        trip to the database thread per frame, though every database_sync_to_async
        call closes old connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data: str | None = None, bytes_data=None) -> None:
        """Validate one frame and hand it to its handler; refuse anything malformed.

        Frame sizes and rates are the gate's (chat.conversation.gate); here a run of
        invalid frames closes the socket, since nothing useful can follow.
        """
        self.frame_arrived = time.monotonic()
        try:
            frame = frame_parse(text_data)
        except FrameError as exc:
            await self.frame_refuse(exc)
            return
        refused = self.invalid_frames
        await self.handle(self.dispatch_frame, frame)
        if self.invalid_frames == refused:  # not refused: a run of bad ones ends
            self.invalid_frames = 0

    async def handle(self, handler: Callable, *args) -> None:
        """Run a handler; whatever it raises reaches the page as an `error` frame."""
        try:
            await handler(*args)
        except PromptTemplateError:
            # Retrying cannot help: the template fails for this customer every time.
            logger.exception("Mode %s cannot render its templates", self.visit.mode)
            await self.send_error(MODE_UNAVAILABLE, MODE_UNAVAILABLE_MESSAGE)
        except Exception:
            what = getattr(args[0], "type", "") if args else ""
            logger.exception("Chat handler %s %s failed", handler.__name__, what)
            await self.send_error(SERVER_ERROR, SERVER_ERROR_MESSAGE, retryable=True)

    async def dispatch_frame(self, frame: Frame) -> None:
        """The handler for each frame type; the type checker sees every one handled."""
        match frame:
            case ChatFrame():
                await self.on_chat(frame)
            case SwitchModeFrame():
                await self.on_switch_mode(frame)
            case NewPersonaFrame():
                await self.on_new_persona(frame)
            case ClearFrame():
                await self.on_clear(frame)
            case _:
                assert_never(frame)

    async def frame_refuse(self, exc: FrameError) -> None:
        """Say what is wrong with a frame; close after too many bad ones in a row."""
        await self.send_error(exc.code, exc.message)
        self.invalid_frames += 1
        if self.invalid_frames >= settings.CHAT_SOCKET_MAX_INVALID_FRAMES:
            await self.close(code=CloseCode.TOO_MANY_INVALID_FRAMES.value)

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
        info = llm.backend_info()
        turn = await db(turns.turn_take)(
            self.visit,
            frame.payload.text,
            address=self.address,
            visitor=self.visitor,
            backend=info,
        )
        if turn.retry_after is not None:
            await self.budget_refuse(turn.over_budget, turn.retry_after)
        elif turn.started is not None:
            await self.visit_show("switch", turn.started, turn.prompt_version)
        elif turn.conjure is not None:
            await self.industry_conjure(turn.conjure)
        elif turn.canned_reply is not None:
            reply = self.reply_new(turns.CANNED, message=turn.reply)
            self.reply_start(reply, llm.text_pieces(turn.canned_reply))
        else:
            await self.reply_model(turn, info)

    async def reply_model(self, turn: turns.Turn, info: llm.BackendInfo) -> None:
        """The model's reply to `turn`, once its prompt is rendered; a prompt that
        cannot render fails the reply's row, and the handler tells the page."""
        reply = self.reply_new(info, turn.prompt_version, message=turn.reply)
        try:
            messages = await self.system_prompts.messages(self.visit, turn)
        except Exception:
            await reply.abandon("The prompt could not be rendered.")
            raise
        request = llm.ReplyRequest(
            messages=messages,
            persona_kind=self.visit.mode.persona_kind,
            persona=self.visit.persona,
            tools=tool_schemas(kind_get(self.visit.mode.persona_kind)),
            articles=turn.articles,
        )
        self.reply_start(reply, llm.reply_stream(request))

    async def industry_conjure(self, request: IndustryRequest) -> None:
        """A new industry: say so at once, make its mode off the loop, switch to it."""
        # Both budgets first: a visitor over either never uses a slot of the cap.
        if not await self.budget_spend(Action.CONVERSATION):
            return
        if not await self.budget_spend(Action.GENERATION):
            return
        payload = conjure.mode_generating_payload(request)
        await self.send_frame("mode_generating", payload)
        try:
            conjured = await conjure.mode_conjure_threaded(request)
        except GenerationRefused as exc:
            await self.send_error(exc.code, exc.message)
            return
        start = self.starter(mode=conjured.mode, company_name=request.company or "")
        reason = conjure.conjured_reason(conjured)
        await self.visit_replace(reason, start, counted=False)

    async def on_switch_mode(self, frame: SwitchModeFrame) -> None:
        """The page's mode picker."""
        mode = await db(mode_get_active)(frame.payload.mode)
        if mode is None:
            # Counted as an invalid frame: each one costs a query.
            await self.frame_refuse(
                FrameError(
                    "unknown_mode",
                    f"There is no active mode {frame.payload.mode[:60]!r}; pick one "
                    "of the modes listed in the session frame.",
                )
            )
            return
        await self.visit_replace("switch", self.starter(mode=mode))

    async def on_new_persona(self, frame: Frame) -> None:
        """A new customer (a new seed kept in the session), same mode."""
        await self.visit_replace(
            "new_persona",
            partial(visits.visit_new_customer, self.scope["session"], visit=self.visit),
        )

    async def on_clear(self, frame: Frame) -> None:
        """A new conversation with the same customer."""
        await self.visit_replace("clear", self.starter(mode=self.visit.mode))

    async def mode_updated(self, event: dict) -> None:
        """Staff saved this mode or its prompt (handed on by the listener)."""
        await self.handle(self.mode_refresh, event)

    async def mode_refresh(self, event: dict) -> None:
        """Refresh the mode and tell the page; its next turn reads the prompt (the
        listener forgot what was kept of it)."""
        refreshed = await db(visits.visit_refresh_mode)(self.visit)
        if refreshed.mode.persona_kind != self.visit.mode.persona_kind:
            # The customer no longer fits the mode: a new conversation with a new one.
            await self.visit_replace(
                "switch", self.starter(mode=refreshed.mode), counted=False
            )
            return
        self.visit = refreshed
        await self.send_frame("mode_updated", visits.mode_updated_payload(refreshed))

    async def budget_spend(self, action: Action) -> bool:
        """Count `action` for this visitor and address; refuse it when over budget."""
        retry_after = await abudgets_spend(
            action, address=self.address, visitor=self.visitor
        )
        if retry_after is None:
            return True
        await self.budget_refuse(action, retry_after)
        return False

    async def budget_refuse(self, action: Action, retry_after: float) -> None:
        """Tell the page `action` is over budget, and when to try again."""
        await self.send_error(
            "rate_limited",
            f"Too many {BUDGET_WORDS[action]}; try again in {retry_after:g} seconds.",
            retryable=True,
            retry_after=retry_after,
        )

    @cached_property
    def system_prompts(self) -> turns.SystemPrompts:
        """The socket's last system prompt, rendered in a worker thread."""
        return turns.SystemPrompts(render(turns.system_prompt))

    def starter(
        self, *, mode: Mode, company_name: str = ""
    ) -> Callable[[], visits.Visit]:
        """A new conversation in `mode` with this visitor's customer, under the
        company they named, if any."""
        return partial(
            visits.visit_start,
            self.visit.conversation.visitor_key,
            mode=mode,
            customer=self.visit.customer,
            company_name=company_name,
        )

    async def visit_replace(
        self,
        reason: str,
        start: Callable[[], visits.Visit],
        *,
        counted: bool = True,
    ) -> None:
        """Start a new conversation, announce it, and stream the mode's greeting."""
        if counted and not await self.budget_spend(Action.CONVERSATION):
            return
        await self.reply_cancel()
        visit, version = await db(visit_start_versioned)(start)
        await self.visit_show(reason, visit, version)

    async def visit_show(
        self, reason: str, visit: visits.Visit, version: PromptTemplate | None
    ) -> None:
        """Show the new conversation `visit`: its mode's saves, then `mode_switch`,
        then its greeting (from `version`)."""
        self.visit = visit
        await self.mode_show(visit.mode.pk)
        payload = visits.mode_switch_payload(self.visit, reason)
        payload["server_ms"] = round((time.monotonic() - self.frame_arrived) * 1000, 2)
        await self.send_frame("mode_switch", payload)
        greeting = await render(render_greeting)(
            self.visit.mode_shown, self.visit.persona, version=version
        )
        reply = self.reply_new(GREETING, version)
        self.reply_start(reply, llm.text_pieces(greeting))

    def reply_new(
        self,
        info: llm.BackendInfo,
        prompt_version: PromptTemplate | None = None,
        *,
        message: Message | None = None,
    ) -> replies.Reply:
        return replies.Reply(
            self.send_frame,
            conversation=self.visit.conversation,
            info=info,
            prompt_version=prompt_version,
            message=message,
        )

    def reply_start(
        self, reply: replies.Reply, pieces: AsyncIterator[str | llm.Finish]
    ) -> None:
        """Stream a reply in its own task (see the module's docstring)."""
        self.reply_task = asyncio.create_task(reply.run(pieces))

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
