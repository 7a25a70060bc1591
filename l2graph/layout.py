"""Where a project's files are, and which project is in use, in plain ``os`` terms.

The ``l2graph`` program's kept-answer path (:mod:`l2graph.program`) runs these before anything
heavier is imported (``re`` alone, which ``pathlib`` imports, takes longer than the rest of
such a run); :class:`l2graph.project.Project`, the context every face resolves once, is built
on them. Nothing here raises for a missing file: a function returns ``None`` or an empty list.
"""

from __future__ import annotations

import os

PACKAGE = os.path.dirname(os.path.realpath(__file__))
CHECKOUT = os.path.dirname(PACKAGE)
PACKAGED = os.path.join(PACKAGE, "graph")  # ontology/, data/, queries/, copied in by the wheel
#: Package code whose changes change what a build produces: parsing, the compiled shapes, the
#: rules and the store layout.
BUILD_CODE = ("engine.py", "shacl.py", "reasoning.py", "datatypes.py", "sources.py", "cache.py")
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


def source_files(sources: str) -> list[str]:
    """The article texts present in ``sources`` (none when the directory is missing)."""
    return _named(sources, ".txt")


def input_files(home: str, sources: str) -> list[str]:
    """Every file a build depends on: graph files, the shapes, the article texts in
    ``sources`` (quotes are anchored in them) and the build code."""
    return [
        *data_files(home),
        shapes_file(home),
        *source_files(sources),
        *(os.path.join(PACKAGE, name) for name in BUILD_CODE),
    ]


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
