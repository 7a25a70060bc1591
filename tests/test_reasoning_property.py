"""A differential property: on random small ontologies built from every OWL 2 RL construct,
the core's rules reach owlrl's closure exactly (after ``is_noise`` on both sides), or both
find the graph inconsistent by the same rules.

The constructs are those both engines read right. Left out, and held to their rules by the
corpus of ``tests/test_owl2rl_rules.py`` instead: owl:AllDifferent and
owl:AllDisjointProperties (owlrl never compares a list's last member), owl:hasKey (owlrl
compares all keys but the last), two literal values of a functional property (owlrl draws no
dt-diff), inverse property expressions outside chains (l2graph refuses them), and owl:Thing
or owl:Nothing where OWL 2 RL's syntax does not admit them.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rdflib import Graph

import l2graph

EXAMPLES = 200 if os.environ.get("CI") else 50  # owlrl is slow: CI runs the 200

CLASSES = [f":C{i}" for i in range(5)]
PROPERTIES = [f":p{i}" for i in range(4)]
INDIVIDUALS = [f":a{i}" for i in range(6)]
LITERALS = ['"x"', '"y"', "1", "2"]
PREFIXES = """
@prefix : <urn:ex:> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

cls, prop, ind = st.sampled_from(CLASSES), st.sampled_from(PROPERTIES), st.sampled_from(INDIVIDUALS)
cardinality = st.sampled_from(
    ["0", "1", '"0"^^xsd:nonNegativeInteger', '"1"^^xsd:nonNegativeInteger']
)


def _list(items: list[str]) -> str:
    return f"( {' '.join(items)} )"


# Class expressions: a restriction or a boolean combination, as a blank node.
restriction = st.one_of(
    st.builds(
        lambda p, c: f"[ a owl:Restriction ; owl:onProperty {p} ; owl:someValuesFrom {c} ]",
        prop,
        st.one_of(cls, st.just("owl:Thing")),
    ),
    st.builds(
        lambda p, c: f"[ a owl:Restriction ; owl:onProperty {p} ; owl:allValuesFrom {c} ]",
        prop,
        cls,
    ),
    st.builds(lambda p, i: f"[ owl:onProperty {p} ; owl:hasValue {i} ]", prop, ind),
    st.builds(lambda v: f"[ owl:onProperty :d ; owl:hasValue {v} ]", st.sampled_from(LITERALS)),
    st.builds(lambda p, n: f"[ owl:onProperty {p} ; owl:maxCardinality {n} ]", prop, cardinality),
    st.builds(
        lambda p, n, c: (
            f"[ owl:onProperty {p} ; owl:maxQualifiedCardinality {n} ; owl:onClass {c} ]"
        ),
        prop,
        cardinality,
        st.one_of(cls, st.just("owl:Thing")),
    ),
)
expression = st.one_of(
    restriction,
    st.builds(
        lambda cs: f"[ owl:intersectionOf {_list(cs)} ]",
        st.lists(st.one_of(cls, restriction), min_size=2, max_size=3),
    ),
    st.builds(lambda cs: f"[ owl:unionOf {_list(cs)} ]", st.lists(cls, min_size=2, max_size=3)),
    st.builds(lambda i: f"[ owl:oneOf {_list(i)} ]", st.lists(ind, min_size=1, max_size=3)),
)
step = st.one_of(prop, st.builds(lambda p: f"[ owl:inverseOf {p} ]", prop))
characteristic = st.sampled_from(
    [
        "owl:FunctionalProperty",
        "owl:InverseFunctionalProperty",
        "owl:SymmetricProperty",
        "owl:TransitiveProperty",
        "owl:IrreflexiveProperty",
        "owl:AsymmetricProperty",
    ]
)

axiom = st.one_of(
    st.builds(lambda a, b: f"{a} rdfs:subClassOf {b} .", cls, cls),
    st.builds(lambda a, b: f"{a} rdfs:subClassOf {b} .", cls, expression),
    st.builds(lambda a, b: f"{a} rdfs:subClassOf {b} .", expression, cls),
    st.builds(lambda a, b: f"{a} owl:equivalentClass {b} .", cls, st.one_of(cls, expression)),
    st.builds(lambda a, b: f"{a} owl:disjointWith {b} .", cls, cls),
    st.builds(lambda a, b: f"{a} owl:complementOf {b} .", cls, cls),
    st.builds(
        lambda cs: f"[] a owl:AllDisjointClasses ; owl:members {_list(cs)} .",
        st.lists(cls, min_size=2, max_size=3, unique=True),
    ),
    st.builds(lambda a: f"{a} rdfs:subClassOf owl:Nothing .", cls),
    st.builds(lambda p, q: f"{p} rdfs:subPropertyOf {q} .", prop, prop),
    st.builds(lambda p, q: f"{p} owl:equivalentProperty {q} .", prop, prop),
    st.builds(lambda p, q: f"{p} owl:inverseOf {q} .", prop, prop),
    st.builds(lambda p, q: f"{p} owl:propertyDisjointWith {q} .", prop, prop),
    st.builds(lambda p, c: f"{p} rdfs:domain {c} .", st.one_of(prop, st.just(":d")), cls),
    st.builds(lambda p, c: f"{p} rdfs:range {c} .", prop, cls),
    st.builds(lambda p, c: f"{p} a {c} .", prop, characteristic),
    st.builds(
        lambda p, steps: f"{p} owl:propertyChainAxiom {_list(steps)} .",
        prop,
        st.lists(step, min_size=2, max_size=3),
    ),
    st.builds(lambda c: f"{c} a owl:Class .", cls),
    st.builds(lambda p: f"{p} a owl:ObjectProperty .", prop),
)
fact = st.one_of(
    st.builds(lambda a, p, b: f"{a} {p} {b} .", ind, prop, ind),
    st.builds(lambda a, c: f"{a} a {c} .", ind, cls),
    st.builds(lambda a, v: f"{a} :d {v} .", ind, st.sampled_from(LITERALS)),
    st.builds(lambda a, b: f"{a} owl:sameAs {b} .", ind, ind),
    st.builds(lambda a, b: f"{a} owl:differentFrom {b} .", ind, ind),
    st.builds(
        lambda a, p, b: (
            f"[] owl:sourceIndividual {a} ; owl:assertionProperty {p} ; owl:targetIndividual {b} ."
        ),
        ind,
        prop,
        ind,
    ),
)


def _outcome(graph: Graph, engine: str) -> tuple[str, object]:
    try:
        return "entails", set(l2graph.infer(graph, engine=engine))
    except l2graph.InconsistentOntologyError as exc:
        return "inconsistent", {rule for rule, _ in exc.inconsistencies}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(axiom, min_size=1, max_size=6), st.lists(fact, min_size=1, max_size=8))
def test_the_rules_reach_owlrl_s_closure_on_random_ontologies(axioms, facts):
    text = PREFIXES + "\n".join([*axioms, *facts])
    graph = Graph().parse(data=text, format="turtle")
    core, reference = _outcome(graph, "oxigraph"), _outcome(graph, "owlrl")
    event(core[0])  # --hypothesis-show-statistics: how many of each
    if core[0] == reference[0] == "entails":
        assert core[1] == reference[1], (
            text,
            sorted(reference[1] - core[1])[:10],
            sorted(core[1] - reference[1])[:10],
        )
    else:
        assert core == reference, (text, core, reference)
