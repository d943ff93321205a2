"""The server going away and coming back: the page says so, then resumes."""

import pytest
from playwright.sync_api import expect

from chat.conversation.frames import CloseCode
from tests.e2e.conftest import Visit
from tests.e2e.scripted import SESSION, frame


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


# Math.random() as pinned in the page, and the factor it puts on each reconnect's wait.
JITTERS = [(0, 0.5), (0.999, 1.499)]


@pytest.mark.parametrize(("random", "jitter"), JITTERS)
def test_reconnect_backs_off_from_one_second_doubling_to_thirty(
    context, site, random, jitter
):
    """Every attempt is refused; the page retries 1, 2, 4 … 30, 30 s apart, each
    wait scaled by the random factor."""
    attempts = []

    def refuse(route) -> None:
        attempts.append(route)
        route.close()

    page = context.new_page()
    page.add_init_script(f"Math.random = () => {random};")
    page.clock.install(time=0)
    page.clock.pause_at(1000)
    page.route_web_socket("**/ws/chat/", refuse)
    page.goto(site.url)
    expect(page.get_by_test_id("connection-status")).to_have_text("Reconnecting…")
    for expected, gap_s in enumerate((1, 2, 4, 8, 16, 30, 30), start=1):
        gap_ms = round(gap_s * 1000 * jitter)
        assert len(attempts) == expected
        # The refusal may reach the page any time up to 100 ms past the last retry,
        # so "not yet" is checked 150 ms before the next one is due.
        page.clock.run_for(gap_ms - 150)
        page.wait_for_timeout(100)
        assert len(attempts) == expected, f"a retry came before {gap_ms} ms"
        page.clock.run_for(250)
        attempts_wait(page, attempts, expected + 1)


def attempts_wait(page, attempts: list, count: int) -> None:
    """Let the page's socket attempt reach the route handler (up to 5 s real time)."""
    for _ in range(50):
        if len(attempts) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no retry: {len(attempts)} attempts, expected {count}")


def closing_page(context, site, code: int, *, random: float | None = None):
    """A page on the fake clock whose first socket the server closes with `code`;
    later sockets get a `session`. Returns the page's Visit and its socket attempts."""
    attempts = []

    def answer(route) -> None:
        attempts.append(route)
        route.send(frame("session", **SESSION))
        if len(attempts) == 1:
            route.close(code=code, reason="test")

    page = context.new_page()
    if random is not None:
        page.add_init_script(f"Math.random = () => {random};")
    page.clock.install(time=0)
    page.clock.pause_at(1000)
    page.route_web_socket("**/ws/chat/", answer)
    visit = Visit(page)
    page.goto(site.url)
    expect(visit.testid("connection-status")).to_have_text("Reconnecting…")
    return visit, attempts


def reconnect_expect_after(visit: Visit, attempts: list, delay_ms: int) -> None:
    """No second socket before delay_ms on the page's clock; one just after it."""
    visit.page.clock.run_for(delay_ms - 100)
    visit.page.wait_for_timeout(100)
    assert len(attempts) == 1, f"reconnected before {delay_ms} ms"
    visit.page.clock.run_for(200)
    attempts_wait(visit.page, attempts, 2)
    expect(visit.testid("connection-status")).to_have_text("Connected")


@pytest.mark.parametrize(
    ("code", "random", "says", "delay_ms", "seconds"),
    [
        (CloseCode.FRAME_TOO_LARGE, 0, "too large to send", 500, "1 second"),
        (CloseCode.TOO_MANY_INVALID_FRAMES, 0.999, "could not read", 1499, "2 seconds"),
        # The budget closes' least wait holds however low the random factor.
        (CloseCode.TOO_FAST, 0, "came too fast", 10_000, "10 seconds"),
        (
            CloseCode.TOO_MANY_SOCKETS,
            0,
            "Too many chats are open",
            10_000,
            "10 seconds",
        ),
    ],
)
def test_budget_close_says_why_and_reconnects_later(
    context, site, code, random, says, delay_ms, seconds
):
    visit, attempts = closing_page(context, site, code, random=random)

    notice = visit.testid("notice")
    expect(notice).to_contain_text(says)
    expect(notice).to_contain_text(f"Trying again in {seconds}.")
    reconnect_expect_after(visit, attempts, delay_ms)
    assert visit.console_errors == []


@pytest.mark.parametrize(("random", "delay_ms"), [(0, 1000), (0.999, 2998)])
def test_restart_close_reconnects_soon_at_a_random_moment(
    context, site, random, delay_ms
):
    visit, attempts = closing_page(
        context, site, CloseCode.SERVER_RESTARTING, random=random
    )

    reconnect_expect_after(visit, attempts, delay_ms)
    expect(visit.testid("notice")).to_have_count(0)
    assert visit.console_errors == []
