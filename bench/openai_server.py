"""A small OpenAI-compatible server, so the real SDK can be tested over real HTTP.

Tests get one from the ``openai_server`` fixture (tests/conftest.py) and steer it with
``server.behaviour`` (a `Behaviour`); every request is kept in ``server.requests``.
A magic word in the last user message steers a single reply from a browser or a
benchmark: ``[echo]``, ``[slow]``, ``[drop]``, ``[malformed]``, ``[status:503]``, and
``[chart:<dataset>]`` (a short text, then a ``show_chart`` call for that dataset, its
arguments in a few pieces; only the text when the request offers no ``show_chart``
tool, as a model would).

Standalone, as a zero-latency model for benchmarks (Ctrl-C stops it; it keeps no
requests, so it runs as fast after an hour as at its start)::

    python -m bench.openai_server --port 8765 --latency 0

Endpoints: ``GET /v1/models`` and ``POST /v1/chat/completions`` (``stream`` true gives
``data: {chunk}`` lines and ``data: [DONE]``, false a whole completion, after
``first_token_delay``). ``behaviour.tool_calls`` streams tool calls after the text, as
OpenAI does: each call's first delta carries its index, id, type and name, later ones
pieces of its arguments. A structured-output request (``response_format`` of type
``json_schema``) is answered with ``behaviour.structured``, or refused with
``behaviour.refusal``. Only the standard library is used, so it runs without Django.
"""

import argparse
import dataclasses
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
DEFAULT_REPLY = "Hello from the test model. How can I help you today?"
# Long enough to outlast any client timeout; stop() cuts it short.
SLOW_SECONDS = 30.0
# (OpenAI error type, error code, message) for each status the tests ask for.
ERRORS = {
    400: ("invalid_request_error", "invalid_request", "The request is invalid."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("permission_error", "permission_denied", "You may not use this model."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests."),
    500: ("server_error", None, "The server had an error processing your request."),
    503: ("server_error", None, "The engine is currently overloaded."),
}
# Statuses the SDK retries; the hint keeps those retries fast.
RETRY_AFTER_MS = "10"
MAGIC_WORD = re.compile(r"\[(echo|slow|drop|malformed|status:(\d{3})|chart:([\w-]+))\]")
MAGIC = {
    "echo": {"echo": True},
    "slow": {"first_token_delay": SLOW_SECONDS},
    "drop": {"drop_after": 2},
    "malformed": {"malformed_after": 1},
}
CHART_REPLY = "Here is your chart."
CHART_ARGUMENTS_CHUNK = 8  # a `[chart:...]` call's arguments come in pieces this long


@dataclass
class Behaviour:
    """How the server answers chat completions until it is told otherwise."""

    reply: str = DEFAULT_REPLY
    echo: bool = False  # reply "You said: <last user message>" instead
    status: int | None = None  # answer with this HTTP error...
    fail_times: int | None = None  # ...for only this many requests (None: all)
    error_message: str | None = None  # ...saying this instead of `ERRORS`' message
    first_token_delay: float = 0.0  # seconds between the headers and the first text
    chunk_delay: float = 0.0  # seconds before each later piece of text
    # Pieces count text and tool-call deltas alike, in the order they are sent.
    drop_after: int | None = None  # send this many pieces, then drop the connection
    malformed_after: int | None = None  # send this many pieces, then `malformed`
    malformed: str = '{"choices": ['  # an event the client cannot read as a chunk
    # e.g. "length": the reply was cut at max_tokens; None: "tool_calls" when the
    # reply has tool calls, else "stop"
    finish_reason: str | None = None
    # Tool calls sent after `reply`, each {"name": ..., "arguments": raw JSON text}
    # and optionally "id" (default call_test_<n>; None: sent without one). A call
    # without "name" is sent without one.
    tool_calls: list[dict] | None = None
    arguments_chunk: int = 0  # split each call's arguments into pieces this long
    tool_calls_parallel: bool = False  # interleave the calls' pieces, as one turn
    tool_index_reused: bool = False  # number every call 0 (send them one by one)
    reply_between: str = ""  # text sent between one call and the next
    reply_after: str = ""  # text sent after the calls
    # A json_schema request's answer: a value sent as JSON, or a str sent as it is
    # (to send invalid JSON); None: `reply`, like any other request.
    structured: Any = None
    refusal: str | None = None  # refuse json_schema requests, saying this
    together: bool = False  # write every event at once, as a busy link delivers them


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    client_port: int


def _magic(behaviour: Behaviour, body: dict[str, Any]) -> Behaviour:
    """The behaviour with the last user message's magic words applied."""
    text = _last_user_text(body)
    changes: dict[str, Any] = {}
    for word, status, dataset in MAGIC_WORD.findall(text):
        if status:
            changes |= {"status": int(status), "fail_times": None}
        elif dataset:
            changes |= _chart_call(dataset, body)
        else:
            changes |= MAGIC[word]
    return dataclasses.replace(behaviour, **changes)


def _chart_call(dataset: str, body: dict[str, Any]) -> dict[str, Any]:
    """A short text, then a show_chart call for `dataset` in a few pieces, if the
    request offers that tool."""
    offered = [tool.get("function", {}).get("name") for tool in body.get("tools", [])]
    arguments = json.dumps({"dataset": dataset})
    call = {"name": "show_chart", "arguments": arguments}
    return {
        "reply": CHART_REPLY,
        "echo": False,
        "tool_calls": [call] if "show_chart" in offered else None,
        "arguments_chunk": CHART_ARGUMENTS_CHUNK,
    }


def _last_user_text(body: dict[str, Any]) -> str:
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    content = users[-1].get("content") if users else ""
    return content if isinstance(content, str) else ""


def _reply_text(behaviour: Behaviour, body: dict[str, Any]) -> str:
    if _structured(body) and behaviour.structured is not None:
        answer = behaviour.structured
        return answer if isinstance(answer, str) else json.dumps(answer)
    return f"You said: {_last_user_text(body)}" if behaviour.echo else behaviour.reply


def _structured(body: dict[str, Any]) -> bool:
    """Whether the request asks for structured output held to a JSON schema."""
    response_format = body.get("response_format")
    return isinstance(response_format, dict) and (
        response_format.get("type") == "json_schema"
    )


def text_pieces(text: str) -> list[str]:
    """A word (and its trailing space) per piece, as models stream."""
    return re.findall(r"\S+\s*", text)


def _deltas(behaviour: Behaviour, text: str) -> list[dict[str, Any]]:
    """Every delta of the reply after the role: its text, its calls (one delta a
    chunk), the text after."""
    calls = [
        _call_deltas(behaviour, n, call)
        for n, call in enumerate(behaviour.tool_calls or ())
    ]
    if behaviour.tool_calls_parallel:
        turns = itertools.zip_longest(*calls)
        sent = [{"tool_calls": [d]} for turn in turns for d in turn if d]
    else:
        sent = []
        for n, call in enumerate(calls):
            sent += _content(behaviour.reply_between) if n else []
            sent += [{"tool_calls": [delta]} for delta in call]
    return _content(text) + sent + _content(behaviour.reply_after)


def _content(text: str) -> list[dict[str, Any]]:
    return [{"content": piece} for piece in text_pieces(text)]


def _call_deltas(behaviour: Behaviour, n: int, call: dict) -> list[dict[str, Any]]:
    """One call's deltas: its index, id, type and name, then its arguments' pieces."""
    index = 0 if behaviour.tool_index_reused else n
    call_id = call.get("id", f"call_test_{n}")
    function = {"name": call["name"]} if "name" in call else {}
    first = {
        "index": index,
        "type": "function",
        "function": function | {"arguments": ""},
    }
    arguments = call["arguments"]
    size = behaviour.arguments_chunk or len(arguments) or 1
    return [first | ({"id": call_id} if call_id else {})] + [
        {"index": index, "function": {"arguments": arguments[start : start + size]}}
        for start in range(0, len(arguments), size)
    ]


@dataclass
class OpenAIServer:
    """The server, run in a background thread on 127.0.0.1 (port 0: any free port)."""

    port: int = 0
    model: str = "test-model"
    behaviour: Behaviour = field(default_factory=Behaviour)
    # Off for a benchmark's model: thousands of kept bodies (each a whole history)
    # made its own full garbage collections pause every reply for 40-100 ms.
    keep_requests: bool = True

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[ReceivedRequest] = []
        self._chat_count = 0
        self._stopping = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", self.port), _Handler, self)
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request so far, oldest first (a copy: the server keeps appending)."""
        with self._lock:
            return list(self._received)

    @property
    def chat_count(self) -> int:
        """The chat completion requests so far, kept or not."""
        with self._lock:
            return self._chat_count

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """The bodies of the chat completion requests, oldest first."""
        return [r.body for r in self.requests if r.path == CHAT_PATH]

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"openai-server-{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake slow replies, close every connection and join every thread."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def record(self, request: ReceivedRequest) -> int:
        """Keep the request (unless told not to); the number of chat requests so far,
        this one included."""
        with self._lock:
            if self.keep_requests:
                self._received.append(request)
            self._chat_count += request.path == CHAT_PATH
            return self._chat_count

    def pause(self, seconds: float) -> bool:
        """Sleep unless the server stops first; True if the sleep ran its course."""
        return not seconds or not self._stopping.wait(seconds)


class _HTTPServer(ThreadingHTTPServer):
    """Joins its handler threads on close, after cutting their connections."""

    daemon_threads = False
    block_on_close = True
    # A benchmark opens hundreds of connections at once; Python's default backlog (5)
    # would refuse most of them, and the SDK's retries would hide it.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], handler: type, app: OpenAIServer):
        self.app = app
        self._sockets: set[socket.socket] = set()
        self._sockets_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._sockets_lock:
            self._sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._sockets_lock:
            self._sockets.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock handlers waiting on kept-alive connections so they can finish."""
        with self._sockets_lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the client

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is normal here (timeouts, drops); stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Many small SSE writes on a kept-alive connection would otherwise each wait for
    # the client's delayed ACK (~40 ms a reply), and "zero latency" would not be.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read server.requests instead."""

    def do_GET(self) -> None:
        self._record({})
        if self.path != MODELS_PATH:
            return self._send_error(404)
        model = {"id": self.server.app.model, "object": "model", "created": 0}
        self._send_json(200, {"object": "list", "data": [model | {"owned_by": "test"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)))
        count = self._record(body)
        if self.path != CHAT_PATH:
            return self._send_error(404)
        behaviour = _magic(self.server.app.behaviour, body)
        failing = behaviour.fail_times is None or count <= behaviour.fail_times
        if behaviour.status and failing:
            return self._send_error(behaviour.status, behaviour.error_message)
        text = _reply_text(behaviour, body)
        if not body.get("stream"):
            if not self.server.app.pause(behaviour.first_token_delay):
                return
            refusal = behaviour.refusal if _structured(body) else None
            return self._send_json(200, self._completion(text, refusal))
        try:
            self._stream(behaviour, text)
        except OSError:
            self.close_connection = True  # the client hung up; nothing to tell it

    def _record(self, body: dict[str, Any]) -> int:
        return self.server.app.record(
            ReceivedRequest(
                method=self.command,
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                client_port=self.client_address[1],
            )
        )

    def _send_json(self, status: int, payload: dict[str, Any], **headers: str) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, message: str | None = None) -> None:
        kind, code, usual = ERRORS.get(status, ("server_error", None, "Error."))
        message = usual if message is None else message
        error = {"message": message, "type": kind, "param": None, "code": code}
        retryable = status == 429 or status >= 500
        retry = {"retry_after_ms": RETRY_AFTER_MS} if retryable else {}
        self._send_json(status, {"error": error}, **retry)

    def _completion(self, text: str, refusal: str | None = None) -> dict[str, Any]:
        message = {"role": "assistant", "content": None if refusal else text}
        message["refusal"] = refusal
        return self._envelope("chat.completion") | {
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def _envelope(self, kind: str) -> dict[str, Any]:
        model = self.server.app.model
        return {"id": "chatcmpl-test", "object": kind, "created": 0, "model": model}

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        chunk = self._envelope("chat.completion.chunk") | {"choices": [choice]}
        return f"data: {json.dumps(chunk)}\n\n".encode()

    def _stream(self, behaviour: Behaviour, text: str) -> None:
        """Headers and the role first, then the text: the first token may lag."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._write(self._chunk({"role": "assistant", "content": ""}))
        held: list[bytes] = []
        for event in self._events(behaviour, text):
            if event is not None and behaviour.together:
                held.append(event)
                continue
            if held:
                self._write(b"".join(held))
                held = []
            if event is None:
                return self.connection.shutdown(socket.SHUT_RDWR)
            self._write(event)
        if held:
            self._write(b"".join(held))
        self._write(b"")  # the zero-length chunk that ends the body

    def _events(self, behaviour: Behaviour, text: str) -> Iterator[bytes | None]:
        """The SSE events after the role; None means drop the connection now."""
        for index, delta in enumerate(_deltas(behaviour, text)):
            if index == behaviour.drop_after:
                yield None
                return
            if index == behaviour.malformed_after:
                yield f"data: {behaviour.malformed}\n\n".encode()
                return
            delay = behaviour.chunk_delay if index else behaviour.first_token_delay
            if not self.server.app.pause(delay):
                yield None
                return
            yield self._chunk(delta)
        finish_reason = behaviour.finish_reason or (
            "tool_calls" if behaviour.tool_calls else "stop"
        )
        yield self._chunk({}, finish_reason=finish_reason)
        yield b"data: [DONE]\n\n"

    def _write(self, data: bytes) -> None:
        """One HTTP/1.1 chunk, flushed so the client sees it now."""
        self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


def main() -> None:
    """Serve until Ctrl-C, for benchmarks and trying the site without a real model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds a token")
    parser.add_argument("--model", default="test-model")
    args = parser.parse_args()
    behaviour = Behaviour(first_token_delay=args.latency, chunk_delay=args.latency)
    server = OpenAIServer(
        port=args.port, model=args.model, behaviour=behaviour, keep_requests=False
    )
    with server:
        print(f"OpenAI-compatible API at {server.base_url} (model {server.model!r})")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
