"""The site served for real by Daphne, and Chromium driven by Playwright.

One server (and its SQLite file) is shared by the whole e2e run; each test gets a fresh
browser context, so a fresh session and customer. Static files are collected and served
by WhiteNoise with DEBUG off, as in production. No OPENAI_* variable reaches the server,
so the offline model answers.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from bench.servers import DaphneServer
from tests.e2e.scripted import SESSION, ScriptedServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-output" / "screenshots"


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


@pytest.fixture(scope="session")
def site_env(tmp_path_factory) -> dict[str, str]:
    """Environment for a production-like server: migrated SQLite, collected static."""
    base = tmp_path_factory.mktemp("e2e")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "DJANGO_", "DATABASE_", "REDIS_"))
        and key not in {"DEBUG", "STATIC_ROOT"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{base / 'db.sqlite3'}",
        "STATIC_ROOT": str(base / "static"),
        "PYTHONUNBUFFERED": "1",
        # Every browser test is a new visit from 127.0.0.1: the whole run's, not one
        # visitor's, so the per-address budgets are sized for the run.
        "CHAT_ADDRESS_SESSIONS_PER_WINDOW": "100000",
        "CHAT_ADDRESS_CONNECTIONS_PER_WINDOW": "100000",
        "CHAT_ADDRESS_CONVERSATIONS_PER_WINDOW": "100000",
    }
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    return env


@pytest.fixture
def site_factory(site_env, tmp_path_factory):
    """Start extra servers on the shared database (stopped after the test)."""
    sites = []

    def start() -> DaphneServer:
        site = DaphneServer(site_env, tmp_path_factory.getbasetemp() / "daphne.log")
        site.start()
        sites.append(site)
        return site

    yield start
    for site in sites:
        site.stop()


@pytest.fixture(scope="session")
def site(site_env, tmp_path_factory):
    """The server most tests share."""
    server = DaphneServer(site_env, tmp_path_factory.getbasetemp() / "daphne.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"the browser tests need Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser):
    """A fresh browser context: a new visitor with no cookies."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


class Visit:
    """A page on the site plus every frame the server sent it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.frames: list[dict] = []
        self.dialogs: list[str] = []
        # What the page logged as an error or threw, CSP refusals included.
        self.console_errors: list[str] = []
        page.on("websocket", self._socket_watch)
        page.on("dialog", self._dialog_seen)
        page.on("console", self._console_seen)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _socket_watch(self, socket) -> None:
        socket.on("framereceived", lambda data: self.frames.append(json.loads(data)))

    def _console_seen(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _dialog_seen(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def count(self, *frame_types: str) -> int:
        return sum(f["type"] in frame_types for f in self.frames)

    def last(self, frame_type: str) -> dict:
        """The payload of the latest frame of this type."""
        return [f for f in self.frames if f["type"] == frame_type][-1]["payload"]

    def frames_wait(self, frame_types: tuple[str, ...], more_than: int) -> None:
        """Let the page run until more than `more_than` such frames have arrived."""
        deadline = time.monotonic() + 10
        while self.count(*frame_types) <= more_than:
            assert time.monotonic() < deadline, f"no {frame_types} frame arrived"
            self.page.wait_for_timeout(25)

    def testid(self, name: str):
        return self.page.get_by_test_id(name)

    def ready(self) -> "Visit":
        """Wait for the `session` frame to be drawn and the page to be idle."""
        expect(self.testid("connection-status")).to_have_text("Connected")
        return self.idle()

    def idle(self) -> "Visit":
        """Wait until no reply is streaming (the send button is usable again)."""
        expect(self.testid("send")).to_be_enabled()
        return self

    def say(self, text: str) -> "Visit":
        """Type a message, press Enter, and wait for the whole reply."""
        ends = self.count("chat_end", "error")
        self.testid("chat-input").fill(text)
        self.testid("chat-input").press("Enter")
        self.frames_wait(("chat_end", "error"), ends)
        return self.idle()

    def act(self, action) -> "Visit":
        """Do something that starts a new conversation; wait for its greeting."""
        switches, ends = self.count("mode_switch"), self.count("chat_end")
        action()
        self.frames_wait(("mode_switch",), switches)
        self.frames_wait(("chat_end",), ends)
        return self.idle()

    def switch(self, slug: str) -> "Visit":
        """Pick a mode in the picker."""
        return self.act(lambda: self.testid("mode-picker").select_option(slug))


@pytest.fixture
def visit_open(context: BrowserContext, site: DaphneServer):
    """Open the page (optionally with a query) in this test's context."""

    def open_(query: str = "", *, ctx: BrowserContext | None = None) -> Visit:
        visit = Visit((ctx or context).new_page())
        visit.page.goto(site.url + query)
        return visit.ready()

    return open_


@pytest.fixture
def scripted_open(context, site):
    """Open the page on a scripted socket whose `session` frame carries `session`;
    afterwards, the page must have logged no error (a CSP refusal is one)."""
    visits = []

    def open_(session: dict = SESSION) -> tuple[Visit, ScriptedServer]:
        server = ScriptedServer(session)
        page = context.new_page()
        page.route_web_socket("**/ws/chat/", server.accept)
        visit = Visit(page)
        visits.append(visit)
        page.goto(site.url)
        visit.ready()
        return visit, server

    yield open_
    assert [error for visit in visits for error in visit.console_errors] == []
