"""Replies that break off: the model server dying, a visitor leaving mid-reply.

Daphne on PostgreSQL and Redis asks the local OpenAI-compatible server, which streams
slowly; each test counts what the visitors were sent against what was stored.
"""

import asyncio
from collections.abc import Iterator

import pytest

from bench.openai_server import Behaviour, OpenAIServer
from bench.servers import DaphneServer, PostgresServer, RedisServer
from tests.deploy.clients import ChatSocket, HttpSession, db_rows, reply_text
from tests.deploy.sites import database_ready, log_since

VISITORS = 4
LONG_REPLY = " ".join(f"word{n}" for n in range(60))
SLOW = Behaviour(reply=LONG_REPLY, chunk_delay=0.1)
BACK = Behaviour(reply="I am back.")


class Model:
    """The local model server, which a test may stop and restart on the same port."""

    def __init__(self) -> None:
        self.server = OpenAIServer(behaviour=SLOW).start()

    def restart(self, behaviour: Behaviour) -> None:
        self.server = OpenAIServer(port=self.server.port, behaviour=behaviour).start()


@pytest.fixture(scope="module")
def model() -> Iterator[Model]:
    model = Model()
    yield model
    model.server.stop()


@pytest.fixture(scope="module")
def site(postgres: PostgresServer, base_env: dict, model: Model, tmp_path_factory):
    with RedisServer() as redis:
        env = base_env | {
            "DATABASE_URL": postgres.database_create("streaming_faults"),
            "REDIS_URL": redis.url,
            "OPENAI_BASE_URL": model.server.base_url,
            "OPENAI_API_KEY": "test-key",
            "OPENAI_MODEL": model.server.model,
            "OPENAI_MAX_RETRIES": "1",
            "OPENAI_FIRST_TOKEN_TIMEOUT": "5",
        }
        database_ready(env)
        log = tmp_path_factory.mktemp("streaming_faults") / "daphne.log"
        with DaphneServer(env, log) as server:
            yield server


async def visitor_open(site: DaphneServer) -> ChatSocket:
    return await ChatSocket.open(site.url, HttpSession(site.url).session_key())


async def frames_until_chunks(visitor: ChatSocket, count: int) -> list[dict]:
    """Frames of a streaming reply, up to its `count`th chunk."""
    frames: list[dict] = []
    while sum(frame["type"] == "chat_chunk" for frame in frames) < count:
        frames.append(await visitor.receive())
    return frames


def stored(site: DaphneServer, visitor: ChatSocket) -> list[tuple]:
    """(role, status, content) of each message of the visitor's conversation."""
    return db_rows(
        site.env["DATABASE_URL"],
        "SELECT role, status, content FROM chat_message "
        "WHERE conversation_id = %s ORDER BY id",
        visitor.session["conversation_id"],
    )


async def reply_finished(site: DaphneServer, message_id: int) -> tuple[str, str]:
    """(status, content) of a reply once it is no longer streaming."""
    sql = "SELECT status, content FROM chat_message WHERE id = %s"
    for _ in range(100):
        [(status, content)] = db_rows(site.env["DATABASE_URL"], sql, message_id)
        if status != "streaming":
            break
        await asyncio.sleep(0.05)
    return status, content


async def test_model_server_dying_mid_reply_loses_no_message(site, model):
    visitors = [await visitor_open(site) for _ in range(VISITORS)]
    for number, visitor in enumerate(visitors):
        await visitor.send("chat", text=f"Question {number}")
    frames = [await frames_until_chunks(visitor, 2) for visitor in visitors]

    model.server.stop()
    for sent, visitor in zip(frames, visitors, strict=True):
        sent += await visitor.frames_until("chat_end", "error")
    model.restart(BACK)

    for number, (sent, visitor) in enumerate(zip(frames, visitors, strict=True)):
        error = sent[-1]["payload"]
        assert error["code"].startswith("model_")
        assert error["message_id"] == sent[0]["payload"]["message_id"]
        question, reply = stored(site, visitor)
        assert question == ("user", "complete", f"Question {number}")
        assert reply[0] == "assistant" and reply[1] in ("failed", "interrupted")
        assert reply[2] == reply_text(sent)
    for visitor in visitors:
        assert reply_text(await visitor.say("Are you back?")) == "I am back."
        assert stored(site, visitor)[-1] == ("assistant", "complete", "I am back.")
        await visitor.close()


@pytest.mark.parametrize("leave", ["close", "drop"])
async def test_visitor_leaving_mid_reply_stores_it_as_interrupted(site, model, leave):
    model.server.behaviour = SLOW
    visitor = await visitor_open(site)
    log_start = site.log.stat().st_size
    await visitor.send("chat", text="Tell me everything")
    frames = await frames_until_chunks(visitor, 3)

    await visitor.close() if leave == "close" else visitor.drop()
    status, content = await reply_finished(site, frames[0]["payload"]["message_id"])

    assert status == "interrupted"
    assert content.startswith(reply_text(frames)) and content != LONG_REPLY
    log = log_since(site.log, log_start)
    assert "Traceback" not in log and "Exception" not in log, log
