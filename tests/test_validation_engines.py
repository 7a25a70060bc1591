"""Every SHACL engine gives the same answers: the core (the shapes compiled to SPARQL on
Oxigraph), pyshacl (the reference, ``engine="pyshacl"``) and pyrudof (rudof, an independent Rust
implementation).

They are compared on the shipped graph, on every invalid fixture and on a synthetic graph, by
(focus node, path, constraint); pyrudof reports SPARQL-based constraints only as
``sh:SPARQLConstraintComponent``, so that is what it is compared on.

pyshacl takes seconds on the shipped graph, so it meets the fixtures on a small part of it
(``invalid_cases.small_graph``) that still exercises every shape, on which the core gives each
fixture exactly the results it gives on the whole graph; and rdflib prepares each of the shapes'
queries once rather than once per focus node (``conftest.rdflib_prepares_queries_once``)."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from invalid_cases import CASES, focus_nodes, has_values, patched, property_paths, shapes_only
from invalid_cases import small_graph as build_small_graph
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import SH

import l2graph
from l2graph import shacl
from l2graph.project import ID, L2, Project, short_iri

SHAPES = Project.locate().shapes_file
L2NS = Namespace(L2)
# pyshacl, wherever it runs here: each query prepared once, rdflib's own literal converters
pytestmark = pytest.mark.usefixtures("rdflib_prepares_queries_once", "rdflib_own_datatypes")
# Known differences, each an xfail: what an engine cannot see.
REFERENCE_GAPS = {
    "year that is not a year": "rdflib has no converter for xsd:gYear, so pyshacl cannot tell an "
    "ill-typed year; owlrl registers one in the process it reasons in, and the reference is "
    "held to rdflib's own (fixture rdflib_own_datatypes)"
}
RUDOF_GAPS = {
    "impossible date": "rudof checks sh:datatype by datatype IRI, not by value",
    "year that is not a year": "rudof checks sh:datatype by datatype IRI, not by value",
}


def core(graph: Graph, home: Path | None = None) -> set:
    report = l2graph.validate(graph, home=home)
    return {(r.focus_node, r.path, r.constraint) for r in report.results}


def reference(graph: Graph) -> set:
    report = l2graph.validate(graph, engine="pyshacl")
    return {(r.focus_node, r.path, r.constraint) for r in report.results}


def rudof(graph: Graph) -> set:
    try:
        import pyrudof
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("pyrudof is not installed (it is in the test extras)")
        pytest.skip("pyrudof is not installed")
    engine = pyrudof.Rudof(pyrudof.RudofConfig())
    engine.read_data(
        graph.serialize(format="nt"),
        format=pyrudof.RDFFormat.NTriples,
        reader_mode=pyrudof.ReaderMode.Strict,
    )
    engine.read_shacl(str(SHAPES))
    return {
        (short_iri(entry.focus_node), entry.constraint_component.rsplit("#", 1)[-1])
        for entry in engine.validate_shacl()
    }


def _offending(graph: Graph) -> set:
    """The nodes the core's results on ``graph`` name (focus nodes and values)."""
    names = set()
    for result in l2graph.validate(graph).results:
        names |= {result.focus_node, result.value or ""}
    return {URIRef(ID + name[3:]) for name in names if name.startswith("id:")}


@pytest.fixture(scope="module")
def small_graph(asserted_graph) -> Graph:
    """The part of the shipped graph the reference engines check the fixtures on."""
    return build_small_graph(asserted_graph, Graph().parse(SHAPES), _offending)


@pytest.fixture
def rdflib_own_datatypes(monkeypatch: pytest.MonkeyPatch):
    """rdflib's own literal converters, as in a process that has not run owlrl: owlrl's
    reasoning registers converters of its own (xsd:gYear among them) and leaves them behind, so
    pyshacl's verdict on a literal would depend on which tests ran before in the process."""
    from owlrl.DatatypeHandling import AltXSDToPYTHON
    from rdflib.term import XSDToPython, _toPythonMapping

    for datatype in AltXSDToPYTHON:
        if datatype in XSDToPython:
            monkeypatch.setitem(_toPythonMapping, datatype, XSDToPython[datatype])
        else:
            monkeypatch.delitem(_toPythonMapping, datatype, raising=False)


def by_component(results: set) -> set:
    return {
        (focus, "SPARQLConstraintComponent" if c.startswith("l2s:") else c.removeprefix("sh:"))
        for focus, _path, c in results
    }


def test_all_engines_accept_the_shipped_graph(asserted_graph):
    assert core(asserted_graph) == reference(asserted_graph) == rudof(asserted_graph) == set()


def test_the_small_graph_exercises_every_shape(asserted_graph, small_graph):
    """Every node shape has focus nodes in the small graph, and every property shape whose
    path has values in the shipped graph has them there too; and all three engines accept it."""
    shapes = Graph().parse(SHAPES)
    assert len(small_graph) < len(asserted_graph)
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        nodes = focus_nodes(small_graph, shapes, shape)
        assert nodes, f"no focus node of {shape} in the small graph"
        for path in property_paths(shapes, shape):
            shipped = focus_nodes(asserted_graph, shapes, shape)
            if any(has_values(asserted_graph, n, path) for n in shipped):
                assert any(has_values(small_graph, n, path) for n in nodes), (shape, path)
    assert core(small_graph) == reference(small_graph) == rudof(small_graph) == set()


def _cases(gaps: dict[str, str]) -> list:
    """Every invalid fixture, the engine's known gaps marked as xfails, not strict ones: a gap
    a newer engine closes passes, and is not a failure."""
    params = []
    for case, remove, add, expected in CASES:
        marks = [pytest.mark.xfail(reason=gaps[case], strict=True)] if case in gaps else []
        params.append(pytest.param(remove, add, expected, id=case, marks=marks))
    return params


@pytest.mark.parametrize(("remove", "add", "expected"), _cases(REFERENCE_GAPS))
def test_pyshacl_agrees_on_each_invalid_fixture(small_graph, remove, add, expected):
    graph = patched(small_graph, remove, add)
    # the small graph gives the core what the whole graph gives it (tests/test_shapes.py)
    assert shapes_only(core(graph)) == shapes_only(expected)
    assert reference(graph) == shapes_only(expected)


@pytest.mark.parametrize(("remove", "add", "expected"), _cases(RUDOF_GAPS))
def test_rudof_agrees_on_each_invalid_fixture(asserted_graph, remove, add, expected):
    # rudof names the focus node of a value it finds ill-typed the same way
    assert rudof(patched(asserted_graph, remove, add)) == by_component(shapes_only(expected))


@pytest.mark.slow
def test_engines_agree_on_a_synthetic_graph(tmp_path: Path):
    from benchmarks.generate import generate

    home = generate(tmp_path / "synthetic", 5_000).home
    graph = l2graph.load_graph(home=home)
    assert reference(graph) == core(graph, home) == set()
    # and both catch the same breakage spread over the synthetic data
    for body, _original in list(graph.subject_objects(L2NS.rebadgeOf))[:5]:
        graph.remove((body, L2NS.brand, None))
    broken = reference(graph)
    assert broken and core(graph, home) == broken


def test_unsupported_shape_features_are_refused(tmp_path: Path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:entailmentX true .\n"
    )
    with pytest.raises(shacl.UnsupportedShape, match="sh:entailmentX"):
        shacl.validate_store(ox.Store(), shapes)
