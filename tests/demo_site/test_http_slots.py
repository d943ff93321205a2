"""HTTP under ASGI: a few requests at work at once, each closing its connection."""

import asyncio
import threading

import pytest
from channels.testing import HttpCommunicator
from django.db.backends.signals import connection_created

from demo_site import http_slots
from demo_site.asgi import application
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


class ConnectionsSpy:
    """Stands in for django.db.connections: which threads closed theirs."""

    def __init__(self) -> None:
        self.closed_in: list[int] = []

    def close_all(self) -> None:
        self.closed_in.append(threading.get_ident())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_request_closes_its_connection_in_its_thread_as_it_ends(monkeypatch):
    """Observed through a spy: the test database is in memory, and Django never
    closes an in-memory database's connection."""
    spy = ConnectionsSpy()
    monkeypatch.setattr(http_slots, "connections", spy)
    opened_in = []

    def note(sender, connection, **kwargs) -> None:
        opened_in.append(threading.get_ident())

    connection_created.connect(note)
    try:
        page = HttpCommunicator(
            application, "GET", "/", headers=[(b"host", b"testserver")]
        )
        assert (await page.get_response(timeout=10))["status"] == 200
        await page.wait(timeout=10)  # the request has finished
    finally:
        connection_created.disconnect(note)
    assert len(opened_in) == 1  # the page read and saved its session
    assert spy.closed_in == opened_in


@pytest.mark.django_db
def test_request_outside_asgi_keeps_its_connection(client, monkeypatch):
    """The test client (and any WSGI server) reuses its thread and connection."""
    spy = ConnectionsSpy()
    monkeypatch.setattr(http_slots, "connections", spy)
    client.get("/")
    assert spy.closed_in == []
