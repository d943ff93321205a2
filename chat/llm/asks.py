"""How the offline model reads a visitor message: the asks in it, in the order asked,
and what a short follow-up leans on from the conversation.

A message splits into clauses at "and", "also", "?", ";", commas and the like; a
clause that matches none of the kind's intents stays with its neighbour, so "money in
and out" is one ask. Each clause is answered by its first matching intent (a kind lists
them most specific first). A follow-up ("and my savings?", "what about home?", "the
second one?") is answered with the words of the conversation's last ask after its own:
an answer reads what a question names earliest first (personas.answers), so the
follow-up's words win and the earlier ones fill in what it leaves out.
"""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from personas.answers import Answer, Intents, ordinal_in, words

# Where one ask may end and the next begin.
_SEPARATOR = re.compile(
    r"[?!;]+|[.,](?=\s|$)|\b(?:and also|and then|as well as|and|also|plus|then)\b",
    re.IGNORECASE,
)
# A message that leans on what came before: a lead-in, or only a few words.
_LEAD_IN = re.compile(
    r"^\W*(?:and|also|plus|or|but|then|ok(?:ay)?\W+and|what about|how about|same for"
    r"|what of)\b",
    re.IGNORECASE,
)
_PRONOUN = words(r"it|its|that|those|them|they|one")
_FEW_WORDS = 3
# The visitor messages a follow-up may reach back over.
_REACH = 4
# Words this long may be respelt to an intent's word one slip away ("scroe").
# The clauses of a message read for asks: a reply answers at most three, and each
# ask may carry the clauses around it, so reading further only costs.
_CLAUSES_READ = 12
_RESPELT_LENGTH = 5
_WORD = re.compile(rf"[a-z]{{{_RESPELT_LENGTH},}}", re.IGNORECASE)


@dataclass(frozen=True)
class Ask:
    """One thing a message asks: the intent that answers it, and the words it gets."""

    answer: Answer
    words: str


def clauses(text: str) -> list[str]:
    """The message cut at every place one ask may end, in order, blanks dropped."""
    return [part.strip() for part in _SEPARATOR.split(text) if part.strip()]


def asks_of(text: str, intents: Intents) -> list[Ask]:
    """Each ask of a message, in the order asked: a clause no intent matches joins the
    ask before it (or the first one after it), and one that leans on the ask before
    ("and when does it renew?") gets that ask's words after its own."""
    asks: list[Ask] = []
    loose: list[str] = []
    for clause in clauses(text)[:_CLAUSES_READ]:
        answer = _intent_of(clause, intents)
        if answer is None and asks:
            asks[-1] = Ask(asks[-1].answer, f"{asks[-1].words} {clause}")
        elif answer is None:
            loose.append(clause)
        else:
            leaning = asks and leans_on_context(clause)
            context = [asks[-1].words] if leaning else []
            asks.append(Ask(answer, " ".join([*loose, clause, *context])))
            loose = []
    return asks


def respelt(text: str, intents: Intents) -> str:
    """The message with each long word one slip (a letter missing, extra, wrong or
    swapped) from an intent's word spelt as the intent spells it: read only when the
    message as typed asks nothing."""
    spelling = _spellings(intents)
    longest = max(map(len, spelling), default=0) + 1  # a known word with a letter more

    def fixed(found: re.Match[str]) -> str:
        word = found.group().lower()
        if len(word) > longest:  # one slip from no known word
            return found.group()
        slips = [word[:i] + word[i + 1 :] for i in range(len(word))]
        for known in filter(None, map(spelling.get, [word, *slips])):
            # Another form of a word ("order", "orders") is not a slip.
            if known == word or word[:-1] != known and known[:-1] != word:
                return known
        return found.group()

    return _WORD.sub(fixed, text)


@functools.cache
def _spellings(intents: Intents) -> dict[str, str]:
    """Each word the intents match, and each of it with a letter left out, to it."""
    known = {w for p, _ in intents for w in _WORD.findall(p.pattern.lower())}
    slips = {word[:i] + word[i + 1 :]: word for word in known for i in range(len(word))}
    return slips | {word: word for word in known}


def _intent_of(clause: str, intents: Intents) -> Answer | None:
    return next((answer for pattern, answer in intents if pattern.search(clause)), None)


def leans_on_context(text: str) -> bool:
    """A lead-in ("and", "what about"), a pointer ("it", "the second one") or only a
    few words: the message means something only after the one before."""
    return bool(
        _LEAD_IN.search(text)
        or _PRONOUN.search(text)
        or ordinal_in(text) is not None
        or len(text.split()) <= _FEW_WORDS
    )


def topic_of(earlier: Sequence[str], intents: Intents) -> Ask | None:
    """The conversation's last ask, with the words of the follow-ups since (newest
    first), back to the last message that stood on its own."""
    said: list[str] = []
    last: Ask | None = None
    for message in reversed(earlier[-_REACH:]):
        asks = asks_of(message, intents)
        last = last or (asks[-1] if asks else None)
        said.append(asks[-1].words if asks else message)
        if asks and not leans_on_context(message):
            break
    return Ask(last.answer, " ".join(said)) if last else None
