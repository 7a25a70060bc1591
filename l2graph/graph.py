"""The rdflib model: parse the project's Turtle, and OWL 2 RL reasoning with owlrl."""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal
from rdflib.plugins.parsers.notation3 import BadSyntax

from l2graph.errors import InputError, TurtleSyntaxError
from l2graph.project import PREFIXES, Project

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


def new_graph() -> Graph:
    """An empty rdflib graph with the project's prefixes bound."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


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
    """The OWL 2 RL entailments of ``graph`` (owlrl), without noise and without ``graph`` itself."""
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


def load_graph(reason: bool = False, home: Path | str | None = None) -> rdflib.Graph:
    """Load the knowledge graph into rdflib.

    Args:
        reason: add the OWL 2 RL entailments (owlrl) to the asserted triples. Use
            :func:`infer` on the asserted graph to get the entailments alone.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.

    Returns:
        The ontology and data, as one graph.
    """
    graph = load_asserted(Project.locate(home))
    if reason:
        graph += infer(graph)
    return graph
