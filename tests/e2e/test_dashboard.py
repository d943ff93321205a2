"""The dashboard in Chromium: a chart the visitor asks for, drawn from the customer's
own figures; the mode's tabs (by click and by arrow keys); the chart again after a
reload; new tabs after a mode switch; no CSP refusal; and a screenshot of each kind's
dashboard under test-output/screenshots/."""

import json
import subprocess
import sys
from datetime import date

import pytest
from playwright.sync_api import expect

from personas import generate_persona, kind_get, kind_names
from personas.figures import chart_compute, tabs_compute
from personas.formatting import money
from tests.e2e.conftest import ROOT, SCREENSHOTS, Visit, manage
from tests.e2e.scripted import MODE, SESSION

SEED = 41
CHART_REQUEST = "Can you show me a chart of my spending by category?"
SPENDING = "spending_by_category"
# Every CSP refusal the page meets, kept where the test can read it.
CSP_WATCH = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
# Whether the selected tab shows whole within its strip (which scrolls sideways).
SELECTED_TAB_IN_SIGHT = """
(() => {
  const strip = document.getElementById("dashboard-tabs").getBoundingClientRect();
  const tab = document.querySelector('[role="tab"][aria-selected="true"]')
    .getBoundingClientRect();
  return tab.left >= strip.left && tab.right <= strip.right;
})()
"""
# A mode for each kind the built-in modes leave out, so each has a screenshot: made
# as conjuring makes one (the kind's own prompt and greeting), in its own colours.
KIND_MODES_SAVE = """
import json
from chat.generation.palettes import HUES, palette_for
from chat.generation.prompts import greeting_source, system_prompt_source
from chat.models import Mode
from chat.services import mode_save
from personas import kind_names
taken = set(Mode.objects.filter(is_active=True).values_list("persona_kind", flat=True))
for index, kind in enumerate(k for k in kind_names() if k not in taken):
    colours = palette_for(kind, sorted(HUES)[index * 3 % len(HUES)])
    mode_save(
        mode=Mode(
            slug=f"dashboard-{kind}", name=f"Dashboard {kind}",
            company_name=f"{kind.title()} & Co", persona_kind=kind,
            primary_color=colours.primary, secondary_color=colours.secondary,
            background_color=colours.background, surface_color=colours.surface,
            text_color=colours.text, display_order=200 + index,
        ),
        user=None, system_prompt=system_prompt_source(kind),
        greeting=greeting_source(kind),
    )
modes = Mode.objects.filter(is_active=True).order_by("display_order")
print(json.dumps({mode.persona_kind: mode.slug for mode in reversed(modes)}))
"""
KIND_MODES_DELETE = (
    "from chat.models import Conversation, Mode; "
    "Conversation.objects.filter(mode__slug__startswith='dashboard-').delete(); "
    "Mode.objects.filter(slug__startswith='dashboard-').delete()"
)


@pytest.fixture
def watched(context):
    """Every page of this test's context notes its CSP refusals."""
    context.add_init_script(CSP_WATCH)
    return context


def refusals(visit) -> list[str]:
    """The page's CSP refusals, and any console error (Chromium logs them too)."""
    return visit.page.evaluate("window.cspViolations") + visit.console_errors


def tabs(visit):
    return visit.testid("dashboard-tab")


def assistant_chart(visit):
    return visit.testid("assistant-panel").get_by_test_id("chart").first


def spending_expected() -> dict:
    """The chart as the customer's own figures give it, computed here."""
    persona = generate_persona("banking", SEED, as_of=date.today())
    return chart_compute(kind_get("banking").datasets, SPENDING, persona)


def chart_check(chart, expected: dict) -> None:
    """The chart shows the expected title, one bar per point, and each value."""
    points = expected["series"][0]["points"]
    expect(chart.locator("figcaption")).to_have_text(expected["title"])
    bars = chart.get_by_test_id("chart-bar")
    expect(bars).to_have_count(len(points))
    labels = [bar.get_attribute("data-label") for bar in bars.all()]
    values = [float(bar.get_attribute("data-value")) for bar in bars.all()]
    assert labels == [point["label"] for point in points]
    assert values == pytest.approx([point["value"] for point in points])
    expect(chart.locator(".chart-value")).to_have_text(
        [money(point["value"], expected["unit"]) for point in points]
    )
    rows = chart.get_by_test_id("chart-table").locator("tbody tr")
    expect(rows).to_have_count(len(points))


def test_chart_request_draws_the_customers_spending(watched, visit_open):
    visit = visit_open(f"?seed={SEED}")
    assert visit.last("session")["mode"]["persona_kind"] == "banking"
    visit.say(CHART_REQUEST)

    expected = spending_expected()
    assert visit.last("tool_result")["result"] == expected
    chart = assistant_chart(visit)
    expect(chart).to_be_visible()
    chart_check(chart, expected)
    expect(tabs(visit).last).to_have_attribute("aria-selected", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.evaluate("window.scrollTo(0, 0)")
    visit.page.screenshot(
        path=SCREENSHOTS / "dashboard-chart-request.png",
        full_page=True,
        animations="disabled",
    )
    assert refusals(visit) == []


def test_dashboard_fits_a_phone(browser, site):
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone.add_init_script(CSP_WATCH)
        visit = Visit(phone.new_page())
        visit.page.goto(f"{site.url}?seed={SEED}")
        visit.ready().say(CHART_REQUEST)
        expect(assistant_chart(visit)).to_be_visible()
        width = "document.documentElement.scrollWidth <= window.innerWidth"
        assert visit.page.evaluate(width)
        assert visit.page.evaluate(SELECTED_TAB_IN_SIGHT)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(
            path=SCREENSHOTS / "dashboard-phone.png",
            full_page=True,
            animations="disabled",
        )
        assert refusals(visit) == []
    finally:
        phone.close()


def test_chart_values_show_on_hover_and_keyboard_focus(watched, visit_open):
    visit = visit_open(f"?seed={SEED}").say(CHART_REQUEST)
    chart = assistant_chart(visit)
    bars = chart.get_by_test_id("chart-bar")
    tip = chart.locator(".chart-tip")
    first, second = bars.nth(0), bars.nth(1)

    first.hover()
    expect(tip).to_have_class("chart-tip is-shown")
    expect(tip).to_have_text(first.get_attribute("data-tip"))
    first.focus()
    visit.page.keyboard.press("Tab")
    expect(second).to_be_focused()
    expect(tip).to_have_text(second.get_attribute("data-tip"))
    label = second.get_attribute("data-label")
    assert second.get_attribute("data-tip").startswith(f"{label}: ")
    expect(second.locator("title")).to_have_text(second.get_attribute("data-tip"))
    assert refusals(visit) == []


def test_tabs_switch_by_click_and_by_arrow_keys(watched, visit_open):
    visit = visit_open(f"?seed={SEED}")
    sent = visit.last("session")["dashboard"]["tabs"]
    assert len(sent) >= 2
    expect(tabs(visit)).to_have_text([tab["title"] for tab in sent])
    panels = visit.page.get_by_role("tabpanel")
    expect(panels).to_have_count(1)  # the hidden ones are out of the tree

    tabs(visit).nth(1).click()
    expect(tabs(visit).nth(1)).to_have_attribute("aria-selected", "true")
    expect(tabs(visit).nth(0)).to_have_attribute("aria-selected", "false")
    expect(panels).to_have_attribute("aria-labelledby", "dashboard-tab-1")
    drawn = panels.get_by_test_id("chart").or_(panels.get_by_test_id("metrics"))
    expect(drawn).to_have_count(len(sent[1]["panels"]))

    tabs(visit).nth(1).press("ArrowLeft")
    expect(tabs(visit).nth(0)).to_be_focused()
    expect(tabs(visit).nth(0)).to_have_attribute("aria-selected", "true")
    tabs(visit).nth(0).press("ArrowLeft")
    expect(tabs(visit).last).to_be_focused()
    expect(tabs(visit).last).to_have_attribute("aria-selected", "true")
    tabs(visit).last.press("Home")
    expect(tabs(visit).nth(0)).to_have_attribute("aria-selected", "true")
    expect(tabs(visit).nth(0)).to_have_attribute("tabindex", "0")
    expect(tabs(visit).nth(1)).to_have_attribute("tabindex", "-1")
    assert refusals(visit) == []


def test_reload_redraws_the_chart_from_the_history(watched, visit_open):
    visit = visit_open(f"?seed={SEED}").say(CHART_REQUEST)
    visit.page.reload()
    visit.ready()

    message = visit.last("session")["messages"][-1]
    assert [call["tool"] for call in message["tool_calls"]] == ["show_chart"]
    chart = assistant_chart(visit)
    expect(chart).to_be_visible()
    chart_check(chart, spending_expected())
    assert refusals(visit) == []


def test_mode_switch_brings_the_new_modes_tabs(watched, visit_open):
    visit = visit_open(f"?seed={SEED}").say(CHART_REQUEST)
    expect(assistant_chart(visit)).to_be_visible()
    visit.say("Presto-Change-O, you're an insurer")

    switch = visit.last("mode_switch")
    assert switch["mode"]["persona_kind"] == "insurance"
    expect(tabs(visit)).to_have_text(
        [tab["title"] for tab in switch["dashboard"]["tabs"]]
    )
    expect(visit.testid("assistant-panel")).to_have_count(0)
    expect(tabs(visit).first).to_have_attribute("aria-selected", "true")
    assert refusals(visit) == []


@pytest.fixture(scope="module")
def kind_modes(site_env) -> dict[str, str]:
    """A mode's slug for every kind: the first in the picker, made if none is."""
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", KIND_MODES_SAVE],
        cwd=ROOT,
        env=site_env,
        check=True,
        capture_output=True,
        text=True,
    )
    yield json.loads(made.stdout.strip().splitlines()[-1])
    manage(site_env, "shell", "-c", KIND_MODES_DELETE)


@pytest.mark.parametrize("kind", kind_names())
def test_each_kinds_dashboard_is_drawn_for_a_screenshot(
    kind_modes, watched, visit_open, kind
):
    visit = visit_open("?seed=2026").switch(kind_modes[kind])
    assert visit.last("mode_switch")["mode"]["persona_kind"] == kind

    dashboard = visit.testid("dashboard")
    expect(dashboard).to_be_visible()
    sent = visit.last("mode_switch")["dashboard"]["tabs"]
    expect(tabs(visit)).to_have_count(len(sent))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dashboard.screenshot(
        path=SCREENSHOTS / f"dashboard-{kind}.png", animations="disabled"
    )
    assert refusals(visit) == []


# ---- Frames the offline model rarely sends, from a scripted socket ----------

# The test id of each chart type's focusable marks.
MARKS = {
    "bar": "chart-bar",
    "line": "chart-point",
    "area": "chart-point",
    "pie": "chart-slice",
    "progress": "chart-segment",
}


def chart_of_type(chart_type: str) -> dict:
    """A real dataset of some kind, computed for a customer, drawn as `chart_type`."""
    for kind in kind_names():
        datasets = kind_get(kind).datasets
        for dataset in datasets:
            if chart_type in (dataset.chart_type, *dataset.chart_types):
                persona = generate_persona(kind, 7, as_of=date(2026, 3, 4))
                return chart_compute(
                    datasets, dataset.name, persona, chart_type=chart_type
                )
    raise LookupError(f"no kind draws a {chart_type} chart")


def dashboard_of(kind: str) -> dict:
    found = kind_get(kind)
    persona = generate_persona(kind, 7, as_of=date(2026, 3, 4))
    return {"tabs": tabs_compute(found.datasets, found.metrics, found.tabs, persona)}


@pytest.mark.parametrize("chart_type", MARKS)
def test_each_chart_type_draws_a_mark_per_point(scripted_open, chart_type):
    visit, server = scripted_open()
    result = chart_of_type(chart_type)
    server.send(
        "tool_result", message_id=5, call_id="c0", tool="show_chart", result=result
    )

    chart = assistant_chart(visit)
    expect(chart).to_have_attribute("data-chart-type", chart_type)
    points = [p for s in result["series"] for p in s["points"]]
    drawn = [p for p in points if chart_type != "pie" or p["value"] > 0]
    expect(chart.get_by_test_id(MARKS[chart_type])).to_have_count(len(drawn))
    rows = chart.get_by_test_id("chart-table").locator("tbody tr")
    expect(rows).to_have_count(len(result["series"][0]["points"]))
    expect(chart.locator("svg")).to_have_attribute("aria-label", result["title"])


def test_tool_error_shows_a_note_on_the_assistants_tab(scripted_open):
    visit, server = scripted_open()
    message = "There is no dataset 'weather'; use one of: spending_by_category."
    server.send(
        "tool_error",
        message_id=5,
        call_id="c0",
        tool="show_chart",
        code="unknown_dataset",
        message=message,
    )
    note = visit.testid("assistant-panel").get_by_test_id("tool-error")
    expect(note).to_contain_text(message)
    expect(note).to_have_attribute("data-code", "unknown_dataset")
    expect(tabs(visit)).to_have_count(1)


def test_mode_updated_redraws_the_tabs_in_the_same_place(scripted_open):
    dashboard = dashboard_of("insurance")
    visit, server = scripted_open(SESSION | {"dashboard": dashboard})
    result = chart_of_type("bar")
    server.send(
        "tool_result", message_id=5, call_id="c0", tool="show_chart", result=result
    )
    tabs(visit).nth(1).click()

    renamed = [tab | {"title": f"{tab['title']} (new)"} for tab in dashboard["tabs"]]
    server.send("mode_updated", mode=MODE, dashboard={"tabs": renamed})
    titles = [tab["title"] for tab in renamed]
    expect(tabs(visit)).to_have_text([*titles, "From the assistant"])
    expect(tabs(visit).nth(1)).to_have_attribute("aria-selected", "true")
    expect(assistant_chart(visit)).to_be_attached()


def test_charts_of_two_replies_with_the_same_call_id_both_stay(scripted_open):
    """Call ids are unique only within a reply (the offline model's are always
    offline-1): a new reply's chart never takes an older one's place."""
    visit, server = scripted_open()
    for message_id, chart_type in ((5, "bar"), (7, "pie")):
        server.send(
            "tool_result",
            message_id=message_id,
            call_id="offline-1",
            tool="show_chart",
            result=chart_of_type(chart_type),
        )
    charts = visit.testid("assistant-panel").get_by_test_id("chart")
    expect(charts).to_have_count(2)
    expect(charts.nth(0)).to_have_attribute("data-chart-type", "pie")
    expect(charts.nth(1)).to_have_attribute("data-chart-type", "bar")
