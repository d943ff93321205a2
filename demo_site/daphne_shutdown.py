"""A graceful SIGTERM under Daphne 4.2.

On shutdown Daphne cancels every application, so each can finish its work (the chat
stores its replies in flight and closes its sockets with 4012), and waits for them.
Its loop reads `details["application_instance"]` of every connection, and an HTTP
connection kept alive between requests has none: the KeyError aborts the loop, no
application is cancelled, and the sockets are dropped mid-reply. And it waits with a
plain `gather`, which returns as soon as the first cancelled application ends, so
the others are cut off. This replaces that one method (requirements.txt pins
Daphne): the same loop, skipping such connections, waiting for every application up
to Daphne's `application_close_timeout`.
"""

import asyncio
import logging

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


def daphne_shutdown_fix() -> None:
    """Install the method on Daphne's server, when Daphne is what serves us."""
    try:
        from daphne.server import Server
    except ImportError:
        return
    Server.kill_all_applications = kill_all_applications
