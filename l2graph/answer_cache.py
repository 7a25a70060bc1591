"""The one answer cache: a build never changes, so an answer computed on it is kept for it.

Every face keeps answers here, keyed by the build, what was asked (:func:`identity`) and the
format:

- **on disk**, in ``<build>/answers/<key>.<format>`` (the API and the command line): any process
  reads them, they go when the build goes, and the ``l2graph`` program's first step
  (:mod:`l2graph.program`) serves them with nothing but ``os`` and ``zlib`` loaded;
- **in memory**, under a budget in bytes, the least recently used dropped first (the server,
  which answers from many clients: what they ask is never written to disk, so no client can
  fill it; keys are digests, so a 4 MB query costs its digest).

Keeping only saves time: a cache that cannot be written is left as it is, and a damaged or
torn entry is never served.
"""

from __future__ import annotations

import os

from l2graph.records import write_raw

TYPE_CHECKING = False  # typing imports re: the kept-answer path loads neither
if TYPE_CHECKING:
    from collections import OrderedDict
    from typing import Any

#: The formats a query's answer is written in (``l2graph query --format``, the API's
#: :meth:`~l2graph.results.QueryResult.serialize`).
OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "nt", "json-ld")


def identity(kind: str, query: str) -> str:
    """What a kept answer answers: the query's text and how it was asked (``"query"``, a
    stored query by name; ``"sparql"``, a text), so that the two never share an answer."""
    return f"{kind}\0{query}"


def answers_of(build: str, query: str) -> str:
    """Where a build keeps the answers to ``query``: ``<build>/answers/<key>``, each format
    as ``<key>.<format>``. The key is a CRC-32 of the text (cheap to import and compute,
    unlike a cryptographic hash); each kept answer starts with the query it answers, so two
    texts with one key never share an answer."""
    import zlib

    return os.path.join(build, "answers", f"{zlib.crc32(query.encode()):08x}")


def read_kept(answers: str, format: str, query: bytes) -> bytes | None:
    """The answer to ``query`` kept in ``format``, if whole and for this very query."""
    try:
        with open(f"{answers}.{format}", "rb") as file:
            content = file.read()
    except OSError:
        return None
    # "<query length> <answer length>\n<query><answer>"
    header, _, body = content.partition(b"\n")
    if header == b"%d %d" % (len(query), len(body) - len(query)) and body.startswith(query):
        return body[len(query) :]
    return None


def _write_kept(answers: str, format: str, query: bytes, answer: bytes) -> None:
    """Keep ``answer`` to ``query`` in ``format``, written beside and renamed into place. Not
    synced to disk: its header gives the query's and the answer's lengths, so a torn file is
    never served."""
    content = b"%d %d\n" % (len(query), len(answer)) + query + answer
    try:
        os.makedirs(os.path.dirname(answers), exist_ok=True)
        write_raw(f"{answers}.{format}", content)
    except OSError:
        pass


class AnswerCache:
    """Answers kept per build: on disk (``memory_bytes=0``: the API and the command line) or
    in memory under ``memory_bytes`` (the server); see the module's description."""

    #: Larger answers are not kept on disk: running the query again costs less than the disk
    #: they take.
    MAX_ON_DISK = 4 * 1024 * 1024

    def __init__(self, memory_bytes: int = 0) -> None:
        from collections import OrderedDict

        self.memory_bytes, self.size = memory_bytes, 0
        self._memory: OrderedDict[bytes, tuple[Any, int]] = OrderedDict()

    def _key(self, build: str, asked: str, format: str) -> bytes:
        import hashlib

        digest = hashlib.blake2b(digest_size=16)
        for part in (build, asked, format):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little") + data)
        return digest.digest()

    def get(self, build: str, asked: str, format: str) -> Any:
        """The answer kept for ``asked`` (see :func:`identity`) in ``format`` on ``build``, or
        ``None``."""
        if not self.memory_bytes:
            return read_kept(answers_of(build, asked), format, asked.encode())
        key = self._key(build, asked, format)
        found = self._memory.get(key)
        if found is None:
            return None
        self._memory.move_to_end(key)
        return found[0]

    def has_any(self, build: str, asked: str) -> bool:
        """True when ``asked`` was answered on ``build`` before, in any format (so it parses
        and is allowed)."""
        if self.memory_bytes:
            return any(self.get(build, asked, format) is not None for format in OUTPUT_FORMATS)
        answers = answers_of(build, asked)
        return any(os.path.isfile(f"{answers}.{format}") for format in OUTPUT_FORMATS)

    def put(self, build: str, asked: str, format: str, answer: Any, size: int) -> None:
        """Keep ``answer`` (``size`` bytes) for ``asked`` in ``format`` on ``build``; on disk
        ``answer`` is bytes."""
        if not self.memory_bytes:
            if size <= self.MAX_ON_DISK:
                _write_kept(answers_of(build, asked), format, asked.encode(), answer)
            return
        key = self._key(build, asked, format)
        if size > self.memory_bytes // 8 or key in self._memory:
            return  # a huge answer would push out many small ones
        self._memory[key] = (answer, size)
        self.size += size
        while self.size > self.memory_bytes:
            self.size -= self._memory.popitem(last=False)[1][1]

    def clear(self) -> None:
        """Forget what is kept in memory (a new build went live)."""
        self._memory.clear()
        self.size = 0
