"""Fast OWL 2 RL materialisation: the rules of the profile as SPARQL run by Oxigraph.

owlrl stays the reference (``l2graph.reference.infer``); this path reaches the same entailments,
which ``tests/test_reasoning.py`` and ``tests/test_owl2rl_rules.py`` check rule by rule and on
random ontologies. Each rule names its OWL 2 RL rule (W3C OWL 2 Profiles, section 4.3, tables
4–9). Rules run to a fixpoint; their conclusions go into the inferred named graph, so inferred
triples stay apart from asserted ones. Each rule is a SPARQL update that inserts what does not
hold yet.

Evaluation is semi-naive: the first round runs every rule over the whole graph; each later
round runs, for each rule and each atom of its body, the variant whose atom matches only what
the round before concluded (kept in a scratch graph, removed at the end). A conclusion new in
a round must use a triple new in the round before, else an earlier round had drawn it; so the
fixpoint is the same, and later rounds read only the last round's news instead of everything.
A rule whose schema triple (its first atom: ``?p a owl:FunctionalProperty``, ``?x
owl:hasValue ?y``) is nowhere in the store is skipped; the first round that has one runs it
over the whole graph.

How each table is read:

* **Equality (table 4).** owl:sameAs is materialised, as owlrl does: every pair of a clique,
  and each statement about one member restated about every other (eq-rep-s/p/o, rules like the
  rest). eq-sym and eq-trans are not rules: after each round, the cliques that round touched
  are closed at once in Python (a union of the sameAs edges around the news), so a chain of
  n equal individuals takes one round instead of log n rounds of joins of n² pairs each.
* **Lists.** ``owl:intersectionOf``, ``owl:hasKey`` and ``owl:propertyChainAxiom`` give one rule
  per axiom (a list's length fixes the rule's body), expanded from the store in each round that
  has new axioms; blank nodes in those rules are named through a scratch graph of handles (a
  SPARQL query cannot name a blank node). The other lists (unionOf, oneOf, members,
  distinctMembers) are read by ``rdf:rest*/rdf:first`` paths.
* **Inverse property expressions** (``[ owl:inverseOf :p ]``) are read as steps of property
  chains and as keys; anywhere else they are refused (:class:`UnsupportedAxiomError`), never
  ignored, since Oxigraph cannot hold a triple whose predicate is a blank node.
* **Inconsistencies** (eq-diff1–3, prp-irp, prp-asyp, prp-pdw, prp-adp, prp-npa1/2,
  cls-nothing2, cls-com, cls-maxc1, cls-maxqc1/2, cax-dw, cax-adc, dt-not-type) are queried once
  the fixpoint is reached (:func:`inconsistencies`); :func:`materialise` raises
  :class:`InconsistentOntologyError` with each one. Two literals with different values where
  prp-fp, cls-maxc2 or cls-maxqc3/4 conclude owl:sameAs are one too (dt-diff with eq-diff1).
* **Not materialised**, since every conclusion is a triple ``l2graph.reference.is_noise`` drops
  from owlrl's closure too: eq-ref (``x owl:sameAs x``), scm-cls, scm-op and scm-dp (every class
  or property its own sub- and equivalent class or property, a subclass of owl:Thing and a
  superclass of owl:Nothing), cls-thing, cls-nothing1, prp-ap (axioms about the OWL vocabulary),
  dt-type1/2, dt-eq and dt-diff (statements about datatypes and literals, which RDF cannot hold
  as subjects). Where a rule needs one of them in its body, it reads it in place: scm-hv,
  scm-svf1/2 and scm-avf1/2 take a declared class (property) as its own subclass (subproperty)
  and a subclass of owl:Thing, eq-diff1–3 take each individual as the same as itself, and
  joins compare literals by value as Oxigraph stores them (``"01"^^xsd:integer`` is ``"1"``).
  Typing as owl:Thing is not drawn either: OWL 2 RL admits owl:Thing in a rule's body only
  where cls-svf2, cls-maxqc2 and cls-maxqc4 read it, and they match any individual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

import pyoxigraph as ox

from l2graph.datatypes import XSD_DATATYPES, lexical_check
from l2graph.engine import graph_size
from l2graph.errors import InconsistentOntologyError, UnsupportedAxiomError
from l2graph.project import ASSERTED_GRAPH, INFERRED_GRAPH, PREFIXES, short_iri

RDF, RDFS, OWL, XSD = (PREFIXES[name] for name in ("rdf", "rdfs", "owl", "xsd"))

_PREFIXES = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
"""
_NAMESPACES = {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD}


class Rule(NamedTuple):
    """One OWL 2 RL rule with one triple as its head (a rule with two, such as scm-eqc1, is
    two rules), concluded only where it does not hold yet.

    ``body`` atoms are joined in order; an atom marked with a leading ``!`` (a list path, a
    handle, the second of two atoms a rule reads alike, whose variant would conclude the
    symmetric sameAs the first one's does) is never read from the last round's news alone.
    ``condition`` (an expression) must hold too. A ``whole`` rule, which reads only the schema, runs
    over the whole graph every round.
    """

    name: str
    head: str
    body: tuple[str, ...]
    condition: str = ""
    whole: bool = False
    selected: bool = False  # see _insert_selected


#: Scratch graph of each owl:sameAs clique's representative: ``<r> <_FOR> <m>`` for each other
#: member m (r is the clique's least IRI or blank node); and of the entries new in the last
#: round, which the eq-rep rules' variants read as their news.
_REPRESENTATIVES = "urn:l2graph:reasoning:representatives"
_NEW_REPRESENTATIVES = "urn:l2graph:reasoning:new-representatives"
_FOR = "<urn:l2graph:reasoning:stands-for>"
_STANDS_FOR = f"GRAPH <{_REPRESENTATIVES}>"


def _subclass(sub: str, sup: str) -> str:
    """``sub rdfs:subClassOf sup``, with scm-cls read in place: a declared class is its own
    subclass, a subclass of owl:Thing, and owl:Nothing a subclass of it."""
    return (
        f"{{ {sub} rdfs:subClassOf {sup} }} UNION {{ {sub} a owl:Class BIND ({sub} AS {sup}) }}"
        f" UNION {{ {sub} a owl:Class BIND (owl:Thing AS {sup}) }}"
        f" UNION {{ {sup} a owl:Class BIND (owl:Nothing AS {sub}) }}"
        # cls-thing, cls-nothing1: owl:Thing and owl:Nothing are classes
        f" UNION {{ VALUES ({sub} {sup}) {{ (owl:Thing owl:Thing) (owl:Nothing owl:Nothing)"
        " (owl:Nothing owl:Thing) } }"
    )


def _subproperty(sub: str, sup: str) -> str:
    """``sub rdfs:subPropertyOf sup``, with scm-op and scm-dp read in place: a declared object
    or datatype property is its own subproperty."""
    return (
        f"{{ {sub} rdfs:subPropertyOf {sup} }}"
        f" UNION {{ {sub} a owl:ObjectProperty BIND ({sub} AS {sup}) }}"
        f" UNION {{ {sub} a owl:DatatypeProperty BIND ({sub} AS {sup}) }}"
    )


_MEMBER = "rdf:rest*/rdf:first"  # any member of a list, however long
_ONE, _ZERO = "FILTER (?n = 1)", "FILTER (?n = 0)"  # cardinalities, as Oxigraph compares them

_RULES: tuple[Rule, ...] = (
    # Table 4: equality (eq-sym and eq-trans: see _close_cliques). Each statement about a
    # member of a clique goes to the clique's representative, and from it to every member.
    *(
        Rule(name, head, (f"{_STANDS_FOR} {{ ?r {_FOR} ?m }}", body), condition, selected=True)
        for name, to_it, from_it, condition in (
            ("eq-rep-s", "?r ?p ?o", "?m ?p ?o", "?p != owl:sameAs"),
            ("eq-rep-p", "?s ?r ?o", "?s ?m ?o", ""),
            ("eq-rep-o", "?s ?p ?r", "?s ?p ?m", "?p != owl:sameAs"),
        )
        for head, body in ((to_it, from_it), (from_it, to_it))
    ),
    # Table 5: properties (prp-spo2 and prp-key: one rule per axiom, see _axiom_rules)
    Rule("prp-dom", "?x a ?c", ("?p rdfs:domain ?c", "?x ?p ?y")),
    Rule("prp-rng", "?y a ?c", ("?p rdfs:range ?c", "?x ?p ?y"), "!isLiteral(?y)"),
    Rule(
        "prp-fp",
        "?y1 owl:sameAs ?y2",
        ("?p a owl:FunctionalProperty", "?x ?p ?y1", "!?x ?p ?y2"),
        "!isLiteral(?y1) && !sameTerm(?y1, ?y2)",
    ),
    Rule(
        "prp-ifp",
        "?x1 owl:sameAs ?x2",
        ("?p a owl:InverseFunctionalProperty", "?x1 ?p ?y", "!?x2 ?p ?y"),
        "!sameTerm(?x1, ?x2)",
    ),
    Rule("prp-symp", "?y ?p ?x", ("?p a owl:SymmetricProperty", "?x ?p ?y")),
    Rule("prp-trp", "?x ?p ?z", ("?p a owl:TransitiveProperty", "?x ?p ?y", "?y ?p ?z")),
    Rule("prp-spo1", "?x ?q ?y", ("?p rdfs:subPropertyOf ?q", "?x ?p ?y")),
    Rule("prp-eqp1", "?x ?q ?y", ("?p owl:equivalentProperty ?q", "?x ?p ?y")),
    Rule("prp-eqp2", "?x ?p ?y", ("?p owl:equivalentProperty ?q", "?x ?q ?y")),
    Rule("prp-inv1", "?y ?q ?x", ("?p owl:inverseOf ?q", "?x ?p ?y"), "!isLiteral(?y)"),
    Rule("prp-inv2", "?y ?p ?x", ("?p owl:inverseOf ?q", "?x ?q ?y"), "!isLiteral(?y)"),
    # Table 6: classes (cls-int1: one rule per axiom, see _axiom_rules)
    Rule("cls-int2", "?y a ?ci", ("?c owl:intersectionOf ?l", f"!?l {_MEMBER} ?ci", "?y a ?c")),
    Rule("cls-uni", "?y a ?c", ("?c owl:unionOf ?l", f"!?l {_MEMBER} ?ci", "?y a ?ci")),
    Rule(
        "cls-svf1",
        "?u a ?x",
        ("?x owl:someValuesFrom ?y", "?x owl:onProperty ?p", "?u ?p ?v", "?v a ?y"),
    ),
    Rule(
        "cls-svf2",
        "?u a ?x",
        ("?x owl:someValuesFrom owl:Thing", "?x owl:onProperty ?p", "?u ?p ?v"),
    ),
    Rule(
        "cls-avf",
        "?v a ?y",
        ("?x owl:allValuesFrom ?y", "?x owl:onProperty ?p", "?u a ?x", "?u ?p ?v"),
        "!isLiteral(?v)",
    ),
    Rule("cls-hv1", "?u ?p ?y", ("?x owl:hasValue ?y", "?x owl:onProperty ?p", "?u a ?x")),
    Rule("cls-hv2", "?u a ?x", ("?x owl:hasValue ?y", "?x owl:onProperty ?p", "?u ?p ?y")),
    Rule(
        "cls-maxc2",
        "?y1 owl:sameAs ?y2",
        ("?x owl:maxCardinality ?n", "?x owl:onProperty ?p", "?u a ?x", "?u ?p ?y1", "!?u ?p ?y2"),
        "?n = 1 && !isLiteral(?y1) && !sameTerm(?y1, ?y2)",
    ),
    Rule(
        "cls-maxqc3",
        "?y1 owl:sameAs ?y2",
        (
            "?x owl:maxQualifiedCardinality ?n",
            "?x owl:onProperty ?p",
            "?x owl:onClass ?c",
            "?u a ?x",
            "?u ?p ?y1",
            "?y1 a ?c",
            "!?u ?p ?y2",
            "!?y2 a ?c",
        ),
        "?n = 1 && !isLiteral(?y1) && !sameTerm(?y1, ?y2)",
    ),
    Rule(
        "cls-maxqc4",
        "?y1 owl:sameAs ?y2",
        (
            "?x owl:maxQualifiedCardinality ?n",
            "?x owl:onClass owl:Thing",
            "?x owl:onProperty ?p",
            "?u a ?x",
            "?u ?p ?y1",
            "!?u ?p ?y2",
        ),
        "?n = 1 && !isLiteral(?y1) && !sameTerm(?y1, ?y2)",
    ),
    Rule("cls-oo", "?y a ?c", ("?c owl:oneOf ?l", f"!?l {_MEMBER} ?y")),
    # Table 7: class axioms (cax-dw, cax-adc: see _CHECKS)
    Rule("cax-sco", "?x a ?d", ("?c rdfs:subClassOf ?d", "?x a ?c")),
    Rule("cax-eqc1", "?x a ?d", ("?c owl:equivalentClass ?d", "?x a ?c")),
    Rule("cax-eqc2", "?x a ?c", ("?c owl:equivalentClass ?d", "?x a ?d")),
    # Table 9: schema vocabulary
    Rule(
        "scm-sco",
        "?c rdfs:subClassOf ?e",
        ("?c rdfs:subClassOf ?d", "?d rdfs:subClassOf ?e"),
        "?c != ?e",
    ),
    Rule("scm-eqc1", "?c rdfs:subClassOf ?d", ("?c owl:equivalentClass ?d",)),
    Rule("scm-eqc1", "?d rdfs:subClassOf ?c", ("?c owl:equivalentClass ?d",)),
    Rule(
        "scm-eqc2",
        "?c owl:equivalentClass ?d",
        ("?c rdfs:subClassOf ?d", "?d rdfs:subClassOf ?c"),
        "?c != ?d",
    ),
    # scm-sco and scm-eqc2 with scm-cls read in place: a declared class is a subclass of
    # owl:Thing, and owl:Nothing a subclass of it
    Rule(
        "scm-sco",
        "?c rdfs:subClassOf ?d",
        ("?c rdfs:subClassOf owl:Nothing", "?d a owl:Class"),
        "?c != ?d",
    ),
    Rule(
        "scm-sco",
        "?c rdfs:subClassOf ?d",
        ("owl:Thing rdfs:subClassOf ?d", "?c a owl:Class"),
        "?c != ?d",
    ),
    Rule(
        "scm-eqc2",
        "?c owl:equivalentClass owl:Nothing",
        ("?c rdfs:subClassOf owl:Nothing", "?c a owl:Class"),
    ),
    Rule(
        "scm-eqc2",
        "?c owl:equivalentClass owl:Thing",
        ("owl:Thing rdfs:subClassOf ?c", "?c a owl:Class"),
    ),
    Rule(
        "scm-spo",
        "?p rdfs:subPropertyOf ?r",
        ("?p rdfs:subPropertyOf ?q", "?q rdfs:subPropertyOf ?r"),
        "?p != ?r",
    ),
    Rule("scm-eqp1", "?p rdfs:subPropertyOf ?q", ("?p owl:equivalentProperty ?q",)),
    Rule("scm-eqp1", "?q rdfs:subPropertyOf ?p", ("?p owl:equivalentProperty ?q",)),
    Rule(
        "scm-eqp2",
        "?p owl:equivalentProperty ?q",
        ("?p rdfs:subPropertyOf ?q", "?q rdfs:subPropertyOf ?p"),
        "?p != ?q",
    ),
    Rule("scm-dom1", "?p rdfs:domain ?d", ("?p rdfs:domain ?c", "?c rdfs:subClassOf ?d")),
    Rule("scm-dom2", "?p rdfs:domain ?c", ("?q rdfs:domain ?c", "?p rdfs:subPropertyOf ?q")),
    Rule("scm-rng1", "?p rdfs:range ?d", ("?p rdfs:range ?c", "?c rdfs:subClassOf ?d")),
    Rule("scm-rng2", "?p rdfs:range ?c", ("?q rdfs:range ?c", "?p rdfs:subPropertyOf ?q")),
    Rule(
        "scm-hv",
        "?c1 rdfs:subClassOf ?c2",
        (
            "?c1 owl:hasValue ?i",
            "?c1 owl:onProperty ?p1",
            "?c2 owl:hasValue ?i",
            "?c2 owl:onProperty ?p2",
            _subproperty("?p1", "?p2"),
        ),
        "!sameTerm(?c1, ?c2)",
        whole=True,
    ),
    Rule(
        "scm-svf1",
        "?c1 rdfs:subClassOf ?c2",
        (
            "?c1 owl:someValuesFrom ?y1",
            "?c1 owl:onProperty ?p",
            "?c2 owl:someValuesFrom ?y2",
            "?c2 owl:onProperty ?p",
            _subclass("?y1", "?y2"),
        ),
        "!sameTerm(?c1, ?c2)",
        whole=True,
    ),
    Rule(
        "scm-svf2",
        "?c1 rdfs:subClassOf ?c2",
        (
            "?c1 owl:someValuesFrom ?y",
            "?c1 owl:onProperty ?p1",
            "?c2 owl:someValuesFrom ?y",
            "?c2 owl:onProperty ?p2",
            _subproperty("?p1", "?p2"),
        ),
        "!sameTerm(?c1, ?c2)",
        whole=True,
    ),
    Rule(
        "scm-avf1",
        "?c1 rdfs:subClassOf ?c2",
        (
            "?c1 owl:allValuesFrom ?y1",
            "?c1 owl:onProperty ?p",
            "?c2 owl:allValuesFrom ?y2",
            "?c2 owl:onProperty ?p",
            _subclass("?y1", "?y2"),
        ),
        "!sameTerm(?c1, ?c2)",
        whole=True,
    ),
    Rule(
        "scm-avf2",
        "?c2 rdfs:subClassOf ?c1",
        (
            "?c1 owl:allValuesFrom ?y",
            "?c1 owl:onProperty ?p1",
            "?c2 owl:allValuesFrom ?y",
            "?c2 owl:onProperty ?p2",
            _subproperty("?p1", "?p2"),
        ),
        "!sameTerm(?c1, ?c2)",
        whole=True,
    ),
    Rule(
        "scm-int",
        "?c rdfs:subClassOf ?ci",
        ("?c owl:intersectionOf ?l", f"!?l {_MEMBER} ?ci"),
        "!sameTerm(?c, ?ci)",
        whole=True,
    ),
    Rule(
        "scm-uni",
        "?ci rdfs:subClassOf ?c",
        ("?c owl:unionOf ?l", f"!?l {_MEMBER} ?ci"),
        "!sameTerm(?c, ?ci)",
        whole=True,
    ),
)

#: The rules :data:`_RULES` stands for, and the others: what each OWL 2 RL rule becomes.
#: Every rule of tables 4–9 is named here (``tests/test_owl2rl_rules.py`` checks it).
HOW = {
    **{rule.name: "rule" for rule in _RULES},
    **dict.fromkeys(("prp-spo2", "prp-key", "cls-int1"), "one rule per axiom"),
    **dict.fromkeys(("eq-sym", "eq-trans"), "cliques closed after each round"),
    **dict.fromkeys(
        [
            "eq-diff1",
            "eq-diff2",
            "eq-diff3",
            "prp-irp",
            "prp-asyp",
            "prp-pdw",
            "prp-adp",
            "prp-npa1",
            "prp-npa2",
            "cls-nothing2",
            "cls-com",
            "cls-maxc1",
            "cls-maxqc1",
            "cls-maxqc2",
            "cax-dw",
            "cax-adc",
            "dt-not-type",
        ],
        "inconsistency, reported",
    ),
    **dict.fromkeys(
        [
            "eq-ref",
            "scm-cls",
            "scm-op",
            "scm-dp",
            "cls-thing",
            "cls-nothing1",
            "prp-ap",
            "dt-type1",
            "dt-type2",
            "dt-eq",
            "dt-diff",
        ],
        "not materialised: tautologies (read in place where a body needs them)",
    ),
}

# Inconsistencies: (OWL 2 RL rule, the resources it names, focus first; the body). Each runs
# once, over the fixpoint, where its first atom's schema triple exists.
_CHECKS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("eq-diff1", ("?x", "?y"), "?x owl:differentFrom ?y . ?x owl:sameAs ?y"),
    ("eq-diff1", ("?x", "?x"), "?x owl:differentFrom ?x"),  # with eq-ref
    *(
        (
            rule,
            ("?zi", "?zj"),
            f"?a a owl:AllDifferent . ?a {members} ?l . ?l rdf:rest* ?cell . ?cell rdf:first ?zi"
            f" . ?cell rdf:rest+/rdf:first ?zj . {same}",
        )
        for rule, members in (("eq-diff2", "owl:members"), ("eq-diff3", "owl:distinctMembers"))
        for same in ("?zi owl:sameAs ?zj", "FILTER (sameTerm(?zi, ?zj))")  # with eq-ref
    ),
    ("prp-irp", ("?x", "?p"), "?p a owl:IrreflexiveProperty . ?x ?p ?x"),
    ("prp-asyp", ("?x", "?y", "?p"), "?p a owl:AsymmetricProperty . ?x ?p ?y . ?y ?p ?x"),
    (
        "prp-pdw",
        ("?x", "?y", "?p1", "?p2"),
        "?p1 owl:propertyDisjointWith ?p2 . ?x ?p1 ?y . ?x ?p2 ?y",
    ),
    (
        "prp-adp",
        ("?x", "?y", "?pi", "?pj"),
        "?a a owl:AllDisjointProperties . ?a owl:members ?l . ?l rdf:rest* ?cell"
        " . ?cell rdf:first ?pi . ?cell rdf:rest+/rdf:first ?pj . ?x ?pi ?y . ?x ?pj ?y",
    ),
    (
        "prp-npa1",
        ("?i1", "?i2", "?p"),
        "?n owl:sourceIndividual ?i1 . ?n owl:assertionProperty ?p"
        " . ?n owl:targetIndividual ?i2 . ?i1 ?p ?i2",
    ),
    (
        "prp-npa2",
        ("?i1", "?lt", "?p"),
        "?n owl:sourceIndividual ?i1 . ?n owl:assertionProperty ?p"
        " . ?n owl:targetValue ?lt . ?i1 ?p ?lt",
    ),
    ("cls-nothing2", ("?x",), "?x a owl:Nothing"),
    ("cls-com", ("?x", "?c1", "?c2"), "?c1 owl:complementOf ?c2 . ?x a ?c1 . ?x a ?c2"),
    (
        "cls-maxc1",
        ("?u", "?y", "?x"),
        f"?x owl:maxCardinality ?n {_ZERO} . ?x owl:onProperty ?p . ?u a ?x . ?u ?p ?y",
    ),
    (
        "cls-maxqc1",
        ("?u", "?y", "?x"),
        f"?x owl:maxQualifiedCardinality ?n {_ZERO} . ?x owl:onProperty ?p . ?x owl:onClass ?c"
        " . ?u a ?x . ?u ?p ?y . ?y a ?c",
    ),
    (
        "cls-maxqc2",
        ("?u", "?y", "?x"),
        f"?x owl:maxQualifiedCardinality ?n {_ZERO} . ?x owl:onClass owl:Thing"
        " . ?x owl:onProperty ?p . ?u a ?x . ?u ?p ?y",
    ),
    ("cax-dw", ("?x", "?c1", "?c2"), "?c1 owl:disjointWith ?c2 . ?x a ?c1 . ?x a ?c2"),
    (
        "cax-adc",
        ("?x", "?ci", "?cj"),
        "?a a owl:AllDisjointClasses . ?a owl:members ?l . ?l rdf:rest* ?cell"
        " . ?cell rdf:first ?ci . ?cell rdf:rest+/rdf:first ?cj . ?x a ?ci . ?x a ?cj",
    ),
    # Two literals that prp-fp, cls-maxc2 or cls-maxqc3/4 make the same (sameAs between
    # literals is no RDF triple): different values are different (dt-diff, eq-diff1).
    *(
        (
            rule,
            ("?x", "?y1", "?y2", "?p"),
            f"{body} FILTER (isLiteral(?y1) && isLiteral(?y2) && !sameTerm(?y1, ?y2)"
            " && !COALESCE(?y1 = ?y2, false))",
        )
        for rule, body in (
            ("prp-fp", "?p a owl:FunctionalProperty . ?x ?p ?y1 . ?x ?p ?y2"),
            (
                "cls-maxc2",
                f"?r owl:maxCardinality ?n {_ONE} . ?r owl:onProperty ?p . ?x a ?r"
                " . ?x ?p ?y1 . ?x ?p ?y2",
            ),
            (
                "cls-maxqc3",
                f"?r owl:maxQualifiedCardinality ?n {_ONE} . ?r owl:onProperty ?p"
                " . ?r owl:onClass ?c . ?x a ?r . ?x ?p ?y1 . ?y1 a ?c . ?x ?p ?y2 . ?y2 a ?c",
            ),
            (
                "cls-maxqc4",
                f"?r owl:maxQualifiedCardinality ?n {_ONE} . ?r owl:onClass owl:Thing"
                " . ?r owl:onProperty ?p . ?x a ?r . ?x ?p ?y1 . ?x ?p ?y2",
            ),
        )
    ),
)

#: What each inconsistency means, over its resources (focus first).
MEANING = {
    "eq-diff1": "{0} is owl:sameAs {1} and owl:differentFrom it",
    "eq-diff2": "{0} and {1} are members of an owl:AllDifferent yet the same individual",
    "eq-diff3": "{0} and {1} are owl:distinctMembers of an owl:AllDifferent yet the same "
    "individual",
    "prp-irp": "{0} is related to itself by the irreflexive property {1}",
    "prp-asyp": "{0} {2} {1} and {1} {2} {0}, though {2} is asymmetric",
    "prp-pdw": "{0} is related to {1} by both {2} and {3}, which are disjoint properties",
    "prp-adp": "{0} is related to {1} by both {2} and {3}, members of an owl:AllDisjointProperties",
    "prp-npa1": "{0} {2} {1} holds, and a negative property assertion denies it",
    "prp-npa2": "{0} {2} {1} holds, and a negative property assertion denies it",
    "cls-nothing2": "{0} is an instance of owl:Nothing",
    "cls-com": "{0} is an instance of both {1} and its complement {2}",
    "cls-maxc1": "{0} has the value {1} of a property {2} allows none of (owl:maxCardinality 0)",
    "cls-maxqc1": "{0} has the value {1} of a property {2} allows none of in its class "
    "(owl:maxQualifiedCardinality 0)",
    "cls-maxqc2": "{0} has the value {1} of a property {2} allows none of "
    "(owl:maxQualifiedCardinality 0)",
    "cax-dw": "{0} is an instance of both {1} and {2}, which are disjoint classes",
    "cax-adc": "{0} is an instance of both {1} and {2}, members of an owl:AllDisjointClasses",
    "dt-not-type": "{0} is no valid lexical form of its datatype",
    "prp-fp": "{0} has two different values {1} and {2} of the functional property {3}",
    "cls-maxc2": "{0} has two different values {1} and {2} of {3}, where one is allowed",
    "cls-maxqc3": "{0} has two different values {1} and {2} of {3}, where one is allowed",
    "cls-maxqc4": "{0} has two different values {1} and {2} of {3}, where one is allowed",
}

# Triples l2graph.reference.is_noise drops from owlrl's closure, which the rules can conclude
# too (a domain of owl:Thing, a restated sameAs): removed from the inferred graph at the end.
_NOISE = (
    "?x rdf:type owl:Thing",
    "?x rdf:type rdfs:Resource",
    "?x rdf:type owl:NamedIndividual",
    "?c rdfs:subClassOf owl:Thing",
    "?p rdfs:domain owl:Thing",
    "?p rdfs:range owl:Thing",
)
_REFLEXIVE = (
    "owl:sameAs",
    "rdfs:subClassOf",
    "rdfs:subPropertyOf",
    "owl:equivalentClass",
    "owl:equivalentProperty",
)
# The terms of the RDF, RDFS, OWL and XSD vocabularies: a subject is looked up among them
# rather than every inferred triple's subject tested against the namespaces (a scan).
_VOCABULARY = {
    RDF: "type Property Statement subject predicate object first rest nil List value langString "
    "HTML XMLLiteral PlainLiteral JSON CompoundLiteral Alt Bag Seq direction language",
    RDFS: "Resource Class subClassOf subPropertyOf comment label domain range seeAlso "
    "isDefinedBy Literal Container ContainerMembershipProperty member Datatype",
    OWL: "AllDifferent AllDisjointClasses AllDisjointProperties Annotation AnnotationProperty "
    "AsymmetricProperty Axiom Class DataRange DatatypeProperty DeprecatedClass "
    "DeprecatedProperty FunctionalProperty InverseFunctionalProperty IrreflexiveProperty "
    "NamedIndividual NegativePropertyAssertion Nothing ObjectProperty Ontology OntologyProperty "
    "ReflexiveProperty Restriction SymmetricProperty Thing TransitiveProperty allValuesFrom "
    "annotatedProperty annotatedSource annotatedTarget assertionProperty backwardCompatibleWith "
    "bottomDataProperty bottomObjectProperty cardinality complementOf datatypeComplementOf "
    "deprecated differentFrom disjointUnionOf disjointWith distinctMembers equivalentClass "
    "equivalentProperty hasKey hasSelf hasValue imports incompatibleWith intersectionOf "
    "inverseOf maxCardinality maxQualifiedCardinality members minCardinality "
    "minQualifiedCardinality onClass onDataRange onDatatype onProperties onProperty oneOf "
    "priorVersion propertyChainAxiom propertyDisjointWith qualifiedCardinality rational real "
    "sameAs someValuesFrom sourceIndividual targetIndividual targetValue topDataProperty "
    "topObjectProperty unionOf versionIRI versionInfo withRestrictions",
    XSD: " ".join(sorted(XSD_DATATYPES)),
}
_BUILTIN = " ".join(f"<{ns}{name}>" for ns, names in _VOCABULARY.items() for name in names.split())

#: The scratch graph of round N's conclusions (``<prefix>N``), from round 2 on, each read by
#: the round after it; round 2 reads round 1's in the target graph, which holds them alone.
_ROUND = "urn:l2graph:reasoning:round-"
#: Scratch graph naming the blank nodes of per-axiom rules: ``<_HANDLE K> <_NAMES> _:b``.
_HANDLES, _HANDLE = "urn:l2graph:reasoning:handles", "urn:l2graph:reasoning:handle-"
_NAMES = "urn:l2graph:reasoning:names"
# Stand-ins in a rule's text: the graphs its conclusions go to (the target, and the round's
# news), the graph it reads the last round's news from, and the graphs it reads the rest from.
_INTO, _ALSO = "<urn:l2graph:reasoning:into>", "<urn:l2graph:reasoning:also>"
_NEWS = "<urn:l2graph:reasoning:news>"
_SOURCE = "<urn:l2graph:reasoning:source>"

_SAME_AS = ox.NamedNode(OWL + "sameAs")
_FIRST, _REST, _NIL = (ox.NamedNode(RDF + name) for name in ("first", "rest", "nil"))
_INVERSE_OF = ox.NamedNode(OWL + "inverseOf")


def _queries(rule: Rule) -> tuple[str, list[tuple[str, str]]]:
    """A rule's update over the whole graph, and its semi-naive variants: one per body atom
    not marked fixed, that atom read from the last round's news only (the graph :data:`_NEWS`
    stands for), each with that atom. Each inserts what does not hold yet, so no conclusion
    crosses into Python (but for a ``selected`` rule: a SELECT of its candidates, see
    :func:`_insert_selected`): the rule reads the source and target graphs together, and the
    news and handles by name."""
    # Looked up in each graph by name: Oxigraph looks a pattern up in a union of graphs (the
    # default graph USING builds) many times slower
    missing = " && ".join(
        f"NOT EXISTS {{ GRAPH {graph} {{ {rule.head} }} }}" for graph in (_SOURCE, _INTO)
    )
    # The condition first: Oxigraph would test NOT EXISTS before a FILTER beside it, and the
    # lookup costs more than the test (for eq-rep, all but a few rows are owl:sameAs)
    check = f"IF({rule.condition}, {missing}, false)" if rule.condition else missing
    atoms = [atom.removeprefix("!") for atom in rule.body]

    def query(where: list[str]) -> str:
        dataset = (
            f"USING {_SOURCE} USING {_INTO} USING NAMED {_SOURCE} USING NAMED {_INTO}"
            f" USING NAMED {_NEWS} USING NAMED <{_HANDLES}>"
            f" USING NAMED <{_REPRESENTATIVES}> USING NAMED <{_NEW_REPRESENTATIVES}>"
        )
        if rule.selected:
            pattern = " . ".join([*where, f"FILTER ({rule.condition or 'true'})"])
            dataset = dataset.replace("USING", "FROM")
            return f"{_PREFIXES}SELECT DISTINCT {rule.head} {dataset} WHERE {{ {pattern} }}"
        pattern = " . ".join([*where, f"FILTER ({check})"])
        into = f"GRAPH {_INTO} {{ {rule.head} }} GRAPH {_ALSO} {{ {rule.head} }}"
        return f"{_PREFIXES}INSERT {{ {into} }} {dataset} WHERE {{ {pattern} }}"

    def news(atom: str) -> str:
        if atom.startswith(_STANDS_FOR):  # the representatives new in the last round
            return atom.replace(_REPRESENTATIVES, _NEW_REPRESENTATIVES)
        return f"GRAPH {_NEWS} {{ {atom} }}"

    variants = [
        (query([news(atom) if i == j else atom for j, atom in enumerate(atoms)]), atom)
        for i, (written, atom) in enumerate(zip(rule.body, atoms, strict=True))
        if not written.startswith("!") and not rule.whole
    ]
    return query(atoms), variants


def _iri(name: str) -> str:
    """``owl:Thing``, ``a`` or ``<iri>`` as a full IRI."""
    if name == "a":
        return RDF + "type"
    if name.startswith("<"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    return _NAMESPACES[prefix] + local


def _trigger(rule_body: str) -> tuple[ox.NamedNode, ox.NamedNode | None] | None:
    """The predicate and object (None where a variable) of a body's first atom (inside its
    GRAPH, if any): without such a triple anywhere, the rule cannot fire. None when its
    predicate is a variable."""
    words = rule_body.split()
    if words[0] == "GRAPH":
        words = words[3:]
    _, predicate, obj = words[:3]
    if predicate.startswith("?"):
        return None
    return ox.NamedNode(_iri(predicate)), None if obj.startswith("?") else ox.NamedNode(_iri(obj))


def _holds(store: ox.Store, trigger: tuple[ox.NamedNode, ox.NamedNode | None] | None) -> bool:
    if trigger is None:
        return True
    return next(iter(store.quads_for_pattern(None, trigger[0], trigger[1])), None) is not None


def _has_news(store: ox.Store, atom: str, news: ox.NamedNode) -> bool:
    """Whether the last round's news hold a triple the atom can match: a variant whose atom
    has none concludes nothing, and a look-up costs less than the query."""
    if atom.startswith(_STANDS_FOR):
        where, trigger = ox.NamedNode(_NEW_REPRESENTATIVES), _trigger(atom)
    elif atom.startswith(("{", "GRAPH")):
        return True  # a group: read as written
    else:
        where, trigger = news, _trigger(atom)
    predicate, obj = trigger if trigger else (None, None)
    return next(iter(store.quads_for_pattern(None, predicate, obj, where)), None) is not None


def show(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A term as reports name it: IRIs shortened, blank nodes ``_:id``, literals with their
    datatype shortened (``"abc"^^xsd:integer``)."""
    if isinstance(term, ox.NamedNode):
        return short_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = str(ox.Literal(term.value))
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype.value == XSD + "string":
        return text
    return f"{text}^^{short_iri(term.datatype.value)}"


class _Axioms:
    """The per-axiom rules (prp-spo2, prp-key, cls-int1), read from the store; their blank
    nodes are named through handles (:data:`_HANDLES`), added as the rules need them."""

    def __init__(self, store: ox.Store, graphs: list[ox.NamedNode]) -> None:
        self.store, self.graphs = store, graphs
        self.handles: dict[ox.BlankNode, int] = {}

    def _objects(self, subject: ox.Term, predicate: ox.NamedNode) -> list[ox.Term]:
        found: list[ox.Term] = []
        for graph in self.graphs:
            for quad in self.store.quads_for_pattern(subject, predicate, None, graph):
                if quad.object not in found:
                    found.append(quad.object)
        return found

    def _axioms(self, predicate: str) -> Iterator[tuple[ox.Term, ox.Term]]:
        seen = set()
        for graph in self.graphs:
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                if (quad.subject, quad.object) not in seen:
                    seen.add((quad.subject, quad.object))
                    yield quad.subject, quad.object

    def members(self, rule: str, axiom: str, head: ox.Term) -> list[ox.Term]:
        """The members of the RDF list ``head``.

        Raises:
            UnsupportedAxiomError: the list is not one (no or two rdf:first, a cycle, no end).
        """
        members, cell, seen = [], head, set()
        while cell != _NIL:
            firsts, rests = self._objects(cell, _FIRST), self._objects(cell, _REST)
            if cell in seen or len(firsts) != 1 or len(rests) != 1:
                why = (
                    "a cycle" if cell in seen else f"{len(firsts)} rdf:first, {len(rests)} rdf:rest"
                )
                raise UnsupportedAxiomError(
                    rule, axiom, f"its list is malformed at {show(cell)} ({why})"
                )
            seen.add(cell)
            members.append(firsts[0])
            cell = rests[0]
        return members

    def term(self, term: ox.Term, fixed: list[str]) -> str:
        """A term as rule text: a blank node as a variable its handle binds (added to
        ``fixed``)."""
        if not isinstance(term, ox.BlankNode):
            return str(term)
        if term not in self.handles:
            self.handles[term] = len(self.handles)
            handle = ox.NamedNode(f"{_HANDLE}{self.handles[term]}")
            self.store.add(ox.Quad(handle, ox.NamedNode(_NAMES), term, ox.NamedNode(_HANDLES)))
        number = self.handles[term]
        atom = f"!GRAPH <{_HANDLES}> {{ <{_HANDLE}{number}> <{_NAMES}> ?h{number} }}"
        if atom not in fixed:
            fixed.append(atom)
        return f"?h{number}"

    def step(self, rule: str, axiom: str, prop: ox.Term, start: str, end: str) -> str:
        """The pattern ``start prop end`` for a property or an inverse property expression
        (``[ owl:inverseOf :p ]``, read as ``end :p start``), however nested.

        Raises:
            UnsupportedAxiomError: ``prop`` is a blank node but no inverse of a property.
        """
        if isinstance(prop, ox.NamedNode):
            return f"{start} {prop} {end}"
        inverses = self._objects(prop, _INVERSE_OF) if isinstance(prop, ox.BlankNode) else []
        if len(inverses) != 1:
            raise UnsupportedAxiomError(
                rule, axiom, f"{show(prop)} is neither a property nor one inverse of a property"
            )
        return self.step(rule, axiom, inverses[0], end, start)

    def rules(self) -> list[Rule]:
        """One rule per chain (prp-spo2), key (prp-key) and intersection (cls-int1) axiom."""
        rules = []
        for prop, head in self._axioms(OWL + "propertyChainAxiom"):
            axiom = f"{show(prop)} owl:propertyChainAxiom ( … )"
            steps = self.members("prp-spo2", axiom, head)
            if not isinstance(prop, ox.NamedNode):
                raise UnsupportedAxiomError("prp-spo2", axiom, "the chain's property is no IRI")
            if not steps:
                continue
            path = [
                self.step("prp-spo2", axiom, step, f"?v{i}", f"?v{i + 1}")
                for i, step in enumerate(steps)
            ]
            rules.append(Rule("prp-spo2", f"?v0 {prop} ?v{len(steps)}", tuple(path)))
        for cls, head in self._axioms(OWL + "hasKey"):
            axiom = f"{show(cls)} owl:hasKey ( … )"
            keys = self.members("prp-key", axiom, head)
            if not keys:
                continue
            fixed: list[str] = []
            name = self.term(cls, fixed)
            # ?y's atoms are never the news alone: ?x and ?y swap, and the cliques are
            # closed (eq-sym), so ?x's variants draw what ?y's would
            body = [f"?x a {name}", f"!?y a {name}"]
            for i, key in enumerate(keys):
                body += [
                    self.step("prp-key", axiom, key, "?x", f"?z{i}"),
                    "!" + self.step("prp-key", axiom, key, "?y", f"?z{i}"),
                ]
            rule = Rule("prp-key", "?x owl:sameAs ?y", (*fixed, *body), "!sameTerm(?x, ?y)")
            rules.append(rule)
        for cls, head in self._axioms(OWL + "intersectionOf"):
            axiom = f"{show(cls)} owl:intersectionOf ( … )"
            parts = self.members("cls-int1", axiom, head)
            if not parts:
                continue
            fixed = []
            name = self.term(cls, fixed)
            body = [f"?y a {self.term(part, fixed)}" for part in parts]
            rules.append(Rule("cls-int1", f"?y a {name}", (*fixed, *body)))
        return rules


def _refuse_unsupported(store: ox.Store, graphs: list[ox.NamedNode], axioms: _Axioms) -> None:
    """Refuse what the rules cannot apply as written, rather than ignore it.

    Raises:
        UnsupportedAxiomError: a cardinality that is no non-negative integer; an inverse
            property expression used elsewhere than in a property chain or a key.
    """
    for name in ("maxCardinality", "maxQualifiedCardinality"):
        for graph in graphs:
            for quad in store.quads_for_pattern(None, ox.NamedNode(OWL + name), None, graph):
                value = quad.object
                if not (
                    isinstance(value, ox.Literal)
                    and value.datatype.value == XSD + "integer"
                    and re.fullmatch(r"\+?[0-9]+", value.value)
                ):
                    raise UnsupportedAxiomError(
                        "cls-maxc1" if name == "maxCardinality" else "cls-maxqc1",
                        f"{show(quad.subject)} owl:{name} {show(value)}",
                        "the cardinality is no non-negative integer",
                    )
    # An inverse expression may stand in a chain or a key list (or be the inverse of one that
    # does), and nowhere else.
    cells, allowed = set(), set()
    for predicate in ("propertyChainAxiom", "hasKey"):
        for _, head in axioms._axioms(OWL + predicate):
            cell, seen = head, set()
            while isinstance(cell, ox.BlankNode) and cell not in seen:
                seen.add(cell)
                cells.add(cell)
                members = axioms._objects(cell, _FIRST)
                while members and isinstance(members[0], ox.BlankNode):
                    allowed.add(members[0])
                    members = axioms._objects(members[0], _INVERSE_OF)
                rests = axioms._objects(cell, _REST)
                cell = rests[0] if rests else _NIL
    expressions = {
        term
        for graph in graphs
        for quad in store.quads_for_pattern(None, _INVERSE_OF, None, graph)
        for term in (quad.subject, quad.object)
        if isinstance(term, ox.BlankNode)
    }
    for expression in expressions:
        for graph in graphs:
            uses = [
                *store.quads_for_pattern(expression, None, None, graph),
                *store.quads_for_pattern(None, None, expression, graph),
            ]
            for use in uses:
                if use.predicate == _INVERSE_OF and (
                    use.subject == expression or use.subject in allowed
                ):
                    continue  # its own definition, or the inverse of an allowed one
                if use.predicate == _FIRST and use.subject in cells:
                    continue  # a step of a chain, or a key
                raise UnsupportedAxiomError(
                    "prp-inv1",
                    f"{show(use.subject)} {show(use.predicate)} {show(use.object)}",
                    "l2graph reads an inverse property expression ([ owl:inverseOf :p ]) only"
                    " in a property chain or a key; name the inverse property"
                    " (:q owl:inverseOf :p) and use it here",
                )


def _insert_selected(
    store: ox.Store,
    text: str,
    origin: ox.NamedNode,
    target: ox.NamedNode,
    also: ox.NamedNode,
) -> None:
    """A rule whose candidates are selected and checked here, each one a point look-up, before
    the new ones are added to ``target`` and ``also``: for the eq-rep rules, whose candidates
    in a clique are many and mostly known, Oxigraph's NOT EXISTS costs tens of microseconds a
    row (it scans where a point look-up would do); a look-up here costs one."""
    added = set()
    for s, p, o in store.query(text):
        if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
            continue  # no RDF triple has a literal subject or a blank predicate
        if ox.Quad(s, p, o, origin) in store or ox.Quad(s, p, o, target) in store:
            continue
        added.add((s, p, o))
    store.extend(ox.Quad(s, p, o, graph) for s, p, o in added for graph in {target, also})


def _close_cliques(
    store: ox.Store, news: list[ox.NamedNode], graphs: list[ox.NamedNode], into: list[ox.NamedNode]
) -> int:
    """eq-sym and eq-trans: close every owl:sameAs clique the news touch, at once, and name
    its representative for the eq-rep rules.

    The cliques hold closed before the news (an invariant of each round), so only the
    components around the news' ends can lack a pair; each is walked once, its edges read as
    it goes, and every missing ordered pair is added to ``into``. A clique's representative is
    its least member (no literal); each other member gets an entry ``r stands-for m``, in the
    representatives' graph and among the new ones (an entry for a former representative is
    removed: the clique grew).

    Returns:
        How many entries are new (the eq-rep rules have work while there are).
    """
    standing, new = ox.NamedNode(_REPRESENTATIVES), ox.NamedNode(_NEW_REPRESENTATIVES)
    stands_for = ox.NamedNode(_FOR[1:-1])
    store.remove_graph(new)  # read by the round that just ended
    starts = []
    for graph in news:
        for quad in store.quads_for_pattern(None, _SAME_AS, None, graph):
            starts += [quad.subject, quad.object]
    done: set = set()
    added, entries, stale = [], [], []
    for start in starts:
        if start in done:
            continue
        component, edges, frontier = {start}, set(), [start]
        while frontier:
            node = frontier.pop()
            for graph in graphs:
                found = list(store.quads_for_pattern(None, _SAME_AS, node, graph))
                if not isinstance(node, ox.Literal):
                    found += store.quads_for_pattern(node, _SAME_AS, None, graph)
                for quad in found:
                    edges.add((quad.subject, quad.object))
                    for end in (quad.subject, quad.object):
                        if end not in component:
                            component.add(end)
                            frontier.append(end)
        done |= component
        for x in component:
            if isinstance(x, ox.Literal):
                continue  # no RDF triple has a literal subject
            for y in component:
                if x != y and (x, y) not in edges:
                    added += [ox.Quad(x, _SAME_AS, y, graph) for graph in into]
        subjects = [x for x in component if not isinstance(x, ox.Literal)]
        if len(component) < 2 or not subjects:
            continue
        representative = min(subjects, key=str)
        for member in component - {representative}:
            entry = ox.Quad(representative, stands_for, member, standing)
            if entry not in store:
                entries += [entry, ox.Quad(representative, stands_for, member, new)]
                stale += [
                    quad
                    for quad in store.quads_for_pattern(None, stands_for, member, standing)
                    if quad.subject != representative
                ]
        stale += store.quads_for_pattern(None, stands_for, representative, standing)
    for quad in stale:
        store.remove(quad)
    if added or entries:
        store.extend([*added, *entries])
    return len(entries) // 2


def materialise(
    store: ox.Store,
    graph: str = INFERRED_GRAPH,
    progress: Callable[[int, int], None] | None = None,
    *,
    source: str = ASSERTED_GRAPH,
    check: bool = True,
) -> int:
    """Add the OWL 2 RL entailments of the named graph ``source`` to the named graph
    ``graph`` of ``store``.

    Args:
        store: holds the ontology and data in its graph ``source``.
        graph: the named graph that receives the entailments.
        progress: called with (round, triples added so far) after each round.
        source: the named graph of the ontology and data.
        check: then look for inconsistencies (:func:`inconsistencies`) and raise them.

    Returns:
        How many triples were inferred.

    Raises:
        InconsistentOntologyError: (``check``) the graph is inconsistent; the entailments are
            in ``graph`` all the same.
        UnsupportedAxiomError: an axiom the rules cannot apply as written.
    """
    target, origin = ox.NamedNode(graph), ox.NamedNode(source)
    before = graph_size(store, graph)
    axioms = _Axioms(store, [origin, target])
    _refuse_unsupported(store, [origin, target], axioms)
    triggers = [_trigger(rule.body[0].removeprefix("!")) for rule in _RULES]
    compiled: dict[Rule, tuple[str, list[tuple[str, str]]]] = {}
    rounds, scratch = 0, []
    try:
        while True:
            rounds += 1
            # Round 1 writes its news to the target graph alone; round 2 reads them there
            # (which holds nothing else yet when it started empty, as in a build; if not, it
            # reads a superset of the news, still the same fixpoint). Later rounds write their
            # news to a scratch graph too, for the next round to read.
            record = ox.NamedNode(f"{_ROUND}{rounds}")
            also = target if rounds == 1 else record
            news = target if rounds <= 2 else scratch[-1]
            graphs = {_SOURCE: str(origin), _INTO: str(target), _ALSO: str(also), _NEWS: str(news)}
            live = [rule for rule, on in zip(_RULES, triggers, strict=True) if _holds(store, on)]
            for rule in [*live, *axioms.rules()]:
                first = rule not in compiled  # a rule new this round reads the whole graph
                if first:
                    compiled[rule] = _queries(rule)
                whole, variants = compiled[rule]
                texts = (
                    [whole]
                    if first or rule.whole
                    else [text for text, atom in variants if _has_news(store, atom, news)]
                )
                for text in texts:
                    for stand_in, name in graphs.items():
                        text = text.replace(stand_in, name)
                    if rule.selected:
                        _insert_selected(store, text, origin, target, also)
                    else:
                        store.update(text)
            # eq-sym, eq-trans over this round's sameAs news (round 1: every sameAs)
            fresh = [origin, target] if rounds == 1 else [record]
            standing = _close_cliques(store, fresh, [origin, target], list({target, also}))
            if rounds > 2:
                store.remove_graph(scratch.pop())  # read: this round's news take its place
            if rounds > 1:
                scratch.append(record)
            added = graph_size(store, graph) - before
            if progress:
                progress(rounds, added)
            news_left = added if rounds == 1 else graph_size(store, record.value)
            if not news_left and not standing:
                break
    finally:
        for name in (*scratch, _HANDLES, _REPRESENTATIVES, _NEW_REPRESENTATIVES):
            store.remove_graph(ox.NamedNode(name) if isinstance(name, str) else name)
    _remove_noise(store, target)
    added = graph_size(store, graph) - before
    if check:
        found = inconsistencies(store, graph, source=source)
        if found:
            raise InconsistentOntologyError(found)
    return added


def _remove_noise(store: ox.Store, target: ox.NamedNode) -> None:
    """Remove from ``target`` what ``l2graph.reference.is_noise`` drops from owlrl's closure:
    the rules conclude it only where the input says something trivial (a domain of
    owl:Thing, a class equivalent to itself through owl:sameAs). One update, one look-up
    per kind."""
    trivial = " ".join(f"({' '.join(pattern.split()[1:])})" for pattern in _NOISE)
    store.update(
        f"{_PREFIXES}DELETE {{ GRAPH {target} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {target} {{"
        f" {{ VALUES (?p ?o) {{ {trivial} }} ?s ?p ?o }}"
        f" UNION {{ VALUES ?p {{ {' '.join(_REFLEXIVE)} }} ?s ?p ?o FILTER (sameTerm(?s, ?o)) }}"
        f" UNION {{ VALUES ?s {{ {_BUILTIN} }} ?s ?p ?o }} }} }}"
    )


def inconsistencies(
    store: ox.Store, graph: str = INFERRED_GRAPH, *, source: str = ASSERTED_GRAPH
) -> list[tuple[str, tuple[str, ...]]]:
    """The OWL 2 RL inconsistencies of ``source`` with its entailments in ``graph``: each as
    (rule, resources), the resources named as reports name them, focus first (see
    :data:`MEANING`), sorted.

    Raises:
        UnsupportedAxiomError: a literal's datatype is in the XSD namespace but no XSD datatype
            (dt-not-type cannot tell whether it is valid).
    """
    found: set[tuple[str, tuple[str, ...]]] = set()
    dataset = f"FROM <{source}> FROM <{graph}>"
    for rule, resources, body in _CHECKS:
        if not _holds(store, _trigger(body)):
            continue
        variables = " ".join(dict.fromkeys(resources))
        text = f"{_PREFIXES}SELECT DISTINCT {variables} {dataset} WHERE {{ {body} }}"
        for row in store.query(text):
            names = tuple(show(row[name[1:]]) for name in resources)
            if rule == "prp-asyp":  # x p y and y p x: one inconsistency, seen from either end
                names = (*sorted(names[:2]), names[2])
            elif len(names) == 4 and rule not in ("prp-pdw", "prp-adp"):  # two literal values
                names = (names[0], *sorted(names[1:3]), names[3])
            found.add((rule, names))
    found.update(("dt-not-type", (show(literal),)) for literal in _ill_typed(store, source))
    return sorted(found)


def _ill_typed(store: ox.Store, source: str) -> Iterable[ox.Literal]:
    """dt-not-type: the literals of ``source`` whose lexical form is not in their datatype's
    lexical space (:mod:`l2graph.datatypes`); plain and language-tagged strings need no look.

    Raises:
        UnsupportedAxiomError: a datatype in the XSD namespace that names no XSD datatype.
    """
    text = (
        f"{_PREFIXES}SELECT DISTINCT ?o FROM <{source}> WHERE {{ ?s ?p ?o FILTER"
        " (isLiteral(?o) && DATATYPE(?o) != xsd:string && DATATYPE(?o) != rdf:langString) }"
    )
    checks: dict[str, Callable[[str], bool] | None] = {}
    for row in store.query(text):
        literal = row[0]
        datatype = literal.datatype.value
        if datatype not in checks:
            try:
                checks[datatype] = lexical_check(datatype)
            except KeyError:
                raise UnsupportedAxiomError(
                    "dt-not-type",
                    show(literal),
                    f"{short_iri(datatype)} is no XSD datatype, so its lexical space is unknown",
                ) from None
        check = checks[datatype]
        if check is not None and not check(literal.value):
            yield literal


def with_inconsistencies(report, found: Iterable[tuple[str, tuple[str, ...]]]):
    """A validation report with each inconsistency added as a violation whose constraint is
    its rule (``OWL 2 RL cax-dw``), for ``l2graph build`` and ``l2graph validate``."""
    from l2graph.report import ValidationReport, ValidationResult

    results = tuple(
        ValidationResult(
            focus_node=resources[0],
            path=None,
            constraint=f"OWL 2 RL {rule}",
            message=MEANING.get(rule, "{0}").format(*resources),
            severity="Violation",
        )
        for rule, resources in found
    )
    if not results:
        return report
    return ValidationReport(conforms=False, results=(*report.results, *results))
