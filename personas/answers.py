"""The offline model's toolkit for a kind's facts: intents that match a question and
answer it in a short sentence from the persona's exact figures.

A kind lists its intents most specific first (the first match answers each ask of a
question). Figures are formatted by `personas.formatting` for the customer, so answers
and the card agree. An answer reads the things it names (a policy type, an order number,
"the second one") from its question, the earliest mention first: a follow-up's own
words come before the conversation's that the offline model appends to it.
"""

import re
from collections.abc import Callable
from typing import Any

from personas.formatting import count, money

Persona = dict[str, Any]
Record = dict[str, Any]  # one transaction, policy, order, booking, ... of a persona
# An intent's answer: the persona and the question in, a short reply out.
Answer = Callable[[Persona, str], str]
Intents = tuple[tuple[re.Pattern[str], Answer], ...]


def words(alternatives: str) -> re.Pattern[str]:
    """Whole words or phrases in any case, so "hi" does not match "this"."""
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def first_match(patterns: dict[str, re.Pattern[str]], question: str) -> str | None:
    """The key whose pattern occurs earliest in the question (the first listed on a
    tie), so "and home? ... my auto deductible" is about home."""
    found = [
        (m.start(), n, key)
        for n, (key, p) in enumerate(patterns.items())
        if (m := p.search(question))
    ]
    return min(found)[2] if found else None


# "the second one", "3rd", "number 2", "the last one": which row of a list is meant.
# A bare "first" or "last" is not one ("my last payment" is the newest).
_ORDINALS = {
    r"(?:first|1st) one": 0,
    r"second|2nd": 1,
    r"third|3rd": 2,
    r"fourth|4th": 3,
    r"fifth|5th": 4,
    r"last one": -1,
    r"one after (?:that|it)": 1,
}
_ORDINAL = tuple((words(pattern), row) for pattern, row in _ORDINALS.items())
_NUMBERED = words(r"(?:number|no\.?) ?([1-9])")


def ordinal_in(question: str) -> int | None:
    """The row of a list the question picks (0 the first, -1 the last), if any."""
    numbered = _NUMBERED.search(question)
    found = [(m.start(), row) for p, row in _ORDINAL if (m := p.search(question))]
    if numbered:
        found.append((numbered.start(), int(numbered.group(1)) - 1))
    return min(found)[1] if found else None


def listed(
    rows_of: Callable[[Persona], list[Record]],
    one: Callable[[Record], str],
    every: Answer,
) -> Answer:
    """An answer about a list: the row the question picks ("the second one?" after
    the list, `rows_of` giving them in the order the list shows), else the list."""

    def answer(persona: Persona, question: str) -> str:
        row = ordinal_in(question)
        if row is None:
            return every(persona, question)
        rows = rows_of(persona)
        if not -len(rows) <= row < len(rows):
            return f"I only see {len(rows)} of those."
        return one(rows[row])

    return answer


def joined(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 2 else parts)


def counted(number: int, noun: str, plural: str = "") -> str:
    """'1 order', '2 orders', '1,024 points' (1.024 for a German reader)."""
    return f"{count(number)} {noun if number == 1 else plural or noun + 's'}"


def says(template: str, field: str, form: Callable[[Any], str] = str) -> Answer:
    """An answer stating one figure of the persona, e.g. money(credit_limit)."""
    return lambda persona, question: template.format(form(persona[field]))


def says_money(template: str, field: str) -> Answer:
    return says(template, field, money)


def newest_first(records: list[Record], key: str = "date") -> list[Record]:
    return sorted(records, key=lambda record: record[key], reverse=True)
