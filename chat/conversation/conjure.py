"""A trigger naming an industry no mode covers: its mode is conjured in a worker
thread (a model's request may take seconds), never on the event loop, and never on the
one database thread every socket of the process shares.

The worker threads are conjuring's own and few, so visitors waiting on a slow model
queue behind each other and never take the threads that render every socket's
prompts and greetings."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections

from chat.conversation.frames import ModeGeneratingPayload
from chat.generation.conjuring import Conjured, mode_conjure
from chat.generation.drafts import IndustryRequest

# mode_switch's reason for a mode made for this visitor's request.
GENERATED = "generated"

# How many modes one process conjures at once; the rest wait their turn.
CONJURING_THREADS = 2
_CONJURING = ThreadPoolExecutor(CONJURING_THREADS, thread_name_prefix="conjuring")


def _mode_conjure_closing(request: IndustryRequest) -> Conjured:
    """mode_conjure with the thread's stale database connections closed around it,
    as database_sync_to_async does."""
    close_old_connections()
    try:
        return mode_conjure(request)
    finally:
        close_old_connections()


async def mode_conjure_threaded(request: IndustryRequest) -> Conjured:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_CONJURING, _mode_conjure_closing, request)


def mode_generating_payload(request: IndustryRequest) -> dict:
    """What the page shows while it waits: only the sanitised industry words."""
    return ModeGeneratingPayload(requested=request.industry).model_dump()


def conjured_reason(conjured: Conjured) -> str:
    """ "generated" for a new mode; "switch" when one already covered the industry
    (another visitor's, made a moment before)."""
    return GENERATED if conjured.generated else "switch"
