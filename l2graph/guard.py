"""The last line of defence: no network connection the user did not ask for.

:func:`install` adds a process-wide audit hook (PEP 578) that refuses every outbound network
connection and name lookup made by Python code, except to the endpoints :func:`allow` names:
the ones a user gives to ``push`` and ``--endpoint``. Unix-domain sockets (local IPC) are not
network; a server's own listening socket is not outbound.

The ``l2graph`` command installs it before anything else runs; the test suite installs it for
every test, with loopback allowed, so a test that reaches out fails. Oxigraph's own HTTP client
(``SERVICE`` in a query) is native code the hook cannot see: the query guard
(:func:`l2graph.sparql_lexer.check_read_only`) refuses ``SERVICE`` before Oxigraph parses a query,
and the processes that run queries cannot open a socket at all (:mod:`l2graph.sandbox`).
"""

from __future__ import annotations

import sys

from l2graph.errors import L2GraphError

# socket, ipaddress and urllib are imported only when a connection is made: installing the
# guard costs a command's start nothing.

_allowed_hosts: set[str] = set()
_allowed_addresses: set[tuple[str, int]] = set()
_state = {"installed": False, "loopback": False}


class ConnectionRefused(L2GraphError):
    """Code tried to reach a host nobody named; l2graph stopped it."""


def allow(url: str) -> None:
    """Let connections reach ``url``'s host and port (an endpoint the user named)."""
    import socket
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    _allowed_hosts.add(parts.hostname)
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError:
        found = []  # the connection will fail on its own, with its own message
    _allowed_addresses.update((info[4][0], port) for info in found)
    _allowed_addresses.add((parts.hostname, port))


def install(*, loopback: bool = False) -> None:
    """Refuse outbound connections from here on (once per process; it cannot be removed).

    Args:
        loopback: also let any connection to this machine through (the test suite's servers).
    """
    _state["loopback"] = _state["loopback"] or loopback
    if not _state["installed"]:
        _state["installed"] = True
        sys.addaudithook(_audit)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _permitted(host: str, port: int | None) -> bool:
    if _state["loopback"] and _is_loopback(host):
        return True
    if port is None:
        return host in _allowed_hosts or any(host == h for h, _ in _allowed_addresses)
    return (host, port) in _allowed_addresses


def _audit(event: str, args: tuple) -> None:
    if event == "socket.connect":
        import socket

        sock, address = args
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return
        host, port = address[0], address[1]
        if not _permitted(host, port):
            raise ConnectionRefused(
                f"refused to connect to {host}:{port}: l2graph only contacts an endpoint it "
                "is given"
            )
    elif event == "socket.getaddrinfo":
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        if host is None or _is_loopback(str(host)) or _is_literal(str(host)):
            return  # no name is looked up
        if not _permitted(str(host), None):
            raise ConnectionRefused(
                f"refused to look up {host}: l2graph only contacts an endpoint it is given"
            )


def _is_literal(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True
