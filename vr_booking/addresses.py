"""The public address that goes into QR codes, e-mails and calendar files.

``VR_BOOKING_BASE_URL`` sets it. When it is not set, ``serve`` derives it from the host and
port it listens on, so that a server started on another port does not print tickets that point
to ``127.0.0.1:8000``; listening on every interface, it takes this machine's own address.
"""

import ipaddress
import socket

ANY_INTERFACE = {"0.0.0.0", "::", ""}  # noqa: S104  (names of "every interface", compared only)


def _own_address() -> str:
    """This machine's address on its network (no packet is sent), or its host name."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return socket.gethostname() or "127.0.0.1"
    finally:
        probe.close()


def derive_base_url(host: str, port: int) -> str:
    """``http://host:port`` for the address a server listens on."""
    name = _own_address() if host in ANY_INTERFACE else host
    if ":" in name:  # an IPv6 literal
        name = f"[{name}]"
    return f"http://{name}" if port == 80 else f"http://{name}:{port}"


def _host_is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback(base_url: str) -> bool:
    """Whether the address only reaches this machine (127.0.0.1, ::1, localhost)."""
    authority = base_url.split("://", 1)[-1].split("/", 1)[0]
    host = authority.rsplit("]", 1)[0].lstrip("[") if authority.startswith("[") else (
        authority.rsplit(":", 1)[0])
    return _host_is_loopback(host)


def loopback_warning(base_url: str, host: str) -> str | None:
    """A warning when tickets would point to this machine while others can reach the server."""
    if not is_loopback(base_url) or _host_is_loopback(host):
        return None
    return (f"warning: QR codes and e-mails will point to {base_url}, which only this machine "
            "can open, while the server listens on other interfaces: set VR_BOOKING_BASE_URL "
            "to the address visitors use.")


def in_networks(address: str, networks: str) -> bool:
    """Whether an address is one of a comma-separated list of IPs or networks (10.0.0.0/8);
    an address or an entry that is not an IP never matches."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in filter(None, (e.strip() for e in networks.split(","))):
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False
