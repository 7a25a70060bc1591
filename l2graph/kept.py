"""The look-up of a stored query's kept answer, in plain ``os`` terms, so that it can run
before anything heavier is imported.

A build's answers never change, so the first run of a query keeps its answer in the build
(``<build>/answers/<CRC-32 of the query text>.<format>``) and later runs serve it. Each step
of that look-up lives here once: which project is in use, the files a build depends on and
their ``stat()`` state, the records of the live build, a stored query's file by name and the
kept answer itself. :mod:`l2graph.project`, :mod:`l2graph.cache`, :mod:`l2graph.queries` and
:mod:`l2graph.results` build on these functions, and :func:`answer` strings them together for
the ``l2graph`` program: a plain ``l2graph query NAME [--format F]`` is answered from the kept
answer with nothing but ``os``, ``stat``, ``zlib`` and ``marshal`` loaded. ``re`` alone (which
``pathlib``, ``json`` and ``argparse`` all import) takes longer to import than the rest of
such a run.

Nothing here raises for a missing or damaged file: a function returns ``None`` and the caller
takes the full path, which reports the problem or rebuilds.
"""

from __future__ import annotations

import marshal
import os
import stat

PACKAGE = os.path.dirname(os.path.realpath(__file__))
CHECKOUT = os.path.dirname(PACKAGE)
PACKAGED = os.path.join(PACKAGE, "graph")  # ontology/, data/, queries/, copied in by the wheel
#: Package code whose changes change what a build produces: parsing, the compiled shapes, the
#: rules and the store layout.
BUILD_CODE = ("engine.py", "shacl.py", "reasoning.py", "datatypes.py", "sources.py", "cache.py")
#: The record of the live build (in the cache directory) and of each build (in its own).
CURRENT_RECORD, BUILD_RECORD = "current.record", "build.record"
#: What ``l2graph query`` accepts for ``--format`` (the CLI's choices, and the API's).
OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "nt", "json-ld")
_SLUG_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def ontology_file(home: str) -> str:
    """The project's ontology: ``ontology/l2graph.ttl``, which makes a directory a project."""
    return os.path.join(home, "ontology", "l2graph.ttl")


def shapes_file(home: str) -> str:
    """The project's SHACL shapes."""
    return os.path.join(home, "ontology", "shapes.ttl")


def queries_dir(home: str) -> str:
    """The project's stored queries."""
    return os.path.join(home, "queries")


def is_project(directory: str) -> bool:
    """True when ``directory`` holds ``ontology/l2graph.ttl``."""
    return os.path.isfile(ontology_file(directory))


def locate_home(named: str | None) -> str | None:
    """The project directory in use (see :meth:`l2graph.project.Project.locate`): ``named``
    made absolute, else the nearest directory at or above the current one holding a project,
    else this checkout, else the packaged graph; ``None`` when that one is not a project."""
    if named:
        path = os.path.realpath(named)
        return path if is_project(path) else None
    directory = os.getcwd()
    while True:
        if is_project(directory):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for candidate in (CHECKOUT, PACKAGED):
        if is_project(candidate):
            return candidate
    return None


def own_cache_dir(home: str) -> str | None:
    """Where a project's builds go when that is not the user's cache directory:
    ``$L2GRAPH_CACHE_DIR``, else ``.cache/l2graph`` in a project that has one or may write it;
    ``None`` for the packaged graph and projects that may not be written."""
    configured = os.environ.get("L2GRAPH_CACHE_DIR")
    if configured:
        return configured
    own = os.path.join(home, ".cache", "l2graph")
    if home != PACKAGED and (os.path.isdir(own) or os.access(home, os.W_OK)):
        return own
    return None


def sources_dir(home: str) -> str:
    """The article texts: ``$L2GRAPH_SOURCES``, else ``../shared/sources`` beside the project."""
    return os.environ.get("L2GRAPH_SOURCES") or os.path.join(
        os.path.dirname(home), "shared", "sources"
    )


def _named(directory: str, suffix: str) -> list[str]:
    """The entries of ``directory`` whose names end in ``suffix``, sorted (none if it is
    missing)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [os.path.join(directory, name) for name in sorted(names) if name.endswith(suffix)]


def data_files(home: str) -> list[str]:
    """The Turtle files of the graph: the ontology first, then ``data/*.ttl`` in order."""
    return [
        ontology_file(home),
        *_named(os.path.join(home, "data"), ".ttl"),
    ]


def source_files(home: str) -> list[str]:
    """The article texts present (none when the directory is missing)."""
    return _named(sources_dir(home), ".txt")


def input_files(home: str) -> list[str]:
    """Every file a build depends on: graph files, the shapes, the article texts (quotes are
    anchored in them) and the build code."""
    return [
        *data_files(home),
        shapes_file(home),
        *source_files(home),
        *(os.path.join(PACKAGE, name) for name in BUILD_CODE),
    ]


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


def is_query_name(stem: str) -> bool:
    """True for a stored query's file name (without ``.rq``): ``NNN_slug``, the slug in
    lower-case letters, digits and underscores."""
    return (
        len(stem) > 4
        and stem[:3].isdecimal()
        and stem[3] == "_"
        and _SLUG_CHARACTERS.issuperset(stem[4:])
    )


def query_files(queries_dir: str) -> list[str]:
    """The stored query files, in name order."""
    return [
        path for path in _named(queries_dir, ".rq") if is_query_name(os.path.basename(path)[:-3])
    ]


def query_file(queries_dir: str, wanted: str) -> str | None:
    """The stored query file called ``wanted``: by full name (``001_leica_…``), number
    (``001``/``1``) or slug; ``None`` when no file has that name."""
    wanted = wanted.strip().removesuffix(".rq")
    for path in query_files(queries_dir):
        stem = os.path.basename(path)[:-3]
        number, slug = stem[:3], stem[4:]
        if wanted in (stem, slug, number) or (wanted.isdecimal() and int(wanted) == int(number)):
            return path
    return None


def read_query(path: str) -> str:
    """A stored query's text (a byte-order mark is not query text).

    Raises:
        OSError, UnicodeDecodeError: it cannot be read.
    """
    with open(path, encoding="utf-8-sig") as file:
        return file.read()


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


def has_kept_answers(answers: str) -> bool:
    """True when the query ran on this build before (so it parses and is allowed)."""
    return any(os.path.isfile(f"{answers}.{format}") for format in OUTPUT_FORMATS)


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


def keep(answers: str, format: str, query: bytes, answer: bytes) -> None:
    """Keep ``answer`` to ``query`` in ``format``, written beside and renamed into place. Not
    synced to disk: its header gives the query's and the answer's lengths, so a torn file is
    never served. A cache that cannot be written is left as it is: keeping only saves time."""
    content = b"%d %d\n" % (len(query), len(answer)) + query + answer
    try:
        os.makedirs(os.path.dirname(answers), exist_ok=True)
        write_raw(f"{answers}.{format}", content)
    except OSError:
        pass


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


def plain_query(argv: list[str]) -> tuple[str, str] | None:
    """``(name, format)`` for ``query NAME``, optionally with ``--format F``, ``--format=F``
    or ``-f F`` after the name, and nothing else; ``None`` for every other command line (which
    ``argparse`` reads). ``tests/test_kept.py`` holds the two to the same reading."""
    if len(argv) < 2 or argv[0] != "query" or argv[1].startswith("-"):
        return None
    name, rest = argv[1], argv[2:]
    if not rest:
        return name, "table"
    if len(rest) == 1 and rest[0].startswith("--format="):
        rest = ["--format", rest[0][len("--format=") :]]
    if len(rest) == 2 and rest[0] in ("--format", "-f") and rest[1] in OUTPUT_FORMATS:
        return name, rest[1]
    return None


def answer(argv: list[str]) -> bytes | None:
    """The kept answer to the command line ``argv`` (without the program name), if it is a
    plain ``query NAME`` (see :func:`plain_query`) that ran on the live build before and that
    build is still current; ``None`` otherwise, for the full path to take."""
    plain = plain_query(argv)
    if plain is None:
        return None
    name, format = plain
    home = locate_home(os.environ.get("L2GRAPH_HOME"))
    cache_dir = home and own_cache_dir(home)
    if cache_dir is None:
        return None
    try:
        build = current_build(cache_dir, input_state(input_files(home)))
        path = query_file(queries_dir(home), name)
        if build is None or path is None:
            return None
        text = read_query(path)
    except (OSError, UnicodeDecodeError):
        return None
    stored = identity("query", text)
    return read_kept(answers_of(build, stored), format, stored.encode())
