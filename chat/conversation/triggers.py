"""Spot "Presto-Change-O, you're a bank" in a visitor message; name the mode it wants.

The consumer runs this on every chat message, so it stays pure and cheap: no database,
no model, and a message that does not open with the trigger costs one anchored regex.
Only the head of a message is read: a 4,000-character one costs what a short one does.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from chat.generation import matching
from chat.generation.matching import ModeLike

# A trigger and its request fit in a few dozen words; the rest of a message (up to
# CHAT_MAX_MESSAGE_CHARS) is chat for the model, so matching never reads past this.
TRIGGER_READ_CHARS = 300
# A run of word characters, apostrophes included: what a cut must not split.
_WORD_RUN = re.compile(r"(?:[^\W_]|['’‘`])+")
# What people say before the trigger, or around the request: "ok", "hey there", "um".
_INTERJECTIONS = tuple(
    tuple(phrase.split())
    for phrase in (
        "ok",
        "okay",
        "hey there",
        "hey",
        "hi",
        "hello",
        "so",
        "alright",
        "all right",
        "um",
        "umm",
        "uh",
        "er",
        "erm",
        "oh",
        "yo",
    )
)
# A few interjections ("okay so", "hey there, um"), each a whole word however it is
# spelt and punctuated, then "Presto" alone ("hey presto" is the idiom), or with
# "change-o" spelt any way speech-to-text writes it: change-o, change o, changeo,
# chango, change oh.
_TRIGGER = re.compile(
    r"[\W_]*(?P<lead>(?:(?:"
    + "|".join(r"[\W_]+".join(map(re.escape, phrase)) for phrase in _INTERJECTIONS)
    + r")\b[\W_]*){0,4})"
    r"presto(?P<change_o>[\W_]*chang(?:e)?[\W_]*oh?)?\b",
    re.IGNORECASE,
)
# After a lead-in the request must be set off ("ok presto change-o: a bank") or say
# "be": "so presto change-o is a real phrase?" asks about the phrase.
_SEPARATORS = ",:;!.-–—"
_SET_OFF = re.compile(rf"\s*[{re.escape(_SEPARATORS)}]")
# A request is read from its first clause, so "you're a bakery. Not a bank." asks
# for a bakery. Colons and commas do not end a clause: "presto change-o: a bank".
_CLAUSE_END = re.compile(r"[.?!;\n]+")
# What a visitor says to ask for a change; bare "Presto" needs one of these to follow.
_SWITCH_VERBS = tuple(
    tuple(phrase.split())
    for phrase in (
        "you are",
        "youre",
        "youll be",
        "be",
        "become",
        "turn into",
        "turn yourself into",
        "switch to",
        "switch into",
        "change to",
        "change into",
        "make it",
        "make this",
        "make yourself",
        "pretend to be",
        "pretend youre",
        "act as",
        "act like",
    )
)
# Politeness, timing and interjections around the request, stripped from either end.
_PADDING = (
    tuple(
        tuple(phrase.split())
        for phrase in (
            "now",
            "right now",
            "for now",
            "please",
            "pls",
            "then",
            "instead",
            "again",
            "thanks",
            "thank you",
            "for me",
        )
    )
    + _INTERJECTIONS
)
_LEAD_INS = _SWITCH_VERBS + _PADDING


@dataclass(frozen=True)
class TriggerMatch[M: ModeLike]:
    """A trigger, read against the given modes."""

    requested: str  # its words, as matching reads them: "bakery called sweet crumbs"
    # The same as typed, for chat.generation.requests: "a bakery called Sweet Crumbs".
    request_text: str = field(default="", compare=False)
    # Neither compared: two matches are the same when they read the same words,
    # whatever modes they were read against.
    modes: Sequence[M] = field(default=(), compare=False, repr=False)

    @cached_property
    def mode(self) -> M | None:
        """The given mode the requested words name, None when none covers them. Found
        only when asked: a turn matches the industry its request names instead
        (chat.conversation.turns.trigger_turn)."""
        return matching.mode_best(tuple(self.requested.split()), self.modes)


def mode_resolve_trigger[M: ModeLike](
    text: str, modes: Sequence[M]
) -> TriggerMatch[M] | None:
    """Tell a mode-switch request from ordinary chat, and say which of modes it names.

    Returns None when text is not a trigger. The caller passes only active modes.
    """
    head = _message_head(text)
    trigger = _TRIGGER.match(head)
    if trigger is None:
        return None
    clause, located = _request_clause(head[trigger.end() :])
    words = tuple(word for word, _ in located)
    asks = bool(_leading_size(words, 0, _SWITCH_VERBS))
    # "Presto" alone is an ordinary word ("Presto card"), so a "be ..." must follow.
    if trigger["change_o"] is None and not asks:
        return None
    if trigger["lead"] and not (asks or _SET_OFF.match(head, trigger.end())):
        return None
    requested = _strip_leading(words, _LEAD_INS)
    lead = len(words) - len(requested)  # the words before the request's own
    start = located[lead - 1][1] if lead else 0
    end = located[-1][1] if requested else start
    return TriggerMatch(
        requested=" ".join(requested),
        request_text=clause[start:end].strip().lstrip(_SEPARATORS + " "),
        modes=modes,
    )


def _message_head(text: str) -> str:
    """Text cut to TRIGGER_READ_CHARS, less any word the cut would split."""
    cut = TRIGGER_READ_CHARS
    if len(text) <= cut:
        return text
    # Read backwards from the cut, a word it splits is a run at the start; matching
    # there keeps this linear (a search for a run at the end would be quadratic).
    split = _WORD_RUN.match(text[cut::-1])
    return text[: cut + 1 - split.end()] if split else text[:cut]


def _request_clause(text: str) -> tuple[str, tuple[tuple[str, int], ...]]:
    """The first clause with any content, cut after any padding like "please" it
    opens with, and its words (with where each ends) less padding at either end."""
    for clause in _CLAUSE_END.split(text):
        located = matching.words_located(clause)
        words = tuple(word for word, _ in located)
        lead = len(words) - len(_strip_leading(words, _PADDING))
        kept = _strip_trailing(words[lead:], _PADDING)
        if kept:
            start = located[lead - 1][1] if lead else 0
            return clause[start:], tuple(
                (word, end - start) for word, end in located[lead : lead + len(kept)]
            )
    return "", ()


def _strip_leading(
    words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]
) -> tuple[str, ...]:
    """Drop any run of phrases from the front: "you are now" before "a bank"."""
    start = 0
    while size := _leading_size(words, start, phrases):
        start += size
    return words[start:]


def _strip_trailing(
    words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]
) -> tuple[str, ...]:
    """Drop any run of phrases from the end: "please" after "a bank"."""
    end = len(words)
    while size := _trailing_size(words, end, phrases):
        end -= size
    return words[:end]


def _leading_size(
    words: tuple[str, ...], start: int, phrases: tuple[tuple[str, ...], ...]
) -> int:
    """How many words the first of phrases found at words[start:] has; 0 for none."""
    return next((len(p) for p in phrases if words[start : start + len(p)] == p), 0)


def _trailing_size(
    words: tuple[str, ...], end: int, phrases: tuple[tuple[str, ...], ...]
) -> int:
    """How many words the first of phrases ending words[:end] has; 0 for none."""
    return next(
        (len(p) for p in phrases if len(p) <= end and words[end - len(p) : end] == p),
        0,
    )
