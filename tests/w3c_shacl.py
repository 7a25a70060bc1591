"""The W3C SHACL test suite (the approved tests), read from pyshacl's source distribution.

The suite is never copied into this repository: :func:`suite_dir` downloads pyshacl's sdist at
a pinned version with pip (``pip download --no-deps --no-binary :all:``) into a cache
directory, checks its SHA-256 and unpacks ``test/resources/sht_tests/``.

Each test is run as ``l2graph validate --data D --shapes S`` runs it
(:func:`l2graph.shacl.validate_files`) and compared as the W3C manifest compares reports:
``sh:conforms`` and the multiset of results, each read as (focus node, path, value, source
shape, constraint component); blank nodes, which no two graphs share, are read by what they
are (a path by its SPARQL form, a property shape by its path, anything else as ``_:``).

``python tests/w3c_shacl.py`` prints the figures for l2graph and for pyshacl side by side.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

PYSHACL_VERSION = "0.40.1"
SDIST_SHA256 = "011e3cf1a68b31747cb762ba3d755ae1bdcc464c8fad0dc212a9adc550719552"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


class Case(NamedTuple):
    """One approved test of the suite."""

    name: str  # its path in the suite, without .ttl
    data: Path
    shapes: Path
    failure: bool  # the engine must refuse (sht:Failure)
    conforms: bool | None
    results: Counter  # of (focus, path, value, shape, component)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "l2graph-tests"


def suite_dir() -> Path | None:
    """The unpacked ``sht_tests`` directory, downloading the sdist if need be; None (with
    the reason in :data:`WHY`) when it cannot be had."""
    global WHY
    root = cache_dir() / f"pyshacl-{PYSHACL_VERSION}"
    suite = root / "test" / "resources" / "sht_tests"
    if (suite / "manifest.ttl").is_file():
        return suite
    tarball = cache_dir() / f"pyshacl-{PYSHACL_VERSION}.tar.gz"
    if not tarball.is_file():
        cache_dir().mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
            "--no-build-isolation", "--quiet", f"pyshacl=={PYSHACL_VERSION}", "-d",
            str(cache_dir()),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not tarball.is_file():
            WHY = f"pip could not download pyshacl=={PYSHACL_VERSION}: {done.stderr.strip()[-300:]}"
            return None
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        WHY = f"{tarball}: SHA-256 {digest}, expected {SDIST_SHA256}"
        return None
    with tarfile.open(tarball) as archive:
        members = [m for m in archive.getmembers() if "/test/resources/sht_tests/" in m.name]
        archive.extractall(cache_dir(), members=members, filter="data")
    return suite


WHY = ""


def _objects(store: ox.Store, subject, predicate: str) -> list:
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]


def _items(store: ox.Store, head) -> list:
    members = []
    while head != ox.NamedNode(RDF + "nil"):
        members.append(_objects(store, head, RDF + "first")[0])
        head = _objects(store, head, RDF + "rest")[0]
    return members


def _load(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    return store


def read_term(store: ox.Store, term) -> str:
    """A term as the comparison reads it (blank nodes by what they describe)."""
    if term is None:
        return ""
    if not isinstance(term, ox.BlankNode):
        return str(term)
    from l2graph.shacl import UnsupportedShape, _Shapes

    shapes = _Shapes.__new__(_Shapes)
    shapes.store = store
    paths = _objects(store, term, SH + "path")
    try:
        if paths:
            return f"[shape on {shapes.path(paths[0])}]"
        return f"[path {shapes.path(term)}]"
    except (UnsupportedShape, StopIteration, IndexError):
        return "_:"


def cases() -> list[Case]:
    """Every approved test of the suite, in a stable order."""
    suite = suite_dir()
    if suite is None:
        return []
    found = []
    todo = [suite / "manifest.ttl"]
    while todo:
        manifest = todo.pop()
        store = _load(manifest)
        for include in _objects(store, None, MF + "include"):
            todo.append(Path(include.value.removeprefix("file://")))
        for entries in _objects(store, None, MF + "entries"):
            for test in _items(store, entries):
                if ox.NamedNode(SHT + "approved") not in _objects(store, test, MF + "status"):
                    continue
                (action,) = _objects(store, test, MF + "action")
                data = Path(
                    _objects(store, action, SHT + "dataGraph")[0].value.removeprefix("file://")
                )
                shapes = Path(
                    _objects(store, action, SHT + "shapesGraph")[0].value.removeprefix("file://")
                )
                (result,) = _objects(store, test, MF + "result")
                name = str(manifest.parent.relative_to(suite) / test.value.rsplit("/", 1)[-1])
                if result == ox.NamedNode(SHT + "Failure"):
                    found.append(Case(name, data, shapes, True, None, Counter()))
                    continue
                conforms = _objects(store, result, SH + "conforms")[0].value == "true"
                expected = Counter(
                    (
                        read_term(store, _one(store, r, "focusNode")),
                        read_term(store, _one(store, r, "resultPath")),
                        read_term(store, _one(store, r, "value")),
                        read_term(store, _one(store, r, "sourceShape")),
                        read_term(store, _one(store, r, "sourceConstraintComponent")),
                    )
                    for r in _objects(store, result, SH + "result")
                )
                found.append(Case(name, data, shapes, False, conforms, expected))
    return sorted(found)


def _one(store: ox.Store, subject, name: str):
    values = _objects(store, subject, SH + name)
    return values[0] if values else None


class Outcome(NamedTuple):
    """How an engine did on a test: correct, refused, wrong or crashed, and the detail."""

    verdict: str
    false_conforms: bool
    detail: str


def judge(
    case: Case, conforms: bool | None, results: Counter | None, error: str | None, refused: bool
) -> Outcome:
    if case.failure:
        if refused:
            return Outcome("correct", False, error or "")
        return Outcome("wrong", False, "expected a failure, got a report")
    if refused:
        return Outcome("refused", False, error or "")
    if error is not None:
        return Outcome("crashed", False, error)
    false_conforms = bool(conforms) and not case.conforms
    if conforms == case.conforms and results == case.results:
        return Outcome("correct", False, "")
    missing = case.results - results
    extra = results - case.results
    return Outcome(
        "wrong",
        false_conforms,
        f"conforms {conforms}; missing {dict(missing)}; extra {dict(extra)}",
    )


def run_l2graph(case: Case) -> Outcome:
    """The test through the compiled engine, as ``l2graph validate --data --shapes``."""
    from l2graph import shacl
    from l2graph.errors import InputError

    try:  # what shacl.validate_files does, keeping the graphs to read blank nodes in
        data, shapes = shacl.load_files([case.data]), shacl.load_shapes([case.shapes])
        report = shacl.to_report(shacl.run(data, shapes), shapes)
    except InputError as exc:
        return judge(case, None, None, str(exc), True)
    except Exception as exc:
        return judge(case, None, None, f"{type(exc).__name__}: {exc}", False)
    results = Counter()
    for r in report.results:
        focus, path, value, shape, component, *_rest = r.terms
        results[
            (
                read_term(data, focus),
                read_term(shapes, path),
                read_term(data, value),
                read_term(shapes, shape),
                str(component),
            )
        ] += 1
    return judge(case, report.conforms, results, None, False)


def run_pyshacl(case: Case) -> Outcome:
    """The test through pyshacl (the reference), read the same way."""
    import pyshacl
    from rdflib import BNode, Graph, URIRef

    data = Graph().parse(case.data, format="turtle", publicID=case.data.resolve().as_uri())
    shapes = Graph().parse(case.shapes, format="turtle", publicID=case.shapes.resolve().as_uri())
    try:
        conforms, report, _text = pyshacl.validate(
            data, shacl_graph=shapes, advanced=False, allow_warnings=False
        )
    except Exception as exc:
        return judge(case, None, None, f"{type(exc).__name__}: {exc}", case.failure)
    if case.failure:
        return judge(case, conforms, Counter(), None, False)
    report_store = ox.Store()
    report_store.load(report.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    shapes_store, data_store = _load(case.shapes), _load(case.data)
    del BNode, URIRef

    def term(store: ox.Store, node) -> str:
        return read_term(store, node)

    results = Counter()
    # the report's own results (pyshacl nests the results of sh:node's shape in sh:detail)
    for top in report_store.quads_for_pattern(None, ox.NamedNode(SH + "result"), None):
        node = top.object
        focus = _one(report_store, node, "focusNode")
        path = _one(report_store, node, "resultPath")
        shape = _one(report_store, node, "sourceShape")
        # pyshacl copies blank shape and path nodes into its report: read them there
        results[
            (
                term(report_store, focus) if isinstance(focus, ox.BlankNode) else str(focus),
                term(report_store, path),
                term(report_store, _one(report_store, node, "value")),
                term(report_store, shape),
                str(_one(report_store, node, "sourceConstraintComponent")),
            )
        ] += 1
    del shapes_store, data_store
    return judge(case, conforms, results, None, False)


def summary(outcomes: list[Outcome]) -> str:
    counts = Counter(o.verdict for o in outcomes)
    false = sum(o.false_conforms for o in outcomes)
    return (
        f"{counts['correct']} correct, {counts['refused']} refused, {counts['wrong']} wrong "
        f"({false} false 'conforms'), {counts['crashed']} crashed, of {len(outcomes)}"
    )


PYSHACL_TABLE = Path(__file__).parent / "expected" / "w3c_shacl_pyshacl.tsv"


def pyshacl_table() -> dict[str, str]:
    """pyshacl's recorded outcome on each test (``--pyshacl-table`` writes it): test id to
    correct, wrong, crashed or refused."""
    if not PYSHACL_TABLE.is_file():
        return {}
    rows = [line.split("\t") for line in PYSHACL_TABLE.read_text().splitlines()]
    return {row[0]: row[1] for row in rows if row and not row[0].startswith("#")}


def write_pyshacl_table(all_cases: list[Case], outcomes: list[Outcome]) -> None:
    lines = [
        f"# pyshacl {PYSHACL_VERSION}'s outcome on each approved W3C SHACL test, as "
        "tests/w3c_shacl.py reads it (python tests/w3c_shacl.py --pyshacl-table)"
    ]
    lines += [f"{c.name}\t{o.verdict}" for c, o in zip(all_cases, outcomes, strict=True)]
    PYSHACL_TABLE.write_text("\n".join(lines) + "\n")


def comparison(all_cases: list[Case], outcomes: list[Outcome], table: dict[str, str]) -> str:
    """One line: how l2graph's outcomes stand beside pyshacl's recorded ones."""
    mine = {c.name: o.verdict == "correct" for c, o in zip(all_cases, outcomes, strict=True)}
    theirs = {name: table.get(name) == "correct" for name in mine}
    both = sum(mine[n] and theirs[n] for n in mine)
    only_mine = sorted(n for n in mine if mine[n] and not theirs[n])
    only_theirs = sorted(n for n in mine if theirs[n] and not mine[n])
    return (
        f"beside pyshacl {PYSHACL_VERSION} (recorded): l2graph {sum(mine.values())} correct, "
        f"pyshacl {sum(theirs.values())}; both {both}; only l2graph {len(only_mine)}; "
        f"only pyshacl {len(only_theirs)} {only_theirs or ''}".rstrip()
    )


def bench(home: Path, all_cases: list[Case]) -> None:
    """l2graph's compiled engine against pyshacl (the project's options): the project's graph
    at ``home`` (data/*.ttl and ontology/l2graph.ttl against ontology/shapes.ttl, files parsed
    in each run), medians of 7 and 3 runs; then the whole W3C suite as this module runs it
    (parsing, validating, comparing), medians of 5 and 3."""
    import statistics
    import time

    import pyshacl
    from rdflib import Graph

    from l2graph import shacl

    data = [*sorted((home / "data").glob("*.ttl")), home / "ontology" / "l2graph.ttl"]
    shapes = home / "ontology" / "shapes.ttl"

    def reference():
        graph = Graph()
        for path in data:
            graph.parse(path, format="turtle")
        options = {"inference": "none", "advanced": False, "allow_warnings": True}
        return pyshacl.validate(graph, shacl_graph=Graph().parse(shapes), **options)[0]

    def median(work, runs: int) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    ours, theirs = median(lambda: shacl.validate_files(data, [shapes]), 7), median(reference, 3)
    triples = len(shacl.load_files(data))
    print(
        f"project graph ({triples:,} triples): l2graph {ours * 1000:.0f} ms, pyshacl "
        f"{theirs * 1000:,.0f} ms ({theirs / ours:.0f}x); conforms "
        f"{shacl.validate_files(data, [shapes]).conforms} / {reference()}"
    )
    ours = median(lambda: [run_l2graph(c) for c in all_cases], 5)
    theirs = median(lambda: [run_pyshacl(c) for c in all_cases], 3)
    print(
        f"W3C suite ({len(all_cases)} tests): l2graph {ours:.2f} s, pyshacl {theirs:.2f} s "
        f"({theirs / ours:.0f}x)"
    )


if __name__ == "__main__":
    import time

    all_cases = cases()
    if not all_cases:
        sys.exit(f"no suite: {WHY}")
    if "--bench" in sys.argv:
        bench(Path(sys.argv[sys.argv.index("--bench") + 1]), all_cases)
        sys.exit()
    engines = [("l2graph", run_l2graph)] + (
        [("pyshacl", run_pyshacl)] if {"--pyshacl", "--pyshacl-table"} & set(sys.argv) else []
    )
    for label, engine in engines:
        started = time.perf_counter()
        outcomes = [engine(case) for case in all_cases]
        took = time.perf_counter() - started
        if "-v" in sys.argv:
            for case, outcome in zip(all_cases, outcomes, strict=True):
                if outcome.verdict != "correct":
                    print(f"{label} {case.name}: {outcome.verdict}: {outcome.detail[:400]}")
        print(f"{label}: {summary(outcomes)} ({took:.1f}s)")
        if label == "l2graph" and pyshacl_table():
            print(comparison(all_cases, outcomes, pyshacl_table()))
        if label == "pyshacl" and "--pyshacl-table" in sys.argv:
            write_pyshacl_table(all_cases, outcomes)
            print(f"wrote {PYSHACL_TABLE}")
