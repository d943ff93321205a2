"""The frames a client may send, validated before anything acts on them, and the
payloads of the server's frames that carry more than a mode.

Each refusal carries a code and a message that says what to fix (docs/protocol.md).
"""

import json
from enum import IntEnum
from typing import Annotated, Any, Literal, get_args

from django.conf import settings
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

from chat.conversation.transcripts import nul_replace


class FrameError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


Text = Annotated[str, AfterValidator(nul_replace)]


class ChatPayload(_Strict):
    text: Text


class SwitchModePayload(_Strict):
    mode: Text


class EmptyPayload(_Strict):
    pass


class ChatFrame(_Strict):
    type: Literal["chat"]
    payload: ChatPayload


class SwitchModeFrame(_Strict):
    type: Literal["switch_mode"]
    payload: SwitchModePayload


class NewPersonaFrame(_Strict):
    type: Literal["new_persona"]
    payload: EmptyPayload = EmptyPayload()


class ClearFrame(_Strict):
    type: Literal["clear"]
    payload: EmptyPayload = EmptyPayload()


Frame = ChatFrame | SwitchModeFrame | NewPersonaFrame | ClearFrame
# Read off the frame models, so a new frame type is declared in one place.
FRAME_TYPES: tuple[str, ...] = tuple(
    get_args(model.model_fields["type"].annotation)[0] for model in get_args(Frame)
)
_frame_adapter: TypeAdapter[Frame] = TypeAdapter(
    Annotated[Frame, Field(discriminator="type")]
)


def frame_parse(raw: str | None) -> Frame:
    """Parse one text frame (None for a binary one), or raise FrameError saying what
    is wrong."""
    if raw is None:
        raise FrameError("binary_not_supported", "Send JSON text frames only.")
    try:
        data = json.loads(raw)
    except ValueError:
        raise FrameError(
            "invalid_json",
            'The frame is not JSON; send {"type": ..., "payload": {...}}.',
        ) from None
    except RecursionError:
        raise FrameError(
            "invalid_json",
            'The frame is nested too deeply; send {"type": ..., "payload": {...}}.',
        ) from None
    _check_envelope(data)
    try:
        frame = _frame_adapter.validate_python(data)
    except ValidationError as exc:
        raise FrameError("invalid_frame", _describe(exc)) from None
    for value in frame.payload.model_dump().values():
        _check_storable(value)
    if isinstance(frame, ChatFrame):
        _check_text(frame.payload.text)
    return frame


def _check_storable(value: str) -> None:
    """Refuse unpaired surrogates (from JSON escapes): no database can store them."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise FrameError(
            "invalid_frame",
            "The text contains an unpaired surrogate (\\ud800-\\udfff); "
            "send valid Unicode.",
        ) from None


def _check_envelope(data: Any) -> None:
    if not isinstance(data, dict):
        raise FrameError(
            "invalid_frame",
            'A frame must be a JSON object: {"type": ..., "payload": {...}}.',
        )
    if data.get("type") not in FRAME_TYPES:
        raise FrameError(
            "invalid_frame",
            f"Unknown frame type {str(data.get('type'))[:40]!r}; "
            f"expected one of: {', '.join(FRAME_TYPES)}.",
        )


def _check_text(text: str) -> None:
    if not text.strip():
        raise FrameError("invalid_frame", "The message is empty; type something first.")
    limit = settings.CHAT_MAX_MESSAGE_CHARS
    if len(text) > limit:
        raise FrameError(
            "message_too_long",
            f"The message is {len(text):,} characters long; the limit is {limit:,}. "
            "Shorten it and send it again.",
        )


def _describe(exc: ValidationError) -> str:
    """Turn pydantic's errors into one sentence naming each field to fix."""
    problems = []
    for error in exc.errors()[:3]:
        field = ".".join(str(part) for part in error["loc"][1:]) or "frame"
        problems.append(f"{field}: {error['msg']}")
    return "Invalid frame — " + "; ".join(problems) + "."


class ModeGeneratingPayload(BaseModel):
    """Server to client: a mode is being made for `requested`, the industry's words;
    a `mode_switch` (reason "generated") or an `error` follows."""

    requested: str


class CloseCode(IntEnum):
    """Why the server closed a socket (docs/protocol.md); the page reconnects after
    each, later for the budget codes. WebSocket libraries accept only 1000 and
    3000-4999 from an application, so these sit in the 4000s. Send `.value`: the
    server's WebSocket library takes a plain int and drops anything else."""

    FRAME_TOO_LARGE = 4009
    SERVER_ERROR = 4011
    SERVER_RESTARTING = 4012
    TOO_MANY_INVALID_FRAMES = 4022
    TOO_FAST = 4029
    TOO_MANY_SOCKETS = 4031
