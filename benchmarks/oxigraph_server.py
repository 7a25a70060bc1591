"""A private ``oxigraph serve`` on a free loopback port, for the tests and the benchmarks.

The one place that finds the server binary, starts it, waits until it answers and stops it,
whatever happens in between. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MISSING = "the oxigraph server binary is not installed (pip install 'oxigraph>=0.5,<0.6')"
# No proxy from the environment between us and loopback.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerError(RuntimeError):
    """A server binary is missing, exited, or did not answer in time."""


def binary() -> str | None:
    """The ``oxigraph`` binary beside this Python (pip's ``oxigraph`` package), or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def version() -> str | None:
    """The server's version as it prints it (e.g. ``0.5.13``), if installed."""
    program = binary()
    if program is None:
        return None
    printed = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30)
    return printed.stdout.split()[-1] if printed.stdout.split() else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(
    location: Path, *, read_only: bool = False, startup_seconds: float = 30.0
) -> Iterator[str]:
    """Run ``oxigraph serve --location LOCATION`` on a free loopback port; yields its base URL.

    With ``read_only``, ``oxigraph serve-read-only --union-default-graph`` instead: the store
    answers as l2graph does, over the union of its graphs.

    Raises:
        ServerError: no binary, or the server exited or stayed silent at startup (its log's
            last lines are in the message).
    """
    program = binary()
    if program is None:
        raise ServerError(MISSING)
    location.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = location.parent / f"{location.name}-server.log"
    with open(log_path, "wb") as log:
        mode = ["serve-read-only", "--union-default-graph"] if read_only else ["serve"]
        process = subprocess.Popen(
            [program, *mode, "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        query = f"{base}/query?query=ASK%7B%7D"
        wait_until_answering(query, process, log_path, startup_seconds, "oxigraph serve")
        yield base
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop a server: SIGTERM, then SIGKILL if it has not exited within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_until_answering(
    url: str, process: subprocess.Popen, log: Path, seconds: float, name: str
) -> None:
    """Poll ``url`` until it answers 200; a server that exits or stays silent raises
    :class:`ServerError` with its log's last lines (``name`` says which server)."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-800:]
            raise ServerError(f"{name} exited with {process.returncode}: {tail}")
        try:
            with _DIRECT.open(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerError(f"{name} did not answer within {seconds:g} s")
        time.sleep(0.1)
