"""SHACL: the shipped data conforms, and each constraint catches the data that breaks it.

Each case starts from the shipped graph, adds and/or removes a few triples, and names the
one focus node and constraint the report must show."""

from __future__ import annotations

import pytest
from rdflib import Graph

import l2graph

ALLIANCE_ARTICLE = "id:article-2022-05-31-l2-technology-alliance"
PREFIXES = """
@prefix l2: <https://w3id.org/l2graph/ontology#> . @prefix id: <https://w3id.org/l2graph/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

# (case, triples to remove, triples to add, focus node, path or None, constraint)
CASES = [
    (
        "fact without claim",
        "",
        "id:leica-sl2 l2:mount id:l-mount .",
        "id:leica-sl2",
        "l2:mount",
        "l2s:FactHasClaim",
    ),
    (
        "speculation asserted as fact",
        "",
        "id:leica-panasonic-joint-camera l2:sensorFormat id:full-frame .",
        "id:leica-panasonic-joint-camera",
        "l2:sensorFormat",
        "l2s:FactHasClaim",
    ),
    (
        "confirmed claim whose fact was removed",
        "id:leica-sl2 l2:rebadgeOf id:panasonic-s1r .",
        "",
        "id:article-2022-leica-panasonic-joint-camera",
        None,
        "l2s:ClaimIsAsserted",
    ),
    (
        "rebadge of a body of the same brand",
        "id:panasonic-s1r l2:brand id:brand-panasonic .",
        "id:panasonic-s1r l2:brand id:brand-leica .",
        "id:leica-sl2",
        None,
        "l2s:RebadgeBrandDiffers",
    ),
    (
        "rebadge cycle",
        "",
        "id:panasonic-s1r l2:rebadgeOf id:leica-sl2 .",
        "id:leica-sl2",
        None,
        "l2s:RebadgeNotCyclic",
    ),
    (
        "rebadge without a brand",
        "id:leica-d-lux-7 l2:brand id:brand-leica .",
        "",
        "id:leica-d-lux-7",
        "l2:brand",
        "sh:MinCountConstraintComponent",
    ),
    (
        "two brands on one body",
        "",
        "id:leica-sl2 l2:brand id:brand-lumix .",
        "id:leica-sl2",
        "l2:brand",
        "sh:MaxCountConstraintComponent",
    ),
    (
        "manufacturer that is not a company",
        "",
        "id:panasonic-s1r l2:manufacturer id:l-mount .",
        "id:panasonic-s1r",
        "l2:manufacturer",
        "sh:ClassConstraintComponent",
    ),
    (
        "untyped date",
        'id:l2-technology l2:announcedOn "2022-05-31"^^xsd:date .',
        'id:l2-technology l2:announcedOn "2022-05-31" .',
        "id:l2-technology",
        "l2:announcedOn",
        "sh:DatatypeConstraintComponent",
    ),
    (
        "label without a language tag",
        'id:leica-sl2 rdfs:label "Leica SL2"@en .',
        'id:leica-sl2 rdfs:label "Leica SL2" .',
        "id:leica-sl2",
        "rdfs:label",
        "sh:DatatypeConstraintComponent",
    ),
    (
        "label in another language",
        "",
        'id:sigma rdfs:label "Sigma"@de .',
        "id:sigma",
        "rdfs:label",
        "sh:LanguageInConstraintComponent",
    ),
    (
        "alliance with one member",
        "id:panasonic l2:foundingMemberOf id:l-mount-alliance .",
        "",
        "id:l-mount-alliance",
        None,
        "l2s:AllianceHasTwoMembers",
    ),
    (
        "person with two names",
        "",
        'id:matthias-harsch rdfs:label "M. Harsch"@en .',
        "id:matthias-harsch",
        "rdfs:label",
        "sh:MaxCountConstraintComponent",
    ),
    (
        "article without a date",
        ALLIANCE_ARTICLE + ' schema:datePublished "2022-05-31"^^xsd:date .',
        "",
        "id:article-2022-05-31-l2-technology-alliance",
        "schema:datePublished",
        "sh:MinCountConstraintComponent",
    ),
    (
        "article date as a plain string",
        ALLIANCE_ARTICLE + ' schema:datePublished "2022-05-31"^^xsd:date .',
        ALLIANCE_ARTICLE + ' schema:datePublished "31 May 2022" .',
        "id:article-2022-05-31-l2-technology-alliance",
        "schema:datePublished",
        "sh:OrConstraintComponent",
    ),
    (
        "claim without a quote",
        'id:claim-sl2-rebadge l2:quote "the Leica SL2, which is effectively a Panasonic S1R"@en .',
        "",
        "id:claim-sl2-rebadge",
        "l2:quote",
        "sh:MinCountConstraintComponent",
    ),
    (
        "claim quote over thirty words",
        "",
        'id:claim-sl2-rebadge l2:quote "' + " ".join(["word"] * 31) + '"@en .',
        "id:claim-sl2-rebadge",
        "l2:quote",
        "sh:PatternConstraintComponent",
    ),
    (
        "claim without a source",
        "id:claim-sl2-rebadge l2:statedIn id:article-2022-leica-panasonic-joint-camera .",
        "",
        "id:claim-sl2-rebadge",
        "l2:statedIn",
        "sh:MinCountConstraintComponent",
    ),
    (
        "claim with an unknown status",
        "id:claim-sl2-rebadge l2:status l2:confirmed .",
        "id:claim-sl2-rebadge l2:status l2:rumoured .",
        "id:claim-sl2-rebadge",
        "l2:status",
        "sh:InConstraintComponent",
    ),
    (
        "reported claim without a speaker",
        "id:claim-joint-camera-2023 l2:attributedTo id:panasonic .",
        "",
        "id:claim-joint-camera-2023",
        None,
        "sh:OrConstraintComponent",
    ),
]


def test_shipped_data_conforms(asserted_graph):
    report = l2graph.validate(asserted_graph)
    assert report.conforms, report.text()
    assert report.results == ()


def _patched(base: Graph, remove: str, add: str) -> Graph:
    graph = Graph()
    graph += base
    removed = Graph().parse(data=PREFIXES + remove, format="turtle")
    assert len(removed) == (1 if remove else 0)
    for triple in removed:
        assert triple in graph, f"fixture removes a triple the data lacks: {triple}"
        graph.remove(triple)
    graph += Graph().parse(data=PREFIXES + add, format="turtle")
    return graph


@pytest.mark.parametrize(
    ("case", "remove", "add", "focus", "path", "constraint"), CASES, ids=[c[0] for c in CASES]
)
def test_each_constraint_catches_its_violation(
    asserted_graph, case, remove, add, focus, path, constraint
):
    report = l2graph.validate(_patched(asserted_graph, remove, add))
    assert not report.conforms
    hits = [r for r in report.results if r.focus_node == focus and r.constraint == constraint]
    assert hits, f"{case}: expected {focus} {constraint}, got:\n{report.text()}"
    if path is not None:
        assert any(r.path == path for r in hits), report.text()
    assert all(r.message for r in report.results)
