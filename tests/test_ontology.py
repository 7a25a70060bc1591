"""The ontology's header, term metadata and alignment, and its agreement with the shapes."""

from __future__ import annotations

import re

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

import l2graph
from l2graph.bridge import new_graph
from l2graph.project import L2, ONTOLOGY_IRI, Project
from l2graph.reference import parse_turtle

ONT = URIRef(ONTOLOGY_IRI)
L2NS = Namespace(L2)
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
# Properties that describe claims and articles rather than the camera industry.


def _ontology() -> Graph:
    graph = new_graph()
    parse_turtle(Project.locate().ontology_file, graph)
    return graph


def _terms(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(L2)}


def test_header_is_complete_and_versioned_with_the_package():
    graph = _ontology()
    assert (ONT, RDF.type, OWL.Ontology) in graph
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert graph.value(ONT, prop), f"ontology header lacks {prop}"
    assert isinstance(graph.value(ONT, DCTERMS.license), URIRef), "license must be an IRI"
    assert graph.value(ONT, OWL.versionInfo) == Literal(l2graph.__version__)
    assert str(graph.value(ONT, OWL.versionIRI)).endswith("/" + l2graph.__version__)


def test_every_term_has_label_definition_and_is_defined_by():
    graph = _ontology()
    terms = _terms(graph)
    assert len(terms) > 40
    missing = []
    for term in sorted(terms):
        labels = [o for o in graph.objects(term, RDFS.label) if o.language == "en"]
        definitions = [o for o in graph.objects(term, SKOS.definition) if o.language == "en"]
        if not labels or not definitions or (term, RDFS.isDefinedBy, ONT) not in graph:
            missing.append(term)
    assert not missing, f"terms lacking label@en, definition@en or isDefinedBy: {missing}"


def test_required_classes_and_alignments():
    graph = _ontology()
    expected = {
        L2NS.Company: SCHEMA.Organization,
        L2NS.CameraBody: SCHEMA.ProductModel,
        L2NS.Alliance: ORG.OrganizationalCollaboration,
        L2NS.Brand: SCHEMA.Brand,
    }
    for cls, parent in expected.items():
        assert parent in graph.transitive_objects(cls, RDFS.subClassOf)
    for sub in (L2NS.MirrorlessCamera, L2NS.CompactCamera):
        assert (sub, RDFS.subClassOf, L2NS.CameraBody) in graph
    assert (L2NS.rebadgeOf, RDFS.subPropertyOf, SCHEMA.isVariantOf) in graph
    assert (L2NS.foundingMemberOf, RDFS.subPropertyOf, L2NS.memberOf) in graph
    assert ORG.memberOf in graph.transitive_objects(L2NS.foundingMemberOf, RDFS.subPropertyOf)


def test_rebadge_of_is_asymmetric_irreflexive_with_an_inverse_and_never_same_as():
    graph = _ontology()
    types = set(graph.objects(L2NS.rebadgeOf, RDF.type))
    assert {OWL.AsymmetricProperty, OWL.IrreflexiveProperty} <= types
    assert graph.value(L2NS.rebadgeOf, OWL.inverseOf) == L2NS.rebadgedAs
    assert not list(graph.subject_objects(OWL.sameAs))


def test_ontology_has_property_chains_and_no_imports():
    graph = _ontology()
    assert len(list(graph.subjects(OWL.propertyChainAxiom, None))) >= 2
    assert not list(graph.objects(None, OWL.imports)), "owl:imports would be fetched by tools"


def test_fact_shape_targets_every_domain_class():
    """FactHasClaimShape lists its target classes by hand: every class of the ontology but the
    claims' own must be one of them or a subclass of one."""
    graph = _ontology()
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(L2)}
    shapes = Project.locate().shapes_file.read_text(encoding="utf-8")
    block = shapes.split("l2s:FactHasClaimShape a", 1)[1].split("sh:sparql", 1)[0]
    targeted = {URIRef(L2 + name) for name in re.findall(r"l2:(\w+)", block)}
    for cls in classes - {URIRef(L2 + "Claim"), URIRef(L2 + "ClaimStatus")}:
        ancestors = set(graph.transitive_objects(cls, RDFS.subClassOf))
        assert ancestors & targeted, f"{cls} is not a target of FactHasClaimShape"
