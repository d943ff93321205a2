"""Django's database sessions, stored without zlib.

Django compresses every session it saves when that is shorter, and each try builds a
zlib compressor of about 270 KB whatever the data's size. A visitor's session is a
few keys that never compress, yet a crowd opening the page at once made one each,
side by side, and the process kept that peak as resident memory. Sessions saved
compressed (before this) still load: the signed data says which it is.
"""

from django.contrib.sessions.backends import db
from django.core import signing


class SessionStore(db.SessionStore):
    def encode(self, session_dict: dict) -> str:
        return signing.dumps(
            session_dict, salt=self.key_salt, serializer=self.serializer
        )
