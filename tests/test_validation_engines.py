"""Three SHACL engines agree: pyshacl (the reference), the shapes compiled to SPARQL on
Oxigraph (what builds use), and pyrudof (rudof, an independent Rust implementation).

They are compared on the shipped graph, on every invalid fixture of ``test_shapes`` and on
a synthetic graph, by (focus node, path, constraint); pyrudof reports SPARQL-based
constraints only as ``sh:SPARQLConstraintComponent``, so that is what it is compared on."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from test_shapes import CASES, _patched

import l2graph
from l2graph import shacl
from l2graph.project import L2, Project

SHAPES = Project.locate().shapes_file
L2NS = Namespace(L2)


def reference(graph: Graph) -> set:
    return {(r.focus_node, r.path, r.constraint) for r in l2graph.validate(graph).results}


def compiled(graph: Graph) -> set:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    report = shacl.validate_store(store, SHAPES)
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
        (shacl.short(entry.focus_node), entry.constraint_component.rsplit("#", 1)[-1])
        for entry in engine.validate_shacl()
    }


def by_component(results: set) -> set:
    return {
        (focus, "SPARQLConstraintComponent" if c.startswith("l2s:") else c.removeprefix("sh:"))
        for focus, _path, c in results
    }


def test_all_engines_accept_the_shipped_graph(asserted_graph):
    assert reference(asserted_graph) == compiled(asserted_graph) == rudof(asserted_graph) == set()


@pytest.mark.parametrize(
    ("case", "remove", "add"), [c[:3] for c in CASES], ids=[c[0] for c in CASES]
)
def test_engines_agree_on_each_invalid_fixture(asserted_graph, case, remove, add):
    graph = _patched(asserted_graph, remove, add)
    expected = reference(graph)
    assert expected, case
    assert compiled(graph) == expected
    assert rudof(graph) == by_component(expected)


@pytest.mark.slow
def test_compiled_shapes_agree_with_pyshacl_on_a_synthetic_graph(tmp_path: Path):
    from benchmarks.generate import generate

    home = generate(tmp_path / "synthetic", 5_000).home
    graph = l2graph.load_graph(home=home)
    assert reference(graph) == compiled(graph) == set()
    # and both catch the same breakage spread over the synthetic data
    for body, _original in list(graph.subject_objects(L2NS.rebadgeOf))[:5]:
        graph.remove((body, L2NS.brand, None))
    broken = reference(graph)
    assert broken and compiled(graph) == broken


def test_unsupported_shape_features_are_refused(tmp_path: Path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:closed true .\n"
    )
    with pytest.raises(shacl.UnsupportedShape, match="closed"):
        shacl.validate_store(ox.Store(), shapes)
