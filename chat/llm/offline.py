"""The offline model: answers about the current customer straight from the persona.

No network and no weights, so the site works on a fresh machine. The last user message
is matched against the persona kind's intents, its `answers` in the registry (first
match wins, so specific intents come before general ones), and answered in a short
sentence with the exact figures, formatted by `personas.formatting`. It is
deterministic: the same question about the same persona always gets the same words.
"""

import re
from collections.abc import AsyncIterator

from chat.dashboard.asks import chart_requests_removed, dashboard_calls
from chat.llm.base import BackendInfo, Piece, ReplyRequest, text_pieces
from personas import Kind, kind_get, kind_names
from personas.answers import Persona, words
from personas.formatting import Reader, written_for

MODEL_NAME = "offline-persona-v1"

# What every kind shares: thanks, greetings, and what to say when the figures are
# missing. Each kind's own answers, topics and example come from the registry.
THANKS = words(r"thanks|thank you|thx|cheers|appreciate it")
GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|howdy|good (?:morning|afternoon|evening))\b", re.IGNORECASE
)
UNAVAILABLE = "I can't see your account details right now; please try again shortly."


def _small_talk(question: str, kind: Kind, persona: Persona) -> str:
    """Thanks, a greeting, or what this kind of assistant can answer."""
    name = (persona.get("name") or "there").split()[0]
    if THANKS.search(question):
        return f"You're welcome, {name}! Is there anything else I can help with?"
    if GREETING.search(question):
        return f"Hi {name}! I can help with {kind.topics}. What would you like to know?"
    return f'I can answer questions about {kind.topics}. Try asking "{kind.example}"'


def reply_text(*, question: str, persona_kind: str, persona: Persona) -> str:
    """The whole reply: the first matching intent's answer, else small talk."""
    with written_for(Reader.of(persona)):
        return _answer(question, persona_kind, persona)


def _answer(question: str, persona_kind: str, persona: Persona) -> str:
    """The first matching intent's answer, in the customer's own figures; a kind
    nobody registered answers nothing and talks like a generic business."""
    known = persona_kind in kind_names()
    for pattern, answer in kind_get(persona_kind).answers if known else ():
        if pattern.search(question):
            try:
                return answer(persona, question)
            except (KeyError, TypeError, ValueError):
                return UNAVAILABLE  # no persona yet, or one of another kind
    return _small_talk(
        question, kind_get(persona_kind if known else "generic"), persona
    )


class OfflineBackend:
    """Answers from the persona alone, so a fresh machine works without a model."""

    def info(self) -> BackendInfo:
        return BackendInfo(backend="offline", model=MODEL_NAME)

    async def reply_stream(self, request: ReplyRequest) -> AsyncIterator[Piece]:
        """The reply to the last visitor message, streamed like a model's: the text,
        then the chart calls it asks for. A question that only asks for a chart gets
        no text (the reply's caption names the chart); one that asks something
        besides gets the answer to the rest."""
        users = [m for m in request.messages if m.get("role") == "user"]
        question = users[-1]["content"] if users else ""
        known = request.persona_kind in kind_names()
        calls = (
            dashboard_calls(question, kind_get(request.persona_kind)) if known else ()
        )
        if calls:
            question = chart_requests_removed(question)
        if question or not calls:
            text = reply_text(
                question=question,
                persona_kind=request.persona_kind,
                persona=request.persona,
            )
            async for piece in text_pieces(text):
                yield piece
        for call in calls:
            yield call
