"""How the page draws frames the offline model rarely sends: a scripted socket stands in
for the server, so streaming, model errors and refusals happen exactly when told."""

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit

MODE = {
    "slug": "banking",
    "name": "Banking",
    "company_name": "Meridian Trust Bank",
    "tagline": "Banking that knows you",
    "persona_kind": "banking",
    "theme": {
        "primary": "#0b3d6e",
        "secondary": "#c9a227",
        "background": "#f4f6f9",
        "surface": "#ffffff",
        "text": "#1b2430",
    },
}
PERSONA = {
    "name": "Jordan Ellis",
    "member_since": "2019-03-04",
    "checking_balance": 4210.55,
    "savings_balance": 12000.0,
    "account_number_last4": "4821",
    "credit_score": 742,
    "credit_limit": 8000.0,
    "recent_transactions": [],
}
SESSION = {
    "mode": MODE,
    "persona": PERSONA,
    "modes": [{"slug": "banking", "name": "Banking"}],
    "conversation_id": 1,
    "messages": [],
    "llm": {"backend": "openai", "model": "gpt-4o-mini"},
}


def frame(frame_type: str, **payload) -> str:
    return json.dumps({"type": frame_type, "payload": payload})


class ScriptedServer:
    """Answers the page's socket: `session` on connect, then what the test sends."""

    def __init__(self) -> None:
        self.route = None
        self.received: list[dict] = []
        self.on_chat = lambda text: None

    def accept(self, route) -> None:
        self.route = route
        route.on_message(self._receive)
        route.send(frame("session", **SESSION))

    def _receive(self, data) -> None:
        message = json.loads(data)
        self.received.append(message)
        if message["type"] == "chat":
            self.on_chat(message["payload"]["text"])

    def send(self, frame_type: str, **payload) -> None:
        self.route.send(frame(frame_type, **payload))


@pytest.fixture
def scripted(context, site):
    """The page, talking to a scripted socket instead of the consumer."""
    server = ScriptedServer()
    page = context.new_page()
    page.route_web_socket("**/ws/chat/", server.accept)
    visit = Visit(page)
    page.goto(site.url)
    visit.ready()
    return visit, server


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
