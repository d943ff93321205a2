"""Every registered kind's card renders for any customer it makes: a layout naming a
missing field, a wrong tone or an unformatted figure fails here, not on the page."""

import functools
import json
from datetime import date
from typing import Any

import pytest

from personas import (
    SUPPORTED_LOCALES,
    Kind,
    generate_persona,
    kind_get,
    kinds,
    persona_emptied,
)
from personas.card import Meters, Table, card_render, card_text
from personas.formatting import Reader, count, money, written_for

AS_OF = date(2026, 1, 31)
SEEDS = range(12)
# The figures the page's tests (tests/e2e) and the old card find by test id.
BUILT_IN_TESTIDS = {
    "banking": {"checking-balance", "credit-score", "accounts", "transactions"},
    "insurance": {"total-coverage", "risk-score", "coverage", "policies", "claims"},
    "healthcare": {
        "member-id",
        "plan-name",
        "primary-care",
        "deductible-bar",
        "out-of-pocket-bar",
        "plan-progress",
        "appointments",
        "prescriptions",
    },
    "generic": {"account-value", "loyalty-status", "account"},
}
# Each built-in headline: its test id and the figure it must show.
HEADLINES = {
    "banking": ("checking-balance", lambda p: money(p["checking_balance"])),
    "insurance": ("total-coverage", lambda p: money(p["total_coverage"])),
    "healthcare": ("member-id", lambda p: p["member_id"]),
    "generic": ("account-value", lambda p: money(p["account_value"])),
}


def customers(kind: Kind) -> tuple[dict, ...]:
    """The kind's customers over many seeds in every locale, and one emptied."""
    return _customers(kind.name)


@functools.cache
def _customers(name: str) -> tuple[dict, ...]:
    made = [
        generate_persona(name, seed, as_of=AS_OF, locale=locale)
        for seed in SEEDS
        for locale in SUPPORTED_LOCALES
    ]
    return (*made, persona_emptied(made[0]))


def layout_testids(kind: Kind) -> set[str]:
    """Every test id the kind's layout declares."""
    card = kind.card
    figures = [card.headline, *card.summary]
    ids = {section.testid for section in card.sections}
    for block in (b for s in card.sections for b in s.blocks):
        if isinstance(block, Meters):
            ids |= {meter.testid for meter in block.items}
        elif not isinstance(block, Table):
            figures += block.items
    return (ids | {figure.testid for figure in figures}) - {""}


def rendered_testids(data: Any) -> list[str]:
    """Every test id in the rendered card, repeats included."""
    if isinstance(data, dict):
        own = [data["testid"]] if data.get("testid") else []
        return own + [i for value in data.values() for i in rendered_testids(value)]
    if isinstance(data, list):
        return [i for value in data for i in rendered_testids(value)]
    return []


def pairs(kind: Kind):
    """(layout table, rendered table) for each table of the card."""
    for persona in customers(kind):
        rendered = card_render(kind.card, persona)
        for section, drawn in zip(
            kind.card.sections, rendered["sections"], strict=True
        ):
            for block, data in zip(section.blocks, drawn["blocks"], strict=True):
                yield persona, block, data


KINDS = [pytest.param(kind, id=kind.name) for kind in kinds()]


@pytest.mark.parametrize("kind", KINDS)
def test_card_render_every_customer_shows_every_testid_once(kind):
    declared = layout_testids(kind)
    for persona in customers(kind):
        rendered = card_render(kind.card, persona)
        assert json.loads(json.dumps(rendered)) == rendered
        assert rendered["name"] == persona["name"]
        testids = rendered_testids(rendered)
        assert sorted(testids) == sorted(declared), persona["name"]


@pytest.mark.parametrize("name", sorted(BUILT_IN_TESTIDS))
def test_card_render_built_in_kind_keeps_the_page_testids(name):
    kind = kind_get(name)
    assert BUILT_IN_TESTIDS[name] <= layout_testids(kind)
    testid, figure = HEADLINES[name]
    for persona in customers(kind):
        headline = card_render(kind.card, persona)["headline"]
        with written_for(Reader.of(persona)):
            assert (headline["testid"], headline["value"]) == (testid, figure(persona))


@pytest.mark.parametrize("kind", KINDS)
def test_card_render_table_has_a_row_per_record(kind):
    for persona, block, data in pairs(kind):
        if isinstance(block, Table):
            records = block.rows(persona)
            assert len(data["rows"]) == len(records)
            assert all(len(row) == len(block.columns) for row in data["rows"])
            assert data["empty"]


@pytest.mark.parametrize("kind", KINDS)
def test_card_render_pill_cells_all_have_a_tone(kind):
    for _persona, block, data in pairs(kind):
        if isinstance(block, Table):
            pills = [i for i, column in enumerate(block.columns) if column.pill]
            assert all("tone" in row[i] for row in data["rows"] for i in pills)


@pytest.mark.parametrize("kind", KINDS)
def test_card_render_number_cells_show_a_figure_of_the_row(kind):
    """A "num" cell reads like the assistant writes figures: money by Babel in the
    customer's currency, a count as a whole number, never a bare float."""
    for persona, block, data in pairs(kind):
        if not isinstance(block, Table):
            continue
        numbers = [i for i, c in enumerate(block.columns) if "num" in c.style.split()]
        with written_for(Reader.of(persona)):
            for record, row in zip(block.rows(persona), data["rows"], strict=True):
                figures = {
                    money(value)
                    for value in record.values()
                    if isinstance(value, float)
                } | {
                    count(value)
                    for value in record.values()
                    if isinstance(value, int) and not isinstance(value, bool)
                }
                for i in numbers:
                    assert any(f in row[i]["text"] for f in figures), row[i]


@pytest.mark.parametrize("kind", KINDS)
def test_card_render_meters_stay_within_their_limit(kind):
    for persona, block, data in pairs(kind):
        if not isinstance(block, Meters):
            continue
        with written_for(Reader.of(persona)):
            for meter, drawn in zip(block.items, data["items"], strict=True):
                spent, limit = persona[meter.spent], persona[meter.limit]
                form = money
                if meter.unit is not None:
                    unit = meter.unit(persona)

                    def form(value, unit=unit):
                        return f"{count(round(value))} {unit}"

                assert 0 <= drawn["value"] <= drawn["max"]
                assert drawn["figure"] == f"{form(spent)} of {form(limit)}"
                assert form(max(limit - spent, 0)) in drawn["note"]


@pytest.mark.parametrize("kind", KINDS)
def test_card_text_carries_every_figure_the_page_shows(kind):
    """The prompt's `customer_card` holds each value, cell and meter of the card."""
    for persona in customers(kind):
        rendered = card_render(kind.card, persona)
        text = card_text(rendered)
        shown = [rendered["headline"]["value"]]
        shown += [f["value"] for f in rendered["summary"]]
        for block in (b for s in rendered["sections"] for b in s["blocks"]):
            if block["type"] == "table":
                shown += [cell["text"] for row in block["rows"] for cell in row]
                shown += [] if block["rows"] else [block["empty"]]
            elif block["type"] == "meters":
                shown += [meter["figure"] for meter in block["items"]]
            else:
                shown += [item["value"] for item in block["items"]]
        assert [value for value in shown if value not in text] == []
        assert all(s["title"] in text for s in rendered["sections"])
