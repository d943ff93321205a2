"""What the deploy tests talk to real servers with: HTTP, the chat socket, the database.

Nothing here uses Django's test database: the servers run in their own processes,
so the tests see only what a browser (or a look into the database) would see.
"""

import asyncio
import contextlib
import html.parser
import http.cookiejar
import json
import sqlite3
import urllib.parse
import urllib.request
from typing import Self

import psycopg
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

STAFF_USERNAME = "staff"
STAFF_PASSWORD = "deploy-tests-only-Pa55"
SOCKET_TIMEOUT = 15.0


class HttpSession:
    """A browser-like HTTP client for one server: cookies kept, redirects followed."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.cookies),
        )

    def get(self, path: str) -> tuple[str, str]:
        """The final URL and body of GET `path`."""
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return response.url, response.read().decode()

    def post(self, path: str, fields: list[tuple[str, str]]) -> tuple[str, str]:
        """The final URL and body of a form POST to `path` (redirects followed)."""
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base_url + path, data, timeout=30) as response:
            return response.url, response.read().decode()

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.cookies if c.name == name)

    def session_key(self) -> str:
        """A visitor's session, as the chat page hands it out."""
        self.get("/")
        return self.cookie("sessionid")


class FormFields(html.parser.HTMLParser):
    """The fields a browser would submit from the form with the id `form_id`."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.textarea: str | None = None
        self.text = ""
        self.select: list | None = None  # [name, first option, selected option]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = attr.get("id") == self.form_id
        elif self.inside and tag in ("input", "textarea", "select", "option"):
            getattr(self, f"start_{tag}")(attr)

    def start_input(self, attr: dict) -> None:
        kind = attr.get("type", "text")
        if kind in ("submit", "button", "file", "image", "reset") or not attr.get(
            "name"
        ):
            return
        if kind in ("checkbox", "radio") and "checked" not in attr:
            return
        self.fields.append((attr["name"], attr.get("value", "on")))

    def start_textarea(self, attr: dict) -> None:
        self.textarea, self.text = attr["name"], ""

    def start_select(self, attr: dict) -> None:
        self.select = [attr["name"], None, None]

    def start_option(self, attr: dict) -> None:
        if self.select is not None:
            self.select[1] = self.select[1] or attr.get("value", "")
            if "selected" in attr:
                self.select[2] = attr.get("value", "")

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # Browsers drop the newline that follows <textarea>.
            text = self.text[1:] if self.text.startswith("\n") else self.text
            self.fields.append((self.textarea, text))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            name, first, selected = self.select
            self.fields.append(
                (name, selected if selected is not None else first or "")
            )
            self.select = None


def form_fields(page: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(page)
    return parser.fields


def staff_login(base_url: str) -> HttpSession:
    """An HTTP session logged in to the admin as the staff user."""
    staff = HttpSession(base_url)
    _, page = staff.get("/admin/login/")
    fields = dict(form_fields(page, "login-form"))
    fields |= {"username": STAFF_USERNAME, "password": STAFF_PASSWORD}
    url, _ = staff.post("/admin/login/?next=/admin/", list(fields.items()))
    assert url.endswith("/admin/"), f"login failed, ended at {url}"
    return staff


def mode_admin_save(staff: HttpSession, mode_pk: int, **changes: str) -> str:
    """Post the mode's change form with `changes`; the URL the admin ends on."""
    path = f"/admin/chat/mode/{mode_pk}/change/"
    _, page = staff.get(path)
    fields = [(k, v) for k, v in form_fields(page, "mode_form") if k not in changes]
    url, _ = staff.post(path, [*fields, *changes.items(), ("_save", "Save")])
    return url


class ChatSocket:
    """One visitor's chat socket; `session` is the payload of its `session` frame."""

    def __init__(self, connection: ClientConnection, session: dict) -> None:
        self.connection = connection
        self.session = session

    @classmethod
    async def open(cls, base_url: str, session_key: str) -> Self:
        connection = await connect(
            base_url.replace("http", "ws", 1) + "/ws/chat/",
            origin=Origin(base_url),
            additional_headers={"Cookie": f"sessionid={session_key}"},
            proxy=None,
            open_timeout=SOCKET_TIMEOUT,
        )
        socket = cls(connection, {})
        socket.session = (await socket.receive())["payload"]
        return socket

    async def send(self, frame_type: str, **payload: str) -> None:
        await self.connection.send(json.dumps({"type": frame_type, "payload": payload}))

    async def receive(self, timeout: float = SOCKET_TIMEOUT) -> dict:
        return json.loads(await asyncio.wait_for(self.connection.recv(), timeout))

    async def frames_until(self, *types: str, timeout: float = SOCKET_TIMEOUT) -> list:
        """Every frame up to and including the first of one of `types`."""
        frames = [await self.receive(timeout)]
        while frames[-1]["type"] not in types:
            frames.append(await self.receive(timeout))
        return frames

    async def say(self, text: str) -> list[dict]:
        """Send a chat message; the frames of its reply, to chat_end or error."""
        await self.send("chat", text=text)
        return await self.frames_until("chat_end", "error")

    async def reply_end(self, text: str) -> str:
        """Send a chat message; how its reply ended: `chat_end` or `error`."""
        return (await self.say(text))[-1]["type"]

    def drop(self) -> None:
        """Lose the connection abruptly, as a network failure would (no close frame)."""
        self.connection.transport.abort()

    async def close(self) -> None:
        await self.connection.close()


def reply_text(frames: list[dict]) -> str:
    """The reply text the page would show: its chunks joined."""
    return "".join(f["payload"]["text"] for f in frames if f["type"] == "chat_chunk")


def db_rows(database_url: str, sql: str, *params: object) -> list[tuple]:
    """Rows of a query on a server's database (PostgreSQL or a SQLite file).

    `sql` uses %s placeholders, as psycopg does.
    """
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()
    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(sql, params).fetchall()


def mode_pk(database_url: str, slug: str) -> int:
    sql = "SELECT id FROM chat_mode WHERE slug = %s"
    return db_rows(database_url, sql, slug)[0][0]
