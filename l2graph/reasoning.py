"""Fast OWL 2 RL materialisation: the rules the ontology uses, as SPARQL run by Oxigraph.

owlrl stays the reference (``l2graph.graph.infer``); this path must reach the same entailments
for the ontology's constructs, which ``tests/test_reasoning.py`` checks. Each rule names its
OWL 2 RL rule (W3C OWL 2 Profiles, section 4.3). Rules run to a fixpoint; their conclusions go
into the inferred named graph, so inferred triples stay apart from asserted ones. Each rule is
a SPARQL update that inserts what does not hold yet: no conclusion crosses into Python.

Evaluation is semi-naive: the first round runs every rule over the whole graph; each later
round runs, for each rule and each atom of its body, the variant whose atom matches only what
the round before concluded (kept in a scratch graph, removed at the end). A conclusion new in
a round must use a triple new in the round before, else an earlier round had drawn it; so the
fixpoint is the same, and later rounds read only the last round's news instead of everything.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from l2graph.engine import graph_size
from l2graph.project import ASSERTED_GRAPH, INFERRED_GRAPH, PREFIXES

RDF, OWL = PREFIXES["rdf"], PREFIXES["owl"]

_PREFIXES = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
"""

# (OWL 2 RL rule, head, body): one triple a head (a rule with two, such as scm-eqc1, is two
# rules), produced only where it does not hold yet.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("cax-sco", "?x a ?d", "?c rdfs:subClassOf ?d . ?x a ?c"),
    ("cax-eqc1", "?x a ?d", "?c owl:equivalentClass ?d . ?x a ?c"),
    ("cax-eqc2", "?x a ?c", "?c owl:equivalentClass ?d . ?x a ?d"),
    (
        "scm-sco",
        "?c rdfs:subClassOf ?e",
        "?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?e FILTER (?c != ?e)",
    ),
    ("scm-eqc1", "?c rdfs:subClassOf ?d", "?c owl:equivalentClass ?d"),
    ("scm-eqc1", "?d rdfs:subClassOf ?c", "?c owl:equivalentClass ?d"),
    (
        "scm-eqc2",
        "?c owl:equivalentClass ?d",
        "?c rdfs:subClassOf ?d . ?d rdfs:subClassOf ?c FILTER (?c != ?d)",
    ),
    ("prp-spo1", "?x ?q ?y", "?p rdfs:subPropertyOf ?q . ?x ?p ?y"),
    ("prp-eqp1", "?x ?q ?y", "?p owl:equivalentProperty ?q . ?x ?p ?y"),
    ("prp-eqp2", "?x ?p ?y", "?p owl:equivalentProperty ?q . ?x ?q ?y"),
    (
        "scm-spo",
        "?p rdfs:subPropertyOf ?r",
        "?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?r FILTER (?p != ?r)",
    ),
    ("scm-eqp1", "?p rdfs:subPropertyOf ?q", "?p owl:equivalentProperty ?q"),
    ("scm-eqp1", "?q rdfs:subPropertyOf ?p", "?p owl:equivalentProperty ?q"),
    (
        "scm-eqp2",
        "?p owl:equivalentProperty ?q",
        "?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?p FILTER (?p != ?q)",
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


#: The scratch graph of round N's conclusions (``<prefix>N``), from round 2 on, each read by
#: the round after it; round 2 reads round 1's in the target graph, which holds them alone.
_ROUND = "urn:l2graph:reasoning:round-"
# Stand-ins in a rule's text: the graphs its conclusions go to (the target, and the round's
# news), the graph it reads the last round's news from, and the graphs it reads the rest from.
_INTO, _ALSO = "<urn:l2graph:reasoning:into>", "<urn:l2graph:reasoning:also>"
_NEWS = "<urn:l2graph:reasoning:news>"
_SOURCE = "<urn:l2graph:reasoning:source>"


def _rule_queries(head: str, body: str) -> tuple[str, list[str]]:
    """A rule's update over the whole graph, and its semi-naive variants: one per body atom,
    that atom read from the last round's news only (the graph :data:`_NEWS` stands for). Each
    inserts what does not hold yet, so no conclusion crosses into Python: the rule reads the
    source and target graphs together, and the news by name."""
    missing = f"FILTER NOT EXISTS {{ {head} }}"
    atoms = [atom.strip() for atom in body.split(" . ")]
    atoms[-1], _, condition = atoms[-1].partition(" FILTER ")
    condition = f"FILTER {condition}" if condition else ""

    def query(where: list[str]) -> str:
        pattern = f"{' . '.join(where)} {condition} {missing}"
        into = f"GRAPH {_INTO} {{ {head} }} GRAPH {_ALSO} {{ {head} }}"
        dataset = f"USING {_SOURCE} USING {_INTO} USING NAMED {_NEWS}"
        return f"{_PREFIXES}INSERT {{ {into} }} {dataset} WHERE {{ {pattern} }}"

    variants = [
        query([f"GRAPH {_NEWS} {{ {atom} }}" if i == j else atom for j, atom in enumerate(atoms)])
        for i in range(len(atoms))
    ]
    return query(atoms), variants


def _chain_rules(store: ox.Store) -> list[tuple[str, str, str]]:
    """prp-spo2: one rule per ``owl:propertyChainAxiom`` found in the store."""
    first, rest, nil = (ox.NamedNode(RDF + name) for name in ("first", "rest", "nil"))
    rules = []
    for axiom in store.quads_for_pattern(None, ox.NamedNode(OWL + "propertyChainAxiom"), None):
        steps, cell = [], axiom.object
        while cell != nil:
            steps.append(next(store.quads_for_pattern(cell, first, None)).object.value)
            cell = next(store.quads_for_pattern(cell, rest, None)).object
        path = " . ".join(f"?v{i} <{step}> ?v{i + 1}" for i, step in enumerate(steps))
        rules.append(("prp-spo2", f"?v0 <{axiom.subject.value}> ?v{len(steps)}", path))
    return rules


def materialise(
    store: ox.Store,
    graph: str = INFERRED_GRAPH,
    progress: Callable[[int, int], None] | None = None,
    *,
    source: str = ASSERTED_GRAPH,
) -> int:
    """Add the OWL 2 RL entailments of the named graph ``source`` to the named graph
    ``graph`` of ``store``.

    Args:
        store: holds the ontology and data in its graph ``source``.
        graph: the named graph that receives the entailments.
        progress: called with (round, triples added so far) after each round.
        source: the named graph of the ontology and data.

    Returns:
        How many triples were inferred.
    """
    target = ox.NamedNode(graph)
    rules = [_rule_queries(head, body) for _name, head, body in (*_RULES, *_chain_rules(store))]
    before = graph_size(store, graph)
    rounds, scratch = 0, []
    try:
        while True:
            rounds += 1
            # Round 1 writes its news to the target graph alone; round 2 reads them there
            # (which holds nothing else yet when it started empty, as in a build; if not, it
            # reads a superset of the news, still the same fixpoint). Later rounds write their
            # news to a scratch graph too, for the next round to read.
            record = ox.NamedNode(f"{_ROUND}{rounds}")
            graphs = {
                _SOURCE: str(ox.NamedNode(source)),
                _INTO: str(target),
                _ALSO: str(target if rounds == 1 else record),
                _NEWS: str(target if rounds <= 2 else scratch[-1]),
            }
            for whole, variants in rules:
                for text in [whole] if rounds == 1 else variants:
                    for stand_in, name in graphs.items():
                        text = text.replace(stand_in, name)
                    store.update(text)
            if rounds > 2:
                store.remove_graph(scratch.pop())  # read: this round's news take its place
            if rounds > 1:
                scratch.append(record)
            added = graph_size(store, graph) - before
            if progress:
                progress(rounds, added)
            if (rounds == 1 and not added) or (rounds > 1 and not graph_size(store, record.value)):
                return added
    finally:
        for name in scratch:
            store.remove_graph(name)
