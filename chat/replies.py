"""The work behind each consumer handler, as plain functions the tests call directly.

Sync functions touch the database; the consumer runs them through
database_sync_to_async and keeps only the socket and the streaming task.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from chat import llm, transcripts, visitors
from chat.models import Mode, PromptTemplate
from chat.prompts import render_system_prompt
from chat.selectors import (
    mode_payload,
    modes_active,
    prompt_active_version,
)
from chat.switching import mode_resolve_trigger
from chat.visitors import Visit

# Why a reply ended, besides the model's own reasons ("stop", "content_filter"…).
FINISH_STOP = "stop"
FINISH_LENGTH = "length"
FINISH_TIME_LIMIT = "time_limit"


@dataclass(frozen=True)
class Turn:
    """What to do with a visitor message, decided after it is stored."""

    switch_to: Mode | None = None
    canned_reply: str | None = None
    messages: list[dict] = field(default_factory=list)  # history and the new one
    prompt_version: PromptTemplate | None = None


@dataclass(frozen=True)
class VisitOpened:
    visit: Visit
    payload: dict  # the `session` frame's
    resumed: bool  # False when the visit started a new conversation


def visit_open_payload(session: SessionBase, *, today) -> VisitOpened:
    """The socket's visit and its `session` frame, in one trip to the database."""
    transcripts.replies_interrupt_stale_once()
    before = session.get(visitors.CONVERSATION_KEY)
    visit = visitors.visit_open(session, today=today)
    resumed = visit.conversation.pk == before
    return VisitOpened(visit, session_payload(visit), resumed)


def session_payload(visit: Visit) -> dict:
    info = llm.backend_info()
    return {
        "mode": mode_payload(visit.mode),
        "persona": visit.persona,
        "modes": [{"slug": m.slug, "name": m.name} for m in modes_active()],
        "conversation_id": visit.conversation.pk,
        "messages": transcripts.conversation_messages_payload(
            conversation=visit.conversation
        ),
        "llm": {"backend": info.backend, "model": info.model},
    }


def mode_switch_payload(visit: Visit, reason: str) -> dict:
    return {
        "mode": mode_payload(visit.mode),
        "persona": visit.persona,
        "conversation_id": visit.conversation.pk,
        "reason": reason,
    }


def turn_prepare(visit: Visit, text: str) -> Turn:
    """Store the visitor's message, then decide: switch, canned reply, or the model."""
    history = transcripts.conversation_history(
        conversation=visit.conversation, turns=settings.CHAT_HISTORY_TURNS
    )
    transcripts.message_create_user(conversation=visit.conversation, text=text)
    modes = modes_active()  # lazy: only a trigger phrase makes it query
    match = mode_resolve_trigger(text, modes)
    if match is not None and match.mode is not None:
        return Turn(switch_to=match.mode)
    if match is not None:
        return Turn(canned_reply=modes_available_reply(match.requested, list(modes)))
    version = prompt_active_version(visit.mode)
    history.append({"role": "user", "content": text})
    return Turn(messages=history, prompt_version=version)


def turn_messages(visit: Visit, turn: Turn) -> list[dict]:
    """What the model is sent: the system prompt for this customer, then the turn's
    history. No I/O: it renders outside the database thread, which a slow template
    would otherwise hold for every socket."""
    system = render_system_prompt(
        visit.mode, visit.persona, version=turn.prompt_version
    )
    return [{"role": "system", "content": system}, *turn.messages]


def modes_available_reply(requested: str, modes: list[Mode]) -> str:
    """The answer to a trigger naming an industry no active mode covers."""
    names = ", ".join(f"{m.name} ({m.company_name})" for m in modes)
    asked = f"“{requested}”" if requested else "that"
    return (
        f"I can't become {asked} yet. I can switch to: {names}. "
        "Say, for example, “Presto-Change-O, you're a bank”."
    )


def visit_refresh_mode(visit: Visit) -> Visit:
    """The visit with its mode re-read, after staff changed it."""
    mode = Mode.objects.get(pk=visit.mode.pk)
    return Visit(mode, visit.customer, visit.persona, visit.conversation)


class ReplyProgress:
    """The text of a streaming reply so far, within CHAT_REPLY_MAX_CHARS, with its
    timings for the transcript and the moments its text is due to be saved."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
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
