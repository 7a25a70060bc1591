"""The reference engines: rdflib parses and queries, owlrl reasons, pyshacl validates.

l2graph answers everything with one core (Oxigraph, the shapes compiled to SPARQL, the OWL 2
RL rules as SPARQL). These independent engines are what the tests hold that core to; users
reach them only by asking for them (``engine="owlrl"``, ``"pyshacl"`` or ``"rdflib"``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from l2graph.bridge import new_graph
from l2graph.errors import (
    InconsistentOntologyError,
    InputError,
    QuerySyntaxError,
    TurtleSyntaxError,
)
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
    """owlrl's OWL 2 RL entailments of ``graph``, without noise and without ``graph`` itself.

    Raises:
        InconsistentOntologyError: owlrl found the graph inconsistent: each of its error
            messages, read back as (rule, resources) as the core names them.
    """
    import owlrl

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    errors = sorted(str(message) for message in closure.objects(None, _ERRNS.error))
    if errors:
        raise InconsistentOntologyError(sorted({_inconsistency(m, graph) for m in errors}))
    inferred = new_graph()
    for triple in closure:
        if triple not in graph and not is_noise(triple):
            inferred.add(triple)
    return inferred


_ERRNS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # owlrl's error messages
_TERM = r"(\S+)"
# owlrl's error messages (owlrl/OWLRL.py), each with its rule and the order of its terms
# as the core lists them (focus first); None marks a rule read from the graph.
_OWLRL_ERRORS = (
    (
        rf"'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: "
        rf"\({_TERM}, {_TERM}\)",
        "eq-diff1",
        (0, 1),
    ),
    (
        rf"'sameAs' and 'AllDifferent' cannot be used on the same subject-object pair: "
        rf"\({_TERM}, {_TERM}\)",
        None,
        (0, 1),
    ),
    (rf"Irreflexive property used on {_TERM} with {_TERM}", "prp-irp", (0, 1)),
    (
        rf"Erroneous usage of asymmetric property {_TERM} on {_TERM} and {_TERM}",
        "prp-asyp",
        (1, 2, 0),
    ),
    (
        rf"Disjoint properties in an 'AllDisjointProperties' are not really disjoint: "
        rf"\({_TERM}, {_TERM},{_TERM}\) and \({_TERM},{_TERM},{_TERM}\)",
        "prp-adp",
        (0, 2, 1, 4),
    ),
    (
        rf"Erroneous usage of disjoint properties {_TERM} and {_TERM} on {_TERM} and {_TERM}",
        "prp-pdw",
        (2, 3, 0, 1),
    ),
    (
        rf"Negative \(object\) property assertion violated for: \({_TERM}, {_TERM}, {_TERM}\)",
        "prp-npa1",
        (0, 2, 1),
    ),
    (
        rf"Negative \(datatype\) property assertion violated for: \({_TERM}, {_TERM}, (.*)\)",
        "prp-npa2",
        (0, 2, 1),
    ),
    (rf"{_TERM} is defined of type 'Nothing'", "cls-nothing2", (0,)),
    # owlrl names the complement class where the element belongs (its bug): kept as given
    (
        rf"Violation of complementarity for classes {_TERM} and {_TERM} on element {_TERM}",
        "cls-com",
        (2, 0, 1),
    ),
    (rf"Erroneous usage of maximum cardinality with {_TERM} and {_TERM}", "cls-maxc1", (1, 0)),
    (
        rf"Erroneous usage of maximum qualified cardinality with {_TERM}, {_TERM} and {_TERM}",
        None,
        (2, 0),
    ),
    (
        rf"Disjoint classes {_TERM} and {_TERM} have a common individual {_TERM}",
        None,
        (2, 0, 1),
    ),
    (
        r"Lexical value of the literal '(.*)' does not match its datatype \((\S+)\)",
        "dt-not-type",
        (),
    ),
)


def _inconsistency(message: str, graph: Graph) -> tuple[str, tuple[str, ...]]:
    """One of owlrl's error messages as (rule, resources), as the core reports it; a message
    this does not know is kept whole, as rule ``owlrl``."""
    import re

    for pattern, rule, order in _OWLRL_ERRORS:
        found = re.fullmatch(pattern, message)
        if not found:
            continue
        terms = found.groups()
        if rule == "dt-not-type":
            literal = Literal(terms[0], datatype=URIRef(terms[1]))
            return rule, (f"{literal.n3().split('^^')[0]}^^{short_iri(terms[1])}",)
        names = tuple(_message_term(terms[i], graph) for i in order)
        if rule is None:
            rule = _rule_from_graph(pattern, terms, graph)
        if rule == "prp-asyp":
            names = (*sorted(names[:2]), names[2])
        return rule, names
    return "owlrl", (message,)


def _message_term(text: str, graph: Graph) -> str:
    """A term as owlrl's message prints it (``str()``), named as the core names it."""
    node = _node(text, graph)
    if isinstance(node, URIRef):
        return short_iri(text)
    return f"_:{text}" if isinstance(node, BNode) else text


def _rule_from_graph(pattern: str, terms: tuple[str, ...], graph: Graph) -> str:
    """The rule of a message owlrl prints for two rules, told apart by the graph's axioms."""
    if "AllDifferent" in pattern:  # eq-diff2 (owl:members) or eq-diff3 (owl:distinctMembers)
        distinct = any(graph.triples((None, OWL.distinctMembers, None)))
        members = any(graph.triples((None, OWL.members, None)))
        return "eq-diff3" if distinct and not members else "eq-diff2"
    if "qualified" in pattern:  # onClass owl:Thing or another class
        return "cls-maxqc2" if terms[1] == str(OWL.Thing) else "cls-maxqc1"
    first, second = _node(terms[0], graph), _node(terms[1], graph)  # cax-dw or cax-adc
    disjoint = (first, OWL.disjointWith, second) in graph or (
        second,
        OWL.disjointWith,
        first,
    ) in graph
    return "cax-dw" if disjoint else "cax-adc"


def _node(text: str, graph: Graph) -> Node | None:
    """The graph's blank node or IRI owlrl printed as ``text`` (None: neither, a literal)."""
    import re

    if BNode(text) in graph.all_nodes():
        return BNode(text)
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:\S*$", text):  # a scheme: an IRI
        return URIRef(text)
    return None


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

    written = text
    text = check_read_only(text, engine="rdflib")  # what rdflib is handed: its reading, checked
    # rdflib loads the graphs a dataset clause names, from files or the web: never here
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    try:
        result = graph.query(text, initNs=PREFIXES, initBindings=bindings or {})
        if result.type in ("CONSTRUCT", "DESCRIBE"):  # rdflib evaluates as it serialises
            data = result.graph.serialize(format="nt", encoding="utf-8")
            return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        answer = result.serialize(format="json")
    except ParseException as exc:  # said as every engine's error is, at the user's own text
        from l2graph.syntax import syntax_error

        raise syntax_error(written, fallback=(exc.loc, f"rdflib's parser: {exc.msg}")) from None
    except RecursionError:
        raise QuerySyntaxError("the query is nested too deeply for rdflib's parser") from None
    except Exception as exc:  # rdflib's evaluation errors are untyped
        from l2graph.syntax import syntax_error, undeclared_prefix

        if undeclared_prefix(written):  # rdflib finds it only as it translates: say it as a
            raise syntax_error(written) from None  # syntax error, like every engine
        raise InputError(f"rdflib could not answer the query: {exc}") from None
    return ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
