"""A real Daphne under attack and being stopped: one client cannot hurt the others,
and a SIGTERM stores every reply in flight.

The abusive client speaks from 127.0.0.2 and the visitor from 127.0.0.1, as two
hosts would (the budgets are per address). Every loop here is bounded in time.
"""

import asyncio
import json
import signal
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from bench.openai_server import Behaviour, OpenAIServer
from bench.servers import DaphneServer
from chat.conversation.frames import CloseCode
from tests.deploy.clients import ChatSocket, HttpSession, db_rows, reply_text
from tests.deploy.sites import database_ready

ABUSE_SECONDS = 6.0
QUESTION = "What's my checking balance?"


@pytest.fixture
def sqlite_env(base_env: dict, tmp_path: Path) -> dict:
    env = base_env | {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    database_ready(env)
    return env


@pytest.fixture
def site(sqlite_env: dict, tmp_path: Path) -> Iterator[DaphneServer]:
    with DaphneServer(sqlite_env, tmp_path / "daphne.log") as server:
        yield server


def rss_mib(pid: int) -> float:
    """The process's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def reply_seconds(visitor: ChatSocket, count: int) -> list[float]:
    """How long each of `count` questions takes to be answered in full, asked at a
    brisk human pace (within the socket's frame budget)."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        assert await visitor.reply_end(QUESTION) == "chat_end"
        times.append(time.perf_counter() - started)
        await asyncio.sleep(0.3)
    return times


async def test_an_abusive_client_leaves_other_visitors_and_the_memory_alone(site):
    visitor = await ChatSocket.open(site.url, HttpSession(site.url).session_key())
    baseline = statistics.median(await reply_seconds(visitor, 8))
    memory_before = rss_mib(site.process.pid)

    abuser = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.deploy.abuser",
        site.url,
        str(ABUSE_SECONDS),
        stdout=asyncio.subprocess.PIPE,
    )
    await asyncio.sleep(1.0)  # the flood is under way
    under_abuse = await reply_seconds(visitor, 8)
    output, _ = await abuser.communicate()
    assert abuser.returncode == 0
    codes = {int(code) for code in json.loads(output)}
    memory_after = rss_mib(site.process.pid)

    # The server shut the abuser out with the documented codes...
    assert {CloseCode.TOO_MANY_INVALID_FRAMES, CloseCode.TOO_FAST} & codes, codes
    # ...while the visitor's replies stayed quick (3.5 s each before the gate) and
    # the server's memory stayed near where it was (+490 MiB before).
    assert statistics.median(under_abuse) < max(0.5, 20 * baseline), under_abuse
    assert memory_after - memory_before < 60, (memory_before, memory_after)
    assert await visitor.reply_end(QUESTION) == "chat_end"
    await visitor.close()


@pytest.fixture
def slow_model() -> Iterator[OpenAIServer]:
    reply = " ".join(f"word{n}" for n in range(400))
    with OpenAIServer(behaviour=Behaviour(reply=reply, chunk_delay=0.05)) as server:
        yield server


async def frames_until_closed(visitor: ChatSocket, frames: list[dict]) -> int | None:
    """Read on until the server closes the socket; its close code."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            frames.append(await visitor.receive())
    return closed.value.rcvd.code if closed.value.rcvd else None


def replies_stored(env: dict) -> list[tuple[str, str]]:
    return db_rows(
        env["DATABASE_URL"],
        "SELECT status, content FROM chat_message WHERE role = 'assistant' "
        "AND backend = 'openai' ORDER BY id",
    )


async def test_sigterm_stores_every_reply_in_flight_and_resumes_them(
    sqlite_env: dict, slow_model: OpenAIServer, tmp_path: Path
):
    env = sqlite_env | {
        "OPENAI_BASE_URL": slow_model.base_url,
        "OPENAI_API_KEY": "test-key",
        "OPENAI_MODEL": slow_model.model,
    }
    server = DaphneServer(env, tmp_path / "daphne.log").start()
    keys = [HttpSession(server.url).session_key() for _ in range(3)]
    visitors = [await ChatSocket.open(server.url, key) for key in keys]
    for visitor in visitors:
        await visitor.send("chat", text="Tell me everything")
    seen = [await visitor.frames_until("chat_chunk") for visitor in visitors]

    server.process.send_signal(signal.SIGTERM)
    closes = await asyncio.gather(
        *(
            frames_until_closed(visitor, frames)
            for visitor, frames in zip(visitors, seen, strict=True)
        )
    )
    assert server.process.wait(timeout=20) == 0
    assert closes == [CloseCode.SERVER_RESTARTING] * 3

    stored = replies_stored(env)
    assert [status for status, _ in stored] == ["interrupted"] * 3
    for (_, content), frames in zip(stored, seen, strict=True):
        assert content == reply_text(frames) and content.startswith("word0")

    with DaphneServer(env, tmp_path / "daphne-again.log") as again:
        resumed = await ChatSocket.open(again.url, keys[0])
        last = resumed.session["messages"][-1]
        assert (last["status"], last["content"]) == ("interrupted", stored[0][1])
        await resumed.close()
