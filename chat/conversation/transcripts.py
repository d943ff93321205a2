"""Conversations and their messages: what the consumer stores and reads back.

The visitor's message is stored before the model is asked, and every reply row records
what produced it (prompt version, seed, as-of, backend, model), so any reply can be
traced. Functions are sync; the consumer calls them through database_sync_to_async.

A turn's own statements (its two rows, the reply's end, its history) run as SQL made
once (chat.statements, and the history query compiled once by the ORM):
compiling them anew each turn cost more than running them. The history is read every
turn, so it is what the database holds whichever process or tab wrote it.
"""

import functools
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from chat.models import Conversation, Message, Mode, PromptTemplate
from chat.statements import row_update, rows_insert, rows_select

# What the page shows for a reply whose process stopped before it finished.
STALE_REPLY_ERROR = "The server stopped before this reply finished."
# How long past CHAT_REPLY_MAX_SECONDS a streaming row may go unsaved before it is
# certainly no reply in progress anywhere.
STALE_GRACE_SECONDS = 30
# The `session` frame redraws at most this many of a conversation's last messages.
RESUME_MESSAGES = 100


def conversation_start(
    *,
    visitor_key: str,
    mode: Mode,
    seed: int,
    as_of: date,
    persona: dict,
    company_name: str = "",
) -> Conversation:
    conversation = Conversation(
        visitor_key=visitor_key,
        mode=mode,
        company_name=company_name,
        seed=seed,
        as_of=as_of,
        persona_kind=mode.persona_kind,
        persona=persona,
    )
    # The mode row was just read; the persona is encoded as it is stored, so a value
    # JSON cannot hold fails there too, without being encoded twice.
    conversation.full_clean(exclude=["mode", "persona"])
    rows_insert([conversation])
    return conversation


def conversation_latest(*, visitor_key: str) -> Conversation | None:
    """The visitor's latest conversation, with its mode (read in the same query);
    none for a visitor without a session, whose conversations share the blank key."""
    if not visitor_key:
        return None
    latest = Conversation.objects.filter(visitor_key=visitor_key).select_related("mode")
    return latest.order_by("-pk").first()


def message_create_user(*, conversation: Conversation, text: str) -> Message:
    """The visitor's message alone: a turn that switches or conjures, no reply."""
    message = _user_message(conversation, text)
    rows_insert([message])
    return message


def exchange_begin(
    *,
    conversation: Conversation,
    text: str,
    prompt_version: PromptTemplate | None,
    backend: str,
    model: str,
) -> tuple[Message, Message]:
    """The visitor's message and the reply's row, in one INSERT: the reply's id can
    go to the page at once, and the message is committed before the model is asked."""
    message = _user_message(conversation, text)
    reply = _reply_row(conversation, prompt_version, backend=backend, model=model)
    rows_insert([message, reply])
    return message, reply


def reply_begin(
    *,
    conversation: Conversation,
    prompt_version: PromptTemplate | None,
    backend: str,
    model: str,
) -> Message:
    """The reply's row, created as it starts so its id can go to the client."""
    reply = _reply_row(conversation, prompt_version, backend=backend, model=model)
    rows_insert([reply])
    return reply


def _user_message(conversation: Conversation, text: str) -> Message:
    return Message(conversation=conversation, role=Message.Role.USER, content=text)


def _reply_row(
    conversation: Conversation,
    prompt_version: PromptTemplate | None,
    *,
    backend: str,
    model: str,
) -> Message:
    """A streaming reply's row; its backend and model names come from settings,
    checked at start-up."""
    return Message(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        status=Message.Status.STREAMING,
        prompt_version=prompt_version,
        backend=backend,
        model=model,
    )


def nul_replace(text: str) -> str:
    """NUL as U+FFFD: PostgreSQL can neither store nor look up text containing NUL."""
    return text.replace("\x00", "\ufffd")


def text_storable(text: str) -> str:
    """Text any database stores: a model may send NUL, or split a surrogate pair
    across chunks; pairs are joined and anything unpaired becomes U+FFFD."""
    joined = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return nul_replace(joined)


def reply_save_partial(
    *, message: Message, text: str, tool_calls: list[dict] | None = None
) -> None:
    """The reply so far, so a crash mid-reply loses only the last moments."""
    Message.objects.filter(pk=message.pk, status=Message.Status.STREAMING).update(
        content=text_storable(text), tool_calls=tool_calls or [], updated=timezone.now()
    )


def reply_finish(
    *,
    message: Message,
    text: str,
    status: str,
    finish_reason: str = "",
    time_to_first_token_ms: int | None,
    duration_ms: int,
    error: str = "",
    tool_calls: list[dict] | None = None,
) -> Message:
    """The reply's end, its tool calls' outcomes with it, in one UPDATE (atomic by
    itself)."""
    message.content = text_storable(text)
    message.tool_calls = tool_calls or []
    message.status = status
    message.finish_reason = finish_reason[:20]
    message.time_to_first_token_ms = time_to_first_token_ms
    message.duration_ms = duration_ms
    message.error = error[:300]
    row_update(message, REPLY_END_FIELDS)
    return message


REPLY_END_FIELDS = (
    "content",
    "status",
    "finish_reason",
    "time_to_first_token_ms",
    "duration_ms",
    "error",
    "tool_calls",
    "updated",
)


def replies_interrupt_stale(*, conversation: Conversation | None = None) -> int:
    """Mark replies left `streaming` by a process that died as interrupted.

    No reply outlives CHAT_REPLY_MAX_SECONDS and a live one is saved as it streams,
    so a streaming row unsaved for longer than that belongs to no running process.
    """
    limit = settings.CHAT_REPLY_MAX_SECONDS + STALE_GRACE_SECONDS
    stale = Message.objects.filter(
        status=Message.Status.STREAMING,
        updated__lt=timezone.now() - timedelta(seconds=limit),
    )
    if conversation is not None:
        stale = stale.filter(conversation=conversation)
    return stale.update(
        status=Message.Status.INTERRUPTED,
        error=STALE_REPLY_ERROR,
        updated=timezone.now(),
    )


@functools.cache
def replies_interrupt_stale_once() -> int:
    """The start-up sweep: the first socket a process serves runs it (again, if
    that failed)."""
    return replies_interrupt_stale()


def _history_rows(conversation_pk: int, *, turns: int) -> QuerySet:
    """The last `turns` exchanges, newest first: visitor messages, complete replies.
    Text only: a reply's tool calls drew on the page, and its caption says what."""
    return (
        Message.objects.filter(conversation_id=conversation_pk)
        .filter(Q(role=Message.Role.USER) | Q(status=Message.Status.COMPLETE))
        .order_by("-created", "-pk")
        .values_list("role", "content")[: turns * 2]
    )


def conversation_history(*, conversation: Conversation, turns: int) -> list[dict]:
    """The last `turns` exchanges, oldest first (`_history_rows`), through its SQL
    compiled once."""
    if turns == 0:  # CHAT_HISTORY_TURNS=0: none (and nothing to compile)
        return []
    rows = rows_select(_history_query_of(turns), conversation.pk)
    return [{"role": role, "content": content} for role, content in reversed(rows)]


@functools.cache
def _history_query_of(turns: int) -> Callable[[int], QuerySet]:
    """The history query of `turns` exchanges, one function for each length (the
    SQL compiled for it is kept by that function)."""
    return functools.partial(_history_rows, turns=turns)


def conversation_messages_payload(*, conversation: Conversation) -> list[dict]:
    """The conversation's last RESUME_MESSAGES, as the page redraws them on (re)connect,
    each reply's charts with it (`tool_calls`): bounded, since every reconnect sends
    them."""
    replies_interrupt_stale(conversation=conversation)
    rows = (
        conversation.messages.exclude(status=Message.Status.STREAMING)
        .order_by("-created", "-pk")
        .values("id", "role", "content", "status", "finish_reason", "tool_calls")
    )
    return list(reversed(rows[:RESUME_MESSAGES]))
