"""Chromium turns the page into a pet store: conjured on the spot, themed, under its
company, with pet products on the customer card, and no console error."""

import pytest
from playwright.sync_api import expect

from chat.generation.industries import industry_for
from tests.e2e.conftest import manage

PET_STORE = "Presto-Change-O, you're a pet store"
# The shared server's database keeps what a test makes: the pet store goes after it.
PET_STORE_DELETE = (
    "from chat.models import Conversation, Mode; "
    "Conversation.objects.filter(mode__slug='pet-store').delete(); "
    "Mode.objects.filter(slug='pet-store').delete()"
)


@pytest.fixture
def pet_store_cleared(site_env):
    yield
    manage(site_env, "shell", "-c", PET_STORE_DELETE)


# Notes whether the page ever showed its conjuring state, however briefly.
CONJURING_WATCH = """
window.conjuringSeen = false;
new MutationObserver(() => {
  if (document.querySelector('[data-testid="conjuring"]')) window.conjuringSeen = true;
}).observe(document, { subtree: true, childList: true });
"""


def css_variable(visit, name: str) -> str:
    return visit.page.evaluate(
        "name => getComputedStyle(document.documentElement)"
        ".getPropertyValue(name).trim()",
        name,
    )


def test_page_turns_into_a_pet_store(pet_store_cleared, context, visit_open):
    context.add_init_script(CONJURING_WATCH)
    visit = visit_open().say(PET_STORE)

    order = [f["type"] for f in visit.frames if f["type"].startswith("mode_")]
    switch = visit.last("mode_switch")
    mode = switch["mode"]
    assert order[-2:] == ["mode_generating", "mode_switch"]
    assert (switch["reason"], mode["slug"]) == ("generated", "pet-store")
    assert visit.page.evaluate("window.conjuringSeen")
    expect(visit.testid("conjuring")).to_have_count(0)
    expect(visit.testid("company-name")).to_have_text(mode["company_name"])
    assert css_variable(visit, "--primary") == mode["theme"]["primary"]
    assert mode["company_name"] in visit.last("chat_end")["text"]
    expect(visit.testid("divider")).to_contain_text(mode["company_name"])
    assert visit.console_errors == []


def test_page_conjuring_clears_when_generating_is_refused(visit_open):
    visit = visit_open().say("Presto-Change-O, you're {{ settings }}")

    expect(visit.testid("conjuring")).to_have_count(0)
    assert visit.count("mode_generating", "mode_switch") == 0
    expect(visit.testid("send")).to_be_enabled()
    assert visit.console_errors == []


def test_page_pet_store_card_shows_pet_products(pet_store_cleared, visit_open):
    visit = visit_open().say(PET_STORE)

    products = [item.name for item in industry_for("pet store").catalogue]
    card = visit.testid("customer-panel").inner_text()
    assert any(product in card for product in products)
    assert visit.console_errors == []
