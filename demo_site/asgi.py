"""ASGI entry point: HTTP through Django, the chat socket through Channels."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_site.settings")
# Django must be set up before anything imports models (the routing does).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from chat.conversation.gate import SocketGate  # noqa: E402
from chat.conversation.origins import OriginValidator  # noqa: E402
from chat.conversation.routing import chat_socket  # noqa: E402
from demo_site.daphne_patches import daphne_patch  # noqa: E402
from demo_site.http_slots import RequestSlots  # noqa: E402
from demo_site.sessions import SocketSession  # noqa: E402

daphne_patch()
application = ProtocolTypeRouter(
    {
        "http": RequestSlots(django_asgi_app, settings.HTTP_REQUESTS_AT_ONCE),
        # The socket knows its visitor by the session; it has no use for the user.
        "websocket": OriginValidator(SocketGate(SocketSession(chat_socket))),
    }
)
# What is loaded by now (Django, the apps, locale tables) lives as long as the
# process: frozen, the cyclic collector no longer walks it in every full collection,
# which under a crowd paused every socket at once (docs/performance.md). Garbage
# left by start-up is collected first, or it could never be.
gc.collect()
gc.freeze()
