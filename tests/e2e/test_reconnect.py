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


def test_reconnect_backs_off_from_one_second_doubling_to_thirty(context, site):
    """Every attempt is refused; the page retries 1, 2, 4 … 30, 30 s apart."""
    attempts = []

    def refuse(route) -> None:
        attempts.append(route)
        route.close()

    page = context.new_page()
    page.clock.install(time=0)
    page.clock.pause_at(1000)
    page.route_web_socket("**/ws/chat/", refuse)
    page.goto(site.url)
    expect(page.get_by_test_id("connection-status")).to_have_text("Reconnecting…")
    for expected, gap_s in enumerate((1, 2, 4, 8, 16, 30, 30), start=1):
        assert len(attempts) == expected
        page.clock.run_for(gap_s * 1000 - 100)
        page.wait_for_timeout(100)
        assert len(attempts) == expected, f"a retry came before {gap_s} s"
        page.clock.run_for(200)
        attempts_wait(page, attempts, expected + 1)


def attempts_wait(page, attempts: list, count: int) -> None:
    """Let the page's socket attempt reach the route handler (up to 5 s real time)."""
    for _ in range(50):
        if len(attempts) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no retry: {len(attempts)} attempts, expected {count}")
