"""What every model backend is: one request in, text pieces, tool calls and a finish
out.

A backend (chat.llm.openai, chat.llm.offline; chosen by `LLM_BACKEND`, see
chat.llm) gets a `ReplyRequest` and returns an async iterator of `Piece`s: text
pieces, each whole `ToolCall` once the backend knows it is complete (the OpenAI
backend: at the stream's finish, since a call's pieces may interleave with others';
its arguments unchecked: chat.dashboard validates and runs it), and a `Finish` last
when the reply ended other than normally. Every failure is a `ModelError` with one
of the codes of `FAILURES`, never a library's own exception.
"""

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from personas.articles import Article

# code -> (retryable, what the visitor is told): nothing about our servers, settings
# or the upstream's words, which the log has instead.
FAILURES: dict[str, tuple[bool, str]] = {
    "model_unreachable": (
        True,
        "The assistant cannot be reached right now. Please try again in a moment.",
    ),
    "model_timeout": (
        True,
        "The assistant took too long to answer. Please try again.",
    ),
    "model_rate_limited": (
        True,
        "The assistant is busy right now. Please try again in a moment.",
    ),
    "model_server_error": (
        True,
        "The assistant had a problem answering. Please try again.",
    ),
    "model_auth": (
        False,
        "The assistant is unavailable because of a problem on our side. "
        "Please let us know.",
    ),
    "model_rejected": (
        False,
        "The assistant could not take this request because of a problem on our side. "
        "Please let us know.",
    ),
    "model_stream_broken": (
        True,
        "The assistant's reply broke off part-way. Please try again.",
    ),
    "model_empty_reply": (
        True,
        "The assistant sent an empty reply. Please try again.",
    ),
    "model_refused": (
        False,
        "The assistant declined this request.",
    ),
}


@dataclass(frozen=True)
class BackendInfo:
    """Which backend answers, and with which model (shown on the page and stored)."""

    backend: str  # "openai" or "offline"
    model: str


class ModelError(Exception):
    """The model could not answer; `message` is what the visitor is told."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.retryable, self.message = FAILURES[code]
        super().__init__(self.message)


@dataclass(frozen=True)
class Finish:
    """The last item of a reply that ended other than normally, e.g. "length"."""

    reason: str


# How much of a visitor's message the pure readers read (the offline model, its
# chart requests, help-article matching): a question is asked in a sentence or two,
# so the longest message a visitor may send costs what a short one does.
QUESTION_READ_CHARS = 600

# What one reply may carry of tool calls, whatever the model sends: the calls run
# (later ones are refused, then dropped), and each call's size. Backends stop
# collecting past these, so a runaway stream cannot fill memory, the page or the row.
TOOL_CALLS_MAX = 8
TOOL_NAME_MAX_CHARS = 64  # OpenAI's own limit on a function name; ids too
TOOL_ARGUMENTS_MAX_CHARS = 4_000


@dataclass(frozen=True)
class ToolCall:
    """A tool the model asked for, as it sent it: `arguments` is its raw JSON text."""

    call_id: str
    name: str
    arguments: str

    def bounded(self) -> "ToolCall":
        """The call with its id and name cut to TOOL_NAME_MAX_CHARS, as any backend's
        calls are before they are echoed to the page or stored."""
        return ToolCall(
            self.call_id[:TOOL_NAME_MAX_CHARS],
            self.name[:TOOL_NAME_MAX_CHARS],
            self.arguments,
        )


type Piece = str | ToolCall | Finish


@dataclass(frozen=True)
class ReplyRequest:
    """What a backend answers: the chat so far and the customer it is about.

    `messages` are chat messages (``{"role": ..., "content": ...}``): the system prompt
    first, then the history, then the new visitor message. `tools` are the OpenAI
    tool schemas the reply may call (chat.dashboard.tools); `articles` the mode's
    help articles that match the visitor's message, best first.
    """

    messages: list[dict]
    persona_kind: str
    persona: dict
    tools: tuple[dict, ...] = ()
    articles: tuple[Article, ...] = ()


class Backend(Protocol):
    """A model backend; chat.llm picks one by its dotted path."""

    def info(self) -> BackendInfo: ...

    def reply_stream(self, request: ReplyRequest) -> AsyncIterator[Piece]: ...


async def text_pieces(text: str, words_per_piece: int = 3) -> AsyncIterator[str]:
    """A ready-made text in pieces of a few words, letting other tasks run between."""
    words = re.findall(r"\S+\s*", text)
    for start in range(0, len(words), words_per_piece):
        await asyncio.sleep(0)
        yield "".join(words[start : start + words_per_piece])
