"""A per-visitor rate limit on chat messages, kept in Django's cache so every tab
of a session (and every process, with a shared cache) counts against one budget."""

import time

from django.conf import settings
from django.core.cache import cache


async def rate_limit_retry_after(identity: str) -> float | None:
    """Count a message for `identity`; seconds to wait if over the limit, else None."""
    window = settings.CHAT_RATE_LIMIT_WINDOW_SECONDS
    now = time.time()
    bucket = int(now // window)
    key = f"chat-rate:{identity}:{bucket}"
    await cache.aadd(key, 0, timeout=int(window) + 1)
    count = await cache.aincr(key)
    if count <= settings.CHAT_RATE_LIMIT_MESSAGES:
        return None
    return round((bucket + 1) * window - now, 1)
