"""HTTP under ASGI: a few requests at work at once, each in its slot's thread, which
keeps its database connection from one request to the next."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.db import connection
from django.db.backends.signals import connection_created

from demo_site.http_slots import RequestSlots


async def test_request_slots_let_in_only_so_many_at_once():
    at_work, most, release = 0, 0, asyncio.Event()

    async def app(scope, receive, send) -> None:
        nonlocal at_work, most
        at_work += 1
        most = max(most, at_work)
        await release.wait()
        at_work -= 1

    slots = RequestSlots(app, 2)
    requests = [asyncio.create_task(slots({}, None, None)) for _ in range(5)]
    await asyncio.sleep(0.01)
    assert (at_work, most) == (2, 2)
    release.set()
    await asyncio.wait_for(asyncio.gather(*requests), timeout=5)
    assert (at_work, most) == (0, 2)


class ThreadsSeen:
    """An ASGI app that notes the thread its sync code ran in, once each request has
    its slot (`gate` lets it go on)."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, scope, receive, send) -> None:
        await self.gate.wait()
        self.threads.append(await sync_to_async(threading.get_ident)())


async def test_requests_one_after_another_share_one_thread():
    app = ThreadsSeen()
    slots = RequestSlots(app, 3)
    for _ in range(4):
        await slots({}, None, None)
    assert len(set(app.threads)) == 1
    assert app.threads[0] != threading.get_ident()  # not the event loop's


async def test_requests_at_once_each_have_a_thread_of_their_own_and_no_more():
    app = ThreadsSeen()
    app.gate.clear()
    slots = RequestSlots(app, 2)
    first = [asyncio.create_task(slots({}, None, None)) for _ in range(2)]
    await asyncio.sleep(0.01)
    app.gate.set()
    await asyncio.wait_for(asyncio.gather(*first), timeout=5)
    assert len(set(app.threads)) == 2
    await asyncio.wait_for(
        asyncio.gather(*(slots({}, None, None) for _ in range(6))), timeout=5
    )
    assert set(app.threads[2:]) <= set(app.threads[:2])


async def test_a_cancelled_requests_sync_code_never_runs_beside_the_next():
    """Cancelling a task cannot stop its thread: the slot's next request waits."""
    started, release = threading.Event(), threading.Event()
    running, overlapped = 0, []

    def work() -> None:
        nonlocal running
        running += 1
        overlapped.append(running > 1)
        started.set()
        release.wait(5)
        running -= 1

    async def app(scope, receive, send) -> None:
        await sync_to_async(work)()

    slots = RequestSlots(app, 1)
    cancelled = asyncio.create_task(slots({}, None, None))
    await asyncio.to_thread(started.wait, 5)
    cancelled.cancel()
    following = asyncio.create_task(slots({}, None, None))
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.wait_for(following, timeout=5)
    assert overlapped == [False, False]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_pages_one_after_another_open_one_connection():
    """The slot's thread keeps its connection: on SQLite the second page opens none
    (each page reads and saves its session); PostgreSQL's pool hands the thread a
    connection for each request, in that same thread."""
    opened_in = []

    def note(sender, connection, **kwargs) -> None:
        opened_in.append(threading.get_ident())

    application = RequestSlots(ASGIHandler(), 2)
    connection_created.connect(note)
    try:
        for _ in range(2):
            page = HttpCommunicator(
                application, "GET", "/", headers=[(b"host", b"testserver")]
            )
            assert (await page.get_response(timeout=10))["status"] == 200
            await page.wait(timeout=10)  # the request has finished
    finally:
        connection_created.disconnect(note)
    assert len(set(opened_in)) == 1
    assert opened_in[0] != threading.get_ident()
    if connection.vendor == "sqlite":
        assert len(opened_in) == 1


@pytest.mark.parametrize("ending", ["cancelled", "returned"])
async def test_a_slot_still_busy_with_an_ended_requests_code_is_not_handed_out(ending):
    """The next request takes an idle slot at once, not the one used last, whether
    the request was cancelled (as Daphne cancels one still at work a while after
    its client left) or returned without waiting for its sync code."""
    started, release = threading.Event(), threading.Event()
    threads = []

    def work(stuck: bool) -> None:
        threads.append(threading.get_ident())
        if stuck:
            started.set()
            release.wait(5)

    async def app(scope, receive, send) -> None:
        call = asyncio.ensure_future(sync_to_async(work)(scope["stuck"]))
        if scope["stuck"] and ending == "returned":
            await asyncio.to_thread(started.wait, 5)
            call.cancel()
            return
        await call

    slots = RequestSlots(app, 2)
    first = asyncio.create_task(slots({"stuck": True}, None, None))
    await asyncio.to_thread(started.wait, 5)
    if ending == "cancelled":
        first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    try:
        await asyncio.wait_for(slots({"stuck": False}, None, None), timeout=2)
        assert threads[1] != threads[0]
    finally:
        release.set()

    async def both_free() -> None:  # the stuck slot comes back once its code is done
        while slots.free.qsize() < 2:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(both_free(), timeout=2)
