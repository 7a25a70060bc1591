"""Where a project's ontology, data, shapes and queries live, and a fingerprint of them."""

from __future__ import annotations

import os
from pathlib import Path

from l2graph import layout, records
from l2graph._version import __version__
from l2graph.errors import InputError, needing

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


def short_iri(iri: str) -> str:
    """An IRI as a person reads it: ``id:leica-sl2``, ``l2s:FactHasClaim``, else ``<iri>``.

    The one IRI shortener: query tables, validation reports of every engine and error
    messages all name nodes this way.
    """
    for prefix, namespace in _SHORT_NAMES:
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _cache_for(home: Path) -> Path:
    """Where a project's builds go (see :attr:`Project.cache_dir`)."""
    own = layout.own_cache_dir(str(home))
    if own is not None:
        return Path(own)
    import hashlib

    from platformdirs import user_cache_path

    key = hashlib.sha256(f"{home}\0{__version__}".encode()).hexdigest()[:16]
    return user_cache_path("l2graph") / key


class Project:
    """The context every operation runs in: the project directory (``ontology/``, ``data/``,
    ``queries/``), where its builds go and where its article texts are, resolved once.

    A face (the API, the command line, the server) resolves it once with :meth:`locate` and
    passes it down; the core never looks the project up again from a path or the
    environment, so a build lands in :attr:`cache_dir` and nowhere else.
    """

    __slots__ = ("cache_dir", "home", "sources_dir")

    def __init__(
        self, home: Path, cache_dir: Path | None = None, sources_dir: Path | None = None
    ) -> None:
        self.home = Path(home)
        #: Where builds are kept: ``$L2GRAPH_CACHE_DIR``, else ``.cache/l2graph`` in the
        #: project, else (the packaged graph, or a project that is not writable) the user's
        #: cache directory.
        self.cache_dir = Path(cache_dir) if cache_dir else _cache_for(self.home)
        #: The article texts: ``$L2GRAPH_SOURCES``, else ``../shared/sources`` beside the
        #: project directory.
        self.sources_dir = Path(sources_dir or layout.sources_dir(str(self.home)))

    def __repr__(self) -> str:
        return f"Project({str(self.home)!r}, cache_dir={str(self.cache_dir)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Project) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Path, Path, Path]:
        return self.home, self.cache_dir, self.sources_dir

    def __getstate__(self) -> tuple[Path, Path, Path]:  # crosses to worker processes whole
        return self._key()

    def __setstate__(self, state: tuple[Path, Path, Path]) -> None:
        self.home, self.cache_dir, self.sources_dir = state

    @classmethod
    def locate(cls, home: Project | Path | str | None = None) -> Project:
        """The project in use, checked to exist: ``home`` (a :class:`Project` is taken as
        it is), else ``$L2GRAPH_HOME``, else the nearest directory at or above the current
        one that holds ``ontology/l2graph.ttl`` (as git finds its root), else the checkout
        l2graph runs from, else the graph packaged with l2graph (its cache then goes to the
        user's cache directory)."""
        if isinstance(home, Project):
            return home
        named = home or os.environ.get("L2GRAPH_HOME")
        found = layout.locate_home(str(named) if named else None)
        if found is not None:
            return cls(Path(found))
        if named:
            path = Path(named).resolve()
            raise InputError(f"{path}: not an l2graph project (no ontology/l2graph.ttl)")
        message = f"{Path.cwd()}: no l2graph project here or above, and no packaged graph"
        raise needing(InputError(message), "home")

    @property
    def ontology_file(self) -> Path:
        return Path(layout.ontology_file(str(self.home)))

    @property
    def shapes_file(self) -> Path:
        return Path(layout.shapes_file(str(self.home)))

    @property
    def context_file(self) -> Path:
        return self.home / "ontology" / "context.jsonld"

    @property
    def queries_dir(self) -> Path:
        return Path(layout.queries_dir(str(self.home)))

    def source_files(self) -> list[Path]:
        """The article texts present (none when the directory is missing)."""
        return [Path(path) for path in layout.source_files(str(self.sources_dir))]

    def data_files(self) -> list[Path]:
        """The Turtle files of the graph: the ontology first, then ``data/*.ttl`` in order."""
        return [Path(path) for path in layout.data_files(str(self.home))]

    def input_files(self) -> list[Path]:
        """Every file a build depends on (see :func:`l2graph.layout.input_files`)."""
        return [Path(path) for path in self._inputs()]

    def _inputs(self) -> list[str]:
        return layout.input_files(str(self.home), str(self.sources_dir))

    def input_state(self) -> list[list]:
        """Cheap to compute: each input file's path, size, mtime, ctime and inode.

        Any write to a file changes its ctime, so an unchanged state means unchanged inputs;
        a changed state is settled by :meth:`fingerprint`.
        """
        try:
            return records.input_state(self._inputs())
        except records.NotARegularFile as exc:
            raise InputError(f"{exc}: not a regular file") from None
        except OSError as exc:
            raise InputError(f"{exc.filename}: cannot read: {exc.strerror}") from None

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
