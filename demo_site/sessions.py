"""Django's database sessions, stored without zlib, and saved by SQL made once.

Django compresses every session it saves when that is shorter, and each try builds a
zlib compressor of about 270 KB whatever the data's size. A visitor's session is a
few keys that never compress, yet a crowd opening the page at once made one each,
side by side, and the process kept that peak as resident memory. Sessions saved
compressed (before this) still load: the signed data says which it is.

A visitor's session is saved again whenever their conversation changes (a mode
switch is one), and the ORM's save compiled its UPDATE anew each time: a third of
what a switch's database work cost (docs/performance.md). An existing session is
written by one UPDATE made once (chat.statements.row_update); a new one still goes
through Django's own save, which makes sure its key is new.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.core import signing

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
