"""A query with a deadline, for Python callers: it runs in a worker process, which is killed
when the deadline passes (pyoxigraph cannot cancel a query, but its process can be stopped).

One worker per Python process (``python -m l2graph.isolation``), started on first use (a
fraction of a second) and kept for the next query; a killed or crashed worker is replaced on
the next call. Tasks and answers cross its standard input and output as frames: a length (8
bytes), then a pickle. The command line does not need it (its own process is what it stops)
and the server has a pool of its own (:mod:`l2graph.web.pool`).
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from l2graph import errors
from l2graph.sandbox import deny_network

LENGTH = struct.Struct("!Q")
_lock = threading.Lock()
_worker: dict = {}


def frame(value: Any) -> bytes:
    """``value`` as one frame: its pickle's length (8 bytes), then the pickle."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


def read_frame(stream) -> Any:
    """The next frame's value from a binary stream.

    Raises:
        EOFError: the stream ended (the other side is gone).
    """
    header = stream.read(LENGTH.size)
    if len(header) < LENGTH.size:
        raise EOFError
    return pickle.loads(stream.read(LENGTH.unpack(header)[0]))


def answer(function: Callable[..., Any], args: tuple) -> tuple:
    """A worker's answer to a task: ``("ok", value)``, or ``("error", class name, message,
    details)`` for an l2graph error (and for a bug, as an internal error); ``details`` are
    the error's plain attributes (a syntax error's line and column, an unknown name's
    suggestions), so that it is rebuilt whole on the other side (:func:`rebuilt`)."""
    try:
        return ("ok", function(*args))
    except errors.L2GraphError as exc:
        plain = (str, int, float, bool, list, tuple, type(None))
        details = {k: v for k, v in vars(exc).items() if isinstance(v, plain)}
        return ("error", type(exc).__name__, str(exc), details)
    except Exception as exc:  # a bug: reported, and the worker stays usable
        return ("error", "InternalError", f"internal error: {exc!r}", {})


def rebuilt(kind: str, message: str, details: dict) -> errors.L2GraphError:
    """The l2graph error a worker answered with: its class (by name), message and details
    (constructors differ in their parts, so none is called)."""
    cls = getattr(errors, kind, errors.L2GraphError)
    failure = cls.__new__(cls)
    Exception.__init__(failure, message)
    failure.__dict__.update(details)
    return failure


def _start() -> None:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen(
        [sys.executable, "-m", "l2graph.isolation"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=environment,
    )
    _worker["process"] = process


def _stop() -> None:
    process = _worker.pop("process", None)
    if process is not None:
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            stream.close()


def run(function: Callable[..., Any], args: tuple, timeout: float) -> Any:
    """``function(*args)`` in the worker, its value back within ``timeout`` seconds.

    Raises:
        QueryTimeoutError: the deadline passed; the worker was killed.
        L2GraphError: what the function raised (the same class, its message).
    """
    import select

    with _lock:  # one query at a time in the one worker
        if "process" not in _worker or _worker["process"].poll() is not None:
            _stop()
            _start()
        process = _worker["process"]
        try:
            process.stdin.write(frame((function, args)))
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], timeout)
            if not ready:
                _stop()
                raise errors.QueryTimeoutError(f"stopped after {timeout:g} s (timeout)")
            reply = read_frame(process.stdout)
        except (EOFError, OSError):
            _stop()
            raise errors.L2GraphError("the query stopped its worker process") from None
    if reply[0] == "ok":
        return reply[1]
    raise rebuilt(*reply[1:])


def _serve() -> None:
    """The worker: answer tasks from standard input until it closes."""
    deny_network()  # before any task: no query may reach the network
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a task prints goes to stderr, never into the channel
    while True:
        try:
            function, args = read_frame(channel_in)
        except (EOFError, KeyboardInterrupt):
            return
        channel_out.write(frame(answer(function, args)))
        channel_out.flush()


if __name__ == "__main__":
    _serve()
