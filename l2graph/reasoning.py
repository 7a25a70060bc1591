"""Fast OWL 2 RL materialisation: the rules the ontology uses, as SPARQL run by Oxigraph.

owlrl stays the reference (``l2graph.graph.infer``); this path must reach the same entailments
for the ontology's constructs, which ``tests/test_reasoning.py`` checks. Each rule names its
OWL 2 RL rule (W3C OWL 2 Profiles, section 4.3). Rules run to a fixpoint; their conclusions go
into the inferred named graph, so inferred triples stay apart from asserted ones.

Evaluation is semi-naive: the first round runs every rule over the whole store; each later
round runs, for each rule and each atom of its body, the variant whose atom matches only what
the round before concluded (kept in a scratch graph, removed at the end). A conclusion new in
a round must use a triple new in the round before, else an earlier round had drawn it; so the
fixpoint is the same, and later rounds read only the last round's news instead of everything.
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


#: The scratch graph holding the last round's conclusions, from the third round on; the
#: second reads the target graph, which then holds the first round's alone.
_DELTA = "urn:l2graph:reasoning:last-round"
_NEWS = "<urn:l2graph:reasoning:news>"  # in a variant's text: the graph of the last round's news


def _rule_queries(head: str, body: str) -> tuple[str, list[str]]:
    """A rule's query over the whole store, and its semi-naive variants: one per body atom,
    that atom read from the last round's news only (the graph :data:`_NEWS` stands for)."""
    missing = " ".join(f"FILTER NOT EXISTS {{ {part.strip()} }}" for part in head.split(" . "))
    atoms = [atom.strip() for atom in body.split(" . ")]
    atoms[-1], _, condition = atoms[-1].partition(" FILTER ")
    condition = f"FILTER {condition}" if condition else ""

    def query(where: list[str]) -> str:
        pattern = f"{' . '.join(where)} {condition} {missing}"
        return f"{_PREFIXES}CONSTRUCT {{ {head} }} WHERE {{ {pattern} }}"

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
) -> int:
    """Add the OWL 2 RL entailments of ``store`` to its named graph ``graph``.

    Args:
        store: holds the ontology and data in any of its graphs.
        graph: the named graph that receives the entailments.
        progress: called with (round, triples added so far) after each round.

    Returns:
        How many triples were inferred.
    """
    target, delta = ox.NamedNode(graph), ox.NamedNode(_DELTA)
    rules = [_rule_queries(head, body) for _name, head, body in (*_RULES, *_chain_rules(store))]
    added, rounds = 0, 0
    try:
        while True:
            rounds += 1
            # Round 2 reads round 1's news in the target graph, which holds nothing else yet
            # when it started empty (as in a build; if not, it reads a superset of the news,
            # still the same fixpoint); later rounds read them in the scratch graph. Round 1's
            # news, by far the most, are so written once, not twice.
            news = str(target if rounds == 2 else delta)
            queries = [
                query.replace(_NEWS, news)
                for whole, variants in rules
                for query in ([whole] if rounds == 1 else variants)
            ]
            new: set[ox.Triple] = set()
            for query in queries:
                new.update(store.query(query, use_default_graph_as_union=True))
            store.remove_graph(delta)  # read: this round's news take its place
            if not new:
                return added
            store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in new)
            if rounds > 1:
                store.extend(ox.Quad(t.subject, t.predicate, t.object, delta) for t in new)
            added += len(new)
            if progress:
                progress(rounds, added)
    finally:
        store.remove_graph(delta)
