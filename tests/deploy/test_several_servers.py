"""Two Daphne processes sharing PostgreSQL and Redis behave as one site."""

from collections.abc import Iterator

import pytest

from bench.servers import (
    DaphneServer,
    PostgresServer,
    RedisServer,
    daphnes_running,
)
from chat.conversation.visits import seed_from_session_key
from tests.deploy.clients import (
    ChatSocket,
    HttpSession,
    db_rows,
    mode_admin_save,
    mode_pk,
    reply_text,
    staff_login,
)
from tests.deploy.sites import database_ready


@pytest.fixture(scope="module")
def env(postgres: PostgresServer, base_env: dict) -> Iterator[dict[str, str]]:
    with RedisServer() as redis:
        env = base_env | {
            "DATABASE_URL": postgres.database_create("several_servers"),
            "REDIS_URL": redis.url,
        }
        database_ready(env, staff=True)
        yield env


@pytest.fixture(scope="module")
def servers(env, tmp_path_factory) -> Iterator[tuple[DaphneServer, DaphneServer]]:
    log = tmp_path_factory.mktemp("several_servers") / "daphne.log"
    with daphnes_running(env, log, 2) as (a, b):
        yield a, b


async def test_admin_save_on_one_server_reaches_a_socket_on_the_other(env, servers):
    a, b = servers
    visitor = await ChatSocket.open(b.url, HttpSession(b.url).session_key())
    staff = staff_login(a.url)

    ended_at = mode_admin_save(
        staff,
        mode_pk(env["DATABASE_URL"], "banking"),
        company_name="Meridian Trust (edited on A)",
    )

    assert ended_at == f"{a.url}/admin/chat/mode/"
    update = (await visitor.frames_until("mode_updated"))[-1]
    assert update["payload"]["mode"]["company_name"] == "Meridian Trust (edited on A)"
    await visitor.close()


async def test_an_alias_added_on_one_server_reaches_the_triggers_of_the_other(
    env, servers
):
    """The other server keeps every mode's words while it hears every save."""
    a, b = servers
    watcher = await ChatSocket.open(b.url, HttpSession(b.url).session_key())
    visitor = await ChatSocket.open(b.url, HttpSession(b.url).session_key())
    await visitor.send("chat", text="Presto-Change-O, you're an insurer")
    await visitor.frames_until("chat_end")  # the words read, and kept

    ((aliases,),) = db_rows(
        env["DATABASE_URL"], "SELECT aliases FROM chat_mode WHERE slug = 'banking'"
    )
    mode_admin_save(
        staff_login(a.url),
        mode_pk(env["DATABASE_URL"], "banking"),
        aliases=f"{aliases}, moneylender",
    )
    await watcher.frames_until("mode_updated")
    await visitor.send("chat", text="Presto-Change-O, you're a moneylender")
    (switch,) = [
        frame
        for frame in await visitor.frames_until("mode_switch", "mode_generating")
        if frame["type"] in ("mode_switch", "mode_generating")
    ]

    assert switch["type"] == "mode_switch", "the other server made a new mode"
    assert switch["payload"]["mode"]["slug"] == "banking"
    await watcher.close()
    await visitor.close()


async def test_visitor_moving_to_another_server_keeps_customer_and_conversation(
    env, servers
):
    a, b = servers
    key = HttpSession(a.url).session_key()
    on_a = await ChatSocket.open(a.url, key)
    first = reply_text(await on_a.say("What's my checking balance?"))
    on_a.drop()

    on_b = await ChatSocket.open(b.url, key)

    assert on_b.session["persona"] == on_a.session["persona"]
    assert on_b.session["conversation_id"] == on_a.session["conversation_id"]
    assert [(m["role"], m["content"]) for m in on_b.session["messages"]] == [
        ("user", "What's my checking balance?"),
        ("assistant", first),
    ]
    seeds = db_rows(
        env["DATABASE_URL"],
        "SELECT seed FROM chat_conversation WHERE id = %s",
        on_b.session["conversation_id"],
    )
    assert seeds == [(seed_from_session_key(key),)]
    assert await on_b.reply_end("And my savings?") == "chat_end"
    await on_b.close()
