"""HTTP under ASGI: a few requests at work at once, each ending its database
connection when it ends.

Django's ASGI handler runs each request's sync code (middleware, views, templates)
in a thread made for that request, with a database connection of its own. A crowd
opening the page at once made as many threads and connections side by side (an
SQLite connection alone is about 180 KB), no faster under the GIL than a few, and
the process kept that peak as resident memory. So at most HTTP_REQUESTS_AT_ONCE
requests are at work in a process; the others wait their turn. Daphne
calls the application once the whole request has arrived, so a slow client holds
no turn.

The thread ends with its request, and its connection, persistent (CONN_MAX_AGE) for
the sake of the chat's one long-lived database thread, would stay open until the
garbage collector came across it: the request closes it instead.
"""

import asyncio

from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished
from django.db import connections
from django.dispatch import receiver


class RequestSlots:
    """ASGI middleware: at most `slots` HTTP requests in the application at once."""

    def __init__(self, app, slots: int) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(slots)

    async def __call__(self, scope: dict, receive, send) -> None:
        async with self.slots:
            await self.app(scope, receive, send)


@receiver(request_finished)
def _request_connections_close(sender, **kwargs) -> None:
    """An ASGI request's connections, closed in its thread as it finishes."""
    if isinstance(sender, type) and issubclass(sender, ASGIHandler):
        connections.close_all()
