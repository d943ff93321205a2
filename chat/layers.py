"""The channel layer for several processes: channels_redis, made to outlast Redis.

Channels ends a consumer whose channel receive raises, so with the stock layer a Redis
restart would close every socket of the process. Here a receive waits the outage out.
Redis forgets groups when it restarts; each process's listener re-joins its own
(chat.conversation.listening).
"""

import asyncio
import logging
import time

from channels_redis.core import RedisChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
# What a call to Redis (the channel layer or the cache) raises while it is away.
UNREACHABLE_ERRORS = (OSError, RedisConnectionError, RedisTimeoutError)
RETRY_FIRST_SECONDS = 0.1
RETRY_MAX_SECONDS = 2.0
WARN_EVERY_SECONDS = 30.0


class OutageLog:
    """Warns that Redis is away now and then, not once per socket and call."""

    def __init__(self) -> None:
        self.last_warning: dict[str, float] = {}

    def warn(self, what: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self.last_warning.get(what, float("-inf")) >= WARN_EVERY_SECONDS:
            self.last_warning[what] = now
            logger.warning("Redis unreachable (%s): %s", what, exc)


outage_log = OutageLog()


class ResilientRedisChannelLayer(RedisChannelLayer):
    """channels_redis's layer, whose receive waits for Redis to come back."""

    async def receive(self, channel: str) -> dict:
        """The next message on `channel`, however long Redis is unreachable."""
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                return await super().receive(channel)
            except UNREACHABLE_ERRORS as exc:
                outage_log.warn("sockets wait for their channel", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
