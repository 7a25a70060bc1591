"""OWL 2 RL reasoning: owlrl (the reference) and the core's SPARQL rules reach the same
entailments through the public API, inferred triples stay apart from asserted ones, and the
axioms do their work.

owlrl's closure also holds triples with no domain content; ``l2graph.reference.is_noise`` names
each kind and drops them from both sides: triples about literals, reflexive ``owl:sameAs``
and every class or property being its own sub/equivalent class or property (scm-cls,
scm-op), typing as ``owl:Thing``/``rdfs:Resource``/``owl:NamedIndividual``, ``owl:Thing`` as a
superclass, domain or range, and triples about the RDF/RDFS/OWL/XSD vocabularies themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

import l2graph
from l2graph.project import ANCHORS_GRAPH, ID, L2
from l2graph.reference import is_noise

L2NS, IDNS = Namespace(L2), Namespace(ID)


def both_engines(graph: Graph) -> tuple[set, set]:
    return set(l2graph.infer(graph)), set(l2graph.infer(graph, engine="owlrl"))


def test_same_entailments_as_owlrl_on_the_shipped_graph(asserted_graph):
    fast, reference = both_engines(asserted_graph)
    assert fast == reference, (sorted(reference - fast)[:10], sorted(fast - reference)[:10])
    assert len(fast) > 400


def test_the_build_holds_the_rules_entailments(asserted_graph, inferred_graph):
    """load_graph(reason=True) reads the build's inferred graph: the same as infer(), and as
    the reference path (rdflib parses the sources, owlrl reasons, noise dropped)."""
    assert isomorphic(inferred_graph, asserted_graph + l2graph.infer(asserted_graph))
    anchors = l2graph.run_sparql(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ANCHORS_GRAPH}> {{ ?s ?p ?o }} }}"
    ).graph  # computed from the article texts, which the reference path does not read
    assert isomorphic(l2graph.load_graph(reason=True, engine="owlrl"), inferred_graph - anchors)


@pytest.mark.slow
def test_same_entailments_as_owlrl_on_a_synthetic_graph(tmp_path: Path):
    from benchmarks.generate import generate

    generated = generate(tmp_path / "synthetic", 5_000)
    fast, reference = both_engines(l2graph.load_graph(home=generated.home))
    assert fast == reference, (sorted(reference - fast)[:10], sorted(fast - reference)[:10])
    chain = {t for t in fast if t[1] in (L2NS.sourcesBodiesFrom, L2NS.mount, L2NS.manufacturer)}
    assert chain, "the synthetic graph should exercise the property chains"


def test_noise_filter_names_only_contentless_triples():
    assert is_noise(
        (Literal("x"), RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#Literal"))
    )
    assert is_noise((IDNS.sigma, OWL.sameAs, IDNS.sigma))
    assert is_noise((IDNS.sigma, RDF.type, OWL.Thing))
    assert not is_noise((IDNS.sigma, RDF.type, L2NS.Organization))
    assert not is_noise((IDNS["leica-d-lux-7"], L2NS.manufacturer, IDNS.panasonic))


def test_inferred_triples_are_apart_and_derive_what_the_axioms_say(asserted_graph):
    inferred = l2graph.infer(asserted_graph)
    assert not set(inferred) & set(asserted_graph)
    expected = [
        # property chain: a rebadge is made by its original's maker
        (IDNS["leica-d-lux-7"], L2NS.manufacturer, IDNS.panasonic),
        (IDNS["leica-sl2"], L2NS.manufacturer, IDNS.panasonic),
        # inverses and sub-properties
        (IDNS["panasonic-s1r"], L2NS.rebadgedAs, IDNS["leica-sl2"]),
        (IDNS.panasonic, L2NS.memberOf, IDNS["l2-technology"]),
        (IDNS["l2-technology"], L2NS.hasFoundingMember, IDNS["leica-camera-ag"]),
        (IDNS["leica-camera-ag"], L2NS.chiefExecutive, IDNS["matthias-harsch"]),
        # symmetry
        (IDNS.panasonic, L2NS.collaboratesWith, IDNS["leica-camera-ag"]),
        # alignment with schema.org and W3C ORG
        (IDNS["leica-sl2"], RDF.type, URIRef("https://schema.org/ProductModel")),
        (
            IDNS["l2-technology"],
            RDF.type,
            URIRef("http://www.w3.org/ns/org#OrganizationalCollaboration"),
        ),
    ]
    for triple in expected:
        assert triple in inferred, triple
    assert not list(inferred.triples((None, OWL.sameAs, None)))


def test_load_graph_with_reason_is_asserted_plus_inferred(asserted_graph, inferred_graph):
    assert len(inferred_graph) == len(asserted_graph) + len(l2graph.infer(asserted_graph))
    assert isinstance(inferred_graph, Graph)


def test_an_unknown_engine_is_named():
    with pytest.raises(l2graph.InputError, match="'owl' is not one of"):
        l2graph.infer(Graph(), engine="owl")


def test_semi_naive_rounds_reach_owlrl_s_closure_and_leave_no_scratch_graph():
    """Chains that need many rounds (a transitive property over nine nodes, a subclass and a
    subproperty ladder): every round after the first reads only the last one's news, and the
    fixpoint is still owlrl's; the scratch graph is gone afterwards."""
    from l2graph import reasoning
    from l2graph.bridge import store_from_graph

    ex = Namespace("urn:example:")
    graph = Graph()
    graph.add((ex.next, RDF.type, OWL.TransitiveProperty))
    for i in range(8):
        graph.add((ex[f"n{i}"], ex.next, ex[f"n{i + 1}"]))
    for i in range(5):
        graph.add((ex[f"C{i}"], RDFS.subClassOf, ex[f"C{i + 1}"]))
        graph.add((ex[f"p{i}"], RDFS.subPropertyOf, ex[f"p{i + 1}"]))
    graph.add((ex.thing, RDF.type, ex.C0))
    graph.add((ex.thing, ex.p0, ex.other))

    fast, reference = both_engines(graph)
    assert fast == reference, (sorted(reference - fast)[:10], sorted(fast - reference)[:10])
    assert (ex.n0, ex.next, ex.n8) in fast and (ex.thing, RDF.type, ex.C5) in fast

    store, rounds = store_from_graph(graph, "urn:example:asserted"), []
    reasoning.materialise(
        store,
        "urn:example:inferred",
        lambda r, _added: rounds.append(r),
        source="urn:example:asserted",
    )
    assert len(rounds) >= 3  # the scratch graph was read, not only the target
    graphs = {str(name) for name in store.named_graphs()}
    assert graphs == {"<urn:example:asserted>", "<urn:example:inferred>"}  # no scratch left


def test_an_equivalence_already_half_asserted_is_completed_as_owlrl_completes_it():
    """c ≡ d with c ⊑ d asserted still entails d ⊑ c (and the same for properties): each
    conclusion of a rule is drawn where it does not hold yet, not only where none does."""
    ex = Namespace("urn:example:")
    graph = Graph()
    graph.add((ex.C, OWL.equivalentClass, ex.D))
    graph.add((ex.C, RDFS.subClassOf, ex.D))
    graph.add((ex.p, OWL.equivalentProperty, ex.q))
    graph.add((ex.p, RDFS.subPropertyOf, ex.q))
    graph.add((ex.x, ex.q, ex.y))
    fast, reference = both_engines(graph)
    assert fast == reference, (sorted(reference - fast), sorted(fast - reference))
    assert (ex.D, RDFS.subClassOf, ex.C) in fast and (ex.q, RDFS.subPropertyOf, ex.p) in fast


# ---- the rules beyond the shipped ontology's, through the build and the command line

LEICA_BRANDED = """
l2:LeicaBranded a owl:Class ;
    rdfs:label "Leica-branded"@en ;
    owl:equivalentClass [ a owl:Restriction ; owl:onProperty l2:brand ;
                          owl:hasValue <https://w3id.org/l2graph/id/brand-leica> ] .
"""
SAME_BRAND = """
l2:sameBrandAs a owl:ObjectProperty ;
    rdfs:label "same brand as"@en ;
    owl:propertyChainAxiom ( l2:brand [ owl:inverseOf l2:brand ] ) .
"""


def _extend_ontology(home: Path, text: str) -> None:
    ontology = home / "ontology" / "l2graph.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + text, encoding="utf-8")


def _build(capsys, home: Path) -> tuple[int, str, str]:
    from l2graph.cli import main

    code = main(["--home", str(home), "build"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return code, out, err


def test_a_has_value_class_types_every_leica_branded_thing(project_copy: Path, capsys):
    """The issue's example: "a Leica-branded body is one whose brand is Leica" (cls-hv2),
    added to a copy of the ontology, types every thing the data gives Leica's brand: the
    issue's three, and any the data has gained since."""
    _extend_ontology(project_copy, LEICA_BRANDED)
    assert _build(capsys, project_copy)[0] == 0

    def things(pattern: str) -> set[str]:
        rows = l2graph.run_sparql(f"SELECT ?x WHERE {{ {pattern} }}", home=project_copy).rows
        return {str(row["x"]) for row in rows}

    typed = things("?x a l2:LeicaBranded")
    assert typed == things("?x l2:brand id:brand-leica")
    assert {ID + name for name in ("leica-sl2", "leica-d-lux-7", "leica-sl-line-up")} <= typed


def test_a_chain_with_an_inverse_step_builds_and_concludes(project_copy: Path, capsys):
    """prp-spo2 over ( l2:brand [ owl:inverseOf l2:brand ] ): once an internal error (a blank
    node's label made an IRI in the rule), now things that share a brand."""
    _extend_ontology(project_copy, SAME_BRAND)
    assert _build(capsys, project_copy)[0] == 0
    ask = "ASK { id:leica-sl2 l2:sameBrandAs id:leica-d-lux-7 }"
    assert l2graph.run_sparql(ask, home=project_copy).boolean


def test_an_inconsistency_fails_the_build_and_validate_naming_the_rule(project_copy: Path, capsys):
    """cax-dw: a body that is also a brand, the two classes declared disjoint. The build
    keeps no cache and exits 1; validate reports it as a violation named by its rule."""
    from l2graph.cli import main

    _extend_ontology(project_copy, "\nl2:CameraBody owl:disjointWith l2:Brand .\n")
    with (project_copy / "data" / "products.ttl").open("a", encoding="utf-8") as data:
        data.write("\nid:leica-sl2 a l2:Brand .\n")
    code, _, err = _build(capsys, project_copy)
    assert code == 1
    assert "id:leica-sl2" in err and "[OWL 2 RL cax-dw]" in err and "disjoint" in err
    code = main(["--home", str(project_copy), "validate"])
    out, err = capsys.readouterr()
    assert code == 1 and "[OWL 2 RL cax-dw]" in out + err
    report = l2graph.validate(home=project_copy)
    assert not report.conforms
    assert [r.constraint for r in report.results] == ["OWL 2 RL cax-dw"]


def test_an_axiom_the_rules_cannot_apply_is_refused_by_name(project_copy: Path, capsys):
    """A cardinality that is no number: exit 2 and the axiom, never an internal error."""
    _extend_ontology(
        project_copy,
        '\nl2:OneBrand a owl:Class ; rdfs:label "one brand"@en ; owl:equivalentClass'
        ' [ owl:onProperty l2:brand ; owl:maxCardinality "one" ] .\n',
    )
    code, _, err = _build(capsys, project_copy)
    assert code == 2
    assert "cls-maxc1" in err and 'owl:maxCardinality "one"' in err


def test_inconsistencies_are_raised_by_both_engines_never_dropped():
    """owlrl's error triples become the same exception as the core's: rule and resources."""
    ex = Namespace("urn:example:")
    graph = Graph()
    graph.add((ex.A, OWL.disjointWith, ex.B))
    graph.add((ex.x, RDF.type, ex.A))
    graph.add((ex.x, RDF.type, ex.B))
    for engine in ("oxigraph", "owlrl"):
        with pytest.raises(l2graph.InconsistentOntologyError) as raised:
            l2graph.infer(graph, engine=engine)
        assert raised.value.inconsistencies == [
            ("cax-dw", ("<urn:example:x>", "<urn:example:A>", "<urn:example:B>"))
        ]
        assert raised.value.exit_code == 1
        assert str(raised.value) == (
            "the graph is inconsistent under OWL 2 RL: cax-dw holds for <urn:example:x>, "
            "<urn:example:A>, <urn:example:B>"
        )


def test_a_large_same_as_clique_does_not_blow_up():
    """200 individuals made the same by a chain of owl:sameAs, each with three facts: every
    pair (39,800, less the 199 asserted) and two facts of each member restated about every
    other (79,600 more; the third, a type, they share). Cliques are
    closed at once and facts restated through a representative, so this takes seconds
    (about 3 s on the benchmark machine; owlrl takes minutes), not the hours of pairwise
    joins. The bound is loose: it catches a return to cubic work, not noise."""
    import time

    from benchmarks.reasoner import clique_graph
    from l2graph import reasoning
    from l2graph.bridge import store_from_graph

    store = store_from_graph(clique_graph(200), "urn:example:asserted")
    started = time.perf_counter()
    added = reasoning.materialise(store, "urn:example:inferred", source="urn:example:asserted")
    assert time.perf_counter() - started < 60
    assert added == 200 * 199 - 199 + 2 * 200 * 199
