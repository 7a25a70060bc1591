"""Exports round-trip, JSON-LD reads as plain JSON and is checked by an independent
implementation (pyld), output is reproducible, and no remote context is ever fetched."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import l2graph
from l2graph.exports import build_context, load_context
from l2graph.graph import new_graph, parse_turtle
from l2graph.project import Project


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml", "json-ld"])
def test_round_trip_is_isomorphic(asserted_graph, fmt):
    data = l2graph.export(asserted_graph, fmt)
    back = Graph().parse(data=data, format=fmt)
    assert len(back) == len(asserted_graph)
    assert isomorphic(back, asserted_graph)


def test_json_ld_reads_like_plain_json(asserted_graph):
    document = json.loads(l2graph.export(asserted_graph, "json-ld"))
    assert isinstance(document["@context"], dict)  # inline: nothing to fetch
    nodes = {node["@id"]: node for node in document["@graph"]}
    sl2 = nodes["id:leica-sl2"]
    assert sl2["@type"] == "CameraBody"
    assert sl2["label"] == "Leica SL2"
    assert sl2["rebadgeOf"] == "id:panasonic-s1r"
    assert nodes["id:l2-technology"]["announcedOn"] == "2022-05-31"


def _refuse_network(url, options=None):
    raise AssertionError(f"JSON-LD processing tried to fetch {url}")


def test_pyld_agrees_with_rdflib_on_the_json_ld(asserted_graph):
    """pyld, an independent JSON-LD processor, turns our JSON-LD into the same graph."""
    from pyld import jsonld

    document = json.loads(l2graph.export(asserted_graph, "json-ld"))
    nquads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": _refuse_network}
    )
    assert isomorphic(Graph().parse(data=nquads, format="nt"), asserted_graph)


def test_committed_context_is_generated_from_the_ontology():
    ontology = new_graph()
    parse_turtle(Project.locate().ontology_file, ontology)
    assert load_context(Project.locate()) == json.loads(json.dumps(build_context(ontology)))


@pytest.mark.parametrize("fmt", ["turtle", "nt", "json-ld", "xml"])
def test_exports_are_reproducible_across_processes(tmp_path, fmt):
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"out-{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        completed = subprocess.run(
            [sys.executable, "-m", "l2graph", "export", "--format", fmt, "-o", str(target)],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
