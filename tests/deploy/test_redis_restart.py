"""Redis restarting under two Daphne processes: chats go on, live updates come back."""

import itertools
import time
from collections.abc import Iterator

import pytest

from bench.servers import (
    DaphneServer,
    PostgresServer,
    RedisServer,
    daphnes_running,
)
from tests.deploy.clients import (
    ChatSocket,
    HttpSession,
    mode_admin_save,
    mode_pk,
    staff_login,
)
from tests.deploy.sites import database_ready, log_since

REJOIN_SECONDS = 0.5
UPDATES_BACK_WITHIN = 20.0


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def env(postgres: PostgresServer, redis: RedisServer, base_env: dict) -> dict:
    env = base_env | {
        "DATABASE_URL": postgres.database_create("redis_restart"),
        "REDIS_URL": redis.url,
        "CHAT_GROUP_REJOIN_SECONDS": str(REJOIN_SECONDS),
    }
    database_ready(env, staff=True)
    return env


@pytest.fixture(scope="module")
def servers(env, tmp_path_factory) -> Iterator[tuple[DaphneServer, DaphneServer]]:
    log = tmp_path_factory.mktemp("redis_restart") / "daphne.log"
    with daphnes_running(env, log, 2) as (a, b):
        yield a, b


async def visitor_open(server: DaphneServer) -> ChatSocket:
    return await ChatSocket.open(server.url, HttpSession(server.url).session_key())


async def update_heard(visitors: list[ChatSocket], company: str) -> bool:
    """Whether every visitor hears, within a second, that the mode is now `company`."""
    try:
        for visitor in visitors:
            frame = await visitor.receive(timeout=1.0)
            while frame["payload"]["mode"]["company_name"] != company:
                frame = await visitor.receive(timeout=1.0)
    except TimeoutError:
        return False
    return True


async def updates_resume(staff: HttpSession, mode: int, visitors: list) -> bool:
    """Save the mode again and again until every visitor hears of it, or time is up."""
    deadline = time.monotonic() + UPDATES_BACK_WITHIN
    for attempt in itertools.count(1):
        company = f"Meridian Trust {attempt}"
        mode_admin_save(staff, mode, company_name=company)
        if await update_heard(visitors, company):
            return True
        if time.monotonic() > deadline:
            return False


async def test_redis_restart_keeps_sockets_chatting_and_updates_resume(
    env, redis, servers
):
    a, b = servers
    banking = mode_pk(env["DATABASE_URL"], "banking")
    staff = staff_login(a.url)
    visitors = [await visitor_open(a), await visitor_open(b)]
    log_start = a.log.stat().st_size  # both servers write to this log

    redis.stop()
    ends = [await v.reply_end("What's my checking balance?") for v in visitors]
    saved = mode_admin_save(staff, banking, company_name="Saved while Redis was down")
    redis.start()

    assert ends == ["chat_end", "chat_end"]
    assert saved == f"{a.url}/admin/chat/mode/"
    assert await updates_resume(staff, banking, visitors), "no live updates"
    assert [await v.reply_end("And my savings?") for v in visitors] == ends
    assert a.process.poll() is None and b.process.poll() is None
    assert "Traceback" not in log_since(a.log, log_start)
    for visitor in visitors:
        await visitor.close()
