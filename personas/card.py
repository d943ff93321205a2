"""How a kind's customer card is laid out, declared once with the kind and rendered on
the server into plain data the page draws without knowing the kind.

A `Card` is a headline figure, a few summary facts, and sections of blocks: tiles,
facts, tables and progress meters. Values are functions of the persona (or, in a table,
of one row) returning text, so figures are formatted by Babel exactly as the assistant
writes them. `card_render` turns a card and a persona into the JSON the page renders;
its shape is documented in docs/protocol.md ("The customer card").
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from personas.formatting import Reader, count, long_date, money, written_for

Persona = dict[str, Any]
Row = dict[str, Any]
Text = Callable[[Any], str]  # persona (or row) -> what the page shows

# Copy every card shares; a kind's own labels live with the kind.
CARD_COPY = {
    "summary": "Customer summary",
    "greeting": "Welcome back,",
    "meter_figure": "{spent} of {limit}",
    "meter_to_go": "{amount} to go",
}
# How a table cell may read: a number (right-aligned), hidden on narrow screens, kept on
# one line, muted, strong.
CELL_STYLES = frozenset({"num", "hide-narrow", "nowrap", "muted", "strong"})
# A cell's tone: a pill's colour, or a credit shown in green.
TONES = frozenset({"good", "wait", "bad", "credit"})


def of(field: str, form: Callable[[Any], str] = str) -> Text:
    """A field of the persona or row, formatted: of("balance", money)."""
    return lambda record: form(record[field])


def money_of(field: str) -> Text:
    return of(field, money)


def date_of(field: str) -> Text:
    return of(field, long_date)


def count_of(field: str) -> Text:
    return of(field, count)


@dataclass(frozen=True)
class Figure:
    """A labelled value: the headline, a summary fact, a tile or a fact."""

    label: str
    value: Text
    note: Text | None = None
    testid: str = ""


@dataclass(frozen=True)
class Tiles:
    items: tuple[Figure, ...]


@dataclass(frozen=True)
class Facts:
    items: tuple[Figure, ...]


@dataclass(frozen=True)
class Column:
    """One column of a table: its heading and each row's cell."""

    label: str
    value: Text
    note: Text | None = None
    tone: Callable[[Row], str | None] | None = None
    pill: bool = False
    style: str = ""


@dataclass(frozen=True)
class Table:
    caption: str
    rows: Callable[[Persona], list[Row]]
    columns: tuple[Column, ...]
    empty: str


@dataclass(frozen=True)
class Meter:
    """Progress against a limit, e.g. the deductible met so far: money, or whole
    counts of a unit read from the persona (data used: of("usage_unit"))."""

    label: str
    spent: str
    limit: str
    testid: str = ""
    unit: Text | None = None


@dataclass(frozen=True)
class Meters:
    items: tuple[Meter, ...]


Block = Tiles | Facts | Table | Meters


@dataclass(frozen=True)
class Section:
    title: str
    testid: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Card:
    headline: Figure
    summary: tuple[Figure, ...]
    sections: tuple[Section, ...]

    def __post_init__(self) -> None:
        for column in (
            c
            for s in self.sections
            for b in s.blocks
            if isinstance(b, Table)
            for c in b.columns
        ):
            unknown = set(column.style.split()) - CELL_STYLES
            if unknown:
                raise ValueError(
                    f"Column {column.label!r}: unknown style {sorted(unknown)}; "
                    f"use {sorted(CELL_STYLES)}."
                )


def _figure(figure: Figure, record: Persona) -> dict[str, str]:
    data = {"label": figure.label, "value": figure.value(record)}
    if figure.note is not None:
        data["note"] = figure.note(record)
    if figure.testid:
        data["testid"] = figure.testid
    return data


def _cell(column: Column, row: Row) -> dict[str, str]:
    cell = {"text": column.value(row)}
    if column.note is not None:
        cell["note"] = column.note(row)
    tone = column.tone(row) if column.tone else None
    if tone is not None:
        if tone not in TONES:
            raise ValueError(f"Unknown tone {tone!r}; use {sorted(TONES)}.")
        cell["tone"] = tone
    return cell


def _block(block: Block, persona: Persona) -> dict[str, Any]:
    match block:
        case Tiles(items) | Facts(items):
            kind = "tiles" if isinstance(block, Tiles) else "facts"
            return {"type": kind, "items": [_figure(f, persona) for f in items]}
        case Table(caption, rows, columns, empty):
            return {
                "type": "table",
                "caption": caption,
                "columns": [
                    {"label": c.label, "style": c.style, "pill": c.pill}
                    for c in columns
                ],
                "rows": [[_cell(c, row) for c in columns] for row in rows(persona)],
                "empty": empty,
            }
        case Meters(items):
            return {"type": "meters", "items": [_meter(m, persona) for m in items]}


def _meter_form(meter: Meter, persona: Persona) -> Callable[[float], str]:
    """Money, or a whole count in the meter's unit: '312 GB'."""
    if meter.unit is None:
        return money
    unit = meter.unit(persona)
    return lambda value: f"{count(round(value))} {unit}"


def _meter(meter: Meter, persona: Persona) -> dict[str, Any]:
    spent, limit = float(persona[meter.spent]), float(persona[meter.limit])
    form = _meter_form(meter, persona)
    return {
        "label": meter.label,
        "value": min(spent, limit),
        "max": max(limit, 0.01),
        "figure": CARD_COPY["meter_figure"].format(
            spent=form(spent), limit=form(limit)
        ),
        "note": CARD_COPY["meter_to_go"].format(amount=form(max(limit - spent, 0))),
        "testid": meter.testid,
    }


def card_render(card: Card, persona: Persona) -> dict[str, Any]:
    """The card as the page draws it, every figure written for the customer."""
    with written_for(Reader.of(persona)):
        return {
            "name": persona["name"],
            "headline": _figure(card.headline, persona),
            "summary": [_figure(f, persona) for f in card.summary],
            "sections": [
                {
                    "title": s.title,
                    "testid": s.testid,
                    "blocks": [_block(b, persona) for b in s.blocks],
                }
                for s in card.sections
            ],
        }


def card_text(rendered: dict[str, Any]) -> str:
    """A rendered card as plain lines for a prompt: the model reads exactly the
    figures the page shows, for any kind."""
    lines = [_figure_line(rendered["headline"])]
    lines += [_figure_line(fact) for fact in rendered["summary"]]
    for section in rendered["sections"]:
        lines.append(f"{section['title']}:")
        for block in section["blocks"]:
            lines += _block_lines(block)
    return "\n".join(lines)


def _figure_line(figure: dict[str, str]) -> str:
    note = f" ({figure['note']})" if figure.get("note") else ""
    return f"- {figure['label']}: {figure['value']}{note}"


def _block_lines(block: dict[str, Any]) -> list[str]:
    if block["type"] in ("tiles", "facts"):
        return [_figure_line(item) for item in block["items"]]
    if block["type"] == "meters":
        return [f"- {m['label']}: {m['figure']}" for m in block["items"]]
    if not block["rows"]:
        return [f"- {block['empty']}"]
    labels = [column["label"] for column in block["columns"]]
    return [
        "- "
        + "; ".join(
            f"{label}: {cell['text']}"
            + (f" ({cell['note']})" if cell.get("note") else "")
            for label, cell in zip(labels, row, strict=True)
        )
        for row in block["rows"]
    ]
