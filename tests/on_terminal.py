"""Run the command line with standard error on a pseudo-terminal, as a person at a terminal
sees it, and standard output on a pipe, as a script sees it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

L2GRAPH = str(Path(sys.executable).parent / "l2graph")


def run_on_tty(
    argv: list[str], env: dict[str, str], timeout: float = 120
) -> tuple[int, bytes, bytes]:
    """Run ``l2graph ARGV``; returns (exit code, standard output, what the terminal got)."""
    controller, terminal = pty.openpty()
    # a terminal of 100 columns: tqdm draws nothing on one of 0 (a new pty's size)
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    process = subprocess.Popen(
        [L2GRAPH, *argv], stdout=subprocess.PIPE, stderr=terminal, stdin=subprocess.DEVNULL, env=env
    )
    os.close(terminal)
    seen = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 0.1)
        if ready:
            try:
                data = os.read(controller, 65536)
            except OSError:  # the command exited and closed the terminal
                break
            if not data:
                break
            seen += data
        elif process.poll() is not None:
            break
    os.close(controller)
    out = process.stdout.read()
    process.stdout.close()
    return process.wait(timeout=timeout), out, seen
