"""Which client a request comes from, for the budgets that must hold per address.

Behind a reverse proxy every connection comes from the proxy, and the client's own
address is in X-Forwarded-For. Anyone can send that header, so it is read only from
a peer listed in TRUSTED_PROXIES, and then from the right: each trusted proxy appends
the address it saw, so the first entry from the right that is not a trusted proxy is
the client (entries further left were written by the client itself).
"""

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str = "") -> str:
    """The client's address: the peer's, or what the trusted proxies in front saw."""
    networks = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops[-20:]):
        if not _is_trusted(hop, networks):
            return hop[:64]
    return peer


def scope_client_address(scope: dict) -> str:
    """The client address of an ASGI connection (a socket)."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    forwarded = b",".join(
        value for name, value in scope.get("headers", ()) if name == b"x-forwarded-for"
    )
    return client_address(peer, forwarded.decode("latin-1"))


def request_client_address(meta: dict) -> str:
    """The client address of an HTTP request, from its META."""
    return client_address(
        meta.get("REMOTE_ADDR", "unknown"), meta.get("HTTP_X_FORWARDED_FOR", "")
    )
