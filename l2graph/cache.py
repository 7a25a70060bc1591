"""The core's store: parse, validate and reason once; every operation after that reads it.

Layout under the cache directory::

    current.record          which build is live, and the inputs' stat() state it was made from
    <fingerprint>/build.record
                            the build's counts and times, and each of its files' size and time
    <fingerprint>/store/    an on-disk Oxigraph store: the asserted and inferred named graphs
    <fingerprint>/asserted.nq, inferred.nq
                            the same quads as canonical N-Quads (RDFC-1.0 blank nodes, sorted),
                            which exports read: faster than decoding every term from the store

The fingerprint hashes every input file and the build code (parser, compiled shapes, rules),
so an edited source is never answered from a stale cache; the stat() state spares the hashing
on the hot path. A build that fails validation leaves the live cache as it was. The store is
opened read-only, which costs the same at every size: nothing is re-parsed.
"""

from __future__ import annotations

import contextlib
import os
from collections import namedtuple
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from queue import SimpleQueue

from l2graph import records
from l2graph.errors import InputError, ValidationFailed
from l2graph.project import ANCHORS_GRAPH, ASSERTED_GRAPH, INFERRED_GRAPH, Project

TYPE_CHECKING = False  # pyoxigraph loads only when the store is used
if TYPE_CHECKING:
    import pyoxigraph as ox

Progress = Callable[[str], None]


class BuildInfo(namedtuple("BuildInfo", "fingerprint asserted inferred seconds")):
    """What a build produced (triple counts) and how long each stage took (seconds; validation
    and reasoning run side by side, so their times overlap)."""

    __slots__ = ()


def build(
    home: Project | Path | str | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> BuildInfo:
    """Parse, validate and reason over the project's sources and write the cache.

    Args:
        home: the project (a :class:`~l2graph.project.Project`: the build lands in its cache
            directory), or its directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        force: rebuild even when the cache is fresh.
        progress: called with a short message as each stage starts.

    Returns:
        The :class:`BuildInfo` of the cache now in use.

    Raises:
        ValidationFailed: the asserted graph does not conform, or is inconsistent under OWL 2
            RL (each inconsistency a violation naming its rule); the old cache is kept.
        UnsupportedAxiomError: an axiom the OWL 2 RL rules cannot apply as written.
    """
    import shutil
    import time
    from concurrent.futures import ThreadPoolExecutor

    import pyoxigraph as ox

    from l2graph import reasoning
    from l2graph.engine import graph_size

    project = Project.locate(home)
    state = project.input_state()
    fingerprint = project.fingerprint()
    existing = None if force else verified(project.cache_dir / fingerprint)
    if existing is not None:
        _write_current(project, fingerprint, state)
        return existing
    say = progress or (lambda _message: None)
    seconds: dict[str, float] = {}

    def stage(name: str, started: float) -> None:
        seconds[name] = round(time.perf_counter() - started, 4)

    if len(project.data_files()) < 2:  # the ontology alone is not a graph of the articles
        raise InputError(f"{project.home / 'data'}: no data files (data/*.ttl): nothing to build")

    def validate() -> tuple:
        begun = time.perf_counter()
        checked = validate_store(store, project, ASSERTED_GRAPH)
        stage("validate", begun)
        return checked

    store = ox.Store()
    staging = _staging(project)
    try:
        # The on-disk store starts loading as the sources parse; validation and the rest of
        # that load then run beside reasoning: both read only the asserted graph, which
        # nothing changes any more (reasoning writes beside it), and Oxigraph runs queries
        # and loads outside Python's lock, so the three share the cores.
        with ThreadPoolExecutor(2) as helpers:
            started = time.perf_counter()
            say("parsing")
            loading = _parse(project.data_files(), store, staging, helpers)
            stage("parse", started)
            checking = helpers.submit(validate)
            started = time.perf_counter()
            say("validating and reasoning")
            inferred = reasoning.materialise(
                store, INFERRED_GRAPH, source=ASSERTED_GRAPH, check=False
            )
            found = reasoning.inconsistencies(store, INFERRED_GRAPH, source=ASSERTED_GRAPH)
            stage("reason", started)
            report, anchors = checking.result()
            blank_predicates = loading.result()
        for name in ("validate", "reason"):  # in the order of the pipeline, though side by side
            seconds[name] = seconds.pop(name)
        report = reasoning.with_inconsistencies(report, found)  # each one a violation
        if not report.conforms:
            raise ValidationFailed(report)
        anchored = ox.NamedNode(ANCHORS_GRAPH)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, anchored) for t in anchors)

        started = time.perf_counter()
        say("writing the cache")
        asserted = graph_size(store, ASSERTED_GRAPH)
        info = BuildInfo(fingerprint, asserted, inferred, seconds)
        _publish(project, store, staging, info, blank_predicates, lambda: stage("write", started))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_current(project, fingerprint, state)
    return info


def validate_store(store: ox.Store, project: Project, graph: str | None = None):
    """The one validation: the shapes compiled to SPARQL, and, where the article texts are at
    hand, every quote checked against its article.

    Args:
        store: holds the graph to check (and the ontology).
        project: the project whose shapes and article texts to use.
        graph: the named graph to check; by default the union of the store's graphs.

    Returns:
        (the report, the quotes' anchors in their articles: triples for the anchors graph).
    """
    from l2graph import shacl
    from l2graph.report import ValidationReport

    report = shacl.validate_store(store, project.shapes_file, graph)
    if not project.sources_dir.is_dir():
        return report, []
    from l2graph.sources import check_and_anchor

    missing, anchors = check_and_anchor(store, project.sources_dir)
    if not missing:
        return report, anchors
    results = sorted((*report.results, *missing), key=lambda r: (r.focus_node, r.constraint))
    return ValidationReport(conforms=False, results=tuple(results)), anchors


def _staging(project: Project) -> Path:
    """A new directory beside the live cache, for a build to be written in.

    Raises:
        InputError: the cache directory cannot be made or written in.
    """
    import errno
    import tempfile

    _cache_directory(project)
    _sweep(project.cache_dir)
    try:
        return Path(tempfile.mkdtemp(prefix=f".build-{os.getpid()}-", dir=project.cache_dir))
    except OSError as exc:  # its message names the staging folder, which the user never gave
        # ENOENT in a directory that exists: a file system (/proc) that takes no new folder
        why = "" if exc.errno == errno.ENOENT else f" ({exc.strerror})"
        raise InputError(
            f"{project.cache_dir}: the cache directory cannot be written{why}: set "
            "L2GRAPH_CACHE_DIR to a directory you may write"
        ) from None


def _publish(
    project: Project,
    store: ox.Store,
    staging: Path,
    info: BuildInfo,
    blank_predicates: list[str],
    written: Callable[[], None],
) -> None:
    """Finish the build in ``staging`` (see :func:`_parse` and :func:`_load_the_rest`), then
    move it into place by renaming; a live build that verifies is never removed, so a query
    racing a rebuild always finds one. ``written`` is called once the store is on disk,
    before its record is."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    from l2graph.exports import write_build_files

    # The rest of the on-disk store loads in Oxigraph's own threads while this one writes the
    # canonical build files: the two take the write stage's time together.
    with ThreadPoolExecutor(1) as loader:
        loading = loader.submit(_load_the_rest, store, staging, blank_predicates)
        write_build_files(store, [ASSERTED_GRAPH, ANCHORS_GRAPH, INFERRED_GRAPH], staging)
        loading.result()
    written()
    files = records.manifest(str(staging), skip=(records.BUILD_RECORD, "answers/"))
    record = {**info._asdict(), "home": str(project.home), "files": files}
    records.write_record(str(staging / records.BUILD_RECORD), record)
    final = project.cache_dir / info.fingerprint
    if verified(final) is None:  # same fingerprint, same content: a good one stays
        if final.exists():  # a damaged build: out of the way in one rename, then gone
            aside = final.with_name(f".old-{final.name}-{os.getpid()}")
            os.replace(final, aside)
            shutil.rmtree(aside, ignore_errors=True)
        try:
            os.replace(staging, final)
        except OSError:
            if verified(final) is None:  # else a concurrent build published it
                raise
    # Only the project's newest build is kept; a cache directory may serve other projects too,
    # and their builds stay.
    for old in project.cache_dir.iterdir():
        if old.is_dir() and old.name != info.fingerprint and not old.name.startswith("."):
            made = records.read_record(str(old / records.BUILD_RECORD))
            if isinstance(made, dict) and made.get("home", str(project.home)) == str(project.home):
                shutil.rmtree(old, ignore_errors=True)


def _parse(files: list[Path], store: ox.Store, staging: Path, helpers: Executor) -> Future:
    """Parse ``files`` into the asserted graph of ``store``; meanwhile, in one of ``helpers``,
    start the on-disk store of the build in ``staging`` with each file as it parses.

    The on-disk store loads the very text each parse read (in Rust: nothing is dumped from one
    store for the other, and a file edited meanwhile cannot make the two differ). A load
    gives the blank nodes it reads new labels, so the statements that name a blank node are
    removed from the on-disk store once it has loaded; :func:`_load_the_rest` adds them back,
    named as the in-memory store names them. A file that does not parse stops the load where
    it is.

    Returns:
        The load's future: done when the on-disk store is closed, with the predicates (as
        SPARQL terms) of the statements that name a blank node.
    """
    import pyoxigraph as ox

    from l2graph import engine

    asserted = ox.NamedNode(ASSERTED_GRAPH)
    parsed: SimpleQueue = SimpleQueue()  # texts, then the blank nodes' predicates
    loading = helpers.submit(_load_parsed, staging, parsed)
    try:
        for path in files:
            parsed.put(engine.parse_file(path, store, ASSERTED_GRAPH))
        blank = f"GRAPH {asserted} {{ ?s ?p ?o FILTER ({_NAMES_A_BLANK}) }}"
        parsed.put(
            [str(row["p"]) for row in store.query(f"SELECT DISTINCT ?p WHERE {{ {blank} }}")]
        )
    except BaseException:
        parsed.put(None)
        raise
    return loading


#: The test of a statement that names a blank node.
_NAMES_A_BLANK = "isBlank(?s) || isBlank(?o)"


def _load_parsed(staging: Path, parsed: SimpleQueue) -> list[str] | None:
    """The on-disk side of :func:`_parse`: load each Turtle text ``parsed`` gives, then remove
    the statements that name a blank node (only those of the predicates it gives next are
    looked at) and return those predicates; stop at ``None``."""
    import pyoxigraph as ox

    asserted = ox.NamedNode(ASSERTED_GRAPH)
    on_disk = ox.Store(str(staging / "store"))
    while isinstance(item := parsed.get(), bytes):
        on_disk.bulk_load(item, format=ox.RdfFormat.TURTLE, to_graph=asserted)
    if item:
        where = _blank_statements(item)
        on_disk.update(f"WITH {asserted} DELETE {{ ?s ?p ?o }} WHERE {{ {where} }}")
    on_disk.flush()
    del on_disk  # closed, for the next load to open
    return item


def _blank_statements(predicates: list[str]) -> str:
    """A pattern for the statements that name a blank node, among those of ``predicates``."""
    return f"VALUES ?p {{ {' '.join(predicates)} }} ?s ?p ?o FILTER ({_NAMES_A_BLANK})"


def _load_the_rest(store: ox.Store, staging: Path, blank_predicates: list[str]) -> None:
    """Add to the on-disk store of the build in ``staging`` the asserted graph's statements
    that name a blank node (their predicates are ``blank_predicates``) and every other
    graph, as one N-Quads load (see :func:`_parse`). The store is closed when this returns:
    its files stay as they are."""
    import pyoxigraph as ox

    asserted = ox.NamedNode(ASSERTED_GRAPH)
    parts = [
        (graph, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))
        for graph in store.named_graphs()
        if graph != asserted
    ]
    if blank_predicates:
        where = _blank_statements(blank_predicates)
        blank = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {asserted} {{ {where} }} }}")
        parts.append((asserted, blank.serialize(format=ox.RdfFormat.N_TRIPLES)))
        del blank  # made in this thread, and it must be dropped in it
    dump = staging / "rest.nq"
    with open(dump, "wb") as file:
        file.write(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
        for graph, triples in parts:
            # N-Triples hold no raw newline inside a term: " .\n" only ever ends a line
            file.write(triples.replace(b" .\n", f" {graph} .\n".encode()))
    on_disk = ox.Store(str(staging / "store"))
    on_disk.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    on_disk.flush()
    # the loads' files overlap: merged, every look-up reads one (a query ~25% faster)
    on_disk.optimize()
    del on_disk
    dump.unlink()


def _cache_directory(project: Project) -> None:
    try:
        project.cache_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(
            f"{project.cache_dir}: the cache directory is a file (set L2GRAPH_CACHE_DIR to a "
            "directory)"
        ) from None
    except OSError as exc:
        raise InputError(f"{project.cache_dir}: cannot create the cache: {exc.strerror}") from None


def _sweep(cache_dir: Path) -> None:
    """Remove what killed builds left: ``.build-<pid>-*`` folders whose process is gone."""
    import shutil

    for leftover in cache_dir.glob(".build-*"):
        pid = leftover.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in cache_dir.glob(".old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, and is not ours
    return True


def verified(directory: Path) -> BuildInfo | None:
    """The build in ``directory`` if its record reads and every file it lists is there as it
    was written (see :func:`l2graph.records.verified`); ``None`` for a missing, damaged or
    tampered build, which is then rebuilt, never used."""
    record = records.verified(str(directory))
    try:
        if record is None:
            return None
        record.pop("home", None)
        return BuildInfo(**record)
    except TypeError:
        return None


def _write_current(project: Project, fingerprint: str, state: list) -> None:
    """Record the live build and its inputs' state atomically. A cache that cannot be written
    (read-only) is still used: the record only spares the hashing."""
    record = {"fingerprint": fingerprint, "inputs": state}
    with contextlib.suppress(OSError):
        records.write_record(str(project.cache_dir / records.CURRENT_RECORD), record)


def live_build(project: Project, progress: Progress | None = None) -> Path:
    """The directory of a build made from the project's current inputs, building if needed."""
    current = records.current_build(str(project.cache_dir), project.input_state())
    if current is not None:
        return Path(current)
    return project.cache_dir / build(project, progress=progress).fingerprint


def open_store(
    home: Project | Path | str | None = None, progress: Progress | None = None
) -> ox.Store:
    """The validated, inferred graph as a read-only store, rebuilt first if any input changed
    (see :func:`store_of`).

    Raises:
        ValidationFailed: the sources changed and no longer conform.
    """
    project = Project.locate(home)
    return store_of(project, live_build(project, progress), progress)


def store_of(project: Project, directory: Path, progress: Progress | None = None) -> ox.Store:
    """The one way to open a build's store: the build in ``directory``, read-only; one damaged
    in a way its record cannot show (same sizes and times) is rebuilt, once. Every face opens
    stores here (the server's workers keep the last two open: :func:`l2graph.web.answers`)."""
    import pyoxigraph as ox

    try:
        return ox.Store.read_only(str(directory / "store"))
    except (OSError, RuntimeError):
        import shutil

        aside = directory.with_name(f".old-{directory.name}-{os.getpid()}")
        with contextlib.suppress(OSError):  # another process may have moved it already
            os.replace(directory, aside)
        shutil.rmtree(aside, ignore_errors=True)
        fingerprint = build(project, force=True, progress=progress).fingerprint
        return ox.Store.read_only(str(project.cache_dir / fingerprint / "store"))


_STATISTICS = f"""
PREFIX l2: <https://w3id.org/l2graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label (COUNT(?x) AS ?count) WHERE {{
  {{ GRAPH <{ASSERTED_GRAPH}> {{ ?x ?p ?o }} BIND ("asserted triples" AS ?label) }}
  UNION {{ GRAPH <{INFERRED_GRAPH}> {{ ?x ?p ?o }} BIND ("inferred triples" AS ?label) }}
  UNION {{ ?class rdfs:isDefinedBy <https://w3id.org/l2graph/ontology> ; rdfs:label ?name .
          ?x a ?class .
          BIND (CONCAT("instances of ", STR(?name)) AS ?label) }}
  UNION {{ ?x a l2:Claim ; l2:status/rdfs:label ?status .
          BIND (CONCAT("claims: ", STR(?status)) AS ?label) }}
}} GROUP BY ?label ORDER BY ?label
"""


def statistics(store: ox.Store) -> list[tuple[str, int]]:
    """Triple counts per graph, instances per ontology class, and claims per status."""
    rows = store.query(_STATISTICS, use_default_graph_as_union=True)
    return [(row["label"].value, int(row["count"].value)) for row in rows]
