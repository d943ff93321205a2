"""The server going away and coming back: the page says so, then resumes."""

from playwright.sync_api import expect

from tests.e2e.conftest import Visit


def test_page_reconnects_and_redraws_the_same_conversation(context, site_factory):
    site = site_factory()
    visit = Visit(context.new_page())
    visit.page.goto(site.url)
    visit.ready().say("What's my checking balance?")
    transcript = visit.testid("transcript")
    before = transcript.locator(".bubble-text").all_inner_texts()
    conversation = transcript.get_attribute("data-conversation-id")

    site.stop()
    expect(visit.testid("connection-status")).to_have_text("Reconnecting…")
    expect(visit.testid("send")).to_be_disabled()
    site.start()

    expect(visit.testid("connection-status")).to_have_text("Connected", timeout=20_000)
    assert visit.count("session") == 2
    expect(transcript).to_have_attribute("data-conversation-id", conversation)
    expect(transcript.locator(".bubble-text")).to_have_text(before)
