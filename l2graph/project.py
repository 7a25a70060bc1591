"""Where a project's ontology, data, shapes and queries live, and a fingerprint of them."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from l2graph._version import __version__
from l2graph.errors import InputError

ONTOLOGY_IRI = "https://w3id.org/l2graph/ontology"
L2 = "https://w3id.org/l2graph/ontology#"
ID = "https://w3id.org/l2graph/id/"
ASSERTED_GRAPH = "https://w3id.org/l2graph/graph/asserted"
INFERRED_GRAPH = "https://w3id.org/l2graph/graph/inferred"

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
}

_CHECKOUT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    """A directory holding ``ontology/``, ``data/`` and ``queries/``.

    The default is the checkout l2graph runs from; ``L2GRAPH_HOME`` or an explicit path
    points it at a copy (for example, one with a new article's facts).
    """

    home: Path

    @classmethod
    def locate(cls, home: Path | str | None = None) -> Project:
        """Return the project at ``home``, ``$L2GRAPH_HOME`` or the checkout, checked to exist."""
        path = Path(home or os.environ.get("L2GRAPH_HOME") or _CHECKOUT).resolve()
        if not (path / "ontology" / "l2graph.ttl").is_file():
            raise InputError(f"{path}: not an l2graph project (no ontology/l2graph.ttl)")
        return cls(path)

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
    def cache_dir(self) -> Path:
        return Path(os.environ.get("L2GRAPH_CACHE_DIR") or self.home / ".cache" / "l2graph")

    def data_files(self) -> list[Path]:
        """The Turtle files of the graph: the ontology first, then ``data/*.ttl`` in order."""
        return [self.ontology_file, *sorted((self.home / "data").glob("*.ttl"))]

    def input_files(self) -> list[Path]:
        """Every file a build reads: graph files and the shapes."""
        return [*self.data_files(), self.shapes_file]

    def fingerprint(self) -> str:
        """A hash of every input file's name and content, and of the l2graph version."""
        digest = hashlib.sha256(__version__.encode())
        for path in self.input_files():
            digest.update(path.relative_to(self.home).as_posix().encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
            digest.update(b"\0")
        return digest.hexdigest()
