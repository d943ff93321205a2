"""The offline model's toolkit for a kind's facts: intents that match a question and
answer it in a short sentence from the persona's exact figures.

A kind lists its intents most specific first (the first match answers). Figures are
formatted by `personas.formatting` for the customer, so answers and the card agree.
"""

import re
from collections.abc import Callable
from typing import Any

from personas.formatting import money

Persona = dict[str, Any]
Record = dict[str, Any]  # one transaction, policy, order, booking, ... of a persona
# An intent's answer: the persona and the question in, a short reply out.
Answer = Callable[[Persona, str], str]
Intents = tuple[tuple[re.Pattern[str], Answer], ...]


def words(alternatives: str) -> re.Pattern[str]:
    """Whole words or phrases in any case, so "hi" does not match "this"."""
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def first_match(patterns: dict[str, re.Pattern[str]], question: str) -> str | None:
    """The first key whose pattern occurs in the question."""
    return next((key for key, p in patterns.items() if p.search(question)), None)


def joined(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 2 else parts)


def counted(number: int, noun: str, plural: str = "") -> str:
    """'1 order', '2 orders', '1,024 points'."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def says(template: str, field: str, form: Callable[[Any], str] = str) -> Answer:
    """An answer stating one figure of the persona, e.g. money(credit_limit)."""
    return lambda persona, question: template.format(form(persona[field]))


def says_money(template: str, field: str) -> Answer:
    return says(template, field, money)


def newest_first(records: list[Record], key: str = "date") -> list[Record]:
    return sorted(records, key=lambda record: record[key], reverse=True)
