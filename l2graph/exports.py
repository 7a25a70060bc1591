"""Exports: Turtle, JSON-LD (with the project's local context), N-Triples, RDF/XML.

Output is reproducible (sorted where the serialiser leaves order to hashing) and written
atomically: a failure never leaves a half-written file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import IO

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from l2graph.errors import InputError
from l2graph.graph import new_graph
from l2graph.project import L2, PREFIXES, Project

FORMATS = {"turtle": "turtle", "json-ld": "json-ld", "nt": "nt", "xml": "xml"}

# Terms beyond the ontology's own that the data uses, with how their values read.
_EXTRA_TERMS = {
    "label": {"@id": "rdfs:label"},
    "comment": {"@id": "rdfs:comment"},
    "altLabel": {"@id": "skos:altLabel"},
    "definition": {"@id": "skos:definition"},
    "isDefinedBy": {"@id": "rdfs:isDefinedBy", "@type": "@id"},
    "subClassOf": {"@id": "rdfs:subClassOf", "@type": "@id"},
    "subPropertyOf": {"@id": "rdfs:subPropertyOf", "@type": "@id"},
    "domain": {"@id": "rdfs:domain", "@type": "@id"},
    "range": {"@id": "rdfs:range", "@type": "@id"},
    "inverseOf": {"@id": "owl:inverseOf", "@type": "@id"},
    "title": {"@id": "dcterms:title"},
    "datePublished": {"@id": "schema:datePublished"},
    "author": {"@id": "schema:author", "@type": "@id"},
    "publisher": {"@id": "schema:publisher", "@type": "@id"},
    "about": {"@id": "schema:about", "@type": "@id"},
    "subject": {"@id": "rdf:subject", "@type": "@id"},
    "predicate": {"@id": "rdf:predicate", "@type": "@id"},
    "object": {"@id": "rdf:object"},
}


def build_context(ontology: Graph) -> dict:
    """The JSON-LD context for the graph, derived from the ontology's property declarations.

    Object properties read as IRIs (``"@type": "@id"``); datatype properties carry their
    range's datatype; language-tagged strings default to English.
    """
    context: dict = {"@version": 1.1, "@vocab": L2, "@language": "en"}
    context.update({prefix: namespace for prefix, namespace in PREFIXES.items()})
    terms: dict = {}
    for prop in sorted(set(ontology.subjects(RDF.type, OWL.ObjectProperty))):
        if str(prop).startswith(L2):
            terms[str(prop)[len(L2) :]] = {"@id": f"l2:{str(prop)[len(L2) :]}", "@type": "@id"}
    for prop in sorted(set(ontology.subjects(RDF.type, OWL.DatatypeProperty))):
        if not str(prop).startswith(L2):
            continue
        name = str(prop)[len(L2) :]
        definition: dict = {"@id": f"l2:{name}"}
        datatype = ontology.value(prop, RDFS.range)
        if datatype == XSD.string:
            definition["@language"] = None
        elif isinstance(datatype, URIRef) and str(datatype).startswith(str(XSD)):
            definition["@type"] = f"xsd:{str(datatype)[len(str(XSD)) :]}"
        terms[name] = definition
    context.update(_EXTRA_TERMS)
    context.update(terms)
    return {"@context": context}


def load_context(project: Project) -> dict:
    """The committed JSON-LD context ``ontology/context.jsonld``."""
    try:
        return json.loads(project.context_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{project.context_file}: cannot read the JSON-LD context: {exc}") from exc


def serialize(graph: Graph, fmt: str, home: Path | str | None = None) -> bytes:
    """The graph in ``fmt`` (turtle, json-ld, nt or xml), byte-for-byte reproducible.

    Blank nodes get canonical labels and triples a fixed order, so the same graph always
    gives the same bytes, whatever the process's hash seed.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}' (choose from {', '.join(FORMATS)})")
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        graph = to_canonical_graph(graph)
    ordered = new_graph()
    for triple in sorted(graph):
        ordered.add(triple)
    if fmt == "nt":
        lines = ordered.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
    if fmt == "xml":  # rdflib's RDF/XML writer orders by hash; Oxigraph's keeps our order
        import pyoxigraph as ox

        triples = ox.parse(serialize(ordered, "nt"), format=ox.RdfFormat.N_TRIPLES)
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)
    if fmt == "json-ld":
        context = load_context(Project.locate(home))["@context"]
        text = ordered.serialize(format="json-ld", context=context, auto_compact=True)
        document = json.loads(text)
        nodes = document.get("@graph")
        if isinstance(nodes, list):
            nodes.sort(key=lambda node: json.dumps(node, sort_keys=True, ensure_ascii=False))
        return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    return ordered.serialize(format="turtle", encoding="utf-8")


def write_atomically(data: bytes, destination: Path | str) -> None:
    """Write ``data`` to a temporary file beside ``destination``, then rename it into place."""
    destination = Path(destination)
    directory = destination.parent if str(destination.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=directory)
    except OSError as exc:
        raise InputError(f"{destination}: cannot write: {exc.strerror}") from exc
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, destination)
    except OSError as exc:
        raise InputError(f"{destination}: cannot write: {exc.strerror}") from exc
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def export(
    graph: Graph,
    format: str = "turtle",
    destination: Path | str | IO[bytes] | None = None,
    home: Path | str | None = None,
) -> bytes | None:
    """Export a graph.

    Args:
        graph: the graph to export, e.g. ``load_graph()`` or ``load_graph(reason=True)``.
        format: ``turtle``, ``json-ld`` (compacted with ``ontology/context.jsonld``), ``nt``
            or ``xml`` (RDF/XML).
        destination: a path (written atomically), a binary file object, or ``None``.
        home: the project whose JSON-LD context to use.

    Returns:
        The serialised bytes when ``destination`` is ``None``, else ``None``.
    """
    data = serialize(graph, format, home)
    if destination is None:
        return data
    if hasattr(destination, "write"):
        destination.write(data)
    else:
        write_atomically(data, destination)
    return None


if __name__ == "__main__":  # regenerate ontology/context.jsonld from the ontology
    from l2graph.graph import parse_turtle

    ontology = new_graph()
    parse_turtle(Project.locate().ontology_file, ontology)
    print(json.dumps(build_context(ontology), indent=2, ensure_ascii=False))
