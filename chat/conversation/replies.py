"""A reply's life as one object (`Reply`): begun, streamed, finished, failed or
interrupted; and its progress: its text within the caps, its tool calls' outcomes,
its timings, when it is due to be saved, and why it ended.

What the page is told follows what is stored: the row exists before `chat_start`,
the final text (and every tool call's outcome) is committed before `chat_end`, and a
store that fails is never acknowledged (the page gets an `error` frame instead). A
cancelled reply (a switch, a disconnect) is still stored as interrupted: that write
is shielded.

A tool call is run as it arrives and its `tool_result` or `tool_error` sent at once,
after the text sent before it. A reply of tool calls and no text says a one-line
caption (chat.dashboard.tools.tool_caption), sent and stored as its text.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from channels.db import database_sync_to_async
from django.conf import settings

from chat import llm
from chat.conversation import transcripts
from chat.dashboard.tools import ToolOutcome, tool_caption, tool_run
from chat.models import Conversation, Message, PromptTemplate
from personas import kind_get

db = database_sync_to_async
logger = logging.getLogger(__name__)
SERVER_ERROR = "server_error"
SERVER_ERROR_MESSAGE = "Something went wrong on our side; please try again."

# Why a reply ended, besides the model's own reasons ("stop", "content_filter"…).
FINISH_STOP = "stop"
FINISH_LENGTH = "length"
FINISH_TIME_LIMIT = "time_limit"
# Past llm.TOOL_CALLS_MAX, as many calls again are refused (and stored without their
# arguments); any later ones are dropped, so a runaway model cannot fill the page or
# the row.
TOOL_CALLS_MAX = llm.TOOL_CALLS_MAX
TOOL_CALLS_KEPT = 2 * TOOL_CALLS_MAX
TOO_MANY_TOOLS = {
    "code": "too_many_tools",
    "message": f"A reply runs at most {TOOL_CALLS_MAX} tool calls; this one did not.",
}


class ReplyProgress:
    """The text of a streaming reply so far, within CHAT_REPLY_MAX_CHARS, and its
    tool calls' outcomes, with its timings for the transcript and the moments it is
    due to be saved."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.outcomes: list[ToolOutcome] = []
        self.size = 0
        self.held = ""  # a high surrogate whose low half is in the next piece
        self.started = self.saved = time.monotonic()
        self.first_token_ms: int | None = None
        self.finish_reason = FINISH_STOP
        self.full = False  # at CHAT_REPLY_MAX_CHARS
        self.complete = False  # the stream is over; the reply is being stored

    def add(self, piece: str | llm.Finish) -> str:
        """Take one piece; return the text to send now (possibly empty)."""
        if isinstance(piece, llm.Finish):
            self.finish_reason = piece.reason
            return ""
        if self.first_token_ms is None:
            # The clock for saving starts with the text: nothing to save before.
            self.first_token_ms = self._ms_since_start()
            self.saved = time.monotonic()
        text, self.held = _surrogate_split(self.held + piece)
        text = transcripts.text_storable(text)
        room = settings.CHAT_REPLY_MAX_CHARS - self.size
        if len(text) >= room:
            text, self.full, self.finish_reason = text[:room], True, FINISH_LENGTH
        self.pieces.append(text)
        self.size += len(text)
        return text

    @property
    def tool_calls(self) -> list[dict]:
        """The outcomes as `Message.tool_calls` keeps them."""
        return [outcome.stored() for outcome in self.outcomes]

    def save_due(self) -> bool:
        """Whether CHAT_REPLY_SAVE_SECONDS have passed since the text was last saved."""
        now = time.monotonic()
        if now - self.saved < settings.CHAT_REPLY_SAVE_SECONDS:
            return False
        self.saved = now
        return True

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def elapsed_ms(self) -> int:
        return self._ms_since_start()

    def _ms_since_start(self) -> int:
        return round((time.monotonic() - self.started) * 1000)


def _surrogate_split(text: str) -> tuple[str, str]:
    """Hold back a trailing high surrogate: a model may split a pair across pieces."""
    if text and "\ud800" <= text[-1] <= "\udbff":
        return text[:-1], text[-1]
    return text, ""


type FrameSend = Callable[[str, dict], Awaitable[None]]


def tool_frame(outcome: ToolOutcome, message_id: int | None) -> tuple[str, dict]:
    """The frame telling the page a call's outcome: `tool_result` or `tool_error`."""
    head = {"message_id": message_id, "call_id": outcome.call_id, "tool": outcome.tool}
    if outcome.error is None:
        return "tool_result", head | {"result": outcome.result}
    return "tool_error", head | outcome.error


class Reply:
    """One reply to the page, and its row: every way it ends is stored, then told."""

    def __init__(
        self,
        send: FrameSend,
        *,
        conversation: Conversation,
        info: llm.BackendInfo,
        prompt_version: PromptTemplate | None,
        message: Message | None = None,
    ) -> None:
        self.send = send
        self.conversation = conversation
        self.info = info
        self.prompt_version = prompt_version
        self.message = message  # begun already, when the turn's trip made it
        self.progress = ReplyProgress()

    async def run(self, pieces: AsyncIterator[llm.Piece]) -> None:
        """Stream the reply and store it; every failure ends in a frame."""
        try:
            await self.begin()
            await self.stream(pieces)
        except asyncio.CancelledError:
            await self.interrupt()
            raise
        except llm.ModelError as exc:
            await self.fail(exc.code, exc.message, exc.retryable)
        except Exception:
            logger.exception("Reply %s failed", self.message_id or "(unsaved)")
            await self.fail(SERVER_ERROR, SERVER_ERROR_MESSAGE, True)
        else:
            end = {
                "text": self.progress.text,
                "finish_reason": self.progress.finish_reason,
            }
            await self.send("chat_end", {"message_id": self.message_id, **end})

    @property
    def message_id(self) -> int | None:
        return self.message.pk if self.message else None

    async def begin(self) -> None:
        """The reply's row (unless the turn made it), then `chat_start` naming it."""
        if self.message is None:
            self.message = await db(transcripts.reply_begin)(
                conversation=self.conversation,
                prompt_version=self.prompt_version,
                backend=self.info.backend,
                model=self.info.model,
            )
        await self.send("chat_start", {"message_id": self.message_id})

    async def stream(self, pieces: AsyncIterator[llm.Piece]) -> None:
        """Send the pieces as chunks and the calls' outcomes as they come, saving now
        and then, within the caps."""
        deadline = asyncio.timeout(settings.CHAT_REPLY_MAX_SECONDS)
        try:
            async with deadline, contextlib.aclosing(pieces):
                async for piece in pieces:
                    await self.add(piece)
                    if self.progress.full:
                        break
        except TimeoutError:
            if not deadline.expired():
                raise
            self.progress.finish_reason = FINISH_TIME_LIMIT
        if not self.progress.text and self.progress.outcomes:
            await self.chunk(tool_caption(self.progress.outcomes))
        await self.finish()

    async def add(self, piece: llm.Piece) -> None:
        """One piece: out as a chunk or a call's frame, and into the row when a save
        is due."""
        if isinstance(piece, llm.ToolCall):
            await self.call(piece)
        else:
            await self.chunk(piece)
        if not self.progress.full and self.progress.save_due():
            await db(transcripts.reply_save_partial)(
                message=self.message,
                text=self.progress.text,
                tool_calls=self.progress.tool_calls,
            )

    async def chunk(self, piece: str | llm.Finish) -> None:
        """A piece's text (what fits the caps) out as a `chat_chunk`."""
        if text := self.progress.add(piece):
            await self.send("chat_chunk", {"message_id": self.message_id, "text": text})

    async def call(self, call: llm.ToolCall) -> None:
        """Run a tool call (past TOOL_CALLS_MAX, refuse it; past TOOL_CALLS_KEPT,
        drop it) and tell the page."""
        if len(self.progress.outcomes) >= TOOL_CALLS_KEPT:
            return
        call = call.bounded()
        if len(self.progress.outcomes) < TOOL_CALLS_MAX:
            kind = kind_get(self.conversation.persona_kind)
            outcome = tool_run(call, kind=kind, persona=self.conversation.persona)
        else:
            outcome = ToolOutcome(call.call_id, call.name, "", error=TOO_MANY_TOOLS)
        self.progress.outcomes.append(outcome)
        await self.send(*tool_frame(outcome, self.message_id))

    async def finish(self) -> None:
        """Store the reply as complete; a cancel from here on must not undo that."""
        self.progress.complete = True
        await asyncio.shield(self.store(Message.Status.COMPLETE))

    async def fail(self, code: str, text: str, retryable: bool) -> None:
        """Store the reply as failed and tell the page, which may offer a retry."""
        payload = {"code": code, "message": text, "retryable": retryable}
        if self.message is None:
            await self.send("error", payload)
            return
        await self.abandon(text)
        await self.send("error", payload | {"message_id": self.message_id})

    async def abandon(self, error: str) -> None:
        """Store the reply as failed, without telling the page (the caller does)."""
        try:
            await self.store(Message.Status.FAILED, error)
        except Exception:
            logger.exception("Reply %s could not be stored as failed", self.message_id)

    async def interrupt(self) -> None:
        """Store a cancelled reply as interrupted, unless it was already complete."""
        if self.message is not None and not self.progress.complete:
            await asyncio.shield(self.store(Message.Status.INTERRUPTED))

    async def store(self, status: str, error: str = "") -> None:
        await db(transcripts.reply_finish)(
            message=self.message,
            text=self.progress.text,
            status=status,
            finish_reason=self.progress.finish_reason,
            time_to_first_token_ms=self.progress.first_token_ms,
            duration_ms=self.progress.elapsed_ms,
            error=error,
            tool_calls=self.progress.tool_calls,
        )
