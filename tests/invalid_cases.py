"""Invalid fixtures: each starts from the shipped graph, removes and adds a few triples, and
lists every result a correct validator reports (focus node, path, constraint), no more, no less.

Shared by ``test_shapes`` (the core) and ``test_validation_engines`` (every engine). The quote
check (``l2s:QuoteInArticle``) is the core's, outside the shapes: the other engines do not see
it, and the core runs it only where the article texts are at hand."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS
from rdflib.paths import SequencePath, eval_path

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


# ---------------------------------------------------------------- a small graph for the fixtures

ID = "https://w3id.org/l2graph/id/"
L2 = "https://w3id.org/l2graph/ontology#"
# What a node a described node points at keeps: what it is and what it is called.
_STUB = {RDF.type, RDFS.label, SKOS.altLabel, RDFS.comment, URIRef(L2 + "sourceFile")}


def _is_data(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(ID)


def focus_nodes(graph: Graph, shapes: Graph, shape) -> set:
    """The focus nodes of a node shape in ``graph`` (its targets; subclasses by the ontology)."""
    nodes = set(shapes.objects(shape, SH.targetNode))
    for cls in shapes.objects(shape, SH.targetClass):
        for sub in graph.transitive_subjects(RDFS.subClassOf, cls):
            nodes |= set(graph.subjects(RDF.type, sub))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        nodes |= set(graph.subjects(prop, None))
    return nodes


def property_paths(shapes: Graph, shape) -> list:
    """The paths of a node shape's property shapes (IRIs and sequences, all the shapes use)."""
    paths = []
    for prop in shapes.objects(shape, SH.property):
        path = shapes.value(prop, SH.path)
        paths.append(path if isinstance(path, URIRef) else SequencePath(*Collection(shapes, path)))
    return paths


def has_values(graph: Graph, node, path) -> bool:
    return next(iter(eval_path(graph, (node, path, None))), None) is not None


def small_graph(base: Graph, shapes: Graph, conforms) -> Graph:
    """The part of ``base`` (the shipped graph) the fixtures need, for the slow reference
    engines: the ontology whole; fully described (every statement, and the claims stating each)
    every node a fixture names, and for every node shape, and every property shape with values
    in ``base``, its first focus node; of every node these point at, its types and labels.

    ``conforms(graph)`` is the core's verdict, as a list of offending nodes: a node it names is
    described fully in turn, until the small graph conforms (the shipped graph does)."""
    described = set()
    for _case, remove, add, expected in CASES:
        for triple in Graph().parse(data=PREFIXES + remove + add, format="turtle"):
            described |= {node for node in triple if _is_data(node)}
        described |= {URIRef(ID + f[3:]) for f, _path, _c in expected if f.startswith("id:")}
    for shape in sorted(shapes.subjects(RDF.type, SH.NodeShape)):
        nodes = sorted(n for n in focus_nodes(base, shapes, shape) if _is_data(n))
        described |= set(nodes[:1])
        for path in property_paths(shapes, shape):
            described |= set([n for n in nodes if has_values(base, n, path)][:1])
    for _round in range(20):
        graph = _described(base, described)
        offending = set(conforms(graph)) - described
        if not offending:
            return graph
        described |= offending
    raise AssertionError("the small graph does not conform")


def _described(base: Graph, described: set) -> Graph:
    """The ontology, the nodes in ``described`` with the claims of their statements (added to
    ``described``), and the types and labels of the nodes they point at."""
    claims = set()
    for node in described:
        for claim in base.subjects(RDF.subject, node):
            if (node, base.value(claim, RDF.predicate), base.value(claim, RDF.object)) in base:
                claims.add(claim)
    described |= claims
    graph = Graph()
    pointed = set()
    for triple in base:
        if not _is_data(triple[0]):
            graph.add(triple)  # the ontology
        elif triple[0] in described:
            graph.add(triple)
            pointed |= {node for node in triple[1:] if _is_data(node)}
    for node in pointed - described:
        for triple in base.triples((node, None, None)):
            if triple[1] in _STUB:
                graph.add(triple)
    return graph
