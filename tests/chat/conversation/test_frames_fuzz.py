"""Generated frames thrown at the chat socket: every one is answered (a well-formed
`error`, or a reply, or a switch), the socket stays open, and the database keeps only
valid rows.

Each example opens one socket and sends it a list of frames, one at a time, waiting for
the whole answer to each; `expected_outcome` says independently of
chat.conversation.frames what the protocol promises for a frame, so a frame answered
with the wrong kind of answer fails as surely as one that crashes the consumer.
"""

import json
import re
from typing import Any

import hypothesis
import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from chat.conversation.frames import FRAME_TYPES, CloseCode
from chat.conversation.visits import visitor_key
from chat.models import Message
from tests.chat.socket import session_create, socket_open

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ACTIVE_SLUGS = ("banking", "insurance", "healthcare")
GENERATED_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ERROR_KEYS = {"code", "message", "retryable"}
ERROR_EXTRAS = {"retry_after", "message_id"}
# The consumer's catch-all for an exception in a handler: never a valid answer here.
SERVER_ERROR = "server_error"
# Long enough for the slowest answer here (a switch: a persona, a row, a greeting).
RECEIVE_TIMEOUT = 5

# Text: every valid code point (no surrogates: a text frame is UTF-8), with the
# awkward ones often: NUL and other controls, right-to-left and zero-width marks,
# combining accents, emoji and the last code point.
AWKWARD = [
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\u202e",
    "\u200f",
    "\u200b",
    "\u2028",
    "\ufeff",
    "\u0301",
    "\u00a0",
    "\u3000",
    "🏦",
    "👩‍👩‍👧",
    "مرحبا",
    "שלום",
    "\U0010ffff",
    "'; DROP TABLE chat_message; --",
    "{{ persona.name }}",
    "<script>alert(1)</script>",
    "Presto-Change-O, you're a ",
]
texts = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.lists(st.sampled_from(AWKWARD), min_size=1, max_size=6).map("".join),
    st.sampled_from(["", " ", "\t\n", "\u00a0\u3000", "What's my balance?"]),
)
triggers = st.sampled_from(
    [
        "Presto-Change-O, you're an insurance company",
        "Presto-Change-O, you're a bank",
        "presto change-o you're a hospital!",
        "Presto-Change-O, you're a submarine",
        "Presto-Change-O, you're a \u202ebank\u202c",
    ]
)
# Big but under the frame limit (64 KiB): up to 16,000 four-byte characters.
huge_texts = st.builds(
    lambda piece, count: piece * count,
    st.sampled_from(["x", "é", "中", "🏦", "\u200b", " ", "\x00"]),
    st.sampled_from([3_999, 4_000, 4_001, 9_000, 16_000]),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    texts,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(texts, children, max_size=4),
    ),
    max_leaves=12,
)
odd_types = st.one_of(
    json_values,
    st.sampled_from(["Chat", "chat ", "CLEAR", "chat\x00", "", "session", "error"]),
)


_MISSING = object()  # a payload left out of the frame altogether


def _frame(frame_type: Any, payload: Any, extra: dict) -> dict:
    frame = {"type": frame_type, "payload": payload} | extra
    return {k: v for k, v in frame.items() if v is not _MISSING}


payloads = st.one_of(
    st.fixed_dictionaries({"text": st.one_of(texts, triggers, huge_texts)}),
    st.fixed_dictionaries({"text": json_values}),
    st.fixed_dictionaries({"mode": st.one_of(st.sampled_from(ACTIVE_SLUGS), texts)}),
    st.fixed_dictionaries({"mode": json_values}),
    st.just({}),
    st.dictionaries(texts, json_values, max_size=3),
    json_values,
    st.just(_MISSING),
)
frame_objects = st.builds(
    _frame,
    st.one_of(st.sampled_from(FRAME_TYPES), odd_types),
    payloads,
    st.one_of(st.just({}), st.dictionaries(texts, json_values, max_size=2)),
)
# Well-formed frames, so that examples get as far as replies and switches.
valid_frames = st.one_of(
    st.builds(
        lambda t: {"type": "chat", "payload": {"text": t}},
        st.one_of(texts, triggers, huge_texts),
    ),
    st.builds(
        lambda m: {"type": "switch_mode", "payload": {"mode": m}},
        st.sampled_from([*ACTIVE_SLUGS, "retired", "BANKING"]),
    ),
    st.sampled_from(
        [
            {"type": "new_persona", "payload": {}},
            {"type": "clear", "payload": {}},
            {"type": "clear"},
        ]
    ),
)
raw_frames = st.one_of(
    st.builds(
        json.dumps, st.one_of(frame_objects, valid_frames), ensure_ascii=st.booleans()
    ),
    st.builds(json.dumps, json_values),
    texts,  # mostly not JSON at all
    st.sampled_from(
        [
            '{"type": "chat", "payload": {"text": "hi"}',
            '{"type": "chat", "payload": {"text": "hi"}}}',
            '{"type": "chat", "type": "clear", "payload": {}}',
            '{"type": "chat", "payload": {"text": NaN}}',
            '{"type": "chat", "payload": {"text": "\\u0000"}}',
            "\ufeff{}",
            "null",
        ]
    ),
    # Deep but within what the JSON decoder takes in one piece.
    st.integers(min_value=1, max_value=200).map(lambda n: "[" * n + "]" * n),
)
# Over the frame limit, in bytes though not always in characters.
oversize_frames = st.builds(
    lambda piece, spare: json.dumps(
        {
            "type": "chat",
            "payload": {"text": piece * ((65_536 + spare) // len(piece.encode()) + 1)},
        },
        ensure_ascii=False,
    ),
    st.sampled_from(["x", "é", "🏦"]),
    st.integers(min_value=1, max_value=2_000),
)


def expected_outcome(raw: str) -> str:
    """What docs/protocol.md promises for a frame: an error code, answer or close."""
    if len(raw.encode()) > settings.CHAT_MAX_FRAME_BYTES:
        return "close"
    try:
        data = json.loads(raw)
    except ValueError:
        return "invalid_json"
    if not isinstance(data, dict) or set(data) - {"type", "payload"}:
        return "invalid_frame"
    frame_type, payload = data.get("type"), data.get("payload", _MISSING)
    if frame_type in ("new_persona", "clear"):
        return "answer" if payload is _MISSING or payload == {} else "invalid_frame"
    if frame_type not in ("chat", "switch_mode") or type(payload) is not dict:
        return "invalid_frame"
    field = "text" if frame_type == "chat" else "mode"
    if set(payload) != {field} or type(payload[field]) is not str:
        return "invalid_frame"
    if frame_type == "switch_mode":
        return "answer" if payload["mode"] in ACTIVE_SLUGS else "unknown_mode"
    if not payload["text"].strip():
        return "invalid_frame"
    if len(payload["text"]) > settings.CHAT_MAX_MESSAGE_CHARS:
        return "message_too_long"
    return "answer"


def check_error(frame: dict) -> str:
    """A well-formed error frame's code."""
    assert set(frame) == {"type", "payload"}
    payload = frame["payload"]
    assert ERROR_KEYS <= set(payload) <= ERROR_KEYS | ERROR_EXTRAS
    assert isinstance(payload["code"], str) and payload["code"]
    assert isinstance(payload["message"], str) and payload["message"].strip()
    # The message names the problem; it never echoes a huge frame back.
    assert len(payload["message"]) < 500
    assert isinstance(payload["retryable"], bool)
    return payload["code"]


async def receive(communicator) -> dict:
    frame = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
    assert isinstance(frame, dict) and isinstance(frame.get("payload"), dict), frame
    return frame


# What a reply sends between its chat_start and its chat_end.
REPLY_FRAMES = ("chat_chunk", "tool_result", "tool_error")


async def reply_check(communicator, start: dict) -> None:
    """Read one streamed reply after its chat_start: chunks and tool calls' frames,
    then its chat_end."""
    message_id = start["payload"]["message_id"]
    assert isinstance(message_id, int)
    pieces = []
    while (frame := await receive(communicator))["type"] in REPLY_FRAMES:
        assert frame["payload"]["message_id"] == message_id
        if frame["type"] == "chat_chunk":
            assert isinstance(frame["payload"]["text"], str)
            pieces.append(frame["payload"]["text"])
    assert frame["type"] == "chat_end", frame
    assert frame["payload"]["message_id"] == message_id
    assert frame["payload"]["text"] == "".join(pieces)
    assert frame["payload"]["finish_reason"] in ("stop", "length")


def check_mode_switch(frame: dict) -> None:
    payload = frame["payload"]
    # A trigger naming a new industry switches to the mode just made for it.
    assert payload["mode"]["slug"] in ACTIVE_SLUGS or GENERATED_SLUG.fullmatch(
        payload["mode"]["slug"]
    )
    assert isinstance(payload["persona"], dict) and payload["persona"]
    assert isinstance(payload["conversation_id"], int)
    assert payload["reason"] in ("switch", "new_persona", "clear", "generated")
    assert payload["server_ms"] >= 0


async def send_text(communicator, raw: str) -> None:
    """A text frame, even an empty one (which send_to refuses to send)."""
    await communicator.send_input({"type": "websocket.receive", "text": raw})


async def answer_to(communicator, raw: str) -> str:
    """Send one frame and read its whole answer: the error code, or "answer"."""
    await send_text(communicator, raw)
    first = await receive(communicator)
    if first["type"] == "mode_generating":
        assert isinstance(first["payload"]["requested"], str)
        first = await receive(communicator)
    if first["type"] == "error":
        return check_error(first)
    if first["type"] == "mode_switch":
        check_mode_switch(first)
        first = await receive(communicator)  # the greeting follows
    assert first["type"] == "chat_start", first
    await reply_check(communicator, first)
    return "answer"


def accepted_chat_text(raw: str) -> str | None:
    """The visitor message a frame stores: the text of an answered chat, with NUL
    stored as U+FFFD (chat.conversation.frames: PostgreSQL cannot hold NUL)."""
    if expected_outcome(raw) != "answer":
        return None
    data = json.loads(raw)
    if data["type"] != "chat":
        return None
    return data["payload"]["text"].replace("\x00", "\ufffd")


@database_sync_to_async
def stored_user_texts(session_key: str) -> list[str]:
    rows = Message.objects.filter(
        conversation__visitor_key=visitor_key(session_key), role=Message.Role.USER
    ).order_by("created", "pk")
    return [row.content for row in rows]


@database_sync_to_async
def invalid_messages() -> list[str]:
    """Every stored message that breaks a rule, described."""
    problems = []
    for message in Message.objects.all():
        try:
            message.full_clean()
        except Exception as error:  # ValidationError: collect, report all at once
            problems.append(f"{message.pk}: {error}")
        if message.status == Message.Status.STREAMING:
            problems.append(f"{message.pk}: left streaming")
        if message.role == Message.Role.USER:
            if not message.content.strip():
                problems.append(f"{message.pk}: blank visitor message")
            if len(message.content) > settings.CHAT_MAX_MESSAGE_CHARS:
                problems.append(f"{message.pk}: {len(message.content)} characters")
    return problems


@pytest.fixture(autouse=True)
def no_rate_limit(settings) -> None:
    """Hundreds of frames from one session: the budgets are tested elsewhere."""
    settings.CHAT_RATE_LIMIT_MESSAGES = 1_000_000
    settings.CHAT_CONVERSATIONS_PER_WINDOW = 1_000_000
    settings.CHAT_GENERATIONS_PER_WINDOW = 1_000_000
    settings.CHAT_SOCKET_FRAMES_PER_SECOND = 1_000_000
    settings.CHAT_SOCKET_BYTES_PER_SECOND = 1_000_000_000
    settings.CHAT_SOCKET_MAX_INVALID_FRAMES = 1_000_000
    for budget in ("CONNECTIONS", "CONVERSATIONS", "MESSAGES", "GENERATIONS"):
        setattr(settings, f"CHAT_ADDRESS_{budget}_PER_WINDOW", 1_000_000)


@hypothesis.settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    frames=st.lists(
        st.one_of(raw_frames, valid_frames.map(json.dumps)), min_size=1, max_size=30
    ),
    oversize=st.one_of(st.none(), st.none(), st.none(), oversize_frames),
)
async def test_consumer_answers_every_generated_frame(frames, oversize):
    key = await session_create()
    communicator, _ = await socket_open(key)
    sent = []
    for raw in [*frames, oversize] if oversize else frames:
        sent.append(raw)
        if expected_outcome(raw) == "close":
            await send_text(communicator, raw)
            closed = await communicator.receive_output(timeout=RECEIVE_TIMEOUT)
            assert closed == {
                "type": "websocket.close",
                "code": CloseCode.FRAME_TOO_LARGE,
            }
            hypothesis.event("answered with close")
            break
        outcome = await answer_to(communicator, raw)
        hypothesis.event(f"answered with {outcome}")  # --hypothesis-show-statistics
        assert outcome != SERVER_ERROR, raw[:200]
        assert outcome == expected_outcome(raw), raw[:200]
    else:
        assert await communicator.receive_nothing(timeout=0.05)
    await communicator.disconnect()
    accepted = [text for raw in sent if (text := accepted_chat_text(raw))]
    assert await stored_user_texts(key) == accepted
    assert await invalid_messages() == []


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 5_000 + "]" * 5_000,
        '{"type": "chat", "payload": {"text": ' + "[" * 5_000 + "]" * 5_000 + "}}",
        '{"type": "chat", "payload": ' + '{"a": ' * 5_000 + "1" + "}" * 5_001,
    ],
    ids=["array", "text", "payload"],
)
async def test_consumer_refuses_deeply_nested_json_and_stays_open(raw):
    """JSON nested past Python's recursion limit, well under the frame limit."""
    assert len(raw.encode()) < settings.CHAT_MAX_FRAME_BYTES
    communicator, _ = await socket_open(await session_create())
    await communicator.send_to(text_data=raw)
    # A consumer that died only shows once the wait times out: keep the wait short.
    frame = await communicator.receive_json_from(timeout=2)
    assert frame["type"] == "error"
    assert check_error(frame) in ("invalid_json", "invalid_frame")
    await communicator.send_to(text_data='{"type": "clear", "payload": {}}')
    assert (await receive(communicator))["type"] == "mode_switch"
    await communicator.disconnect()


@pytest.mark.parametrize("escaped", ["\\ud800", "\\udfff", "hi \\udc00 there"])
async def test_consumer_refuses_chat_with_escaped_lone_surrogate(escaped):
    """`\\ud800` is valid JSON text but no valid character: refused, never stored.

    A lone surrogate cannot be encoded as UTF-8, so the database (and the model's
    HTTP request) cannot take it; the client must hear it is invalid, not that the
    server failed and it should retry.
    """
    key = await session_create()
    communicator, _ = await socket_open(key)
    raw = '{"type": "chat", "payload": {"text": "' + escaped + '"}}'
    await communicator.send_to(text_data=raw)
    frame = await receive(communicator)
    assert frame["type"] == "error"
    assert check_error(frame) == "invalid_frame"
    assert frame["payload"]["retryable"] is False
    await communicator.disconnect()
    assert await stored_user_texts(key) == []
    assert await invalid_messages() == []
