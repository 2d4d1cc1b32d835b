"""Which addresses browser mode binds to and which requests it answers: the host policy.

The server binds to loopback unless --allow-remote is given. textual-serve itself checks no
Origin, so any web page open in the same browser could drive a tab over a cross-site
WebSocket; the server accepts a WebSocket only from its own page (same Origin), and only for
host names that cannot be DNS-rebound (loopback names, IP addresses, this computer's name).
"""

from __future__ import annotations

import ipaddress
import socket

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether binding to `host` only reaches this computer."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def own_host_names() -> set[str]:
    """Names this computer answers to on the network (for --allow-remote)."""
    names = {"localhost"}
    for name in (socket.gethostname(), socket.getfqdn()):
        if name:
            names.add(name.lower())
            names.add(name.lower().split(".")[0] + ".local")
    return names


def host_name(header_host: str) -> str:
    """The name in a Host header, without the port: `[::1]:8000` -> `::1`."""
    if header_host.startswith("["):
        return header_host[1:].split("]", 1)[0].lower()
    if header_host.count(":") == 1:
        return header_host.rsplit(":", 1)[0].lower()
    return header_host.lower()


def host_allowed(header_host: str, remote: bool, names: set[str] | None = None) -> bool:
    """Whether a request's Host header may be served. Loopback serving answers only loopback
    names; remote serving also IP addresses and this computer's own names. Other names are
    refused, which stops DNS rebinding (a web page whose name points at this server)."""
    hostname = host_name(header_host)
    if not hostname:
        return False
    if is_loopback(hostname):
        return True
    if not remote:
        return False
    try:
        ipaddress.ip_address(hostname)
        return True
    except ValueError:
        return hostname in (names if names is not None else own_host_names())


def lan_address() -> str | None:
    """This computer's address on the local network, to tell trainees where to go (no packet
    is sent: connecting a UDP socket only picks the outgoing interface)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def origin_matches(origin: str | None, scheme: str, host: str) -> bool:
    """A browser's WebSocket comes from this server's own page: same scheme and host."""
    return bool(origin) and origin.lower() == f"{scheme}://{host}".lower()  # type: ignore[union-attr]
