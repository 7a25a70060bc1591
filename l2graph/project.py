"""Where a project's ontology, data, shapes and queries live, and a fingerprint of them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from l2graph._version import __version__
from l2graph.errors import InputError

ONTOLOGY_IRI = "https://w3id.org/l2graph/ontology"
L2 = "https://w3id.org/l2graph/ontology#"
ID = "https://w3id.org/l2graph/id/"
ASSERTED_GRAPH = "https://w3id.org/l2graph/graph/asserted"
INFERRED_GRAPH = "https://w3id.org/l2graph/graph/inferred"
#: Where each claim's quote stands in its article (W3C Web Annotation selectors), computed.
ANCHORS_GRAPH = "https://w3id.org/l2graph/graph/anchors"
#: The named graph a push writes at a triplestore, and remote queries read, by default.
PROJECT_GRAPH = "https://w3id.org/l2graph/graph"

#: Prefixes used in exports, query text and readable output.
PREFIXES = {
    "l2": L2,
    "id": ID,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
}
SHAPES_NS = "https://w3id.org/l2graph/shapes#"
SH = "http://www.w3.org/ns/shacl#"
# Prefixes for reading validation reports: the project's, plus the shapes' own.
_SHORT_NAMES = (*PREFIXES.items(), ("l2s", SHAPES_NS), ("sh", SH))

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
_PACKAGED = _PACKAGE / "graph"  # ontology/, data/, queries/, copied in by the wheel's build
# Package code whose changes change what a build produces: parsing, the compiled shapes, the
# rules and the store layout.
_BUILD_CODE = ("engine.py", "shacl.py", "reasoning.py", "sources.py", "cache.py")


def short_iri(iri: str) -> str:
    """An IRI as a person reads it: ``id:leica-sl2``, ``l2s:FactHasClaim``, else ``<iri>``.

    The one IRI shortener: query tables, validation reports of every engine and error
    messages all name nodes this way.
    """
    for prefix, namespace in _SHORT_NAMES:
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _nearest_project(start: Path, *, climb: bool = True) -> Path | None:
    """``start`` or the nearest directory above it holding ``ontology/l2graph.ttl``."""
    for directory in [start, *start.parents] if climb else [start]:
        if (directory / "ontology" / "l2graph.ttl").is_file():
            return directory
    return None


def _cache_for(home: Path) -> Path:
    """Where a project's builds go (see :attr:`Project.cache_dir`)."""
    if os.environ.get("L2GRAPH_CACHE_DIR"):
        return Path(os.environ["L2GRAPH_CACHE_DIR"])
    own = home / ".cache" / "l2graph"
    if home != _PACKAGED and (own.is_dir() or os.access(home, os.W_OK)):
        return own
    import hashlib

    from platformdirs import user_cache_path

    key = hashlib.sha256(f"{home}\0{__version__}".encode()).hexdigest()[:16]
    return user_cache_path("l2graph") / key


class Project:
    """A directory holding ``ontology/``, ``data/`` and ``queries/``.

    Which one is in use is found by :meth:`locate`; ``L2GRAPH_HOME`` or an explicit path
    points it at a copy (for example, one with a new article's facts).
    """

    __slots__ = ("cache_dir", "home")

    def __init__(self, home: Path, cache_dir: Path | None = None) -> None:
        self.home = home
        #: Where builds are kept: ``$L2GRAPH_CACHE_DIR``, else ``.cache/l2graph`` in the
        #: project, else (the packaged graph, or a project that is not writable) the user's
        #: cache directory; fixed when the project is made (a long-running server keeps its own).
        self.cache_dir = cache_dir or _cache_for(home)

    def __repr__(self) -> str:
        return f"Project({str(self.home)!r})"

    @classmethod
    def locate(cls, home: Path | str | None = None) -> Project:
        """The project in use, checked to exist: ``home``, else ``$L2GRAPH_HOME``, else the
        nearest directory at or above the current one that holds ``ontology/l2graph.ttl`` (as
        git finds its root), else the checkout l2graph runs from, else the graph packaged
        with l2graph (its cache then goes to the user's cache directory)."""
        named = home or os.environ.get("L2GRAPH_HOME")
        if named:
            path = Path(named).resolve()
            if not (path / "ontology" / "l2graph.ttl").is_file():
                raise InputError(f"{path}: not an l2graph project (no ontology/l2graph.ttl)")
            return cls(path)
        found = _nearest_project(Path.cwd()) or _nearest_project(_CHECKOUT, climb=False)
        if found is not None:
            return cls(found)
        if (_PACKAGED / "ontology" / "l2graph.ttl").is_file():
            return cls(_PACKAGED)
        raise InputError(
            f"{Path.cwd()}: no l2graph project here or above, and no packaged graph "
            "(give --home or set L2GRAPH_HOME)"
        )

    @property
    def ontology_file(self) -> Path:
        return self.home / "ontology" / "l2graph.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.home / "ontology" / "shapes.ttl"

    @property
    def context_file(self) -> Path:
        return self.home / "ontology" / "context.jsonld"

    @property
    def queries_dir(self) -> Path:
        return self.home / "queries"

    @property
    def sources_dir(self) -> Path:
        """The article texts: ``$L2GRAPH_SOURCES``, else ``../shared/sources`` beside the
        project directory."""
        configured = os.environ.get("L2GRAPH_SOURCES")
        return Path(configured) if configured else self.home.parent / "shared" / "sources"

    def source_files(self) -> list[Path]:
        """The article texts present (none when the directory is missing)."""
        return sorted(self.sources_dir.glob("*.txt")) if self.sources_dir.is_dir() else []

    def data_files(self) -> list[Path]:
        """The Turtle files of the graph: the ontology first, then ``data/*.ttl`` in order."""
        return [self.ontology_file, *sorted((self.home / "data").glob("*.ttl"))]

    def input_files(self) -> list[Path]:
        """Every file a build depends on: graph files, the shapes, the article texts (quotes
        are anchored in them) and the build code."""
        return [
            *self.data_files(),
            self.shapes_file,
            *self.source_files(),
            *(_PACKAGE / name for name in _BUILD_CODE),
        ]

    def input_state(self) -> list[list]:
        """Cheap to compute: each input file's path, size, mtime, ctime and inode.

        Any write to a file changes its ctime, so an unchanged state means unchanged inputs;
        a changed state is settled by :meth:`fingerprint`.
        """
        state = []
        for path in self.input_files():
            try:
                info = path.stat()
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror}") from None
            if not stat.S_ISREG(info.st_mode):  # /dev/zero, a FIFO: would be read without end
                raise InputError(f"{path}: not a regular file")
            state.append([str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino])
        return state

    def fingerprint(self) -> str:
        """A hash of every input file's name and content, and of the l2graph version."""
        import hashlib

        digest = hashlib.sha256(__version__.encode())
        for path in self.input_files():
            digest.update(path.name.encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
            digest.update(b"\0")
        return digest.hexdigest()
