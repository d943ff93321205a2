"""Conversations and their messages: what the consumer stores and reads back.

The visitor's message is stored before the model is asked, and every reply row records
what produced it (prompt version, seed, as-of, backend, model), so any reply can be
traced. Functions are sync; the consumer calls them through database_sync_to_async.
"""

import functools
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chat.models import Conversation, Message, Mode, PromptTemplate

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
    conversation.full_clean()
    conversation.save()
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
    message.full_clean()
    message.save()
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
    message.full_clean()
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


def reply_save_partial(*, message: Message, text: str) -> None:
    """The reply's text so far, so a crash mid-reply loses only the last moments."""
    Message.objects.filter(pk=message.pk, status=Message.Status.STREAMING).update(
        content=text_storable(text), updated=timezone.now()
    )


@transaction.atomic
def reply_finish(
    *,
    message: Message,
    text: str,
    status: str,
    finish_reason: str = "",
    time_to_first_token_ms: int | None,
    duration_ms: int,
    error: str = "",
) -> Message:
    message.content = text_storable(text)
    message.status = status
    message.finish_reason = finish_reason[:20]
    message.time_to_first_token_ms = time_to_first_token_ms
    message.duration_ms = duration_ms
    message.error = error[:300]
    message.full_clean()
    message.save(
        update_fields=[
            "content",
            "status",
            "finish_reason",
            "time_to_first_token_ms",
            "duration_ms",
            "error",
            "updated",
        ]
    )
    return message


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


def conversation_history(*, conversation: Conversation, turns: int) -> list[dict]:
    """The last `turns` exchanges, oldest first: visitor messages, complete replies."""
    rows = (
        conversation.messages.filter(
            Q(role=Message.Role.USER) | Q(status=Message.Status.COMPLETE)
        )
        .order_by("-created", "-pk")
        .values("role", "content")[: turns * 2]
    )
    return list(reversed(rows))


def conversation_messages_payload(*, conversation: Conversation) -> list[dict]:
    """The conversation's last RESUME_MESSAGES, as the page redraws them on (re)connect:
    bounded, since every reconnect sends them."""
    replies_interrupt_stale(conversation=conversation)
    rows = (
        conversation.messages.exclude(status=Message.Status.STREAMING)
        .order_by("-created", "-pk")
        .values("id", "role", "content", "status", "finish_reason")
    )
    return list(reversed(rows[:RESUME_MESSAGES]))
