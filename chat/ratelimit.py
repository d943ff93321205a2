"""A per-visitor rate limit on chat messages, kept in Django's cache so every tab
of a session (and every process, with a shared cache) counts against one budget.

When the shared cache (Redis) is unreachable the limit lets messages through: the
chat staying up matters more than counting during the outage."""

import time

from django.conf import settings
from django.core.cache import cache

from chat.layers import UNREACHABLE_ERRORS, outage_log


async def rate_limit_retry_after(identity: str) -> float | None:
    """Count a message for `identity`; seconds to wait if over the limit, else None."""
    window = settings.CHAT_RATE_LIMIT_WINDOW_SECONDS
    now = time.time()
    bucket = int(now // window)
    key = f"chat-rate:{identity}:{bucket}"
    try:
        count = await _count(key, timeout=int(window) + 1)
    except UNREACHABLE_ERRORS as exc:
        outage_log.warn("rate limit not counted", exc)
        return None
    if count <= settings.CHAT_RATE_LIMIT_MESSAGES:
        return None
    return round((bucket + 1) * window - now, 1)


async def _count(key: str, *, timeout: int) -> int:
    """Add one to the counter, creating it when missing (or culled by a full cache)."""
    if await cache.aadd(key, 1, timeout=timeout):
        return 1
    try:
        return await cache.aincr(key)
    except ValueError:
        await cache.aset(key, 1, timeout=timeout)
        return 1
