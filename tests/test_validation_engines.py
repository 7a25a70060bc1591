"""Every SHACL engine gives the same answers: the core (the shapes compiled to SPARQL on
Oxigraph), pyshacl (the reference, ``engine="pyshacl"``) and pyrudof (rudof, an independent Rust
implementation).

They are compared on the shipped graph, on every invalid fixture and on a synthetic graph, by
(focus node, path, constraint); pyrudof reports SPARQL-based constraints only as
``sh:SPARQLConstraintComponent``, so that is what it is compared on."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from invalid_cases import CASES, patched, shapes_only
from rdflib import Graph, Namespace

import l2graph
from l2graph import shacl
from l2graph.project import L2, Project, short_iri

SHAPES = Project.locate().shapes_file
L2NS = Namespace(L2)
# Known differences, each an xfail: what an engine cannot see.
REFERENCE_GAPS = {
    "year that is not a year": "rdflib checks xsd:gYear lexical forms only once owlrl has "
    "registered its datatype converters in the process, so pyshacl's answer depends on that"
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


def by_component(results: set) -> set:
    return {
        (focus, "SPARQLConstraintComponent" if c.startswith("l2s:") else c.removeprefix("sh:"))
        for focus, _path, c in results
    }


def test_all_engines_accept_the_shipped_graph(asserted_graph):
    assert core(asserted_graph) == reference(asserted_graph) == rudof(asserted_graph) == set()


def _cases(gaps: dict[str, str]) -> list:
    """Every invalid fixture, the engine's known gaps marked as xfails, not strict ones: a gap
    a newer engine closes passes, and is not a failure."""
    params = []
    for case, remove, add, expected in CASES:
        marks = [pytest.mark.xfail(reason=gaps[case], strict=False)] if case in gaps else []
        params.append(pytest.param(remove, add, expected, id=case, marks=marks))
    return params


@pytest.mark.parametrize(("remove", "add", "expected"), _cases(REFERENCE_GAPS))
def test_pyshacl_agrees_on_each_invalid_fixture(asserted_graph, remove, add, expected):
    assert reference(patched(asserted_graph, remove, add)) == shapes_only(expected)


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
