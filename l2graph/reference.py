"""The reference engines: rdflib parses and queries, owlrl reasons, pyshacl validates.

l2graph answers everything with one core (Oxigraph, the shapes compiled to SPARQL, the OWL 2
RL rules as SPARQL). These independent engines are what the tests hold that core to; users
reach them only by asking for them (``engine="owlrl"``, ``"pyshacl"`` or ``"rdflib"``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from l2graph.bridge import new_graph
from l2graph.errors import InputError, QuerySyntaxError, TurtleSyntaxError
from l2graph.project import PREFIXES, Project, short_iri
from l2graph.report import ValidationReport, ValidationResult

# Terms of the W3C vocabularies themselves: owlrl's closure restates facts about them
# (axiomatic triples) that say nothing about the camera industry.
_BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}
# Every class and property is its own sub/equivalent class or property (scm-cls, scm-op).
_REFLEXIVE_SCHEMA = {
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
}


def parse_turtle(path: Path, graph: Graph) -> None:
    """Parse one Turtle file into ``graph``; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    try:
        graph.parse(data=text, format="turtle", publicID=path.as_uri())
    except BadSyntax as exc:
        raise TurtleSyntaxError(path, exc.lines + 1, exc._why) from None
    except Exception as exc:  # rdflib raises plain exceptions for e.g. bad IRIs
        raise TurtleSyntaxError(path, None, str(exc)) from None


def load_asserted(project: Project) -> Graph:
    """The asserted graph: the ontology and every data file."""
    graph = new_graph()
    for path in project.data_files():
        parse_turtle(path, graph)
    return graph


def is_noise(triple: tuple) -> bool:
    """True for entailments owlrl adds that carry no domain information.

    These are: triples about literals; ``x owl:sameAs x`` and every class or property being
    its own sub- or equivalent class or property; typing as ``owl:Thing``,
    ``rdfs:Resource`` or ``owl:NamedIndividual``, and every class, domain and range being
    a sub-class of ``owl:Thing``; and triples whose subject is a term of the
    RDF, RDFS, OWL or XSD vocabularies themselves (axiomatic and datatype triples).
    """
    s, p, o = triple
    if isinstance(s, Literal):
        return True
    if s == o and (p == OWL.sameAs or p in _REFLEXIVE_SCHEMA):
        return True
    if p == RDF.type and o in _TRIVIAL_TYPES:
        return True
    if o == OWL.Thing and p in (RDFS.subClassOf, RDFS.domain, RDFS.range):
        return True
    return str(s).startswith(_BUILTIN_NAMESPACES)


def infer(graph: Graph) -> Graph:
    """owlrl's OWL 2 RL entailments of ``graph``, without noise and without ``graph`` itself."""
    import owlrl

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    inferred = new_graph()
    for triple in closure:
        if triple not in graph and not is_noise(triple):
            inferred.add(triple)
    return inferred


def validate(graph: Graph, project: Project) -> ValidationReport:
    """pyshacl's report on ``graph`` against the project's shapes, read like the core's."""
    import pyshacl

    shapes = new_graph()
    parse_turtle(project.shapes_file, shapes)
    conforms, results_graph, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_infos=True,
        allow_warnings=True,
    )
    results = []
    for node in results_graph.subjects(predicate=SH.focusNode):
        constraint = results_graph.value(node, SH.sourceConstraint)
        if not isinstance(constraint, URIRef):
            constraint = results_graph.value(node, SH.sourceConstraintComponent)
        results.append(
            ValidationResult(
                focus_node=_name(results_graph.value(node, SH.focusNode)),
                path=_name(results_graph.value(node, SH.resultPath)),
                constraint=_name(constraint),
                message=str(results_graph.value(node, SH.resultMessage) or ""),
                severity=_name(results_graph.value(node, SH.resultSeverity)).removeprefix("sh:"),
                value=_name(results_graph.value(node, SH.value)),
            )
        )
    results.sort(key=lambda r: (r.focus_node, r.path or "", r.constraint, r.value or ""))
    return ValidationReport(conforms=bool(conforms), results=tuple(results))


def _name(node: Node | None) -> str | None:
    """A node as the core's reports name it: IRIs shortened, anything else as N-Triples."""
    if node is None:
        return None
    return short_iri(str(node)) if isinstance(node, URIRef) else node.n3()


def query(graph: Graph, text: str, bindings: dict[str, Node] | None = None) -> Any:
    """rdflib's answer to a read-only query, handed over in pyoxigraph's result types (parsed
    from rdflib's own W3C serialisation), so every engine's answer reads the same.
    ``bindings`` (variable name to rdflib term) are given to rdflib as terms."""
    import pyoxigraph as ox
    import rdflib.plugins.sparql
    from pyparsing import ParseException

    from l2graph.sparql_lexer import check_read_only

    text = check_read_only(text, engine="rdflib")  # what rdflib is handed: its reading, checked
    # rdflib loads the graphs a dataset clause names, from files or the web: never here
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    try:
        result = graph.query(text, initNs=PREFIXES, initBindings=bindings or {})
        if result.type in ("CONSTRUCT", "DESCRIBE"):  # rdflib evaluates as it serialises
            data = result.graph.serialize(format="nt", encoding="utf-8")
            return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        answer = result.serialize(format="json")
    except ParseException as exc:
        raise QuerySyntaxError(
            f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}"
        ) from None
    except RecursionError:
        raise QuerySyntaxError("the query is nested too deeply for rdflib's parser") from None
    except Exception as exc:  # rdflib's evaluation errors are untyped
        raise InputError(f"rdflib could not answer the query: {exc}") from None
    return ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
