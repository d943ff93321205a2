"""A streaming reply's progress: its text within the caps, its timings, when it is
due to be saved, and why it ended."""

import time

from django.conf import settings

from chat import llm
from chat.conversation import transcripts

# Why a reply ended, besides the model's own reasons ("stop", "content_filter"…).
FINISH_STOP = "stop"
FINISH_LENGTH = "length"
FINISH_TIME_LIMIT = "time_limit"


class ReplyProgress:
    """The text of a streaming reply so far, within CHAT_REPLY_MAX_CHARS, with its
    timings for the transcript and the moments its text is due to be saved."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.size = 0
        self.held = ""  # a high surrogate whose low half is in the next piece
        self.started = self.saved = time.monotonic()
        self.first_token_ms: int | None = None
        self.finish_reason = FINISH_STOP
        self.full = False  # at CHAT_REPLY_MAX_CHARS
        self.complete = False  # the stream is over; the reply is being stored

    def add(self, piece: str | llm.Finish) -> str:
        """Take one piece; return the text to send now (possibly empty)."""
        if isinstance(piece, llm.Finish):
            self.finish_reason = piece.reason
            return ""
        if self.first_token_ms is None:
            # The clock for saving starts with the text: nothing to save before.
            self.first_token_ms = self._ms_since_start()
            self.saved = time.monotonic()
        text, self.held = _surrogate_split(self.held + piece)
        text = transcripts.text_storable(text)
        room = settings.CHAT_REPLY_MAX_CHARS - self.size
        if len(text) >= room:
            text, self.full, self.finish_reason = text[:room], True, FINISH_LENGTH
        self.pieces.append(text)
        self.size += len(text)
        return text

    def save_due(self) -> bool:
        """Whether CHAT_REPLY_SAVE_SECONDS have passed since the text was last saved."""
        now = time.monotonic()
        if now - self.saved < settings.CHAT_REPLY_SAVE_SECONDS:
            return False
        self.saved = now
        return True

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def elapsed_ms(self) -> int:
        return self._ms_since_start()

    def _ms_since_start(self) -> int:
        return round((time.monotonic() - self.started) * 1000)


def _surrogate_split(text: str) -> tuple[str, str]:
    """Hold back a trailing high surrogate: a model may split a pair across pieces."""
    if text and "\ud800" <= text[-1] <= "\udbff":
        return text[:-1], text[-1]
    return text, ""
