"""A build's records, in plain ``os`` terms: the inputs' ``stat()`` state it was made from,
which build is live, and each build's files as they were written (so that a damaged or
tampered build is never used). Records are ``marshal`` data, written beside and renamed into
place; nothing here raises for a missing or damaged record: it reads as ``None``.
"""

from __future__ import annotations

import marshal
import os
import stat

#: The record of the live build (in the cache directory) and of each build (in its own).
CURRENT_RECORD, BUILD_RECORD = "current.record", "build.record"


class NotARegularFile(OSError):
    """An input that is not a regular file (``/dev/zero``, a FIFO): it would be read without
    end."""


def input_state(paths: list[str]) -> list[list]:
    """Each file's path, size, mtime, ctime and inode: any write to a file changes its ctime,
    so an unchanged state means unchanged inputs.

    Raises:
        OSError: a file cannot be read (:class:`NotARegularFile` when it is not a file).
    """
    state = []
    for path in paths:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(path)
        state.append([path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino])
    return state


def read_record(path: str):
    """A record written by :func:`write_record`; ``None`` when missing or unreadable."""
    try:
        with open(path, "rb") as file:
            return marshal.load(file)
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write_record(path: str, record) -> None:
    """Write ``record`` (dicts, lists, strings and numbers) atomically (:func:`write_raw`).

    Raises:
        OSError: it cannot be written.
    """
    write_raw(path, marshal.dumps(record))


def write_raw(path: str, content: bytes) -> None:
    """Write ``content`` to ``path`` beside, then rename it into place.

    Raises:
        OSError: it cannot be written (nothing is left behind).
    """
    temporary = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{os.getpid()}")
    try:
        with open(temporary, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        import contextlib

        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def manifest(directory: str, skip: tuple[str, ...]) -> dict[str, list[int]]:
    """Each file under ``directory`` (but those whose path starts with one of ``skip``): its
    size and modification time, by path relative to ``directory``."""
    found = {}
    for root, folders, files in os.walk(directory):
        folders.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            relative = os.path.relpath(path, directory).replace(os.sep, "/")
            if not relative.startswith(skip):
                info = os.stat(path)
                found[relative] = [info.st_size, info.st_mtime_ns]
    return dict(sorted(found.items()))


def verified(directory: str) -> dict | None:
    """The record of the build in ``directory`` (without its file list) if every file it lists
    is there as it was written (size and modification time: a ``stat`` each); ``None`` for a
    missing, damaged or tampered build."""
    record = read_record(os.path.join(directory, BUILD_RECORD))
    try:
        files = record.pop("files")
        for relative, (size, mtime) in files.items():
            found = os.stat(os.path.join(directory, relative))
            if found.st_size != size or found.st_mtime_ns != mtime:
                return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return record


def current_build(cache_dir: str, state: list[list]) -> str | None:
    """The live build's directory when it was made from inputs in ``state`` and verifies."""
    current = read_record(os.path.join(cache_dir, CURRENT_RECORD))
    if not isinstance(current, dict) or current.get("inputs") != state:
        return None
    directory = os.path.join(cache_dir, str(current.get("fingerprint")))
    return directory if verified(directory) is not None else None
