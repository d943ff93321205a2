"""The tiny fact language of the offline model's question table (bench/questions.py):
a fact names a figure of the persona, so the table holds no copied numbers:

    fact   = [form ":"] path {"|" op}      or "=" literal text
    form   = money | date | time | count | text          (text if left out)
    path   = step {"." step}
    step   = field {"[" pick "]"}    a field of a list reads that field of each row
    pick   = n             the nth row (0 the first, -1 the last)
           | <f | >f       the row with the least (greatest) field f
           | f=v | f!=v    the first row whose field f reads (or does not read) v
           | ?f=v | ?f!=v  every such row
    op     = abs | sum | len | min | max        (abs on each of a list)

A fact holding a list expects every item. Forms are those of
personas.formatting, as the answers write them: "money:policies[type=Auto].deductible"
is "$500.00" for a US customer. Examples:

    money:checking_balance
    money:recent_transactions[?category=groceries].amount|abs|sum
    date:active_policies[type=Auto].renewal_date
    text:active_prescriptions.medication         (every medication)
    =I don't have that here
"""

import re
from collections.abc import Callable
from typing import Any

from personas.formatting import Reader, clock_time, count, long_date, money, written_for

_FORMS: dict[str, Callable[[Any], str]] = {
    "money": money,
    "date": long_date,
    "time": clock_time,
    "count": count,
    "text": str,
}
_OPS: dict[str, Callable[[Any], Any]] = {
    "abs": lambda v: [abs(x) for x in v] if isinstance(v, list) else abs(v),
    "sum": sum,
    "len": len,
    "min": min,
    "max": max,
}
_STEP = re.compile(r"(\w+)((?:\[[^\]]*\])*)")
_PICK = re.compile(r"\[([^\]]*)\]")
_TEST = re.compile(r"(\?)?(\w+)(!?=)(.*)")


def fact_texts(fact: str, persona: dict) -> list[str]:
    """What the answer must contain for one fact, formatted for the customer."""
    if fact.startswith("="):
        return [fact[1:]]
    form, _, rest = fact.rpartition(":") if ":" in fact else ("text", "", fact)
    path, *ops = rest.split("|")
    value, many = _walk(persona, path)
    for op in ops:
        value = _OPS[op](value)
    with written_for(Reader.of(persona)):
        values = value if many and isinstance(value, list) else [value]
        return [_FORMS[form](v) for v in values]


def _walk(persona: dict, path: str) -> tuple[Any, bool]:
    """The value a path names, and whether it is a list of rows' values."""
    value: Any = persona
    many = False
    for step in path.split("."):
        found = _STEP.fullmatch(step)
        if found is None:
            raise ValueError(f"Cannot read the step {step!r} of the fact {path!r}.")
        name, picks = found.groups()
        if isinstance(value, list):
            value, many = [row[name] for row in value], True
        else:
            value = value[name]
        for pick in _PICK.findall(picks):
            value, many = _pick(value, pick)
    return value, many


def _pick(rows: list, pick: str) -> tuple[Any, bool]:
    """One row, or (after "?") every row, that a pick chooses."""
    if re.fullmatch(r"-?\d+", pick):
        return rows[int(pick)], False
    if pick[:1] in ("<", ">"):
        chosen = (min if pick[0] == "<" else max)(rows, key=lambda r: r[pick[1:]])
        return chosen, False
    found = _TEST.fullmatch(pick)
    if found is None:
        raise ValueError(f"Cannot read the pick [{pick}].")
    every, field, test, wanted = found.groups()
    matching = [r for r in rows if (str(r[field]) == wanted) == (test == "=")]
    return (matching, True) if every else (matching[0], False)
