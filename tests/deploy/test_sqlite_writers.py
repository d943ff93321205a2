"""The default set-up (one Daphne on a SQLite file) under many writers at once.

Every visitor's message and every reply is a write. One Daphne process runs its
queries one at a time, so the file also gets a second writer, as a management command
or a second process would be. With WAL, IMMEDIATE transactions and a busy timeout
(demo_site/settings.py), no "database is locked" may reach a visitor.
"""

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest

from bench.servers import DaphneServer
from tests.deploy.clients import ChatSocket, HttpSession, db_rows
from tests.deploy.sites import database_ready, log_since

VISITORS = 30
MESSAGES_EACH = 4
# The other writer holds the write lock this long, then lets go four times as long.
LOCK_HELD_SECONDS = 0.005


@pytest.fixture(scope="module")
def site(base_env: dict, tmp_path_factory) -> Iterator[DaphneServer]:
    folder = tmp_path_factory.mktemp("sqlite_writers")
    env = base_env | {"DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
    database_ready(env)
    with DaphneServer(env, folder / "daphne.log") as server:
        yield server


@contextlib.contextmanager
def other_writer(database_url: str) -> Iterator[None]:
    """Another connection writing to the same file in a loop, until the block ends."""
    stop = threading.Event()
    path = database_url.removeprefix("sqlite:///")

    def write() -> None:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
            connection.isolation_level = None  # explicit transactions below
            connection.execute("CREATE TABLE IF NOT EXISTS other_writer (at REAL)")
            while not stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("INSERT INTO other_writer VALUES (?)", [time.time()])
                time.sleep(LOCK_HELD_SECONDS)
                connection.execute("COMMIT")
                time.sleep(LOCK_HELD_SECONDS * 4)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


async def visitor_chat(site: DaphneServer) -> list[str]:
    """A new visitor asks MESSAGES_EACH questions; how each reply ended."""
    key = await asyncio.to_thread(HttpSession(site.url).session_key)
    visitor = await ChatSocket.open(site.url, key)
    ends = [await visitor.reply_end(f"Question {n}") for n in range(MESSAGES_EACH)]
    await visitor.close()
    return ends


def stored_counts(site: DaphneServer) -> list[tuple]:
    return db_rows(
        site.env["DATABASE_URL"],
        "SELECT role, status, COUNT(*) FROM chat_message "
        "GROUP BY role, status ORDER BY role, status",
    )


async def test_sqlite_takes_many_visitors_chatting_at_once(site):
    with other_writer(site.env["DATABASE_URL"]):
        ends = await asyncio.gather(*(visitor_chat(site) for _ in range(VISITORS)))

    assert ends == [["chat_end"] * MESSAGES_EACH] * VISITORS
    assert stored_counts(site) == [
        ("assistant", "complete", VISITORS * MESSAGES_EACH),
        ("user", "complete", VISITORS * MESSAGES_EACH),
    ]
    assert "database is locked" not in log_since(site.log, 0)
