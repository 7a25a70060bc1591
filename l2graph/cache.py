"""The build cache: parse, validate and reason once; every query after that reads the cache.

Layout under the cache directory: ``<fingerprint>/store`` (an Oxigraph store holding the
asserted and inferred named graphs), ``<fingerprint>/build.json`` and ``current``. The
fingerprint hashes every input file, so an edited source is never answered from a stale cache;
a build that fails leaves the previous cache as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from l2graph import engine, reasoning
from l2graph.errors import ValidationFailed
from l2graph.project import ASSERTED_GRAPH, INFERRED_GRAPH, Project

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildInfo:
    """What a build produced and how long each stage took."""

    fingerprint: str
    asserted: int
    inferred: int
    seconds: dict[str, float]


def _store_path(project: Project, fingerprint: str) -> Path:
    return project.cache_dir / fingerprint / "store"


def build(
    home: Path | str | None = None, *, force: bool = False, progress: Progress | None = None
) -> BuildInfo:
    """Parse, validate and reason over the project's sources and write the cache.

    Args:
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        force: rebuild even when the cache is fresh.
        progress: called with a short message as each stage starts.

    Returns:
        The :class:`BuildInfo` of the cache now in use.

    Raises:
        ValidationFailed: the asserted graph does not conform; the old cache is kept.
    """
    project = Project.locate(home)
    fingerprint = project.fingerprint()
    meta = project.cache_dir / fingerprint / "build.json"
    if meta.is_file() and not force:
        return BuildInfo(**json.loads(meta.read_text()))
    say = progress or (lambda _message: None)
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    say("parsing")
    store = ox.Store()
    engine.parse_files(project.data_files(), store, ASSERTED_GRAPH)
    seconds["parse"] = time.perf_counter() - started

    started = time.perf_counter()
    say("validating")
    report = validate_store(store, project)
    if not report.conforms:
        raise ValidationFailed(report)
    seconds["validate"] = time.perf_counter() - started

    started = time.perf_counter()
    say("reasoning")
    inferred = reasoning.materialise(store, INFERRED_GRAPH)
    seconds["reason"] = time.perf_counter() - started

    started = time.perf_counter()
    say("writing the cache")
    asserted = sum(
        1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(ASSERTED_GRAPH))
    )
    info = BuildInfo(fingerprint, asserted, inferred, seconds)
    _publish(project, store, info)
    seconds["write"] = time.perf_counter() - started
    return info


def validate_store(store: ox.Store, project: Project):
    """Validate the asserted graph of ``store`` with pyshacl (see :mod:`l2graph.validation`)."""
    from l2graph.graph import new_graph
    from l2graph.validation import validate

    graph = new_graph()
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(ASSERTED_GRAPH))
    graph.parse(data=data, format="nt")
    return validate(graph, project.home)


def _publish(project: Project, store: ox.Store, info: BuildInfo) -> None:
    """Write the store beside the live cache, then switch to it in one rename."""
    project.cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=project.cache_dir))
    try:
        on_disk = ox.Store(str(staging / "store"))
        on_disk.bulk_extend(store)
        on_disk.flush()
        del on_disk
        (staging / "build.json").write_text(json.dumps(asdict(info), indent=2))
        final = project.cache_dir / info.fingerprint
        shutil.rmtree(final, ignore_errors=True)
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_atomically(project.cache_dir / "current", info.fingerprint)
    for old in project.cache_dir.iterdir():  # only the current build is kept
        if old.is_dir() and old.name != info.fingerprint and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(handle, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def open_store(home: Path | str | None = None, progress: Progress | None = None) -> ox.Store:
    """The validated, inferred graph as a read-only Oxigraph store, rebuilt first if stale."""
    project = Project.locate(home)
    fingerprint = project.fingerprint()
    path = _store_path(project, fingerprint)
    if not (path.parent / "build.json").is_file():
        build(project.home, progress=progress)
    return ox.Store.read_only(str(path))


def load_validated(
    home: Path | str | None = None, *, inferred: bool = False, progress: Progress | None = None
):
    """The validated graph from the cache as an rdflib graph; with the entailments if asked."""
    from l2graph.graph import new_graph

    store = open_store(home, progress)
    graph = new_graph()
    graphs = [ASSERTED_GRAPH] + ([INFERRED_GRAPH] if inferred else [])
    for name in graphs:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
        graph.parse(data=data, format="nt")
    return graph


_STATISTICS = f"""
PREFIX l2: <https://w3id.org/l2graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label (COUNT(?x) AS ?count) WHERE {{
  {{ GRAPH <{ASSERTED_GRAPH}> {{ ?x ?p ?o }} BIND ("asserted triples" AS ?label) }}
  UNION {{ GRAPH <{INFERRED_GRAPH}> {{ ?x ?p ?o }} BIND ("inferred triples" AS ?label) }}
  UNION {{ ?class rdfs:isDefinedBy <https://w3id.org/l2graph/ontology> ; rdfs:label ?name .
          ?x a ?class . FILTER NOT EXISTS {{ ?class a l2:ClaimStatus }}
          BIND (CONCAT("instances of ", STR(?name)) AS ?label) }}
  UNION {{ ?x a l2:Claim ; l2:status/rdfs:label ?status .
          BIND (CONCAT("claims: ", STR(?status)) AS ?label) }}
}} GROUP BY ?label ORDER BY ?label
"""


def statistics(store: ox.Store) -> list[tuple[str, int]]:
    """Triple counts per graph, instances per ontology class, and claims per status."""
    rows = store.query(_STATISTICS, use_default_graph_as_union=True)
    return [(row["label"].value, int(row["count"].value)) for row in rows]
