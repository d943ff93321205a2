"""Which client a request comes from, for the budgets that must hold per address.

Behind a reverse proxy every connection comes from the proxy, and the client's own
address is in X-Forwarded-For. Anyone can send that header, so it is read only from
a peer listed in TRUSTED_PROXIES, and then from the right: each trusted proxy appends
the address it saw, so the first entry from the right that is not a trusted proxy is
the client (entries further left were written by the client itself).

Budgets count an IPv6 client by its /64: one network is routinely handed a whole /64,
so counting its addresses one by one would give it endless fresh budgets.
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


def budget_address(address: str) -> str:
    """What budgets count as one client: an IPv6 address's /64, an IPv4 address
    (also when IPv4-mapped); anything else as it is, bounded."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv4Address):
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


def scope_client_address(scope: dict) -> str:
    """The client address of an ASGI connection (a socket), as budgets count it."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    forwarded = b",".join(
        value for name, value in scope.get("headers", ()) if name == b"x-forwarded-for"
    )
    return budget_address(client_address(peer, forwarded.decode("latin-1")))


def request_client_address(meta: dict) -> str:
    """The client address of an HTTP request, from its META, as budgets count it."""
    peer = meta.get("REMOTE_ADDR", "unknown")
    return budget_address(client_address(peer, meta.get("HTTP_X_FORWARDED_FOR", "")))
