"""Which pages may open the chat socket: the site's own, and trusted origins.

A browser sends the visitor's cookies with any page's socket, so the Origin is what
stops another site from chatting as the visitor. Channels' own validator lets every
Origin in when ALLOWED_HOSTS holds "*"; this one never looks for a wildcard there:
the Origin must name the host the request was sent to (and that host must be
allowed), or be listed in CSRF_TRUSTED_ORIGINS. No Origin, no socket.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain


def origin_allowed(
    origin: str | None,
    host: str | None,
    *,
    allowed_hosts: list[str],
    trusted_origins: list[str],
) -> bool:
    """Whether a socket sent with these Origin and Host headers may open."""
    if not origin:
        return False
    if origin in trusted_origins or _origin_trusted_by_pattern(origin, trusted_origins):
        return True
    try:
        netloc = urlsplit(origin).netloc.lower()
    except ValueError:
        return False
    domain, _ = split_domain_port(netloc)
    same_origin = bool(host) and netloc == host.lower()
    return same_origin and bool(domain) and validate_host(domain, allowed_hosts)


def _origin_trusted_by_pattern(origin: str, trusted_origins: list[str]) -> bool:
    """A trusted origin such as https://*.example.com, read as Django's CSRF does."""
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    for pattern in (trusted for trusted in trusted_origins if "*" in trusted):
        trusted = urlsplit(pattern)
        if parts.scheme == trusted.scheme and is_same_domain(
            parts.netloc.lower(), trusted.netloc.lstrip("*")
        ):
            return True
    return False


class OriginValidator:
    """ASGI middleware refusing a socket whose Origin is not allowed (see above)."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not _scope_origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)


def _scope_origin_allowed(scope) -> bool:
    headers = {name: value.decode("latin-1") for name, value in scope["headers"]}
    return origin_allowed(
        headers.get(b"origin"),
        headers.get(b"host"),
        allowed_hosts=settings.ALLOWED_HOSTS,
        trusted_origins=settings.CSRF_TRUSTED_ORIGINS,
    )
