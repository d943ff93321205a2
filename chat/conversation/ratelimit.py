"""Budgets per visitor and per client address, kept in Django's cache so every tab,
socket and process counts against one budget (docs/security.md).

A visitor is their session, or their address when they have none: a client that
drops its cookie, or fetches a fresh one for each socket, only lands on the
address's budget. Each action is counted against every budget it belongs to.

When the shared cache (Redis) is unreachable the limits let actions through: the
chat staying up matters more than counting during the outage.
"""

import contextlib
import time
from collections.abc import Sequence
from enum import StrEnum

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

from chat.conversation.visits import visitor_key
from chat.layers import UNREACHABLE_ERRORS, outage_log


class Action(StrEnum):
    MESSAGE = "message"
    CONVERSATION = "conversation"
    CONNECTION = "connection"
    SESSION = "session"
    GENERATION = "generation"  # a new mode conjured for an industry


# Each action's limits per window: (per visitor, per address); None: not counted.
_LIMIT_SETTINGS: dict[Action, tuple[str | None, str]] = {
    Action.MESSAGE: ("CHAT_RATE_LIMIT_MESSAGES", "CHAT_ADDRESS_MESSAGES_PER_WINDOW"),
    Action.CONVERSATION: (
        "CHAT_CONVERSATIONS_PER_WINDOW",
        "CHAT_ADDRESS_CONVERSATIONS_PER_WINDOW",
    ),
    Action.CONNECTION: (None, "CHAT_ADDRESS_CONNECTIONS_PER_WINDOW"),
    Action.SESSION: (None, "CHAT_ADDRESS_SESSIONS_PER_WINDOW"),
    Action.GENERATION: (
        "CHAT_GENERATIONS_PER_WINDOW",
        "CHAT_ADDRESS_GENERATIONS_PER_WINDOW",
    ),
}


def visitor_identity(session_key: str | None, address: str) -> str:
    """Who counts as one visitor: a keyed hash of the session, else the address."""
    if session_key:
        return "s:" + visitor_key(session_key)
    return f"v:{address}"


def budgets_spend(action: Action, *, address: str, visitor: str = "") -> float | None:
    """Count one `action`; the seconds to wait when a budget is spent, else None."""
    window = settings.CHAT_RATE_LIMIT_WINDOW_SECONDS
    now = time.time()
    bucket = int(now // window)
    visitor_setting, address_setting = _LIMIT_SETTINGS[action]
    budgets = [(f"addr:{address}", getattr(settings, address_setting))]
    if visitor_setting and visitor:
        budgets.append((visitor, getattr(settings, visitor_setting)))
    keys = [(f"chat-rate:{action}:{who}:{bucket}", limit) for who, limit in budgets]
    try:
        counts = _count(keys, timeout=int(window) + 1)
    except UNREACHABLE_ERRORS as exc:
        outage_log.warn("rate limit not counted", exc)
        return None
    if all(count <= limit for count, (_, limit) in zip(counts, keys, strict=True)):
        return None
    return max(round((bucket + 1) * window - now, 1), 0.1)


_budgets_spend_in_thread = sync_to_async(budgets_spend, thread_sensitive=False)
# Caches that answer from this process's memory, with nothing to wait for.
_IN_PROCESS_CACHES = (LocMemCache, DummyCache)


async def abudgets_spend(
    action: Action, *, address: str, visitor: str = ""
) -> float | None:
    """`budgets_spend` from the event loop: inline when the cache is in this process
    (a thread hop would cost more than the count), else in a worker thread so the
    loop never waits on the network."""
    if isinstance(caches["default"], _IN_PROCESS_CACHES):
        return budgets_spend(action, address=address, visitor=visitor)
    return await _budgets_spend_in_thread(action, address=address, visitor=visitor)


def _count(keys: Sequence[tuple[str, int]], *, timeout: int) -> list[int]:
    return [_count_one(key, timeout=timeout) for key, _ in keys]


def _count_one(key: str, *, timeout: int) -> int:
    """Add one to a counter. Added to first: all but a window's first count find it
    (one call, where making sure it exists first took two, and on Redis three round
    trips). Missing, it is made, unless another count made it meanwhile; culled by a
    full cache in between, made again.

    Redis's INCR makes a key that expired since Django's check for it, with no expiry:
    a count of 1 is given its window, or the visitor would stay limited for good."""
    with contextlib.suppress(ValueError):
        count = cache.incr(key)
        if count == 1:
            cache.touch(key, timeout=timeout)
        return count
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=timeout)
        return 1
