"""Fast OWL 2 RL materialisation: the rules the ontology uses, as SPARQL run by Oxigraph.

owlrl stays the reference (``l2graph.graph.infer``); this path must reach the same entailments
for the ontology's constructs, which ``tests/test_reasoning.py`` checks. Each rule names its
OWL 2 RL rule (W3C OWL 2 Profiles, section 4.3). Rules run to a fixpoint; their conclusions go
into the inferred named graph, so inferred triples stay apart from asserted ones.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from l2graph.project import INFERRED_GRAPH, PREFIXES

RDF, OWL = PREFIXES["rdf"], PREFIXES["owl"]

_PREFIXES = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
"""

# (OWL 2 RL rule, head, body). The head is only produced where it does not hold yet.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("cax-sco", "?x a ?d", "?c rdfs:subClassOf ?d . ?x a ?c"),
    ("cax-eqc1", "?x a ?d", "?c owl:equivalentClass ?d . ?x a ?c"),
    ("cax-eqc2", "?x a ?c", "?c owl:equivalentClass ?d . ?x a ?d"),
    (
        "scm-sco",
        "?c rdfs:subClassOf ?e",
        "?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?e FILTER (?c != ?e)",
    ),
    ("scm-eqc1", "?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?c", "?c owl:equivalentClass ?d"),
    ("prp-spo1", "?x ?q ?y", "?p rdfs:subPropertyOf ?q . ?x ?p ?y"),
    ("prp-eqp1", "?x ?q ?y", "?p owl:equivalentProperty ?q . ?x ?p ?y"),
    ("prp-eqp2", "?x ?p ?y", "?p owl:equivalentProperty ?q . ?x ?q ?y"),
    (
        "scm-spo",
        "?p rdfs:subPropertyOf ?r",
        "?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?r FILTER (?p != ?r)",
    ),
    (
        "scm-eqp1",
        "?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?p",
        "?p owl:equivalentProperty ?q",
    ),
    ("prp-inv1", "?y ?q ?x", "?p owl:inverseOf ?q . ?x ?p ?y FILTER (!isLiteral(?y))"),
    ("prp-inv2", "?y ?p ?x", "?p owl:inverseOf ?q . ?x ?q ?y FILTER (!isLiteral(?y))"),
    ("prp-symp", "?y ?p ?x", "?p a owl:SymmetricProperty . ?x ?p ?y"),
    ("prp-trp", "?x ?p ?z", "?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z"),
    ("prp-dom", "?x a ?c", "?p rdfs:domain ?c . ?x ?p ?y"),
    ("prp-rng", "?y a ?c", "?p rdfs:range ?c . ?x ?p ?y FILTER (!isLiteral(?y))"),
    ("scm-dom1", "?p rdfs:domain ?d", "?p rdfs:domain ?c . ?c rdfs:subClassOf ?d"),
    ("scm-dom2", "?p rdfs:domain ?c", "?q rdfs:domain ?c . ?p rdfs:subPropertyOf ?q"),
    ("scm-rng1", "?p rdfs:range ?d", "?p rdfs:range ?c . ?c rdfs:subClassOf ?d"),
    ("scm-rng2", "?p rdfs:range ?c", "?q rdfs:range ?c . ?p rdfs:subPropertyOf ?q"),
)


def _rule_query(head: str, body: str) -> str:
    missing = " ".join(f"FILTER NOT EXISTS {{ {part.strip()} }}" for part in head.split(" . "))
    return f"{_PREFIXES}CONSTRUCT {{ {head} }} WHERE {{ {body} {missing} }}"


def _chain_queries(store: ox.Store) -> list[tuple[str, str]]:
    """prp-spo2: one rule per ``owl:propertyChainAxiom`` found in the store."""
    first, rest, nil = (ox.NamedNode(RDF + name) for name in ("first", "rest", "nil"))
    queries = []
    for axiom in store.quads_for_pattern(None, ox.NamedNode(OWL + "propertyChainAxiom"), None):
        steps, cell = [], axiom.object
        while cell != nil:
            steps.append(next(store.quads_for_pattern(cell, first, None)).object.value)
            cell = next(store.quads_for_pattern(cell, rest, None)).object
        path = " . ".join(f"?v{i} <{step}> ?v{i + 1}" for i, step in enumerate(steps))
        head = f"?v0 <{axiom.subject.value}> ?v{len(steps)}"
        queries.append(("prp-spo2", _rule_query(head, path)))
    return queries


def materialise(
    store: ox.Store,
    graph: str = INFERRED_GRAPH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Add the OWL 2 RL entailments of ``store`` to its named graph ``graph``.

    Args:
        store: holds the ontology and data in any of its graphs.
        graph: the named graph that receives the entailments.
        progress: called with (round, triples added so far) after each round.

    Returns:
        How many triples were inferred.
    """
    target = ox.NamedNode(graph)
    queries = [(name, _rule_query(head, body)) for name, head, body in _RULES]
    queries += _chain_queries(store)
    added, rounds = 0, 0
    while True:
        rounds += 1
        new: set[ox.Triple] = set()
        for _name, query in queries:
            new.update(store.query(query, use_default_graph_as_union=True))
        if not new:
            return added
        store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in new)
        added += len(new)
        if progress:
            progress(rounds, added)
