"""Writing files so that a failure never leaves a half-written one behind.

The rules users of ``cp`` and ``mv`` expect: a read-only file is not replaced; a file that is
replaced keeps its permissions (a new one gets the umask's); a symbolic link is written
through, to the file it points at; a FIFO or a device is written to as it is; ``-`` is
standard output (for the command line). Temporary files still pending when the process is
told to stop are removed by :func:`remove_pending`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from l2graph.errors import InputError

_PENDING: set[str] = set()  # temporary files being written, for a clean stop


def write_atomically(chunks: bytes | Iterator[bytes], destination: Path | str) -> None:
    """Write to a temporary file beside ``destination``, then rename it into place; a failure
    leaves no file behind.

    Raises:
        InputError: the destination is read-only, or cannot be written.
    """
    import tempfile

    given = destination
    destination = Path(os.path.realpath(destination))  # through symbolic links
    pieces = [chunks] if isinstance(chunks, bytes) else chunks
    try:
        # the name as given, as open() follows it: /dev/stdout's link to a pipe reads
        # "pipe:[…]", which realpath() cannot turn into a path
        info = os.stat(given)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"{given}: cannot write: {exc.strerror}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{destination}: is a directory; name a file to write")
        _write_in_place(pieces, Path(given))  # a FIFO, a pipe or a device: no rename onto it
        return
    writable = info is None or (info.st_mode & 0o222 and os.access(destination, os.W_OK))
    if not writable:  # by its mode bits too: root may write anything, but should not here
        raise InputError(f"{destination}: is read-only; not replaced (remove it or pick another)")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    except OSError as exc:
        raise InputError(f"{destination}: cannot write: {exc.strerror}") from None
    _PENDING.add(temporary)
    try:
        if info is not None:
            mode = stat.S_IMODE(info.st_mode)
        else:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask  # as a plain open() would create it
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as file:
            for chunk in pieces:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, destination)
    except OSError as exc:
        raise InputError(f"{destination}: cannot write: {exc.strerror}") from None
    finally:
        _PENDING.discard(temporary)
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_in_place(pieces, destination: Path) -> None:
    try:
        with open(destination, "wb") as file:
            for chunk in pieces:
                file.write(chunk)
    except OSError as exc:
        raise InputError(f"{destination}: cannot write: {exc.strerror}") from None


def remove_pending() -> None:
    """Remove the temporary files of writes still under way (the process is stopping)."""
    import contextlib

    for temporary in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        _PENDING.discard(temporary)
