"""Is a host this machine? One answer for every place that lets something through only on loopback: the
development issuer's login, the client's plain-http rule, issuer URLs in the access configuration."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str | None) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1) — the socket's peer or a URL's host, never a header."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
