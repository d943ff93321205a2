"""The offline model: answers about the current customer straight from the persona.

No network and no weights, so the site works on a fresh machine. The last user message
is matched against the persona kind's intents, its `answers` in the registry (first
match wins, so specific intents come before general ones), and answered in a short
sentence with the exact figures, formatted by `personas.formatting`. It is
deterministic: the same question about the same persona always gets the same words.
"""

import re
from collections.abc import AsyncIterator

from chat.llm.base import BackendInfo, ReplyRequest, text_pieces
from personas import Kind, kind_get, kind_names
from personas.answers import Persona, words
from personas.articles import Article, how_to_answer
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


def reply_text(
    *,
    question: str,
    persona_kind: str,
    persona: Persona,
    articles: tuple[Article, ...] = (),
) -> str:
    """The whole reply: a how-to's steps, else the first matching intent's answer,
    else small talk."""
    with written_for(Reader.of(persona)):
        return _answer(question, persona_kind, persona, articles)


def _answer(
    question: str, persona_kind: str, persona: Persona, articles: tuple[Article, ...]
) -> str:
    """The best article's steps for a how-to, else the first matching intent's answer,
    in the customer's own figures; a kind nobody registered answers nothing and talks
    like a generic business."""
    known = persona_kind in kind_names()
    kind = kind_get(persona_kind if known else "generic")
    if text := how_to_answer(question, articles, persona, kind):
        return text
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

    def reply_stream(self, request: ReplyRequest) -> AsyncIterator[str]:
        """The reply to the last visitor message, streamed like a model's."""
        users = [m for m in request.messages if m.get("role") == "user"]
        question = users[-1]["content"] if users else ""
        text = reply_text(
            question=question,
            persona_kind=request.persona_kind,
            persona=request.persona,
            articles=request.articles,
        )
        return text_pieces(text)
