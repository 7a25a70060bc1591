"""Invalid fixtures: each starts from the shipped graph, removes and adds a few triples, and
lists every result a correct validator reports (focus node, path, constraint), no more, no less.

Shared by ``test_shapes`` (the core) and ``test_validation_engines`` (every engine). The quote
check (``l2s:QuoteInArticle``) is the core's, outside the shapes: the other engines do not see
it, and the core runs it only where the article texts are at hand."""

from __future__ import annotations

from rdflib import Graph

ALLIANCE_ARTICLE = "id:article-2022-05-31-l2-technology-alliance"
PREFIXES = """
@prefix l2: <https://w3id.org/l2graph/ontology#> . @prefix id: <https://w3id.org/l2graph/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

ONTOLOGY = "<https://w3id.org/l2graph/ontology>"
QUOTE_CHECK = "l2s:QuoteInArticle"


def shapes_only(results: set) -> set:
    """The results the shapes give, without the core's quote check and the reasoner's
    inconsistencies (``OWL 2 RL <rule>``), which no SHACL engine reports."""
    return {r for r in results if r[2] != QUOTE_CHECK and not r[2].startswith("OWL 2 RL ")}


# The issue of one engine, one answer added the last four: a fact and its claim changed
# together, so only the new problem shows.
# (case, triples to remove, triples to add, every expected (focus node, path, constraint))
CASES = [
    (
        "fact without claim",
        "",
        "id:leica-sl2 l2:mount id:l-mount .",
        {
            ("id:leica-sl2", "l2:mount", "l2s:FactHasClaim"),
        },
    ),
    (
        "speculation asserted as fact",
        "",
        "id:leica-panasonic-joint-camera l2:sensorFormat id:full-frame .",
        {
            ("id:leica-panasonic-joint-camera", "l2:sensorFormat", "l2s:FactHasClaim"),
        },
    ),
    (
        "confirmed claim whose fact was removed",
        "id:leica-sl2 l2:rebadgeOf id:panasonic-s1r .",
        "",
        {
            ("id:article-2022-leica-panasonic-joint-camera", None, "l2s:ClaimIsAsserted"),
        },
    ),
    (
        "rebadge of a body of the same brand",
        "id:panasonic-s1r l2:brand id:brand-panasonic .",
        "id:panasonic-s1r l2:brand id:brand-leica .",
        {
            ("id:article-2022-leica-panasonic-joint-camera", None, "l2s:ClaimIsAsserted"),
            ("id:leica-sl2", None, "l2s:RebadgeBrandDiffers"),
            ("id:panasonic-s1r", "l2:brand", "l2s:FactHasClaim"),
        },
    ),
    (
        "rebadge cycle",
        "",
        "id:panasonic-s1r l2:rebadgeOf id:leica-sl2 .",
        {
            ("id:leica-sl2", None, "l2s:RebadgeNotCyclic"),
            ("id:panasonic-s1r", "l2:rebadgeOf", "l2s:FactHasClaim"),
            ("id:panasonic-s1r", None, "l2s:RebadgeNotCyclic"),
            ("id:leica-sl2", None, "OWL 2 RL prp-asyp"),  # l2:rebadgeOf is asymmetric
        },
    ),
    (
        "rebadge without a brand",
        "id:leica-d-lux-7 l2:brand id:brand-leica .",
        "",
        {
            ("id:article-2022-leica-panasonic-joint-camera", None, "l2s:ClaimIsAsserted"),
            ("id:leica-d-lux-7", "l2:brand", "sh:MinCountConstraintComponent"),
        },
    ),
    (
        "two brands on one body",
        "",
        "id:leica-sl2 l2:brand id:brand-lumix .",
        {
            ("id:leica-sl2", "l2:brand", "l2s:FactHasClaim"),
            ("id:leica-sl2", "l2:brand", "sh:MaxCountConstraintComponent"),
        },
    ),
    (
        "manufacturer that is not a company",
        "",
        "id:panasonic-s1r l2:manufacturer id:l-mount .",
        {
            ("id:panasonic-s1r", "l2:manufacturer", "l2s:FactHasClaim"),
            ("id:panasonic-s1r", "l2:manufacturer", "sh:ClassConstraintComponent"),
            ("id:panasonic-s1r", "l2:manufacturer", "sh:MaxCountConstraintComponent"),
        },
    ),
    (
        "untyped date",
        'id:l2-technology l2:announcedOn "2022-05-31"^^xsd:date .',
        'id:l2-technology l2:announcedOn "2022-05-31" .',
        {
            ("id:article-2022-05-31-l2-technology-alliance", None, "l2s:ClaimIsAsserted"),
            ("id:l2-technology", "l2:announcedOn", "l2s:FactHasClaim"),
            ("id:l2-technology", "l2:announcedOn", "sh:DatatypeConstraintComponent"),
        },
    ),
    (
        "label without a language tag",
        'id:leica-sl2 rdfs:label "Leica SL2"@en .',
        'id:leica-sl2 rdfs:label "Leica SL2" .',
        {
            ("id:leica-sl2", "rdfs:label", "sh:DatatypeConstraintComponent"),
            ("id:leica-sl2", "rdfs:label", "sh:LanguageInConstraintComponent"),
        },
    ),
    (
        "label in another language",
        "",
        'id:sigma rdfs:label "Sigma"@de .',
        {
            ("id:sigma", "rdfs:label", "sh:LanguageInConstraintComponent"),
        },
    ),
    (
        "alliance with one member",
        "id:panasonic l2:foundingMemberOf id:l-mount-alliance .",
        "",
        {
            ("id:article-2022-leica-panasonic-joint-camera", None, "l2s:ClaimIsAsserted"),
            ("id:l-mount-alliance", None, "l2s:AllianceHasTwoMembers"),
        },
    ),
    (
        # 21 and 21.0 are one number but two terms, which a maxCount counts apart
        "the same number written twice",
        "",
        "id:james-artaius l2:yearsOfJournalismExperience 21.0 .",
        {
            (
                "id:james-artaius",
                "l2:yearsOfJournalismExperience",
                "sh:MaxCountConstraintComponent",
            ),
            (
                "id:james-artaius",
                "l2:yearsOfJournalismExperience",
                "sh:DatatypeConstraintComponent",
            ),
            ("id:james-artaius", "l2:yearsOfJournalismExperience", "l2s:FactHasClaim"),
        },
    ),
    (
        "person with two names",
        "",
        'id:matthias-harsch rdfs:label "M. Harsch"@en .',
        {
            ("id:matthias-harsch", "rdfs:label", "sh:MaxCountConstraintComponent"),
            ("id:matthias-harsch", "rdfs:label", "sh:UniqueLangConstraintComponent"),
        },
    ),
    (
        "article without a date",
        ALLIANCE_ARTICLE + ' schema:datePublished "2022-05-31"^^xsd:date .',
        "",
        {
            (
                "id:article-2022-05-31-l2-technology-alliance",
                "schema:datePublished",
                "sh:MinCountConstraintComponent",
            ),
            # the article's claim of its date is left without its fact
            ("id:article-2022-05-31-l2-technology-alliance", None, "l2s:ClaimIsAsserted"),
        },
    ),
    (
        "article date as a plain string",
        ALLIANCE_ARTICLE + ' schema:datePublished "2022-05-31"^^xsd:date .',
        ALLIANCE_ARTICLE + ' schema:datePublished "31 May 2022" .',
        {
            (
                "id:article-2022-05-31-l2-technology-alliance",
                "schema:datePublished",
                "sh:OrConstraintComponent",
            ),
            ("id:article-2022-05-31-l2-technology-alliance", None, "l2s:ClaimIsAsserted"),
            (
                "id:article-2022-05-31-l2-technology-alliance",
                "schema:datePublished",
                "l2s:FactHasClaim",
            ),
        },
    ),
    (
        "claim without a quote",
        'id:claim-sl2-rebadge l2:quote "the Leica SL2, which is effectively a Panasonic S1R"@en .',
        "",
        {
            ("id:claim-sl2-rebadge", "l2:quote", "sh:MinCountConstraintComponent"),
        },
    ),
    (
        "claim quote over thirty words",
        "",
        'id:claim-sl2-rebadge l2:quote "' + " ".join(["word"] * 31) + '"@en .',
        {
            ("id:claim-sl2-rebadge", "l2:quote", "sh:MaxCountConstraintComponent"),
            ("id:claim-sl2-rebadge", "l2:quote", "sh:PatternConstraintComponent"),
            # the long quote is not in the article either (checked outside the shapes)
            ("id:claim-sl2-rebadge", "l2:quote", "l2s:QuoteInArticle"),
        },
    ),
    (
        "claim without a source",
        "id:claim-sl2-rebadge l2:statedIn id:article-2022-leica-panasonic-joint-camera .",
        "",
        {
            ("id:claim-sl2-rebadge", "l2:statedIn", "sh:MinCountConstraintComponent"),
        },
    ),
    (
        "claim with an unknown status",
        "id:claim-sl2-rebadge l2:status l2:confirmed .",
        "id:claim-sl2-rebadge l2:status l2:rumoured .",
        {
            ("id:claim-sl2-rebadge", "l2:status", "sh:InConstraintComponent"),
            ("id:leica-sl2", "l2:rebadgeOf", "l2s:FactHasClaim"),
        },
    ),
    (
        "reported claim without a speaker",
        "id:claim-collaboration-harsch l2:attributedTo id:matthias-harsch .",
        "",
        {
            ("id:claim-collaboration-harsch", None, "sh:OrConstraintComponent"),
        },
    ),
    (
        "claim attributed to something that cannot speak",
        "id:claim-collaboration-harsch l2:attributedTo id:matthias-harsch .",
        "id:claim-collaboration-harsch l2:attributedTo id:l-mount .",
        {
            ("id:claim-collaboration-harsch", "l2:attributedTo", "sh:OrConstraintComponent"),
        },
    ),
    (
        "unnamed party with a fact of its own",
        "",
        "id:unnamed-many l2:memberOf id:l2-technology .",
        {
            ("id:unnamed-many", "l2:memberOf", "sh:ClosedConstraintComponent"),
            ("id:unnamed-many", "l2:memberOf", "l2s:FactHasClaim"),
        },
    ),
    (
        "impossible date",
        'id:l2-technology l2:announcedOn "2022-05-31"^^xsd:date . '
        'id:claim-l2-announced rdf:object "2022-05-31"^^xsd:date .',
        'id:l2-technology l2:announcedOn "2022-02-30"^^xsd:date . '
        'id:claim-l2-announced rdf:object "2022-02-30"^^xsd:date .',
        {
            ("id:l2-technology", "l2:announcedOn", "sh:DatatypeConstraintComponent"),
            ('"2022-02-30"^^xsd:date', None, "OWL 2 RL dt-not-type"),  # no such day
        },
    ),
    (
        "year that is not a year",
        'id:leica-panasonic-joint-camera l2:plannedReleaseYear "2023"^^xsd:gYear . '
        'id:claim-joint-camera-2023 rdf:object "2023"^^xsd:gYear .',
        'id:leica-panasonic-joint-camera l2:plannedReleaseYear "next year"^^xsd:gYear . '
        'id:claim-joint-camera-2023 rdf:object "next year"^^xsd:gYear .',
        {
            (
                "id:leica-panasonic-joint-camera",
                "l2:plannedReleaseYear",
                "sh:DatatypeConstraintComponent",
            ),
        },
    ),
    (
        "misspelt class",
        "id:leica-sl2 a l2:CameraBody .",
        "id:leica-sl2 a l2:CameraBdy .",
        {
            (ONTOLOGY, None, "l2s:TermIsDeclared"),
        },
    ),
    (
        "misspelt property",
        "id:leica-sl2 l2:rebadgeOf id:panasonic-s1r . "
        "id:claim-sl2-rebadge rdf:predicate l2:rebadgeOf .",
        "id:leica-sl2 l2:rebadgOf id:panasonic-s1r . "
        "id:claim-sl2-rebadge rdf:predicate l2:rebadgOf .",
        {
            (ONTOLOGY, None, "l2s:TermIsDeclared"),
        },
    ),
    (
        "statement in another namespace without a claim",
        "",
        "id:article-2022-leica-panasonic-joint-camera schema:publisher id:digital-camera-world .",
        {
            (
                "id:article-2022-leica-panasonic-joint-camera",
                "schema:publisher",
                "l2s:FactHasClaim",
            ),
        },
    ),
    (
        "claim that says neither a fact nor what it is about",
        "id:opinion-harsch-panasonic-expertise l2:about id:panasonic .",
        "",
        {
            ("id:opinion-harsch-panasonic-expertise", None, "l2s:ClaimHasContent"),
        },
    ),
    (
        "statement about a thing with no type",
        "",
        'id:leica-sl3 <https://schema.org/name> "Leica SL3" .',
        {
            (ONTOLOGY, None, "l2s:SubjectHasDomainType"),
        },
    ),
]


def patched(base: Graph, remove: str, add: str) -> Graph:
    """A copy of ``base`` without the triples of ``remove`` and with those of ``add``."""
    graph = Graph()
    graph += base
    for triple in Graph().parse(data=PREFIXES + remove, format="turtle"):
        assert triple in graph, f"fixture removes a triple the data lacks: {triple}"
        graph.remove(triple)
    graph += Graph().parse(data=PREFIXES + add, format="turtle")
    return graph
