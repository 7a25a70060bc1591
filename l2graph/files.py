"""Writing files so that a failure never leaves a half-written one behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from l2graph.errors import InputError


def write_atomically(chunks: bytes | Iterator[bytes], destination: Path | str) -> None:
    """Write to a temporary file beside ``destination``, then rename it into place; a failure
    leaves no file behind."""
    import tempfile

    destination = Path(destination)
    directory = destination.parent if str(destination.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=directory)
    except OSError as exc:
        raise InputError(f"{destination}: cannot write: {exc.strerror}") from exc
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # as a plain open() would create it
        with os.fdopen(handle, "wb") as file:
            for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, destination)
    except OSError as exc:
        raise InputError(f"{destination}: cannot write: {exc.strerror}") from exc
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
