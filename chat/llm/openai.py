"""The OpenAI backend: a streamed chat completion from OpenAI or any server speaking
its API (Ollama, vLLM, llama.cpp), through the `openai` SDK.

The request offers the reply's tools (`ReplyRequest.tools`) when it has any; the
streamed pieces of each tool call are put together here, and every call goes out
whole, once the reply finishes, in the order the calls began (their arguments
unchecked: chat.dashboard.tools checks each). The SDK retries 429 and 5xx itself
(``OPENAI_MAX_RETRIES``); the first piece of text or of a tool call must arrive within
``OPENAI_FIRST_TOKEN_TIMEOUT`` seconds. Every failure surfaces as a
`ModelError` (chat.llm.base.FAILURES), never as an SDK or HTTP exception; the details
go to the log once, with anything like an API key redacted:

==========================  =========  ==============================================
code                        retryable  when
==========================  =========  ==============================================
``model_unreachable``       yes        the server refused or dropped the connection
``model_timeout``           yes        no answer in ``OPENAI_TIMEOUT`` or no first
                                       token in ``OPENAI_FIRST_TOKEN_TIMEOUT``
``model_rate_limited``      yes        HTTP 429, still after the SDK's retries
``model_server_error``      yes        HTTP 5xx, still after the SDK's retries
``model_auth``              no         HTTP 401/403: the API key is wrong
``model_rejected``          no         another 4xx, e.g. 404 for an unknown model
``model_stream_broken``     yes        the stream broke off or sent a malformed chunk
``model_empty_reply``       yes        the model finished without any text or call
``model_refused``           no         the model refused a structured-output request
==========================  =========  ==============================================

Requests go through the SDK's aiohttp transport (`DefaultAioHttpClient`). Clients
are cached per event loop and settings; ``await clients_close()`` closes the
running loop's (tests do, so no pooled connection outlives a test). This is the only
module that imports ``openai``.
"""

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

import httpx2
import openai
from django.conf import settings

from chat.llm.base import (
    TOOL_ARGUMENTS_MAX_CHARS,
    TOOL_CALLS_MAX,
    TOOL_NAME_MAX_CHARS,
    BackendInfo,
    Finish,
    ModelError,
    Piece,
    ReplyRequest,
    ToolCall,
)

logger = logging.getLogger(__name__)

# Local servers ignore the key, but the SDK insists on one.
PLACEHOLDER_API_KEY = "not-needed"

# What a key looks like in an upstream's words (OpenAI's sk-..., sk-proj-..., masked
# ones too, a bearer token), and the user:password@ of an address.
KEY_SHAPED = re.compile(r"\bsk-[\w*-]{4,}|(?<=Bearer )\S+")
URL_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
REDACTED = "[redacted]"
# A configured key shorter than this is no secret, and redacting it would garble logs.
REDACTED_KEY_MIN_CHARS = 4
# How long the rest of a body after [DONE] may take before the connection is dropped.
DRAIN_SECONDS = 0.1
# The finish reasons of a reply that ended as it should, which the page never sees:
# "tool_calls" is a reply that asked for tools, no cut.
NORMAL_FINISHES = frozenset({"stop", "tool_calls"})


# An httpx client belongs to the event loop it was made in, so each loop gets its
# own clients (one per settings combination). Pooled connections refer back to the
# loop, which keeps a weak key alive, so closed loops are also dropped explicitly.
_clients: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, openai.AsyncOpenAI]]
_clients = WeakKeyDictionary()


def _client() -> openai.AsyncOpenAI:
    """This loop's client for the current settings, made on first use."""
    config = (
        settings.OPENAI_API_KEY or PLACEHOLDER_API_KEY,
        settings.OPENAI_BASE_URL or None,
        settings.OPENAI_TIMEOUT,
        settings.OPENAI_MAX_RETRIES,
    )
    for closed in [loop for loop in _clients if loop.is_closed()]:
        del _clients[closed]
    clients = _clients.setdefault(asyncio.get_running_loop(), {})
    if config not in clients:
        api_key, base_url, timeout, max_retries = config
        clients[config] = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            # The SDK's aiohttp transport, which its README offers "for improved
            # concurrency": httpx's pool probes the socket of every idle connection
            # each time it places a request, which under a crowd cost more than
            # the request, and aiohttp parses the stream in C (docs/performance.md).
            http_client=openai.DefaultAioHttpClient(),
        )
    return clients[config]


async def clients_close() -> None:
    """Close the running loop's clients and their pooled connections (for tests)."""
    for client in _clients.pop(asyncio.get_running_loop(), {}).values():
        await client.close()


async def _openai_reply_stream(request: ReplyRequest) -> AsyncIterator[Piece]:
    """Stream the completion's text and tool calls; the first piece of either has a
    deadline of its own."""
    deadline = asyncio.get_running_loop().time() + settings.OPENAI_FIRST_TOKEN_TIMEOUT
    async with contextlib.AsyncExitStack() as stack:
        response = await _stream_open(stack, request, deadline)
        events = await stack.enter_async_context(contextlib.aclosing(_texts(response)))
        with _model_errors(streaming=True):
            async with asyncio.timeout_at(deadline):
                first = await anext(events, None)
        if first is None or (
            isinstance(first, Finish) and first.reason in NORMAL_FINISHES
        ):
            raise _failure(
                "model_empty_reply", "the model finished with no text or call"
            )
        calls = _ToolCallDrafts()
        with _model_errors(streaming=True):
            for piece in calls.pieces(first):
                yield piece
            async for event in events:
                if type(event) is str:  # the hot path: text, as it came
                    yield event
                    continue
                for piece in calls.pieces(event):
                    yield piece
            for call in calls.done():
                yield call


async def _stream_open(
    stack: contextlib.AsyncExitStack, request: ReplyRequest, deadline: float
) -> httpx2.Response:
    """The streamed chat completion, once the server has answered with headers;
    `stack` closes it. The SDK still sends the request and retries it, but the body
    is read here: its per-chunk models cost six times what `json.loads` does.

    The messages and tools go as `extra_body`, which the SDK sends as it is: they are
    plain JSON already, and its request transform would walk every message's and
    schema's type annotations (about 0.4 ms a message). A request without tools says
    nothing about them."""
    body: dict[str, Any] = {"messages": request.messages}
    if request.tools:
        body["tools"] = list(request.tools)
    completion = _client().chat.completions.with_streaming_response.create(
        model=settings.OPENAI_MODEL,
        messages=(),
        max_tokens=settings.OPENAI_MAX_TOKENS,
        stream=True,
        extra_body=body,
    )
    with _model_errors(streaming=False):
        async with asyncio.timeout_at(deadline):
            return (await stack.enter_async_context(completion)).http_response


async def structured_reply(
    messages: list[dict], *, schema_name: str, schema: dict[str, Any]
) -> str:
    """One whole completion held to a JSON schema (structured output), as its text.

    The caller bounds the wait and checks the text: a model may still send JSON
    that does not fit, and its words are data, never instructions.
    """
    with _model_errors(streaming=False):
        completion = await _client().chat.completions.create(
            model=settings.OPENAI_MODEL,
            messages=messages,
            max_tokens=settings.OPENAI_MAX_TOKENS,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": True},
            },
        )
    message = completion.choices[0].message if completion.choices else None
    if message is not None and message.refusal:
        raise _failure("model_refused", f"refused: {message.refusal}"[:300])
    if message is None or not message.content:
        raise _failure("model_empty_reply", "the model finished without any text")
    return message.content


type _Event = str | list | Finish


async def _texts(response: httpx2.Response) -> AsyncIterator[_Event]:
    """The text of the events that arrived together, as one piece (chunks without
    text, such as the role, usage or keep-alives, add nothing), each chunk's list of
    tool-call deltas as it came, then the finish reason. Text already read goes out
    before an error in the same read, and before the finish.
    The byte and event iterators are closed here, on every exit, never left for the
    garbage collector to finalise while the stream is still in use."""
    async with contextlib.aclosing(_sse_data(response)) as events:
        async for block in events:
            texts: list[str] = []
            for data in block:
                if data.startswith(b"[DONE]"):
                    await _drain(events)
                    break
                try:
                    text, reason, calls = _chunk_read(data)
                except ValueError:
                    if texts:
                        yield "".join(texts)
                    raise
                if text:
                    texts.append(text)
                if calls:
                    yield calls
                if reason is not None:
                    if texts:
                        yield "".join(texts)
                        texts = []
                    yield Finish(reason)
            if texts:
                yield "".join(texts)


async def _sse_data(response: httpx2.Response) -> AsyncIterator[list[bytes]]:
    """The `data` of each server-sent event, a list per read from the wire.

    Each read waits at most OPENAI_TIMEOUT: aiohttp 3.14 leaves a read of a body
    whose chunked framing broke waiting for ever (its own read timeout cancelled)."""
    buffer = b""
    data: list[bytes] = []
    async with contextlib.aclosing(response.aiter_bytes()) as received_bytes:
        while True:
            try:
                async with asyncio.timeout(settings.OPENAI_TIMEOUT):
                    received = await anext(received_bytes, None)
            except TimeoutError:
                raise httpx2.ReadTimeout("no data within OPENAI_TIMEOUT") from None
            if received is None:
                return
            *lines, buffer = (buffer + received).split(b"\n")
            block = []
            for line in lines:
                line = line.removesuffix(b"\r")
                if not line:  # a blank line ends the event
                    if data:
                        block.append(b"\n".join(data))
                        data = []
                elif line.startswith(b"data:"):
                    data.append(line[5:].removeprefix(b" "))
            if block:
                yield block


async def _drain(events: AsyncIterator[list[bytes]]) -> None:
    """Read what follows [DONE] (the body's end) so the connection can be reused; a
    server that keeps on sending gets DRAIN_SECONDS, then its connection is closed."""
    with contextlib.suppress(TimeoutError, httpx2.HTTPError):
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in events:
                pass


def _chunk_read(data: bytes) -> tuple[str | None, str | None, Any]:
    """A chunk's text, finish reason and tool-call deltas; ValueError for anything
    but a chunk."""
    chunk = json.loads(data)
    if isinstance(chunk, dict) and chunk.get("error"):
        raise StreamError(chunk["error"])
    try:
        choices = chunk["choices"]
        if not choices:
            return None, None, None
        choice = choices[0]
        delta = choice["delta"]
        text = delta.get("content")
        return (
            (text if isinstance(text, str) else None),
            choice.get("finish_reason"),
            delta.get("tool_calls"),
        )
    except (AttributeError, IndexError, KeyError, TypeError):
        raise ValueError(f"a chunk of the wrong shape: {chunk}"[:200]) from None


@dataclass
class _Draft:
    """A tool call whose pieces are still arriving; `number` counts from 0 in the
    reply, and names the call when the server gave it no id."""

    number: int
    call_id: str
    name: str = ""
    arguments: list[str] = field(default_factory=list)
    size: int = 0

    def arguments_add(self, piece: str) -> None:
        """Keep the arguments to one character past TOOL_ARGUMENTS_MAX_CHARS: enough
        for the call to be refused as too long, never more."""
        room = TOOL_ARGUMENTS_MAX_CHARS + 1 - self.size
        if room > 0:
            self.arguments.append(piece[:room])
            self.size += min(len(piece), room)


class _ToolCallDrafts:
    """The tool calls of one reply, put together from their streamed deltas.

    A delta names its call by `index`; parallel calls interleave theirs. Some servers
    number every call 0, so a new `id` at an index begins another call there.
    """

    def __init__(self) -> None:
        self._begun: list[_Draft] = []  # in the order the calls began
        self._at: dict[Any, _Draft] = {}  # the latest call at each index
        self._count = 0

    def pieces(self, event: _Event) -> list[Piece]:
        """What the reply says after this event: text as it is, nothing for a
        call's piece, and at the finish every call, then an abnormal reason."""
        if isinstance(event, str):
            return [event]
        if isinstance(event, list):
            self.add(event)
            return []
        return [*self.done(), *([event] if event.reason not in NORMAL_FINISHES else [])]

    def add(self, deltas: list) -> None:
        """Fold one chunk's deltas in; ValueError for one of the wrong shape."""
        for delta in deltas:
            try:
                index, call_id = delta.get("index", 0), delta.get("id")
                function = delta.get("function") or {}
                name, arguments = function.get("name"), function.get("arguments")
                draft = self._draft(index, call_id if isinstance(call_id, str) else "")
            except (AttributeError, TypeError):
                raise ValueError(
                    f"a tool call of the wrong shape: {delta}"[:200]
                ) from None
            if draft is None:  # past the calls a reply may carry: dropped
                continue
            if isinstance(name, str):
                draft.name = (draft.name + name)[:TOOL_NAME_MAX_CHARS]
            if arguments is not None:
                draft.arguments_add(
                    arguments if isinstance(arguments, str) else json.dumps(arguments)
                )

    def _draft(self, index: Any, call_id: str) -> _Draft | None:
        """The call this delta belongs to: the one at its index, or a new one (None
        past TOOL_CALLS_MAX + 1: the one over tells the page calls were refused)."""
        call_id = call_id[:TOOL_NAME_MAX_CHARS]
        draft = self._at.get(index)
        if draft is None or (call_id and draft.call_id and call_id != draft.call_id):
            if self._count > TOOL_CALLS_MAX:
                return None
            draft = self._at[index] = _Draft(self._count, call_id)
            self._begun.append(draft)
            self._count += 1
        elif call_id:
            draft.call_id = call_id
        return draft

    def done(self) -> list[ToolCall]:
        """Every call so far, whole, in the order they began; a call without an id
        gets one of its own (call_0, call_1, ...) for the page to answer."""
        calls = [
            ToolCall(
                draft.call_id or f"call_{draft.number}",
                draft.name,
                "".join(draft.arguments),
            )
            for draft in self._begun
        ]
        self._begun, self._at = [], {}
        return calls


class StreamError(ValueError):
    """An error event in the stream (`{"error": {...}}`), as the SDK raised it."""

    def __init__(self, error: object) -> None:
        message = error.get("message") if isinstance(error, dict) else None
        if not isinstance(message, str) or not message:
            message = "An error occurred during streaming"
        super().__init__(message)


@contextlib.contextmanager
def _model_errors(*, streaming: bool) -> Iterator[None]:
    """Turn whatever the SDK or the wire raises into a ModelError.

    A lost connection means the server was unreachable before the stream began,
    and a broken stream after; ValueError covers a chunk that is not JSON.
    """
    try:
        yield
    except TimeoutError as exc:
        raise _failure(
            "model_timeout",
            "no text or tool call within OPENAI_FIRST_TOKEN_TIMEOUT="
            f"{settings.OPENAI_FIRST_TOKEN_TIMEOUT:g} s",
        ) from exc
    except openai.APIStatusError as exc:
        code = _status_code(exc.status_code)
        raise _failure(code, f"HTTP {exc.status_code}: {_reason(exc)}") from exc
    except (openai.OpenAIError, httpx2.HTTPError, ValueError) as exc:
        raise _connection_error(exc, streaming=streaming) from exc


def _connection_error(exc: Exception, *, streaming: bool) -> ModelError:
    """A failure without an HTTP status: timeout, refused, or a broken stream
    (the body is read by httpx here, so its own timeout counts as the SDK's)."""
    if _timed_out(exc):
        detail = f"no answer within OPENAI_TIMEOUT={settings.OPENAI_TIMEOUT:g} s"
        return _failure("model_timeout", detail)
    if streaming:
        return _failure("model_stream_broken", f"stream broke off: {_reason(exc)}")
    return _failure("model_unreachable", f"unreachable: {_reason(exc)}")


def _timed_out(exc: Exception) -> bool:
    """Whether `exc` is a timeout. The aiohttp transport reports every lost
    connection (refused, closed before an answer) as a connect timeout, so one with a
    cause is a timeout only when a TimeoutError is among its causes."""
    if not isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return False
    cause = exc.__cause__
    if cause is None:
        return True
    while cause is not None:
        if isinstance(cause, TimeoutError):
            return True
        cause = cause.__cause__
    return False


def _status_code(status: int) -> str:
    """The failure code for an HTTP error status, after the SDK's own retries."""
    if status in (401, 403):
        return "model_auth"
    if status == 429:
        return "model_rate_limited"
    if status >= 500:
        return "model_server_error"
    return "model_rejected"


def _failure(code: str, detail: str) -> ModelError:
    """The visitor's error for `code`; the details go to the log, keys redacted."""
    logger.warning(
        "Model reply failed (%s) from %s, model %r: %s",
        code,
        redacted(settings.OPENAI_BASE_URL or "the OpenAI API"),
        settings.OPENAI_MODEL,
        redacted(detail),
    )
    return ModelError(code)


def redacted(text: str) -> str:
    """`text` without the configured API key or anything shaped like a key."""
    key = settings.OPENAI_API_KEY
    if len(key) >= REDACTED_KEY_MIN_CHARS:
        text = text.replace(key, REDACTED)
    text = KEY_SHAPED.sub(REDACTED, text)
    return URL_USERINFO.sub(f"{REDACTED}@", text)


def _reason(exc: Exception) -> str:
    """The most specific words available: the server's message, else the cause's."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    cause = exc.__cause__ or exc
    return str(cause) or type(cause).__name__


class OpenAIBackend:
    """Replies from an OpenAI-compatible server (OPENAI_BASE_URL, OPENAI_MODEL)."""

    def info(self) -> BackendInfo:
        return BackendInfo(backend="openai", model=settings.OPENAI_MODEL)

    def reply_stream(self, request: ReplyRequest) -> AsyncIterator[Piece]:
        return _openai_reply_stream(request)
