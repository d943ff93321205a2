"""The throwaway kind (tests/support/observatory.py) drawn in Chromium: the page knows
no kind, so its card (headline, table, meter) and copy come from the server alone.

Its server is its own, on its own database, with settings that install the kind
(tests/support/observatory_settings.py), so the shared server never sees the mode.
"""

import pytest
from playwright.sync_api import expect

from bench.servers import DaphneServer
from tests.e2e.conftest import Visit, manage
from tests.support.observatory import OBSERVATORY
from tests.support.stargazing import SLUG

SAVE_MODE = "from tests.support.stargazing import stargazing_save; stargazing_save()"


@pytest.fixture(scope="module")
def observatory_site(site_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("observatory")
    env = site_env | {
        "DJANGO_SETTINGS_MODULE": "tests.support.observatory_settings",
        "DATABASE_URL": f"sqlite:///{base / 'db.sqlite3'}",
    }
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "shell", "-c", SAVE_MODE)
    with DaphneServer(env, base / "daphne.log") as server:
        yield server


def test_throwaway_kind_card_renders_with_no_console_error(context, observatory_site):
    visit = Visit(context.new_page())
    visit.page.goto(observatory_site.url + "?seed=7")
    visit.ready().switch(SLUG)
    switch = visit.last("mode_switch")
    card, persona = switch["card"], switch["persona"]

    expect(visit.testid("customer-name")).to_have_text(persona["name"])
    expect(visit.testid("member-number")).to_have_text(persona["member_number"])
    expect(visit.page.locator("#hero-text")).to_have_text(OBSERVATORY.hero)
    rows = visit.testid("nights").locator("tbody tr")
    expect(rows).to_have_count(len(persona["nights"]))
    table = card["sections"][0]["blocks"][0]
    expect(rows.first.locator("td")).to_have_text([c["text"] for c in table["rows"][0]])
    expect(rows.first.locator("strong")).to_have_text("Planetarium show")
    expect(rows.first.locator(".pill")).to_have_class(
        f"pill pill-{table['rows'][0][3]['tone']}"
    )
    bar = visit.testid("dues-bar")
    expect(bar).to_be_visible()
    assert float(bar.get_attribute("value")) == pytest.approx(persona["dues_paid"])
    assert float(bar.get_attribute("max")) == pytest.approx(persona["dues_total"])
    expect(bar).to_have_attribute(
        "aria-valuetext", card["sections"][1]["blocks"][0]["items"][0]["figure"]
    )
    visit.say(OBSERVATORY.example)
    assert visit.last("chat_end")["text"].startswith("Your next night is")
    assert visit.console_errors == []
