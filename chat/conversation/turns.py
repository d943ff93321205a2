"""A visitor message's turn: stored first, then a switch, a canned reply, or the
model's messages. Sync functions touch the database; the consumer runs them through
database_sync_to_async, all of a turn's in one trip (`turn_take`): each trip to the
database thread waits behind every other socket's.
"""

from dataclasses import dataclass, field, replace

from django.conf import settings

from chat.conversation import transcripts
from chat.conversation.ratelimit import Action, budgets_spend
from chat.conversation.triggers import mode_resolve_trigger
from chat.conversation.visits import Visit
from chat.llm import BackendInfo
from chat.models import Message, Mode, PromptTemplate
from chat.prompting.rendering import render_system_prompt
from chat.selectors import modes_active, prompt_active_cached

CANNED = BackendInfo(backend="canned", model="")


@dataclass(frozen=True)
class Turn:
    """What to do with a visitor message, decided after it is stored."""

    switch_to: Mode | None = None
    canned_reply: str | None = None
    messages: list[dict] = field(default_factory=list)  # history and the new one
    prompt_version: PromptTemplate | None = None
    reply: Message | None = None  # the reply's row, begun (turn_take)
    retry_after: float | None = None  # over budget: nothing was stored


def turn_take(
    visit: Visit, text: str, *, address: str, visitor: str, backend: BackendInfo
) -> Turn:
    """A turn's whole database work: the budget, the message, the decision, and the
    row of a reply (`backend`'s, or canned) so its id can go out at once."""
    retry_after = budgets_spend(Action.MESSAGE, address=address, visitor=visitor)
    if retry_after is not None:
        return Turn(retry_after=retry_after)
    turn = turn_prepare(visit, text)
    if turn.switch_to is not None:
        return turn
    answering = CANNED if turn.canned_reply is not None else backend
    reply = transcripts.reply_begin(
        conversation=visit.conversation,
        prompt_version=turn.prompt_version,
        backend=answering.backend,
        model=answering.model,
    )
    return replace(turn, reply=reply)


def turn_prepare(visit: Visit, text: str) -> Turn:
    """Store the visitor's message, then decide: switch, canned reply, or the model."""
    history = transcripts.conversation_history(
        conversation=visit.conversation, turns=settings.CHAT_HISTORY_TURNS
    )
    transcripts.message_create_user(conversation=visit.conversation, text=text)
    modes = modes_active()  # lazy: only a trigger phrase makes it query
    match = mode_resolve_trigger(text, modes)
    if match is not None and match.mode is not None:
        return Turn(switch_to=match.mode)
    if match is not None:
        return Turn(canned_reply=modes_available_reply(match.requested, list(modes)))
    version = prompt_active_cached(visit.mode)
    history.append({"role": "user", "content": text})
    return Turn(messages=history, prompt_version=version)


def turn_messages(visit: Visit, turn: Turn) -> list[dict]:
    """What the model is sent: the system prompt for this customer, then the turn's
    history. No I/O: it renders outside the database thread, which a slow template
    would otherwise hold for every socket."""
    system = render_system_prompt(
        visit.mode, visit.persona, version=turn.prompt_version
    )
    return [{"role": "system", "content": system}, *turn.messages]


def modes_available_reply(requested: str, modes: list[Mode]) -> str:
    """The answer to a trigger naming an industry no active mode covers."""
    names = ", ".join(f"{m.name} ({m.company_name})" for m in modes)
    asked = f"“{requested}”" if requested else "that"
    return (
        f"I can't become {asked} yet. I can switch to: {names}. "
        "Say, for example, “Presto-Change-O, you're a bank”."
    )
