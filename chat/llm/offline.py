"""The offline model: answers about the current customer straight from the persona.

No network and no weights, so the site works on a fresh machine. The last visitor
message is read into its asks (chat.llm.asks: clauses, and a short follow-up's context
from the visitor's earlier messages); each is answered by the persona kind's first
matching intent, its `answers` in the registry, in a short sentence with the exact
figures, formatted by `personas.formatting`. A message that asks nothing it knows gets
small talk or an honest "I don't have that here" with questions it can answer for this
customer. It is deterministic: the same conversation about the same persona always
gets the same words.
"""

import itertools
import re
from collections.abc import AsyncIterator, Sequence

from chat.dashboard.asks import chart_requests_removed, dashboard_calls
from chat.llm.asks import Ask, asks_of, leans_on_context, respelt, topic_of
from chat.llm.base import (
    QUESTION_READ_CHARS,
    BackendInfo,
    Piece,
    ReplyRequest,
    text_pieces,
)
from personas import Kind, kind_get, kind_names
from personas.answers import Persona, words
from personas.articles import Article, how_to_answer
from personas.formatting import Reader, written_for

MODEL_NAME = "offline-persona-v1"

# What every kind shares: thanks, greetings, what it can do, and what to say when the
# figures are missing. Each kind's own answers, topics and examples come from the
# registry.
THANKS = words(r"thanks|thank you|thx|cheers|appreciate it")
GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|howdy|good (?:morning|afternoon|evening))\b", re.IGNORECASE
)
CAPABILITIES = words(r"what can you (?:do|help with|answer|tell me)|help|menu|options")
UNAVAILABLE = "I can't see your account details right now; please try again shortly."
UNKNOWN = "I don't have that here."
# An answer that finds nothing to tell ("You have no claims on file."): no example to
# offer this customer.
_NOTHING = re.compile(r"^(?:I don't|I can't|You have no|You don't|There are no)")
# Asks answered in one reply, and examples offered when none can be.
MAX_ASKS = 3
MAX_EXAMPLES = 3


def reply_text(
    *,
    question: str,
    persona_kind: str,
    persona: Persona,
    earlier: Sequence[str] = (),
    articles: Sequence[Article] = (),
) -> str:
    """The whole reply to `question`, given the visitor's `earlier` messages (oldest
    first) and the mode's help `articles` that match it: a how-to's steps, else every
    ask answered in order, else small talk or an honest "I don't have that" with what
    it can answer instead."""
    with written_for(Reader.of(persona)):
        return _answer(question, earlier, persona_kind, persona, articles)


def _answer(
    question: str,
    earlier: Sequence[str],
    persona_kind: str,
    persona: Persona,
    articles: Sequence[Article],
) -> str:
    """In order: a how-to answered from a help article, the customer's figures for
    each ask, small talk. A kind nobody registered answers nothing and talks like a
    generic business."""
    known = persona_kind in kind_names()
    kind = kind_get(persona_kind if known else "generic")
    try:
        if text := how_to_answer(question, articles, persona, kind):
            return text
        figures = _figures(question, earlier, kind, persona) if known else []
        return " ".join(figures) or _small_talk(question, kind, persona)
    except (KeyError, TypeError, ValueError):
        return UNAVAILABLE  # no persona yet, or one of another kind


def _figures(
    question: str, earlier: Sequence[str], kind: Kind, persona: Persona
) -> list[str]:
    """Each ask's answer once, in the order asked, at most MAX_ASKS."""
    said: list[str] = []
    for ask in _asks(question, earlier, kind, persona):
        text = ask.answer(persona, ask.words)
        if text not in said:
            said.append(text)
    return said[:MAX_ASKS]


def _asks(
    question: str, earlier: Sequence[str], kind: Kind, persona: Persona
) -> list[Ask]:
    """The message's own asks (a follow-up's given the conversation's words after its
    own), else the conversation's last ask about what this message names instead."""
    own = asks_of(question, kind.answers) or asks_of(
        respelt(question, kind.answers), kind.answers
    )
    follows = leans_on_context(question)
    topic = topic_of(earlier, kind.answers) if follows else None
    if topic is None:
        return own
    if own:
        return [Ask(ask.answer, f"{ask.words} {topic.words}") for ask in own]
    again = Ask(topic.answer, f"{question} {topic.words}")
    # Words that change nothing ("and the weather?") are not about the topic.
    changed = again.answer(persona, again.words) != topic.answer(persona, topic.words)
    return [again] if changed else []


def _small_talk(question: str, kind: Kind, persona: Persona) -> str:
    """Thanks, a greeting, what this kind of assistant can answer, or an honest "I
    don't have that" with questions it can answer for this customer."""
    name = (persona.get("name") or "there").split()[0]
    if THANKS.search(question):
        return f"You're welcome, {name}! Is there anything else I can help with?"
    if GREETING.search(question) or CAPABILITIES.search(question):
        return f"Hi {name}! I can help with {kind.topics}. What would you like to know?"
    offered = [f'"{example}"' for example in _examples(kind, persona)]
    either = ", ".join(offered[:-1]) + " or " if offered[1:] else ""
    return f"{UNKNOWN} I can answer questions like {either}{offered[-1]}"


def _examples(kind: Kind, persona: Persona) -> list[str]:
    """The first of the kind's example questions that have something to say for this
    customer (answered only until MAX_EXAMPLES are found)."""
    fitting = (
        example
        for example in kind.examples or (kind.example,)
        if _tells_something(" ".join(_figures(example, (), kind, persona)))
    )
    return list(itertools.islice(fitting, MAX_EXAMPLES)) or [kind.example]


def _tells_something(answer: str) -> bool:
    return bool(answer) and not _NOTHING.match(answer)


class OfflineBackend:
    """Answers from the persona alone, so a fresh machine works without a model."""

    def info(self) -> BackendInfo:
        return BackendInfo(backend="offline", model=MODEL_NAME)

    async def reply_stream(self, request: ReplyRequest) -> AsyncIterator[Piece]:
        """The reply to the last visitor message, streamed like a model's: the text,
        then the chart calls it asks for. A question that only asks for a chart gets
        no text (the reply's caption names the chart); one that asks something
        besides gets the answer to the rest."""
        users = [
            m["content"][:QUESTION_READ_CHARS]
            for m in request.messages
            if m.get("role") == "user"
        ]
        question = users[-1] if users else ""
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
                earlier=users[:-1],
                articles=request.articles,
            )
            async for piece in text_pieces(text):
                yield piece
        for call in calls:
            yield call
