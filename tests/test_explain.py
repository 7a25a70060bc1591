"""Inferred facts explained: the OWL 2 RL rule behind each, and the asserted facts and claims
it comes from, recursively (issue 22, item 3)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import l2graph
from l2graph import reasoning
from l2graph.explanations import UNCLAIMED, Explainer, Explanation, UnknownFactError, explain_in
from l2graph.project import ASSERTED_GRAPH, ID, INFERRED_GRAPH, PREFIXES

_CLAIM = ox.NamedNode(PREFIXES["l2"] + "Claim")
_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")


@pytest.fixture(scope="module")
def store() -> ox.Store:
    from l2graph.cache import open_store

    return open_store()


def _walk(explanation: Explanation):
    yield explanation
    for premise in explanation.premises:
        yield from _walk(premise)


def test_every_inferred_fact_ends_in_asserted_facts_with_claims(store):
    explainer = Explainer(store)
    claims = {t.subject for t in explainer.asserted if t.predicate == _TYPE and t.object == _CLAIM}
    shown_claims = {reasoning.show(claim) for claim in claims}
    assert len(explainer.inferred) > 100
    for triple in explainer.inferred:
        explanation = explainer.explain(triple)
        assert explanation is not None, triple
        assert explanation.basis == "inferred" and explanation.rule, triple
        for node in _walk(explanation):
            if node.basis == "inferred":
                assert node.rule in reasoning.HOW or node.rule.startswith("eq-"), node
                assert node.premises, node
                continue
            assert node.basis in ("claims", "data", "ontology", "in place"), node
            assert not node.premises
            subject, predicate, _ = node.triple
            # a domain fact (one the shapes ask a claim for) has a confirmed or reported
            # claim with a quote
            domain = (
                subject.startswith("id:")
                and subject not in shown_claims
                and not any(predicate == reasoning.show(ox.NamedNode(iri)) for iri in UNCLAIMED)
            )
            if domain:
                assert node.basis == "claims", node
            if node.basis == "claims":
                assert node.claims
                for claim in node.claims:
                    assert claim.status in ("l2:confirmed", "l2:reported"), claim
                    assert claim.quote.strip() and claim.article.startswith("id:"), claim


def test_panasonic_makes_the_sl2_through_the_rebadge_and_the_s1r_maker():
    explanation = l2graph.explain("id:leica-sl2", "schema:manufacturer", "id:panasonic")
    assert explanation.rules() == ["prp-spo1", "prp-spo2"]
    chain = explanation.premises[1]
    assert chain.triple == ("id:leica-sl2", "l2:manufacturer", "id:panasonic")
    assert chain.rule == "prp-spo2"
    rebadge, maker = chain.premises
    assert rebadge.triple == ("id:leica-sl2", "l2:rebadgeOf", "id:panasonic-s1r")
    assert maker.triple == ("id:panasonic-s1r", "l2:manufacturer", "id:panasonic")
    assert any("effectively a Panasonic S1R" in claim.quote for claim in rebadge.claims)
    assert maker.claims and all(claim.status == "l2:confirmed" for claim in maker.claims)
    assert explanation.premises[0].basis == "ontology"
    text = explanation.text()
    assert "prp-spo2" in text and "prp-spo1" in text and "effectively a Panasonic S1R" in text


def test_an_asserted_fact_is_its_claims_and_a_missing_one_is_refused(store):
    asserted = explain_in(store, "id:leica-sl2", "l2:rebadgeOf", "id:panasonic-s1r")
    assert asserted.asserted and asserted.basis == "claims" and asserted.rule is None
    assert "[asserted]" in asserted.text()
    full = explain_in(
        store, f"<{ID}leica-sl2>", f"{PREFIXES['l2']}rebadgeOf", f"<{ID}panasonic-s1r>"
    )
    assert full == asserted
    with pytest.raises(UnknownFactError, match="neither asserted nor inferred"):
        explain_in(store, "id:leica-sl2", "l2:manufacturer", "id:sigma")
    with pytest.raises(l2graph.InputError, match="unknown prefix"):
        explain_in(store, "id:leica-sl2", "nope:x", "id:sigma")


def test_the_cli_prints_the_tree(capsys):
    from l2graph.cli import main

    assert main(["explain", "id:leica-sl2", "schema:manufacturer", "id:panasonic"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("id:leica-sl2 schema:manufacturer id:panasonic")
    assert "    id:leica-sl2 l2:rebadgeOf id:panasonic-s1r  [asserted]" in out
    assert main(["explain", "id:leica-sl2", "l2:manufacturer", "id:sigma"]) == 2
    assert "neither asserted nor inferred" in capsys.readouterr().err


_SYNTHETIC = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <http://example.org/> .
ex:p rdfs:subPropertyOf ex:q .
ex:q owl:inverseOf ex:r .
ex:r rdfs:domain ex:C .
ex:C rdfs:subClassOf ex:D .
ex:E owl:intersectionOf ( ex:D ex:F ) .
ex:up owl:propertyChainAxiom ( [ owl:inverseOf ex:p ] ex:s ) .
ex:a ex:p ex:b .
ex:b a ex:F .
ex:a ex:s ex:c .
ex:a2 owl:sameAs ex:a .
_:n ex:p ex:c .
"""


def _synthetic() -> Explainer:
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(ASSERTED_GRAPH))
        for t in ox.parse(_SYNTHETIC, format=ox.RdfFormat.TURTLE)
    )
    reasoning.materialise(store, INFERRED_GRAPH, source=ASSERTED_GRAPH)
    return Explainer(store)


def _ex(name: str) -> ox.NamedNode:
    return ox.NamedNode("http://example.org/" + name)


def test_chains_of_three_rules_and_more_end_in_asserted_facts():
    explainer = _synthetic()
    # b is a D: its domain (prp-dom, with scm-dom1 or cax-sco) as the object of r, the
    # inverse (prp-inv1) of q, a super-property (prp-spo1) of p
    explanation = explainer.explain(ox.Triple(_ex("b"), _TYPE, _ex("D")))
    assert explanation is not None
    assert {"prp-dom", "prp-inv1", "prp-spo1"} <= set(explanation.rules())
    assert len(explanation.rules()) >= 4
    assert all(leaf.asserted for leaf in explanation.leaves())
    # and then an E (cls-int1, over a list of the ontology)
    deeper = explainer.explain(ox.Triple(_ex("b"), _TYPE, _ex("E")))
    assert deeper is not None and deeper.rule == "cls-int1"
    assert len(set(deeper.rules())) >= 4
    assert all(leaf.asserted for leaf in deeper.leaves())
    # a chain with an inverse step, restated over a sameAs (eq-rep-s)
    chained = explainer.explain(ox.Triple(_ex("b"), _ex("up"), _ex("c")))
    assert chained is not None and chained.rule == "prp-spo2"
    restated = explainer.explain(ox.Triple(_ex("a2"), _ex("q"), _ex("b")))
    assert restated is not None and set(restated.rules()) >= {"eq-rep-s", "prp-spo1"}
    # every inferred fact, blank nodes too, is explained down to asserted ones
    for triple in explainer.inferred:
        found = explainer.explain(triple)
        assert found is not None, triple
        assert all(leaf.asserted or leaf.basis == "in place" for leaf in found.leaves())


def test_describe_shows_why_each_inferred_fact_holds():
    text = l2graph.describe("Leica SL2").text()
    block = text.split("  l2:manufacturer id:panasonic  (inferred)\n", 1)[1]
    assert block.startswith("      by OWL 2 RL prp-spo2, from:\n")
    assert "id:leica-sl2 l2:rebadgeOf id:panasonic-s1r  [asserted]" in block
    assert "effectively a Panasonic S1R" in block
    assert "by OWL 2 RL prp-spo1, from:" in text


def test_the_entity_page_shows_why_each_inferred_fact_holds(sources_dir):
    from starlette.testclient import TestClient

    from l2graph.web.app import create_app

    with TestClient(create_app(workers=1, timeout=10)) as client:
        page = client.get("/id/leica-sl2", headers={"Accept": "text/html"}).text
    inferred = page.count('<span class="badge inferred">inferred</span>')
    assert inferred > 0 and page.count('<details class="why">') == inferred
    assert "inferred by OWL 2 RL prp-spo2" in page and "[asserted]" in page


def test_describe_explains_only_up_to_its_bound(monkeypatch):
    """The entity pages explain on every request: past a size they leave it to `explain`."""
    from l2graph import entities

    assert l2graph.describe("leica-sl2").why
    monkeypatch.setattr(entities, "EXPLAINED_AT_MOST", 100)
    assert l2graph.describe("leica-sl2").why == {}
