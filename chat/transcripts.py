"""Conversations and their messages: what the consumer stores and reads back.

The visitor's message is stored before the model is asked, and every reply row records
what produced it (prompt version, seed, as-of, backend, model), so any reply can be
traced. Functions are sync; the consumer calls them through database_sync_to_async.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q

from chat.frames import nul_replace
from chat.models import Conversation, Message, Mode, PromptTemplate


def conversation_start(
    *, visitor_key: str, mode: Mode, seed: int, as_of: date, persona: dict
) -> Conversation:
    conversation = Conversation(
        visitor_key=visitor_key,
        mode=mode,
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
        seed=conversation.seed,
        as_of=conversation.as_of,
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
        seed=conversation.seed,
        as_of=conversation.as_of,
        backend=backend,
        model=model,
    )
    message.full_clean()
    message.save()
    return message


@transaction.atomic
def reply_finish(
    *,
    message: Message,
    text: str,
    status: str,
    time_to_first_token_ms: int | None,
    duration_ms: int,
    error: str = "",
) -> Message:
    message.content = nul_replace(
        text
    )  # a model may emit NUL; PostgreSQL can't store it
    message.status = status
    message.time_to_first_token_ms = time_to_first_token_ms
    message.duration_ms = duration_ms
    message.error = error[:300]
    message.full_clean()
    message.save(
        update_fields=[
            "content",
            "status",
            "time_to_first_token_ms",
            "duration_ms",
            "error",
        ]
    )
    return message


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
    """The conversation as the page redraws it on (re)connect."""
    return list(
        conversation.messages.exclude(status=Message.Status.STREAMING)
        .order_by("created", "pk")
        .values("id", "role", "content", "status")
    )
