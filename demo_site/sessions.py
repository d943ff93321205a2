"""Django's database sessions, stored without zlib, saved by SQL made once, and
found for the chat socket by a middleware of its own.

Django compresses every session it saves when that is shorter, and each try builds a
zlib compressor of about 270 KB whatever the data's size. A visitor's session is a
few keys that never compress, yet a crowd opening the page at once made one each,
side by side, and the process kept that peak as resident memory. Sessions saved
compressed (before this) still load: the signed data says which it is.

A visitor's session is saved again whenever their customer changes (a new persona),
and the ORM's save compiled its UPDATE anew each time (docs/performance.md). An
existing session is written by one UPDATE made once (chat.statements.row_update); a
new one still goes through Django's own save, which makes sure its key is new.

Channels' SessionMiddlewareStack gives a socket its session, and with it, for as long
as the socket is open, a copy of the scope with every cookie parsed, a second with a
lazy wrapper around the session, and a `send` that looks at the session before each
frame goes out, in order to save it on an HTTP response. The socket's consumer saves
its session itself, so `SocketSession` gives it the session alone.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.core import signing
from django.http import parse_cookie

from chat.statements import row_update


class SessionStore(db.SessionStore):
    def encode(self, session_dict: dict) -> str:
        return signing.dumps(
            session_dict, salt=self.key_salt, serializer=self.serializer
        )

    def save(self, must_create: bool = False) -> None:
        """As Django's: an UpdateError when the session's row is gone (it expired
        and was cleared, or the visitor logged out elsewhere)."""
        if must_create or self.session_key is None:
            super().save(must_create=must_create)
            return
        row = self.create_model_instance(self._get_session())
        if not row_update(row, ("session_data", "expire_date")):
            raise UpdateError


class SocketSession:
    """ASGI middleware: `scope["session"]`, of SESSION_ENGINE, that the socket's cookie
    names (not read until used), or a new one without a key when it names none."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive, send) -> None:
        key = next(
            (
                parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
                for name, value in scope["headers"]
                if name == b"cookie"
            ),
            None,
        )
        store = import_module(settings.SESSION_ENGINE).SessionStore
        await self.app(scope | {"session": store(key)}, receive, send)
