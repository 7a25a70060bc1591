"""Any graph against any shapes, on the compiled engine: `l2graph validate --data --shapes`
and `l2graph.validate(data=, shapes=)`, held to pyshacl; and shapes read as the spec reads
them when added to the project's own shapes (a top-level property shape, an implicit class
target)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Namespace

import l2graph
from l2graph.errors import InputError

SH = Namespace("http://www.w3.org/ns/shacl#")
DATA = """@prefix ex: <http://example.org/> .
ex:a a ex:Person ; ex:name "A" , "B" .
ex:b a ex:Person .
ex:c a ex:Person ; ex:name "C" .
"""
SHAPES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ] .
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    data, shapes = tmp_path / "data.ttl", tmp_path / "shapes.ttl"
    data.write_text(DATA, encoding="utf-8")
    shapes.write_text(SHAPES, encoding="utf-8")
    return data, shapes


def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "l2graph", *argv], capture_output=True, text=True, timeout=120
    )


def test_the_api_and_pyshacl_find_the_same_results(files):
    import pyshacl

    data, shapes = files
    report = l2graph.validate(data=[data], shapes=[shapes])
    conforms, graph, _ = pyshacl.validate(
        Graph().parse(data), shacl_graph=Graph().parse(shapes), inference="none"
    )
    assert report.conforms is conforms is False
    ours = Graph().parse(data=report.rdf("turtle"), format="turtle")
    for view in (ours, graph):
        assert {
            (str(view.value(r, SH.focusNode)), str(view.value(r, SH.sourceConstraintComponent)))
            for r in view.subjects(SH.resultSeverity, SH.Violation)
        } == {
            ("http://example.org/a", str(SH.MaxCountConstraintComponent)),
            ("http://example.org/b", str(SH.MinCountConstraintComponent)),
        }


def test_the_command_line_reports_as_text_or_as_a_standard_report(files):
    data, shapes = files
    text = _cli("validate", "--data", str(data), "--shapes", str(shapes))
    assert text.returncode == 1 and "does not conform: 2 result(s)" in text.stdout
    turtle = _cli("validate", "--data", str(data), "--shapes", str(shapes), "-f", "turtle")
    assert turtle.returncode == 1
    report = Graph().parse(data=turtle.stdout, format="turtle")
    assert len(set(report.subjects(SH.resultSeverity, SH.Violation))) == 2
    fine = data.with_name("fine.ttl")
    fine.write_text('@prefix ex: <http://example.org/> . ex:c a ex:Person ; ex:name "C" .\n')
    assert _cli("validate", "--data", str(fine), "--shapes", str(shapes)).returncode == 0


def test_input_errors_exit_2_with_one_line(files):
    data, shapes = files
    for argv in (
        ("validate", "--data", str(data)),
        ("validate", "--data", str(data.with_name("missing.ttl")), "--shapes", str(shapes)),
    ):
        done = _cli(*argv)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    with pytest.raises(InputError):
        l2graph.validate(data=[data])


@pytest.mark.parametrize(
    "shape",
    [
        # a top-level property shape, targeted, with no node shape around it
        "[] a sh:PropertyShape ; sh:targetClass l2:CameraBody ; sh:path rdfs:label ; "
        "sh:maxCount 0 .",
        # a class that is also a shape: its instances are its focus nodes (implicit target)
        "l2:CameraBody a rdfs:Class , sh:NodeShape ; sh:property [ sh:path rdfs:label ; "
        "sh:maxCount 0 ] .",
    ],
    ids=["top-level property shape", "implicit class target"],
)
def test_shapes_added_to_the_project_are_enforced(project_copy: Path, shape: str):
    shapes = project_copy / "ontology" / "shapes.ttl"
    with open(shapes, "a", encoding="utf-8") as file:
        file.write("\n" + shape + "\n")
    done = _cli("--home", str(project_copy), "validate")
    assert done.returncode == 1, done.stderr
    assert "MaxCountConstraintComponent" in done.stderr + done.stdout
