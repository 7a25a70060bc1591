"""SHACL validation of the asserted graph with pyshacl, as a plain report."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from l2graph.graph import load_asserted, new_graph, parse_turtle
from l2graph.project import PREFIXES, Project
from l2graph.report import ValidationReport, ValidationResult


def _short(node: Node | None) -> str | None:
    """A node as a prefixed name where a known prefix fits, else its N-Triples form."""
    if node is None:
        return None
    text = str(node)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and "/" not in text[len(namespace) :]:
            return f"{prefix}:{text[len(namespace) :]}"
    if text.startswith("https://w3id.org/l2graph/shapes#"):
        return "l2s:" + text.split("#", 1)[1]
    if text.startswith(str(SH)):
        return "sh:" + text[len(str(SH)) :]
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
