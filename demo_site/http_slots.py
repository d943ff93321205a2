"""HTTP under ASGI: a few requests at work at once, each in one of a few threads
that live as long as the process.

Django's ASGI handler would run each request's sync code (middleware, views,
templates) in a thread made for that request, which opened a database connection
of its own (an SQLite connection is about 180 KB, and reads the schema again) and
dropped both as it ended. A crowd opening the page at once made as many of them side
by side, no faster under the GIL than a few, and the allocator kept that peak as
resident memory. So at most HTTP_REQUESTS_AT_ONCE requests are at work in a process,
each in the thread of the slot it holds, as a WSGI server's thread pool runs them,
and the others wait their turn. A slot's thread keeps its connection from one
request to the next (CONN_MAX_AGE); Django's request signals close it when it is
broken or too old, or hand it back to PostgreSQL's pool. The slot used last is the
next one given, so a quiet process wakes one thread. A request that ends while its
sync code still runs (Daphne cancels an application still at work a while after its
client went away, and at shutdown) frees its slot only when that code is done: no
other request waits behind it, or runs beside it.
Daphne calls the application once the whole request has arrived, so a slow client
holds no slot.
"""

import asyncio
import contextlib
from concurrent.futures import Future, ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext


class SlotThread(ThreadPoolExecutor):
    """A slot's one thread, which knows whether work it was given is still running
    or waiting."""

    def __init__(self, name: str) -> None:
        super().__init__(max_workers=1, thread_name_prefix=name)
        self.unfinished: set[Future] = set()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        work = super().submit(fn, *args, **kwargs)
        self.unfinished.add(work)
        work.add_done_callback(self.unfinished.discard)
        return work


class RequestSlots:
    """ASGI middleware: at most `slots` HTTP requests in the application at once,
    each running its sync code in its slot's thread."""

    def __init__(self, app, slots: int) -> None:
        self.app = app
        self.free: asyncio.LifoQueue[SlotThread] = asyncio.LifoQueue()
        for slot in range(slots):
            self.free.put_nowait(SlotThread(f"http-{slot}"))

    async def __call__(self, scope: dict, receive, send) -> None:
        thread = await self.free.get()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.app(scope, receive, send)
        finally:
            self.free_when_idle(thread)

    def free_when_idle(self, thread: SlotThread) -> None:
        """The slot back now, or once its thread has finished what the request left
        running there (it was cancelled, or returned without waiting for a call),
        so no other request queues behind it."""
        if not thread.unfinished:
            self.free.put_nowait(thread)
            return
        loop = asyncio.get_running_loop()

        def give_back(done) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self.free.put_nowait, thread)

        # The thread runs its work in order: this runs once the leftovers are done.
        thread.submit(lambda: None).add_done_callback(give_back)
