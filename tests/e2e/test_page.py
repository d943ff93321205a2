"""The chat page against the real server and the offline model."""

import pytest
from playwright.sync_api import expect

from personas.formatting import money
from tests.e2e.conftest import SCREENSHOTS, manage

PRIMARY = "getComputedStyle(document.documentElement).getPropertyValue('--primary')"
QUESTIONS = {
    "banking": "What's my checking balance?",
    "insurance": "When does my auto policy renew?",
    "healthcare": "When is my next appointment?",
}


def test_trigger_phrase_turns_the_page_into_a_bank(visit_open):
    visit = visit_open("?seed=41").switch("insurance")
    visit.say("Presto-Change-O, you're a bank")
    switch = visit.last("mode_switch")
    balance = money(switch["persona"]["checking_balance"])
    expect(visit.testid("company-name")).to_have_text("Meridian Trust Bank")
    assert visit.page.evaluate(PRIMARY).strip() == switch["mode"]["theme"]["primary"]
    assert switch["mode"]["theme"]["primary"] == "#0b3d6e"
    expect(visit.testid("checking-balance")).to_have_text(balance)
    expect(visit.testid("customer-name")).to_have_text(switch["persona"]["name"])


def test_streamed_reply_quotes_the_balance_on_the_card(visit_open):
    visit = visit_open().switch("healthcare").switch("banking")
    balance = visit.testid("checking-balance").inner_text()
    visit.say("What's my checking balance?")
    reply = visit.page.locator('[data-role="assistant"][data-status="complete"]').last
    expect(reply).to_contain_text(balance)
    assert visit.last("chat_end")["text"] == reply.locator(".bubble-text").inner_text()


def test_reload_keeps_the_customer_and_new_customer_changes_it(visit_open):
    visit = visit_open()
    first = visit.last("session")["persona"]
    name = visit.testid("customer-name").inner_text()
    visit.page.reload()
    visit.ready()
    expect(visit.testid("customer-name")).to_have_text(name)
    assert visit.last("session")["persona"] == first
    visit.act(lambda: visit.testid("new-customer").click())
    assert visit.last("mode_switch")["persona"] != first
    expect(visit.testid("customer-name")).to_have_text(
        visit.last("mode_switch")["persona"]["name"]
    )


def test_a_pinned_seed_gives_the_same_customer_to_two_visitors(visit_open, browser):
    first = visit_open("?seed=7")
    other_context = browser.new_context()
    try:
        second = visit_open("?seed=7", ctx=other_context)
        assert second.last("session")["persona"] == first.last("session")["persona"]
        expect(second.testid("customer-name")).to_have_text(
            first.testid("customer-name").inner_text()
        )
    finally:
        other_context.close()


def test_picker_switches_to_healthcare_with_member_id_and_deductible(visit_open):
    visit = visit_open().switch("healthcare")
    persona = visit.last("mode_switch")["persona"]
    expect(visit.testid("company-name")).to_have_text(
        visit.last("mode_switch")["mode"]["company_name"]
    )
    expect(visit.testid("member-id")).to_have_text(persona["member_id"])
    bar = visit.testid("deductible-bar")
    expect(bar).to_be_visible()
    assert float(bar.get_attribute("value")) == pytest.approx(persona["deductible_met"])
    assert float(bar.get_attribute("max")) == pytest.approx(persona["deductible"])
    expect(visit.testid("mode-picker")).to_have_value("healthcare")


def test_markup_in_messages_shows_as_text(visit_open):
    visit = visit_open()
    text = "Is <img src=x onerror=alert(1)> or <script>alert(2)</script> mine?"
    visit.say(text)
    transcript = visit.testid("transcript")
    mine = transcript.locator('[data-role="user"] .bubble-text').last
    expect(mine).to_have_text(text)
    expect(transcript.locator("img, script")).to_have_count(0)
    assert visit.dialogs == []


def test_offline_model_is_labelled(visit_open):
    visit = visit_open()
    assert visit.last("session")["llm"]["backend"] == "offline"
    expect(visit.testid("offline-badge")).to_have_text("Offline demo model")


@pytest.mark.parametrize("slug", QUESTIONS)
def test_each_mode_looks_right_on_a_desktop_and_a_phone(visit_open, browser, slug):
    visit = visit_open("?seed=2026").switch(slug)
    visit.say(QUESTIONS[slug])
    expect(visit.testid("key-figure")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.evaluate("window.scrollTo(0, 0)")
    visit.page.screenshot(path=SCREENSHOTS / f"{slug}.png", full_page=True)
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        storage_state=visit.page.context.storage_state(),
    )
    try:
        page = phone.new_page()
        page.goto(visit.page.url)
        expect(page.get_by_test_id("key-figure")).to_be_visible()
        width = "document.documentElement.scrollWidth <= window.innerWidth"
        assert page.evaluate(width)
        page.screenshot(path=SCREENSHOTS / f"{slug}-phone.png", full_page=True)
    finally:
        phone.close()


def test_another_seed_asks_before_ending_the_conversation(visit_open):
    first = visit_open("?seed=7")
    customer = first.last("session")["persona"]
    asked = visit_open("?seed=8")
    confirm = asked.testid("seed-confirm")
    expect(confirm).to_contain_text("Start over with customer #8?")
    assert asked.last("session")["persona"] == customer
    asked.testid("seed-confirm-start-over").click()
    asked.page.wait_for_url("**/?seed=8")
    asked.ready()
    expect(asked.testid("seed-confirm")).to_have_count(0)
    assert asked.last("session")["persona"] != customer


def test_reply_stored_as_interrupted_offers_a_retry_after_reload(visit_open, site_env):
    visit = visit_open()
    visit.say("What's my checking balance?")
    reply_id = int(visit.last("chat_end")["message_id"])
    cut_short = (
        "from chat.models import Message; Message.objects.filter(pk={}).update("
        "status=Message.Status.INTERRUPTED, content='Your checking')"
    )
    manage(site_env, "shell", "-c", cut_short.format(reply_id))

    visit.page.reload()
    visit.ready()
    reply = visit.page.locator(f'[data-message-id="{reply_id}"]')
    expect(reply.locator(".bubble-text")).to_have_text("Your checking")
    expect(reply.get_by_test_id("message-note")).to_contain_text("was interrupted")
    ends = visit.count("chat_end")
    reply.get_by_test_id("retry").click()

    visit.frames_wait(("chat_end",), ends)
    expect(visit.testid("retry")).to_have_count(0)
    asked = visit.page.locator('[data-role="user"] .bubble-text')
    expect(asked).to_have_text(["What's my checking balance?"] * 2)
    assert visit.console_errors == []
