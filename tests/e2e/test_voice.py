"""Voice: the visitor speaks and hears replies, through the browser's Web Speech API.

An init script (fake_speech.js) stands in for recognition and synthesis, so each test
says what was heard and when an utterance starts; the server and the page are real.
"""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import SCREENSHOTS, Visit, manage
from tests.e2e.scripted import SESSION, ScriptedServer

FAKE_SPEECH = (Path(__file__).parent / "fake_speech.js").read_text()
NO_SPEECH = """
delete window.SpeechRecognition;
delete window.webkitSpeechRecognition;
delete window.SpeechSynthesisUtterance;
Object.defineProperty(window, "speechSynthesis", { value: undefined });
"""
SET_BANKING_LOCALE = (
    "from chat.models import Mode; "
    "Mode.objects.filter(slug='banking').update(faker_locale='{}')"
)
US_VOICE = "Fake English (US)"


def speech_fake(context: BrowserContext, **options) -> None:
    """Every page of the context gets the fake speech API, set up with `options`."""
    script = f"window.speechFakeOptions = {json.dumps(options)};\n{FAKE_SPEECH}"
    context.add_init_script(script)


@pytest.fixture
def speech(context):
    """A browser whose recognition runs off the device (it has no `available()`)."""
    speech_fake(context)


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text.strip())


def spoken(visit: Visit) -> list[dict]:
    """What the page gave speechSynthesis: each utterance's text, lang and voice."""
    return visit.page.evaluate("speechFake.spoken()")


def hear(visit: Visit, words: str, *, final: bool) -> None:
    visit.page.evaluate(
        "([words, final]) => speechFake.listener().hear(words, final)", [words, final]
    )


def clean(visit: Visit) -> None:
    """Nothing the page did was refused by its CSP or threw."""
    assert visit.page.evaluate("speechFake.violations") == []
    assert visit.console_errors == []


def test_spoken_trigger_phrase_turns_the_page_into_a_bank(speech, visit_open):
    visit = visit_open("?seed=41").switch("insurance")
    mic = visit.testid("voice-mic")
    mic.click()
    expect(mic).to_have_attribute("aria-pressed", "true")
    expect(visit.testid("voice-status")).to_have_text("Listening… say your message.")
    assert visit.page.evaluate("speechFake.listener().lang") == "en-US"
    assert visit.page.evaluate("speechFake.listener().interimResults") is True

    hear(visit, "Presto-Change-O, you're", final=False)
    expect(visit.testid("chat-input")).to_have_value("Presto-Change-O, you're")
    switches, ends = visit.count("mode_switch"), visit.count("chat_end")
    hear(visit, "Presto-Change-O, you're a bank", final=True)
    visit.frames_wait(("mode_switch",), switches)
    visit.frames_wait(("chat_end",), ends)

    expect(visit.testid("company-name")).to_have_text("Meridian Trust Bank")
    assert visit.last("mode_switch")["mode"]["slug"] == "banking"
    expect(mic).to_have_attribute("aria-pressed", "false")
    expect(visit.testid("chat-input")).to_have_value("")
    expect(visit.testid("voice-status")).to_have_text("")
    assert spoken(visit) == []
    clean(visit)


def test_spoken_words_follow_what_was_typed_and_send_as_a_chat(speech, visit_open):
    visit = visit_open()
    visit.testid("chat-input").fill("Hello,")
    visit.testid("voice-mic").click()
    ends = visit.count("chat_end")
    hear(visit, "what's my checking balance?", final=True)
    visit.frames_wait(("chat_end",), ends)
    mine = visit.page.locator('[data-role="user"] .bubble-text').last
    expect(mine).to_have_text("Hello, what's my checking balance?")
    assert "checking balance" in visit.last("chat_end")["text"]
    clean(visit)


def test_greeting_is_read_aloud_in_the_modes_language(speech, visit_open):
    visit = visit_open()
    speaker = visit.testid("voice-speaker")
    expect(speaker).to_have_attribute("aria-pressed", "false")
    visit.switch("insurance")
    assert spoken(visit) == []  # nothing is read before the visitor asks

    speaker.click()
    expect(speaker).to_have_attribute("aria-pressed", "true")
    visit.switch("banking")
    greeting = visit.last("chat_end")["text"]
    assert len(sentences(greeting)) == 3
    assert spoken(visit) == [
        {"text": sentence, "lang": "en-US", "voice": US_VOICE}
        for sentence in sentences(greeting)
    ]
    clean(visit)


@pytest.fixture
def german_bank(site_env):
    """The banking mode with de_DE customers, for this test only."""
    manage(site_env, "shell", "-c", SET_BANKING_LOCALE.format("de_DE"))
    yield
    manage(site_env, "shell", "-c", SET_BANKING_LOCALE.format("en_US"))


def test_a_german_mode_listens_and_reads_in_german(speech, german_bank, visit_open):
    visit = visit_open().switch("insurance")
    visit.testid("voice-speaker").click()
    visit.switch("banking")
    assert {(u["lang"], u["voice"]) for u in spoken(visit)} == {
        ("de-DE", "Fake Deutsch")
    }
    visit.testid("voice-mic").click()
    assert visit.page.evaluate("speechFake.listener().lang") == "de-DE"
    clean(visit)


def test_speaking_or_sending_stops_the_reading(speech, visit_open):
    visit = visit_open()
    visit.testid("voice-speaker").click()
    visit.switch("insurance")
    visit.page.evaluate("speechFake.start(0)")
    assert visit.page.evaluate("speechSynthesis.speaking") is True

    visit.testid("voice-mic").click()
    assert visit.page.evaluate("speechFake.cancels") == 1
    assert (
        visit.page.evaluate("speechSynthesis.speaking || speechSynthesis.pending")
        is False
    )
    visit.testid("voice-mic").click()  # stops listening, heard nothing
    expect(visit.testid("voice-mic")).to_have_attribute("aria-pressed", "false")

    visit.say("Hello")
    read = len(spoken(visit))
    assert spoken(visit)[-1]["text"] == sentences(visit.last("chat_end")["text"])[-1]
    visit.page.evaluate(f"speechFake.start({read - 1})")
    visit.say("Thanks")
    assert visit.page.evaluate("speechFake.cancels") == 2
    clean(visit)


def test_mute_is_remembered_and_the_toggles_work_by_keyboard(speech, visit_open):
    visit = visit_open()
    speaker = visit.testid("voice-speaker")
    speaker.focus()
    visit.page.keyboard.press("Enter")
    expect(speaker).to_have_attribute("aria-pressed", "true")
    visit.page.reload()
    visit.ready()
    expect(speaker).to_have_attribute("aria-pressed", "true")

    speaker.focus()
    visit.page.keyboard.press("Space")
    expect(speaker).to_have_attribute("aria-pressed", "false")
    visit.page.reload()
    visit.ready()
    expect(speaker).to_have_attribute("aria-pressed", "false")
    visit.switch("insurance")
    assert spoken(visit) == []
    expect(speaker).to_have_attribute("aria-label", "Read replies aloud")
    expect(visit.testid("voice-mic")).to_have_attribute(
        "aria-label", "Speak your message"
    )
    clean(visit)


def test_the_toggles_are_absent_without_the_speech_api(context, visit_open):
    context.add_init_script(NO_SPEECH)
    visit = visit_open()
    expect(visit.testid("voice-mic")).to_be_hidden()
    expect(visit.testid("voice-speaker")).to_be_hidden()
    expect(visit.page.locator("#voice-controls")).to_be_hidden()
    visit.say("Hello")
    expect(visit.testid("send")).to_be_visible()
    assert visit.console_errors == []


def test_off_device_recognition_is_said_once(speech, visit_open):
    visit = visit_open()
    notice = visit.testid("voice-notice")
    expect(notice).to_be_hidden()
    visit.testid("voice-mic").click()
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("sent to them")
    assert visit.page.evaluate("speechFake.listener().processLocally") is False
    visit.testid("voice-notice-close").click()
    expect(notice).to_be_hidden()

    visit.page.reload()
    visit.ready()
    visit.testid("voice-mic").click()
    expect(visit.testid("voice-mic")).to_have_attribute("aria-pressed", "true")
    expect(notice).to_be_hidden()
    clean(visit)


def test_on_device_recognition_is_preferred_and_needs_no_notice(context, visit_open):
    speech_fake(context, onDevice="available")
    visit = visit_open()
    visit.testid("voice-mic").click()
    assert visit.page.evaluate("speechFake.listener().processLocally") is True
    expect(visit.testid("voice-notice")).to_be_hidden()
    clean(visit)


@pytest.fixture
def scripted(speech, context, site):
    """The page on a scripted socket (tests/e2e/scripted.py), with the fake speech."""
    server = ScriptedServer(SESSION)
    page = context.new_page()
    page.route_web_socket("**/ws/chat/", server.accept)
    visit = Visit(page)
    page.goto(site.url)
    return visit.ready(), server


def test_only_the_first_sentences_of_a_long_reply_are_read(scripted):
    visit, server = scripted
    visit.testid("voice-speaker").click()
    reply = (
        "Your balance is $4,210.55. Your savings hold $12,000.00. "
        "Your last payment cleared on Monday. Your card renews in May. Anything else?"
    )
    server.send("chat_start", message_id=5)
    server.send("chat_end", message_id=5, text=reply)
    expect(visit.page.locator('[data-status="complete"]')).to_have_count(1)
    assert [u["text"] for u in spoken(visit)] == sentences(reply)[:3]
    long_reply = f"{'Very ' * 40}long. {'Even ' * 20}longer. A third. A fourth."
    server.send("chat_start", message_id=6)
    server.send("chat_end", message_id=6, text=long_reply)
    expect(visit.page.locator('[data-status="complete"]')).to_have_count(2)
    assert [u["text"] for u in spoken(visit)][3:] == sentences(long_reply)[:2]
    clean(visit)


def test_voice_controls_look_right(context, visit_open):
    speech_fake(context)
    visit = visit_open()
    visit.testid("voice-speaker").click()
    visit.testid("voice-mic").click()
    hear(visit, "Presto-Change-O, you're an insurer", final=False)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.locator(".chat").screenshot(
        path=SCREENSHOTS / "voice.png", animations="disabled"
    )
    expect(visit.testid("voice-notice")).to_be_visible()
    clean(visit)


CHART = {
    "dataset": "spending_by_category",
    "chart_type": "bar",
    "title": "Spending by category",
    "unit": "USD",
    "series": [{"name": "Spent", "points": [{"label": "Fuel", "value": 52.75}]}],
}


def chart_reply(server, text: str) -> None:
    """A reply whose chart arrives after its text, as the offline model sends one."""
    server.send("chat_start", message_id=5)
    server.send("chat_chunk", message_id=5, text=text)
    server.send(
        "tool_result",
        message_id=5,
        call_id="offline-1",
        tool="show_chart",
        result=CHART,
    )
    server.send("chat_end", message_id=5, text=text)


def test_a_chart_appears_as_its_sentence_is_spoken(scripted):
    visit, server = scripted
    visit.testid("voice-speaker").click()
    chart_reply(server, "Your spending is below. Here is a chart of it.")
    expect(visit.page.locator('[data-status="complete"]')).to_have_count(1)
    charts = visit.testid("assistant-panel").get_by_test_id("chart")
    assert [u["text"] for u in spoken(visit)] == [
        "Your spending is below.",
        "Here is a chart of it.",
    ]
    expect(charts).to_have_count(0)

    visit.page.evaluate("speechFake.start(0)")  # the first sentence: not yet
    expect(charts).to_have_count(0)
    visit.page.evaluate("speechFake.start(1)")  # the sentence that introduces it
    expect(charts).to_have_count(1)
    clean(visit)


def test_a_held_chart_is_drawn_when_the_reading_stops(scripted):
    visit, server = scripted
    visit.testid("voice-speaker").click()
    chart_reply(server, "Here is a chart of your spending.")
    charts = visit.testid("assistant-panel").get_by_test_id("chart")
    expect(visit.page.locator('[data-status="complete"]')).to_have_count(1)
    expect(charts).to_have_count(0)

    visit.testid("voice-speaker").click()  # muted mid-reply: nothing stays held
    expect(charts).to_have_count(1)
    clean(visit)


def test_with_the_speaker_off_a_chart_is_drawn_at_once(scripted):
    visit, server = scripted
    chart_reply(server, "Here is a chart of your spending.")
    expect(visit.testid("assistant-panel").get_by_test_id("chart")).to_have_count(1)
    assert spoken(visit) == []
    clean(visit)
