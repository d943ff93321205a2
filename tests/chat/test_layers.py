"""A channel layer (Redis) that is down or restarts: the chat goes on without it.

Some tests point the layer or the cache at a port nothing listens on; the rest use a
real Redis server, restarted or flushed as a Redis restart would leave it.
"""

import asyncio
import logging
import shutil
from collections.abc import Iterator

import pytest
import redis.asyncio
from channels.db import database_sync_to_async

from bench.servers import RedisServer, free_port
from chat import services
from chat.broadcast import mode_updated_broadcast
from chat.conversation.ratelimit import Action, abudgets_spend
from chat.layers import OutageLog, ResilientRedisChannelLayer
from chat.models import Mode
from tests.chat.socket import reply_collect, send, session_create, socket_open

LAYER = "chat.layers.ResilientRedisChannelLayer"
needs_redis = pytest.mark.skipif(
    not shutil.which("redis-server"), reason="needs redis-server (.ci/system-deps)"
)


def layer_at(url: str) -> dict:
    return {"default": {"BACKEND": LAYER, "CONFIG": {"hosts": [url]}}}


@pytest.fixture
def layer_down(settings) -> None:
    """The channel layer points at a Redis that is not there."""
    settings.CHANNEL_LAYERS = layer_at(f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@database_sync_to_async
def banking() -> Mode:
    return Mode.objects.get(slug="banking")


@needs_redis
async def test_receive_waits_out_a_redis_restart(redis_server):
    layer = ResilientRedisChannelLayer(hosts=[redis_server.url])
    channel = await layer.new_channel()
    receiving = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0.2)

    redis_server.stop()
    await asyncio.sleep(0.3)
    still_waiting = not receiving.done()
    redis_server.start()
    await layer.send(channel, {"type": "after.restart"})

    assert still_waiting
    assert await asyncio.wait_for(receiving, 5) == {"type": "after.restart"}
    await layer.close_pools()


@pytest.mark.django_db
def test_mode_updated_broadcast_logs_when_the_layer_is_down(layer_down, caplog):
    mode = Mode.objects.get(slug="banking")

    with caplog.at_level(logging.WARNING, logger="chat.broadcast"):
        mode_updated_broadcast(mode)

    assert "Open chats in banking missed its update" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mode_save_is_kept_when_the_layer_is_down(layer_down):
    mode = Mode.objects.get(slug="banking")
    mode.company_name = "Saved without Redis"

    services.mode_save(mode=mode, user=None)  # the broadcast runs at the commit

    assert Mode.objects.get(slug="banking").company_name == "Saved without Redis"


async def test_rate_limit_lets_messages_through_when_the_cache_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    settings.CHAT_RATE_LIMIT_MESSAGES = 1

    waits = [
        await abudgets_spend(Action.MESSAGE, address="10.0.0.1", visitor="visitor")
        for _ in range(3)
    ]

    assert waits == [None, None, None]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_socket_chats_while_the_layer_is_down(layer_down):
    communicator, session = await socket_open(await session_create())

    await send(communicator, "chat", text="What's my checking balance?")
    frames = await reply_collect(communicator)

    assert session["mode"]["slug"] == "banking"
    assert frames[-1]["type"] == "chat_end"
    await communicator.disconnect()


@needs_redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_socket_rejoins_its_mode_group_after_redis_forgets_it(
    redis_server, settings
):
    settings.CHANNEL_LAYERS = layer_at(redis_server.url)
    settings.CHAT_GROUP_REJOIN_SECONDS = 0.1
    communicator, _ = await socket_open(await session_create())
    async with redis.asyncio.from_url(redis_server.url) as client:
        await client.flushall()  # every group gone, as after a restart

    await asyncio.sleep(0.3)
    await database_sync_to_async(mode_updated_broadcast)(await banking())

    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "mode_updated"
    await communicator.disconnect()


def test_outage_log_warns_once_a_while_for_each_kind_of_call(caplog):
    log = OutageLog()
    with caplog.at_level(logging.WARNING, logger="chat.layers"):
        for _ in range(3):
            log.warn("group_add", ConnectionError("refused"))
        log.warn("rate limit not counted", ConnectionError("refused"))

    assert [r.getMessage() for r in caplog.records] == [
        "Redis unreachable (group_add): refused",
        "Redis unreachable (rate limit not counted): refused",
    ]
