"""Two methods of Daphne 4.2's server, replaced (requirements.txt pins Daphne).

A graceful SIGTERM. On shutdown Daphne cancels every application, so each can finish
its work (the chat stores its replies in flight and closes its sockets with 4012),
and waits for them. Its loop reads `details["application_instance"]` of every
connection, and an HTTP connection kept alive between requests has none: the
KeyError aborts the loop, no application is cancelled, and the sockets are dropped
mid-reply. And it waits with a plain `gather`, which returns as soon as the first
cancelled application ends, so the others are cut off. `kill_all_applications` is
the same loop, skipping such connections, waiting for every application up to
Daphne's `application_close_timeout`.

A lighter inbox. Daphne hands each connection's messages to its application through
an `asyncio.Queue`: four deques and an Event, ~3 KB for every open chat socket, a
tenth of what an idle socket costs here. Daphne only puts without waiting and the
application is the one reader, so `create_application` is Daphne's own with the
gate's FrameQueue in its place.
"""

import asyncio
import logging
from functools import partial

from chat.conversation.gate import FrameQueue

logger = logging.getLogger(__name__)


def kill_all_applications(server):
    """Daphne's own, for connections that have an application instance."""
    from twisted.internet import defer

    wait_for = []
    for details in server.connections.values():
        instance = details.get("application_instance")
        if instance is not None and not instance.done():
            instance.cancel()
            wait_for.append(instance)
    logger.info("Stopping %d application instances", len(wait_for))
    # As long as Daphne gives an application after its socket closed, no longer.
    finished = asyncio.ensure_future(
        asyncio.wait(wait_for, timeout=server.application_close_timeout)
        if wait_for
        else asyncio.sleep(0)
    )
    waiting = defer.Deferred.fromFuture(finished)
    waiting.addErrback(lambda failure: None)
    return waiting


def create_application(server, protocol, scope: dict) -> FrameQueue | None:
    """Daphne's own: the connection's application started, and its inbox (None
    when the connection closed meanwhile)."""
    assert "application_instance" not in server.connections[protocol]
    inbox = FrameQueue()
    scope.setdefault("asgi", {"version": "3.0"})
    application = server.application(
        scope=scope, receive=inbox.get, send=partial(server.handle_reply, protocol)
    )
    if protocol not in server.connections:
        return None
    server.connections[protocol]["application_instance"] = asyncio.ensure_future(
        application, loop=asyncio.get_event_loop()
    )
    return inbox


def daphne_patch() -> None:
    """Install both methods on Daphne's server, when Daphne is what serves us."""
    try:
        from daphne.server import Server
    except ImportError:
        return
    Server.kill_all_applications = kill_all_applications
    Server.create_application = create_application
