"""How the page draws frames the offline model rarely sends: a scripted socket stands in
for the server, so streaming, model errors and refusals happen exactly when told."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit
from tests.e2e.scripted import MODE, SESSION, ScriptedServer


@pytest.fixture
def scripted(scripted_open):
    """The page, talking to a scripted socket instead of the consumer."""
    return scripted_open()


def bubble_text(visit: Visit, role: str):
    return visit.page.locator(f'[data-role="{role}"] .bubble-text').last


def test_reply_streams_with_typing_indicator_and_busy_input(scripted):
    visit, server = scripted
    server.on_chat = lambda text: server.send("chat_start", message_id=5)
    visit.testid("chat-input").fill("Balance?")
    visit.testid("chat-input").press("Enter")
    expect(visit.testid("typing-indicator")).to_be_visible()
    expect(visit.testid("send")).to_be_disabled()
    expect(visit.testid("composer-status")).to_contain_text("replying")
    server.send("chat_chunk", message_id=5, text="Your balance ")
    expect(bubble_text(visit, "assistant")).to_have_text("Your balance ")
    expect(visit.testid("typing-indicator")).to_have_count(0)
    server.send("chat_chunk", message_id=5, text="is $4,210.55.")
    expect(bubble_text(visit, "assistant")).to_have_text("Your balance is $4,210.55.")
    expect(visit.testid("send")).to_be_disabled()
    server.send("chat_end", message_id=5, text="Your balance is $4,210.55.")
    expect(visit.testid("send")).to_be_enabled()


def test_assistant_reply_with_markup_shows_as_text_and_runs_nothing(scripted):
    visit, server = scripted
    reply = "See <img src=x onerror=alert(1)> and <script>alert(2)</script> <b>now</b>"

    def answer(text: str) -> None:
        server.send("chat_start", message_id=7)
        server.send("chat_chunk", message_id=7, text=reply[:20])
        server.send("chat_chunk", message_id=7, text=reply[20:])
        server.send("chat_end", message_id=7, text=reply, finish_reason="stop")

    server.on_chat = answer
    visit.testid("chat-input").fill("Anything new?")
    visit.testid("chat-input").press("Enter")
    expect(bubble_text(visit, "assistant")).to_have_text(reply)
    expect(visit.testid("transcript").locator("img, script, b")).to_have_count(0)
    assert visit.dialogs == []


def test_shift_enter_breaks_the_line_and_enter_sends(scripted):
    visit, server = scripted
    box = visit.testid("chat-input")
    box.fill("first line")
    box.press("Shift+Enter")
    box.press_sequentially("second line")
    expect(box).to_have_value("first line\nsecond line")
    box.press("Enter")
    expect(box).to_have_value("")
    expect(bubble_text(visit, "user")).to_have_text("first line\nsecond line")
    assert server.received[-1]["payload"]["text"] == "first line\nsecond line"


def test_model_error_shows_inline_and_retry_resends_the_message(scripted):
    visit, server = scripted

    def fail(text: str) -> None:
        server.send("chat_start", message_id=9)
        server.send(
            "error",
            code="model_unreachable",
            message="The assistant could not be reached.",
            retryable=True,
            message_id=9,
        )

    server.on_chat = fail
    visit.testid("chat-input").fill("What's my balance?")
    visit.testid("chat-input").press("Enter")
    expect(visit.testid("message-error")).to_contain_text("could not be reached")
    server.on_chat = lambda text: None
    visit.testid("retry").click()
    expect(visit.testid("retry")).to_have_count(0)
    chats = [m["payload"]["text"] for m in server.received if m["type"] == "chat"]
    assert chats == ["What's my balance?", "What's my balance?"]


def test_rate_limit_is_a_dismissible_notice_and_keeps_the_text(scripted):
    visit, server = scripted
    server.on_chat = lambda text: server.send(
        "error",
        code="rate_limited",
        message="Too many messages.",
        retryable=True,
        retry_after=12.5,
    )
    visit.testid("chat-input").fill("Hello again")
    visit.testid("chat-input").press("Enter")
    notice = visit.testid("notice")
    expect(notice).to_contain_text("13 seconds")
    expect(visit.testid("chat-input")).to_have_value("Hello again")
    expect(visit.page.locator('[data-role="user"]')).to_have_count(0)
    expect(visit.testid("send")).to_be_enabled()
    notice.get_by_role("button", name="Dismiss this notice").click()
    expect(notice).to_have_count(0)


def test_mode_updated_changes_the_header_but_not_the_customer(scripted):
    visit, server = scripted
    server.send(
        "mode_updated",
        mode=MODE | {"company_name": "Meridian Trust", "theme": MODE["theme"]},
    )
    expect(visit.testid("company-name")).to_have_text("Meridian Trust")
    expect(visit.testid("customer-name")).to_have_text("Jordan Ellis")
    expect(visit.testid("offline-badge")).to_be_hidden()


def test_keyboard_alone_reaches_the_message_box_and_sends(scripted):
    visit, server = scripted
    visit.page.keyboard.press("Tab")
    expect(
        visit.page.get_by_role("link", name="Skip to the message box")
    ).to_be_focused()
    visit.page.keyboard.press("Enter")
    expect(visit.testid("chat-input")).to_be_focused()
    visit.page.keyboard.type("Hello")
    visit.page.keyboard.press("Enter")
    expect(bubble_text(visit, "user")).to_have_text("Hello")
    assert server.received[-1] == {"type": "chat", "payload": {"text": "Hello"}}


def message_send(visit: Visit, text: str) -> None:
    visit.testid("chat-input").fill(text)
    visit.testid("chat-input").press("Enter")


def chats_sent(server: ScriptedServer) -> list[str]:
    return [m["payload"]["text"] for m in server.received if m["type"] == "chat"]


def expect_idle(visit: Visit) -> None:
    """The composer is usable again and no longer says a reply is on its way."""
    expect(visit.testid("send")).to_be_enabled()
    expect(visit.testid("composer-status")).not_to_contain_text("replying")


@pytest.mark.parametrize("started", [False, True], ids=["before-reply", "mid-reply"])
@pytest.mark.parametrize("with_id", [True, False], ids=["reply-error", "refusal"])
@pytest.mark.parametrize(
    "code", ["server_error", "model_timeout", "busy", "code_from_the_future"]
)
def test_any_error_ends_the_busy_state(scripted, code, with_id, started):
    visit, server = scripted
    error = {"code": code, "message": "That went wrong.", "retryable": True}

    def fail(text: str) -> None:
        if started:
            server.send("chat_start", message_id=9)
            server.send("chat_chunk", message_id=9, text="Your bal")
        server.send("error", **error | ({"message_id": 9} if with_id else {}))

    server.on_chat = fail
    message_send(visit, "What's my balance?")

    expect_idle(visit)
    expect(visit.testid("typing-indicator")).to_have_count(0)
    if with_id:
        expect(visit.testid("message-error")).to_contain_text("That went wrong.")
        expect(visit.testid("retry")).to_be_visible()
    else:
        expect(visit.testid("notice")).to_contain_text("That went wrong.")


def test_refused_message_goes_back_into_the_box_whatever_the_code(scripted):
    visit, server = scripted
    server.on_chat = lambda text: server.send(
        "error", code="code_from_the_future", message="Not now.", retryable=True
    )
    message_send(visit, "Hello again")

    expect_idle(visit)
    expect(visit.testid("chat-input")).to_have_value("Hello again")
    expect(visit.page.locator('[data-role="user"]')).to_have_count(0)


def test_reply_still_streaming_after_an_unrelated_error_is_busy_again(scripted):
    visit, server = scripted
    server.on_chat = lambda text: server.send("chat_start", message_id=9)
    message_send(visit, "Balance?")
    server.send("error", code="unknown_mode", message="No such mode.")
    expect_idle(visit)
    server.send("chat_chunk", message_id=9, text="Your balance")

    expect(visit.testid("send")).to_be_disabled()
    server.send("chat_end", message_id=9, text="Your balance is $4,210.55.")
    expect_idle(visit)


GREETING = {"id": 1, "role": "assistant", "content": "Welcome!", "status": "complete"}
QUESTION = {"id": 2, "role": "user", "content": "What's my balance?"}


@pytest.mark.parametrize(
    ("status", "note"),
    [
        ("interrupted", "This reply was interrupted."),
        ("failed", "This reply could not be completed."),
    ],
)
def test_unfinished_last_reply_on_resume_offers_a_retry(scripted_open, status, note):
    cut = {"id": 3, "role": "assistant", "content": "Your bal", "status": status}
    visit, server = scripted_open(SESSION | {"messages": [GREETING, QUESTION, cut]})
    reply = visit.page.locator('[data-message-id="3"]')

    expect(reply.locator(".bubble-text")).to_have_text("Your bal")
    expect(reply.get_by_test_id("message-note")).to_contain_text(note)
    reply.get_by_test_id("retry").click()

    expect(visit.testid("retry")).to_have_count(0)
    assert chats_sent(server) == ["What's my balance?"]


@pytest.mark.parametrize(
    "messages",
    [
        [{"id": 1, "role": "assistant", "content": "Wel", "status": "interrupted"}],
        [
            GREETING,
            QUESTION,
            {"id": 3, "role": "assistant", "content": "Yo", "status": "interrupted"},
            {"id": 4, "role": "user", "content": "Hello?"},
            {"id": 5, "role": "assistant", "content": "Hi!", "status": "complete"},
        ],
    ],
    ids=["greeting-only", "not-last"],
)
def test_unfinished_reply_on_resume_is_marked_without_retry(scripted_open, messages):
    visit, server = scripted_open(SESSION | {"messages": messages})

    expect(visit.testid("message-note")).to_have_text("This reply was interrupted.")
    expect(visit.testid("retry")).to_have_count(0)


@pytest.mark.parametrize(
    ("finish_reason", "notes"),
    [("length", 1), ("time_limit", 1), ("stop", 0), ("content_filter", 0)],
)
def test_reply_cut_at_the_servers_cap_is_marked(scripted, finish_reason, notes):
    visit, server = scripted

    def answer(text: str) -> None:
        server.send("chat_start", message_id=7)
        server.send("chat_chunk", message_id=7, text="Your balance is")
        server.send(
            "chat_end",
            message_id=7,
            text="Your balance is",
            finish_reason=finish_reason,
        )

    server.on_chat = answer
    message_send(visit, "Balance?")

    expect_idle(visit)
    note = visit.page.locator('[data-message-id="7"]').get_by_test_id("message-note")
    expect(note).to_have_count(notes)
    if notes:
        expect(note).to_have_text("Reply cut short.")


@pytest.mark.parametrize(
    "end",
    [
        ("chat_end", {"text": "Your balance is $4,210.55."}),
        ("error", {"code": "model_error", "message": "That went wrong."}),
    ],
)
def test_transcript_is_busy_only_while_a_reply_streams(scripted, end):
    """A screen reader reads the transcript once the reply is done, not per chunk."""
    visit, server = scripted
    server.on_chat = lambda text: server.send("chat_start", message_id=5)
    transcript = visit.testid("transcript")
    expect(transcript).not_to_have_attribute("aria-busy", "true")
    message_send(visit, "Balance?")
    expect(transcript).to_have_attribute("aria-busy", "true")
    server.send("chat_chunk", message_id=5, text="Your balance ")
    expect(bubble_text(visit, "assistant")).to_have_text("Your balance ")
    expect(transcript).to_have_attribute("aria-busy", "true")
    frame_type, payload = end
    server.send(frame_type, message_id=5, **payload)
    expect(visit.testid("send")).to_be_enabled()
    assert transcript.get_attribute("aria-busy") is None


def test_a_repeated_notice_replaces_the_last_rather_than_stacking(scripted):
    visit, server = scripted
    refusals = iter(["Too many messages.", "Still too many.", "Not that mode."])
    server.on_chat = lambda text: server.send(
        "error", code="rate_limited", message=next(refusals), retry_after=3
    )
    notices = visit.page.locator("#notices [data-testid='notice']")
    for text in ("One", "Two"):
        message_send(visit, text)
        expect(notices).to_have_count(1)
    expect(notices).to_contain_text("Still too many.")
    server.send("error", code="unknown_mode", message=next(refusals))
    expect(notices).to_contain_text("Not that mode.")
    expect(notices).to_have_count(1)
    assert visit.page.locator("#notices [role='alert']").count() == 0
