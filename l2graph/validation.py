"""SHACL validation of the asserted graph with pyshacl, as a plain report."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from l2graph.graph import load_asserted, new_graph, parse_turtle
from l2graph.project import Project
from l2graph.report import ValidationReport, ValidationResult
from l2graph.shacl import short


def _short(node: Node | None) -> str | None:
    """An IRI as a prefixed name where a known prefix fits (as the compiled engine writes
    it), anything else in its N-Triples form."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        named = short(str(node))
        return named if not named.startswith("<") else node.n3()
    return node.n3()


def load_shapes(project: Project) -> Graph:
    """The project's SHACL shapes graph."""
    shapes = new_graph()
    parse_turtle(project.shapes_file, shapes)
    return shapes


def _report_from(results_graph: Graph, conforms: bool) -> ValidationReport:
    results = []
    for node in results_graph.subjects(predicate=SH.focusNode):
        constraint = results_graph.value(node, SH.sourceConstraint)
        if not isinstance(constraint, URIRef):
            constraint = results_graph.value(node, SH.sourceConstraintComponent)
        results.append(
            ValidationResult(
                focus_node=_short(results_graph.value(node, SH.focusNode)),
                path=_short(results_graph.value(node, SH.resultPath)),
                constraint=_short(constraint),
                message=str(results_graph.value(node, SH.resultMessage) or ""),
                severity=_short(results_graph.value(node, SH.resultSeverity)).removeprefix("sh:"),
                value=_short(results_graph.value(node, SH.value)),
            )
        )
    results.sort(key=lambda r: (r.focus_node, r.path or "", r.constraint, r.message))
    return ValidationReport(conforms=conforms, results=tuple(results))


def validate(graph: Graph | None = None, home: Path | str | None = None) -> ValidationReport:
    """Validate a graph against the project's SHACL shapes.

    Args:
        graph: the asserted graph (ontology and data) to check; by default the project's.
            Validate asserted triples, not an OWL RL closure: entailments carry no claims.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.

    Returns:
        A :class:`ValidationReport`; ``conforms`` is false when any result was found.
    """
    import pyshacl

    project = Project.locate(home)
    if graph is None:
        graph = load_asserted(project)
    conforms, results_graph, _ = pyshacl.validate(
        graph,
        shacl_graph=load_shapes(project),
        inference="none",
        advanced=False,
        allow_infos=True,
        allow_warnings=True,
    )
    return _report_from(results_graph, bool(conforms))
