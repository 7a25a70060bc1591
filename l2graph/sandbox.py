"""Defence in depth: a process that evaluates queries cannot open a network connection.

The query guard (:func:`l2graph.sparql_lexer.check_read_only`) refuses ``SERVICE`` before any
engine sees a query, and the audit hook (:mod:`l2graph.guard`) refuses Python's connections;
but Oxigraph's HTTP client is native code that no Python hook sees, so a guard that missed
one spelling would be enough to send local data to a third party. :func:`deny_network` takes
that power from the process itself, in the first layer that this machine offers:

1. ``seccomp`` (Linux, libseccomp through pyseccomp): ``socket()`` of any family but
   ``AF_UNIX`` fails with ``EACCES``, for every thread, now and in any child (``io_uring``,
   which can open sockets without that call, is refused too). Unix-domain sockets stay: the
   server's workers answer over a socket pair, and name lookups, which need an internet
   socket, fail.
2. ``network namespace`` (Linux without libseccomp; only a single-threaded process can
   enter one): the process moves to a network of its own, with no interface but a loopback
   that is down.
3. ``audit hook only``: elsewhere (macOS, Windows), Python code is still held by the guard,
   and the reason the other layers are missing is returned.

It is called first thing by every worker process (:mod:`l2graph.workers`), where every face's
queries run; never by ``push``, ``--endpoint`` or ``serve``, which must reach the network or a
client.
"""

from __future__ import annotations

import os
import sys

SECCOMP = "seccomp"
NAMESPACE = "network namespace"
HOOK_ONLY = "audit hook only"

_AF_UNIX = 1  # the same on every Linux architecture; spares importing socket
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
_state: dict[str, str] = {}


def deny_network() -> str:
    """Make this process, and any process it starts, unable to open a network connection
    from now on; it cannot be undone, and a second call changes nothing.

    Also installs the audit hook (:func:`l2graph.guard.install`) with no endpoint allowed, so
    Python code gets l2graph's own refusal.

    Returns:
        The layer that holds: ``"seccomp"``, ``"network namespace"``, or ``"audit hook only:
        <why the others are missing>"`` (never an error: the guard still holds).
    """
    if "layer" not in _state:
        from l2graph import guard

        guard.install()
        _state["layer"] = _install()
    return _state["layer"]


def layer() -> str | None:
    """The layer :func:`deny_network` put in place in this process; ``None`` before it ran."""
    return _state.get("layer")


def _install() -> str:
    if not sys.platform.startswith("linux"):
        return f"{HOOK_ONLY}: {sys.platform} has neither seccomp nor network namespaces"
    refused = _seccomp()
    if refused is None:
        return SECCOMP
    unshared = _namespace()
    if unshared is None:
        return NAMESPACE
    return f"{HOOK_ONLY}: {refused}; {unshared}"


def _seccomp() -> str | None:
    """Install the filter; ``None`` once it holds, else why it could not be installed."""
    import contextlib
    import errno

    try:
        import pyseccomp as seccomp  # imported here: it loads ctypes and runs ldconfig
    except (ImportError, RuntimeError, OSError) as exc:  # RuntimeError: no libseccomp found
        return f"no seccomp ({exc}; install pyseccomp and libseccomp2)"
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread, not only the calling one
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, _AF_UNIX))
        # io_uring opens sockets without socket(); a libseccomp too old to name it predates
        # it, and so, mostly, does the kernel
        with contextlib.suppress(OSError, ValueError):
            rules.add_rule(seccomp.ERRNO(errno.EPERM), "io_uring_setup")
        rules.load()
    except (OSError, ValueError) as exc:
        return f"the kernel refused the seccomp filter ({exc})"
    return None


def _namespace() -> str | None:
    """Move to a network namespace of its own; ``None`` once there, else why not."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as exc:
        return f"no network namespace ({exc})"
    failure = 0
    # root may have CAP_SYS_ADMIN; anyone else needs a user namespace to hold it in
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return None
        failure = ctypes.get_errno()
    return f"no network namespace ({os.strerror(failure)})"
