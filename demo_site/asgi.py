"""ASGI entry point: HTTP through Django, the chat socket through Channels."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_site.settings")
# Django must be set up before anything imports models (the routing does).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.conversation.gate import SocketGate  # noqa: E402
from chat.conversation.origins import OriginValidator  # noqa: E402
from chat.conversation.routing import websocket_urlpatterns  # noqa: E402
from demo_site.daphne_shutdown import daphne_shutdown_fix  # noqa: E402

daphne_shutdown_fix()
application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginValidator(
            SocketGate(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
# What is loaded by now (Django, the apps, locale tables) lives as long as the
# process: frozen, the cyclic collector no longer walks it in every full collection,
# which under a crowd paused every socket at once (docs/performance.md). Garbage
# left by start-up is collected first, or it could never be.
gc.collect()
gc.freeze()
