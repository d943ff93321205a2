"""Conversations and their messages: what the consumer stores and reads back.

The visitor's message is stored before the model is asked, and every reply row records
what produced it (prompt version, seed, as-of, backend, model), so any reply can be
traced. Functions are sync; the consumer calls them through database_sync_to_async.

The rows a turn writes skip `full_clean()`'s foreign-key checks: those keys are rows
this process just read or wrote, and checking that they exist cost a query each.
What a turn sends the model as history is kept per conversation in this process and
updated by the writes below once committed, so it equals what `history_query` would
return without reading it again.
"""

import bisect
import functools
import threading
from collections import OrderedDict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from chat.models import Conversation, Message, Mode, PromptTemplate

# What the page shows for a reply whose process stopped before it finished.
STALE_REPLY_ERROR = "The server stopped before this reply finished."
# How long past CHAT_REPLY_MAX_SECONDS a streaming row may go unsaved before it is
# certainly no reply in progress anywhere.
STALE_GRACE_SECONDS = 30
# The `session` frame redraws at most this many of a conversation's last messages.
RESUME_MESSAGES = 100
# Conversations whose history this process keeps; the least recently used goes.
HISTORY_CONVERSATIONS = 1024


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
    conversation.full_clean(exclude=["mode"])  # the mode row was just read
    conversation.save()
    history_forget(conversation.pk)  # nothing kept from a deleted one's reused id
    return conversation


def conversation_resumable(
    *, conversation_id: int | None, visitor_key: str, mode: Mode, seed: int
) -> Conversation | None:
    """The visitor's earlier conversation, if it still fits this mode and customer."""
    if not conversation_id or not visitor_key:
        return None
    return Conversation.objects.filter(
        pk=conversation_id,
        visitor_key=visitor_key,
        mode=mode,
        persona_kind=mode.persona_kind,
        seed=seed,
    ).first()


def message_create_user(*, conversation: Conversation, text: str) -> Message:
    message = Message(
        conversation=conversation,
        role=Message.Role.USER,
        content=text,
    )
    message.save()
    _history_note_on_commit(message)
    return message


def reply_begin(
    *,
    conversation: Conversation,
    prompt_version: PromptTemplate | None,
    backend: str,
    model: str,
) -> Message:
    """The reply's row, created as it starts so its id can go to the client."""
    message = Message(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        status=Message.Status.STREAMING,
        prompt_version=prompt_version,
        backend=backend,
        model=model,
    )
    # The backend and model names come from settings; the keys were just read.
    message.full_clean(exclude=["conversation", "prompt_version"])
    message.save()
    return message


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
    message.updated = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        **{field: getattr(message, field) for field in REPLY_END_FIELDS}
    )
    if status == Message.Status.COMPLETE:
        _history_note_on_commit(message)
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


type HistoryKey = tuple[datetime, int]  # the order of the query: created, then pk


class _History:
    """A conversation's last `turns` exchanges, oldest first, as the query orders."""

    def __init__(self, turns: int, rows: list[tuple[HistoryKey, dict]]) -> None:
        self.turns = turns
        self.keys = [key for key, _ in rows]
        self.rows = [row for _, row in rows]

    def add(self, key: HistoryKey, row: dict) -> None:
        """Place a row by its key (a reply is placed by when it began), keeping the
        newest `turns * 2`: exactly the rows the query would now return."""
        at = bisect.bisect(self.keys, key)
        self.keys.insert(at, key)
        self.rows.insert(at, row)
        del self.keys[: -self.turns * 2], self.rows[: -self.turns * 2]


_histories: OrderedDict[int, _History] = OrderedDict()
_histories_lock = threading.Lock()


def history_query(*, conversation: Conversation, turns: int) -> list[dict]:
    """The last `turns` exchanges, oldest first: visitor messages, complete replies.
    Text only: a reply's tool calls drew on the page, and its caption says what."""
    return [row for _, row in _history_rows(conversation.pk, turns)]


def _history_rows(conversation_pk: int, turns: int) -> list[tuple[HistoryKey, dict]]:
    rows = (
        Message.objects.filter(conversation_id=conversation_pk)
        .filter(Q(role=Message.Role.USER) | Q(status=Message.Status.COMPLETE))
        .order_by("-created", "-pk")
        .values_list("created", "pk", "role", "content")[: turns * 2]
    )
    return [
        ((created, pk), {"role": role, "content": content})
        for created, pk, role, content in reversed(rows)
    ]


def conversation_history(*, conversation: Conversation, turns: int) -> list[dict]:
    """What `history_query` returns, read once per conversation in this process."""
    with _histories_lock:
        held = _histories.get(conversation.pk)
        if held is None or held.turns != turns:
            held = _History(turns, _history_rows(conversation.pk, turns))
            _histories[conversation.pk] = held
            if len(_histories) > HISTORY_CONVERSATIONS:
                _histories.popitem(last=False)
        _histories.move_to_end(conversation.pk)
        return list(held.rows)


def _history_note_on_commit(message: Message) -> None:
    """Add a visitor message or a complete reply, just committed, to its
    conversation's kept history; inside a transaction, which may yet roll back,
    forget that history instead."""
    conversation_pk = message.conversation_id
    if transaction.get_connection().in_atomic_block:
        # Until the commit, no other connection sees the row: read it again after.
        history_forget(conversation_pk)
        transaction.on_commit(lambda: history_forget(conversation_pk))
        return
    row = {"role": message.role, "content": message.content}
    _history_note(conversation_pk, (message.created, message.pk), row)


def _history_note(conversation_pk: int, key: HistoryKey, row: dict) -> None:
    with _histories_lock:
        held = _histories.get(conversation_pk)
        if held is not None:
            held.add(key, row)


def history_forget(conversation_pk: int | None = None) -> None:
    """Drop a conversation's kept history (all of them: None), read again next turn."""
    with _histories_lock:
        if conversation_pk is None:
            _histories.clear()
        else:
            _histories.pop(conversation_pk, None)


@receiver(post_delete, sender=Message)
def _message_deleted(sender, instance: Message, **kwargs) -> None:
    """A message deleted (by staff, or with its conversation) leaves the history."""
    history_forget(instance.conversation_id)


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
