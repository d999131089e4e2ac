"""Which address a request came from: the one answer the throttles, the login lockout and the audit trail share.

X-Forwarded-For is whatever the client chose to send, unless a proxy we run added to it. So the header is read
only when the connection itself comes from one of TRUSTED_PROXIES (none by default), and then from the right:
each trusted proxy appends the address it saw, so the first entry from the right that is not a trusted proxy is
the client. Everything to the left of it is the client's own word and is never used.
"""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy the nearest untrusted X-Forwarded-For entry.

    None when even REMOTE_ADDR is not an address (a test client can send anything).
    """
    remote = _address(request.META.get("REMOTE_ADDR"))
    if remote is None or not _trusted(remote):
        return _text(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hop = remote
    for entry in reversed(forwarded.split(",")):
        address = _address(entry)
        if address is None:
            break  # a garbled entry: stop at the last address a trusted proxy vouched for
        hop = address
        if not _trusted(address):
            break
    return _text(hop)


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    # The setting is read (and checked) by portal.env.env_networks; tests may override it with plain strings.
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _trusted(address) -> bool:
    networks = _networks(tuple(str(value) for value in settings.TRUSTED_PROXIES))
    return any(address in network for network in networks if network.version == address.version)


def _address(value):
    if not isinstance(value, str):
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket shows up as ::ffff:a.b.c.d: count it as the IPv4 address it is.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def _text(address) -> str | None:
    return str(address) if address is not None else None
