"""A visitor message's turn: decided (a switch, a new mode to conjure, a canned reply,
or the model's messages), then stored before anything else happens. Sync functions
touch the database; the consumer runs them through database_sync_to_async, all of a
turn's in one trip (`turn_take`): each trip to the database thread waits behind every
other socket's.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from chat.articles import articles_matching
from chat.conversation import transcripts
from chat.conversation.ratelimit import Action, budgets_spend
from chat.conversation.triggers import TriggerMatch, mode_resolve_trigger
from chat.conversation.visits import Visit, visit_start
from chat.generation.drafts import IndustryRequest
from chat.generation.matching import mode_best, words
from chat.generation.requests import RequestRefusal, industry_request
from chat.llm import BackendInfo
from chat.models import Message, Mode, PromptTemplate
from chat.prompting.rendering import render_system_prompt
from chat.selectors import (
    help_articles_cached,
    mode_current,
    mode_words_current,
    modes_to_match,
    prompt_active_cached,
)
from personas.articles import Article

CANNED = BackendInfo(backend="canned", model="")


@dataclass(frozen=True)
class Turn:
    """What to do with a visitor message, and what its trip stored for it."""

    switch_to: Mode | None = None
    company_name: str = ""  # the switch's, when the visitor named a company
    conjure: IndustryRequest | None = None  # an industry no active mode covers
    canned_reply: str | None = None
    messages: list[dict] = field(default_factory=list)  # history and the new one
    prompt_version: PromptTemplate | None = None
    mode_articles: tuple[Article, ...] = ()  # all the mode's help articles
    reply: Message | None = None  # the reply's row, begun (turn_take)
    started: Visit | None = None  # the switch's new conversation, begun (turn_take)
    retry_after: float | None = None  # over `over_budget`: no visit was started
    over_budget: Action = Action.MESSAGE

    @cached_property
    def articles(self) -> tuple[Article, ...]:
        """The mode's articles that match the message, best first: worked out where
        first read (on the event loop, by `SystemPrompts`), then kept."""
        question = self.messages[-1]["content"] if self.messages else ""
        return articles_matching(question, self.mode_articles)


def turn_take(
    visit: Visit,
    text: str,
    *,
    address: str,
    visitor: str,
    backend: BackendInfo,
) -> Turn:
    """A turn's whole database work: the budget, the decision, the message, and the
    row of a reply (`backend`'s, or canned) so its id can go out at once, or the
    switch's new conversation."""
    retry_after = budgets_spend(Action.MESSAGE, address=address, visitor=visitor)
    if retry_after is not None:
        return Turn(retry_after=retry_after)
    turn = turn_decide(visit, text)
    if turn.switch_to is not None or turn.conjure is not None:
        transcripts.message_create_user(conversation=visit.conversation, text=text)
        if turn.switch_to is not None:
            return turn_switch(visit, turn, address=address, visitor=visitor)
        return turn
    answering = CANNED if turn.canned_reply is not None else backend
    _, reply = transcripts.exchange_begin(
        conversation=visit.conversation,
        text=text,
        prompt_version=turn.prompt_version,
        backend=answering.backend,
        model=answering.model,
    )
    return replace(turn, reply=reply)


def turn_switch(visit: Visit, turn: Turn, *, address: str, visitor: str) -> Turn:
    """A switch counts as a new conversation: within budget, it starts in the same
    trip, with the version its greeting records."""
    budgets = {"address": address, "visitor": visitor}
    retry_after = budgets_spend(Action.CONVERSATION, **budgets)
    if retry_after is not None:
        return Turn(retry_after=retry_after, over_budget=Action.CONVERSATION)
    started = visit_start(
        visit.conversation.visitor_key,
        mode=turn.switch_to,
        customer=visit.customer,
        company_name=turn.company_name,
    )
    version = mode_words_current(started.mode)
    return replace(turn, started=started, prompt_version=version)


def turn_decide(visit: Visit, text: str) -> Turn:
    """What to do with the visitor's message: switch, conjure, a canned reply, or
    the model, with the history before it."""
    modes = SimpleLazyObject(modes_to_match)  # only a trigger phrase reads them
    match = mode_resolve_trigger(text, modes)
    if match is not None:
        return trigger_turn(match, list(modes))
    history = transcripts.conversation_history(
        conversation=visit.conversation, turns=settings.CHAT_HISTORY_TURNS
    )
    history.append({"role": "user", "content": text})
    return Turn(
        messages=history,
        prompt_version=prompt_active_cached(visit.mode),
        mode_articles=help_articles_cached(visit.mode),
    )


def system_prompt(visit: Visit, turn: Turn) -> str:
    """The turn's system prompt. No I/O: it renders in a worker thread, never the
    database thread, which a slow template would otherwise hold for every socket."""
    return render_system_prompt(
        visit.mode_shown,
        visit.persona,
        version=turn.prompt_version,
        articles=turn.articles,
    )


@dataclass
class SystemPrompts:
    """A socket's last system prompt and what it was rendered from: a turn on the
    same visit, version and matched articles sends it again without rendering it,
    or crossing to a rendering thread (chat.conversation.consumer's `render`)."""

    render: Callable[[Visit, Turn], Awaitable[str]]
    visit: Visit | None = None
    version: PromptTemplate | None = None
    articles: tuple[Article, ...] = ()
    text: str = ""

    async def messages(self, visit: Visit, turn: Turn) -> list[dict]:
        """The system prompt for this customer, then the turn's history; rendered
        only when something it depends on changed."""
        fits = (
            self.visit is visit
            and self.version is turn.prompt_version
            and self.articles == turn.articles
        )
        if not fits:
            self.text = await self.render(visit, turn)
            self.visit, self.version = visit, turn.prompt_version
            self.articles = turn.articles
        return [{"role": "system", "content": self.text}, *turn.messages]


def trigger_turn(match: TriggerMatch[Mode], modes: list[Mode]) -> Turn:
    """A trigger: the mode its industry words name (under the visitor's company, if
    they named one), else a new mode to conjure; a request that cannot be one (empty,
    hostile, nonsense) is answered kindly, whatever mode its words mention."""
    request = industry_request(match.request_text)
    if isinstance(request, RequestRefusal):
        return Turn(canned_reply=request.message)
    mode = mode_best(words(request.industry), modes)
    if mode is None:
        return Turn(conjure=request)
    return Turn(switch_to=mode_current(mode), company_name=request.company or "")
