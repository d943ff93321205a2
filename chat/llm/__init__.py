"""The language model behind the chat: one interface (chat.llm.base), several
backends, the one in use named by a dotted path.

    async for piece in reply_stream(ReplyRequest(messages=..., persona_kind=...,
                                                 persona=...)):
        ...

`LLM_BACKEND` names the backend class; left empty, it is chosen from settings read
at call time: `chat.llm.openai.OpenAIBackend` when ``OPENAI_API_KEY`` or
``OPENAI_BASE_URL`` is set, else `chat.llm.offline.OfflineBackend`, which answers
from the persona. Callers never know which they hold.
"""

import functools
from collections.abc import AsyncIterator

from django.conf import settings
from django.utils.module_loading import import_string

from chat.llm.base import (
    FAILURES,
    QUESTION_READ_CHARS,
    TOOL_ARGUMENTS_MAX_CHARS,
    TOOL_CALLS_MAX,
    TOOL_NAME_MAX_CHARS,
    Backend,
    BackendInfo,
    Finish,
    ModelError,
    Piece,
    ReplyRequest,
    ToolCall,
    text_pieces,
)

OPENAI_BACKEND = "chat.llm.openai.OpenAIBackend"
OFFLINE_BACKEND = "chat.llm.offline.OfflineBackend"

__all__ = [
    "FAILURES",
    "Backend",
    "BackendInfo",
    "Finish",
    "ModelError",
    "Piece",
    "QUESTION_READ_CHARS",
    "TOOL_ARGUMENTS_MAX_CHARS",
    "TOOL_CALLS_MAX",
    "TOOL_NAME_MAX_CHARS",
    "ReplyRequest",
    "ToolCall",
    "backend",
    "backend_info",
    "reply_stream",
    "text_pieces",
]


def backend() -> Backend:
    """The backend `LLM_BACKEND` names, or the one the model settings imply."""
    if settings.LLM_BACKEND:
        return _backend(settings.LLM_BACKEND)
    configured = settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL
    return _backend(OPENAI_BACKEND if configured else OFFLINE_BACKEND)


@functools.cache
def _backend(path: str) -> Backend:
    return import_string(path)()


def backend_info() -> BackendInfo:
    """Which backend answers, and with which model (shown on the page and stored)."""
    return backend().info()


def reply_stream(request: ReplyRequest) -> AsyncIterator[Piece]:
    """The assistant's reply to the request's last message, in pieces and tool calls
    as they arrive; a `Finish` comes last when it stopped for another reason than
    being done."""
    return backend().reply_stream(request)
