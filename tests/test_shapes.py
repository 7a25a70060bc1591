"""SHACL: the shipped data conforms, and each invalid fixture gets exactly the results a
correct validator reports, from the core engine, through the API and the command line alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from invalid_cases import CASES, patched

import l2graph
from l2graph.cli import main


def results(report: l2graph.ValidationReport) -> set:
    return {(r.focus_node, r.path, r.constraint) for r in report.results}


def test_shipped_data_conforms(asserted_graph):
    report = l2graph.validate(asserted_graph)
    assert report.conforms, report.text()
    assert report.results == ()


@pytest.mark.parametrize(("case", "remove", "add", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_fixture_gets_exactly_its_results(
    asserted_graph, sources_dir, case, remove, add, expected
):
    report = l2graph.validate(patched(asserted_graph, remove, add))
    assert not report.conforms
    assert results(report) == expected, report.text()
    assert all(r.message for r in report.results)


def test_a_misspelt_term_is_named(asserted_graph):
    graph = patched(
        asserted_graph, "id:leica-sl2 a l2:CameraBody .", "id:leica-sl2 a l2:CameraBdy ."
    )
    (result,) = l2graph.validate(graph).results
    assert result.value == "l2:CameraBdy" and "l2:CameraBdy" in result.message


def _project_holding(graph, home: Path) -> Path:
    """A project copy whose data is ``graph`` (the ontology's triples are in both files)."""
    for path in (home / "data").glob("*.ttl"):
        path.unlink()
    graph.serialize(home / "data" / "all.ttl", format="turtle")
    return home


@pytest.mark.parametrize(("case", "remove", "add", "expected"), CASES, ids=[c[0] for c in CASES])
def test_command_line_and_api_give_the_same_report(
    asserted_graph, project_copy, sources_dir, capsys, case, remove, add, expected
):
    home = _project_holding(patched(asserted_graph, remove, add), project_copy)
    report = l2graph.validate(home=home)
    assert results(report) == expected
    assert main(["--home", str(home), "validate"]) == 1
    assert report.text() in capsys.readouterr().err


def test_command_line_and_api_agree_on_the_shipped_graph(capsys):
    assert l2graph.validate().conforms
    assert main(["validate"]) == 0
    assert "conforms" in capsys.readouterr().out
