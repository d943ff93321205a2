"""A mode's dashboard tabs: its own (`Mode.dashboard_tabs`) or its kind's defaults, the
rules a tab keeps, and the tabs computed for a customer on the server, so the page
shows them with no model call.

Computing is cheap (pure functions of the persona, see personas.figures), so nothing
here is cached: a staff save is seen by the next payload.
"""

import logging
from collections.abc import Sequence
from typing import NamedTuple

from chat.models import Mode
from personas.figures import Persona, Tab, panel_names, tabs_compute
from personas.formatting import Reader, written_for
from personas.registry import Kind, kind_get

logger = logging.getLogger(__name__)

TABS_MAX = 6
TAB_PANELS_MAX = 6
TAB_TITLE_MAX = 40


def tabs_parse(stored: Sequence[dict]) -> tuple[Tab, ...]:
    """Tabs as `Mode.dashboard_tabs` stores them ([{"title", "panels"}]) as Tabs."""
    return tuple(Tab(tab["title"], tuple(tab["panels"])) for tab in stored)


def tabs_dump(tabs: Sequence[Tab]) -> list[dict]:
    """Tabs as `Mode.dashboard_tabs` stores them."""
    return [{"title": tab.title, "panels": list(tab.panels)} for tab in tabs]


def panel_names_text(kind: Kind) -> str:
    """The names a tab of this kind may use, datasets first, for staff to read."""
    return ", ".join(panel_names(kind.datasets, kind.metrics)) or "none"


class TabProblem(NamedTuple):
    """One thing to fix: in the tab at index `tab`, or in the whole set (None)."""

    tab: int | None
    message: str


def tabs_problems(kind: Kind, tabs: Sequence[Tab]) -> list[TabProblem]:
    """What is wrong with a mode's tabs for this kind (empty: they fit)."""
    problems = []
    if len(tabs) > TABS_MAX:
        problems.append(
            TabProblem(
                None,
                f"A dashboard holds at most {TABS_MAX} tabs; this one has "
                f"{len(tabs)}: remove {len(tabs) - TABS_MAX}.",
            )
        )
    titles = [tab.title.casefold() for tab in tabs]
    for index, tab in enumerate(tabs):
        if titles.index(tab.title.casefold()) < index:
            problems.append(
                TabProblem(
                    index,
                    f"“{tab.title}” is already the title of an earlier tab: give "
                    "each tab its own.",
                )
            )
        problems += [TabProblem(index, problem) for problem in _tab_problems(kind, tab)]
    return problems


def _tab_problems(kind: Kind, tab: Tab) -> list[str]:
    """What is wrong with one tab for this kind, each saying what to fix."""
    problems = []
    if not tab.title.strip():
        problems.append("the tab has no title: write one before the “:”.")
    elif len(tab.title) > TAB_TITLE_MAX:
        problems.append(
            f"the title is longer than {TAB_TITLE_MAX} characters: shorten it."
        )
    if not tab.panels:
        problems.append(
            f"the tab has no panels: name at least one of {panel_names_text(kind)}."
        )
    elif len(tab.panels) > TAB_PANELS_MAX:
        problems.append(
            f"a tab holds at most {TAB_PANELS_MAX} panels; this one has "
            f"{len(tab.panels)}: move some to another tab."
        )
    known = set(panel_names(kind.datasets, kind.metrics))
    if unknown := [name for name in dict.fromkeys(tab.panels) if name not in known]:
        shown = ", ".join(f"“{name[:60]}”" for name in unknown)
        problems.append(
            f"{kind.label} has no dataset or metric {shown}; use one of: "
            f"{panel_names_text(kind)}."
        )
    if twice := [n for n in dict.fromkeys(tab.panels) if tab.panels.count(n) > 1]:
        problems.append(f"list each panel once: {', '.join(twice)} is listed twice.")
    return problems


def mode_tabs(mode: Mode) -> tuple[Tab, ...]:
    """The mode's own tabs, else its kind's defaults.

    Own tabs that no longer fit the kind (it was changed outside the admin, or a
    release renamed a dataset) give way to the defaults rather than fail the page.
    """
    kind = kind_get(mode.persona_kind)
    own = tabs_parse(mode.dashboard_tabs)
    if not own:
        return kind.tabs
    if problems := tabs_problems(kind, own):
        messages = " ".join(problem.message for problem in problems)
        logger.warning("%s shows its kind's default tabs: %s", mode.slug, messages)
        return kind.tabs
    return own


def dashboard_payload(mode: Mode, persona: Persona) -> dict:
    """The protocol's `dashboard`: the mode's tabs computed for this customer,
    written for them as the card beside it is."""
    kind = kind_get(mode.persona_kind)
    with written_for(Reader.of(persona)):
        tabs = tabs_compute(kind.datasets, kind.metrics, mode_tabs(mode), persona)
    return {"tabs": tabs}
