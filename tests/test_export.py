"""Exports come straight from the store: every format round-trips to the same graph, JSON-LD
reads as plain JSON and an independent processor (pyld) reads it as the same graph, blank nodes
are canonical so output is byte-reproducible, and no remote context is ever fetched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

import l2graph
from l2graph.exports import build_context, load_context
from l2graph.project import ANCHORS_GRAPH, ASSERTED_GRAPH, INFERRED_GRAPH, Project

RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "xml": "xml", "json-ld": "json-ld"}


@pytest.mark.parametrize("fmt", list(RDFLIB_FORMATS))
def test_round_trip_is_isomorphic(asserted_graph, fmt):
    back = Graph().parse(data=l2graph.export(format=fmt), format=RDFLIB_FORMATS[fmt])
    assert len(back) == len(asserted_graph)
    assert isomorphic(back, asserted_graph)


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_dataset_formats_keep_the_inferred_graph_apart(asserted_graph, inferred_graph, fmt):
    dataset = Dataset()
    rdflib_format = {"nq": "nquads", "trig": "trig"}[fmt]
    dataset.parse(data=l2graph.export(format=fmt, inferred=True), format=rdflib_format)
    asserted = dataset.graph(URIRef(ASSERTED_GRAPH))
    anchors = dataset.graph(URIRef(ANCHORS_GRAPH))
    inferred = dataset.graph(URIRef(INFERRED_GRAPH))
    assert isomorphic(Graph() + asserted + anchors, asserted_graph)
    assert len(asserted) + len(anchors) + len(inferred) == len(inferred_graph)


def test_an_rdflib_graph_exports_through_the_same_path(asserted_graph):
    graph = Graph()
    graph.add((URIRef("urn:x"), URIRef("urn:p"), Literal("a")))
    graph.add((URIRef("urn:x"), URIRef("urn:q"), BNode("random-label")))
    lines = l2graph.export(graph, "nt").decode().splitlines()
    assert lines == ['<urn:x> <urn:p> "a" .', "<urn:x> <urn:q> _:c14n0 ."]


def test_json_ld_reads_like_plain_json():
    document = json.loads(l2graph.export(format="json-ld"))
    assert isinstance(document["@context"], dict)  # inline: nothing to fetch
    nodes = {node["@id"]: node for node in document["@graph"]}
    sl2 = nodes["id:leica-sl2"]
    assert sl2["@type"] == "CameraBody"
    assert sl2["label"] == "Leica SL2"
    assert sl2["rebadgeOf"] == "id:panasonic-s1r"
    assert nodes["id:l2-technology"]["announcedOn"] == "2022-05-31"


def _refuse_network(url, options=None):
    raise AssertionError(f"JSON-LD processing tried to fetch {url}")


def _pyld_graph(document: dict) -> Graph:
    from pyld import jsonld

    nquads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": _refuse_network}
    )
    return Graph().parse(data=nquads, format="nt")


@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
def test_pyld_reads_the_json_ld_as_the_n_triples_graph(inferred):
    """pyld, an independent JSON-LD processor, turns our JSON-LD into the N-Triples graph."""
    document = json.loads(l2graph.export(format="json-ld", inferred=inferred))
    expected = Graph().parse(data=l2graph.export(format="nt", inferred=inferred), format="nt")
    assert isomorphic(_pyld_graph(document), expected)


def test_json_ld_writes_values_its_terms_do_not_fit_in_full():
    """A value whose type or language differs from the term's coercion keeps it explicitly."""
    graph = Graph()
    subject, announced = URIRef("urn:x"), URIRef("https://w3id.org/l2graph/ontology#announcedOn")
    graph.add((subject, announced, Literal("2022")))  # a plain string, not an xsd:date
    graph.add((subject, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("x", "de")))
    document = json.loads(l2graph.export(graph, "json-ld"))
    assert isomorphic(_pyld_graph(document), graph)


@pytest.mark.slow
def test_pyld_agrees_on_a_synthetic_graph(tmp_path: Path):
    from benchmarks.generate import generate

    home = generate(tmp_path / "synthetic", 10_000).home
    document = json.loads(l2graph.export(format="json-ld", home=home, inferred=True))
    expected = l2graph.export(format="nt", home=home, inferred=True)
    assert isomorphic(_pyld_graph(document), Graph().parse(data=expected, format="nt"))


def test_committed_context_is_generated_from_the_ontology():
    project = Project.locate()
    assert load_context(project) == json.loads(json.dumps(build_context(project.ontology_file)))


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nq", "trig", "json-ld", "xml"])
def test_exports_are_reproducible_across_processes(tmp_path, fmt):
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"out-{seed}"
        cache = tmp_path / f"cache-{seed}"  # two builds: blank nodes get new store labels
        env = dict(os.environ, PYTHONHASHSEED=seed, L2GRAPH_CACHE_DIR=str(cache))
        command = ["export", "--inferred", "--format", fmt, "-o", str(target)]
        completed = subprocess.run(
            [sys.executable, "-m", "l2graph", *command],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_unknown_export_format_names_the_choices():
    with pytest.raises(l2graph.InputError, match="choose from turtle"):
        l2graph.export(format="yaml")


def test_an_export_file_gets_the_usual_permissions(tmp_path: Path):
    target = tmp_path / "graph.nt"
    previous = os.umask(0o022)
    try:
        l2graph.export(format="nt", destination=target)
    finally:
        os.umask(previous)
    assert target.stat().st_mode & 0o777 == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_ten_thousand_blank_nodes_export_canonically_without_crashing():
    """A 10,000-item RDF list is a chain of 10,000 blank nodes: RDFC-1.0 would take hours on
    it and Oxigraph's recursion overflows its stack; colour refinement labels it in one pass.
    Two copies with different blank node labels give the same bytes, and the list reads back
    in order."""
    import rdflib
    from rdflib.collection import Collection

    def numbered_list() -> rdflib.Graph:
        graph = rdflib.Graph()
        head = rdflib.BNode()
        Collection(graph, head, [rdflib.Literal(i) for i in range(10_000)])
        graph.add((rdflib.URIRef("urn:l2graph:test"), rdflib.URIRef("urn:l2graph:items"), head))
        return graph

    first, second = (l2graph.export(numbered_list(), "nt") for _ in range(2))
    assert first == second
    parsed = rdflib.Graph().parse(data=first, format="nt")
    head = parsed.value(rdflib.URIRef("urn:l2graph:test"), rdflib.URIRef("urn:l2graph:items"))
    assert [int(item) for item in Collection(parsed, head)] == list(range(10_000))
