"""Pictures of the graph, drawn by Graphviz: the ontology's classes and properties, and an
entity's neighbourhood. Labels are the terms' ``rdfs:label``\\s; asserted edges are solid,
inferred ones dotted, and claims the graph does not assert (speculation, opinion …) dashed.

The same drawing serves ``l2graph diagram``, the README's pictures and the server's entity
pages. Output is deterministic: nodes and edges go to Graphviz in a fixed order.
"""

from __future__ import annotations

import pyoxigraph as ox

from l2graph import entities
from l2graph.errors import InputError
from l2graph.project import ASSERTED_GRAPH, ID, L2, ONTOLOGY_IRI, PREFIXES, short_iri

_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
_RDF = PREFIXES["rdf"]
_STYLE = {
    "graph": {"rankdir": "LR", "bgcolor": "transparent", "fontsize": "10"},
    "node": {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "#f4f1ea",
        "fontname": "Helvetica",
    },
    "edge": {"fontsize": "9", "color": "#555555", "fontname": "Helvetica"},
}
#: The most edges an entity's picture shows: a picture, not a dump.
MAX_EDGES = 40


def _label(store: ox.Store, node: ox.NamedNode) -> str:
    found = next(store.quads_for_pattern(node, _LABEL, None), None)
    return found.object.value if found is not None else short_iri(node.value)


def page_of(iri: str) -> str | None:
    """The server's page for one of the graph's own IRIs: ``/id/…`` for its entities,
    ``/ontology/…`` for its terms (the SVG's links, and the server's)."""
    if iri.startswith(ID):
        return "/id/" + iri[len(ID) :]
    if iri.startswith(L2):
        return "/ontology/" + iri[len(L2) :]
    return None


class _Drawing:
    def __init__(self, store: ox.Store, links: bool) -> None:
        import graphviz

        self.graphviz, self.store, self.links = graphviz, store, links
        self.graph = graphviz.Digraph(
            graph_attr=_STYLE["graph"], node_attr=_STYLE["node"], edge_attr=_STYLE["edge"]
        )
        self.ids: dict[str, str] = {}

    def node(self, term: ox.NamedNode, **attrs: str) -> str:
        if term.value not in self.ids:
            self.ids[term.value] = f"n{len(self.ids)}"
            label = _label(self.store, term)
            page = page_of(term.value) if self.links else None
            if page:
                attrs |= {"URL": page, "target": "_top"}
            # nohtml: a label in <…> is text here, not a Graphviz HTML label
            text = self.graphviz.nohtml(label if len(label) <= 40 else label[:39] + "…")
            self.graph.node(
                self.ids[term.value], text, tooltip=self.graphviz.nohtml(label), **attrs
            )
        return self.ids[term.value]

    def edge(self, start: str, end: str, label: str, **attrs: str) -> None:
        self.graph.edge(start, end, label=self.graphviz.nohtml(label), **attrs)

    def svg(self) -> bytes:
        return self.render("svg")

    def render(self, format: str) -> bytes:
        try:
            return self.graph.pipe(format=format)
        except self.graphviz.ExecutableNotFound:
            raise InputError(
                "Graphviz's dot is not installed (Debian: apt-get install graphviz)"
            ) from None


def entity(store: ox.Store, name: str, *, depth: int = 1, links: bool = False) -> _Drawing:
    """The neighbourhood of the entity called ``name``: its facts (and, with ``depth`` > 1,
    its neighbours' facts), asserted solid, inferred dotted, and the claims about it that the
    graph does not assert, dashed and marked with their status.

    Raises:
        UnknownEntityError: nothing has that name.
    """
    if depth < 1:
        raise InputError(f"depth must be at least 1, not {depth}")
    centre = entities.find(store, name)
    drawing = _Drawing(store, links)
    drawing.node(centre, fillcolor="#c8102e", fontcolor="white")
    seen, frontier, edges = {centre.value}, [centre], 0
    for _ in range(depth):
        following = []
        for node in frontier:
            description = entities.describe(store, node.value)
            asserted = {(f.subject, f.predicate, f.object) for f in description.facts}
            for fact in description.facts:
                ends = (fact.subject, fact.object)
                if edges >= MAX_EDGES or not all(isinstance(e, ox.NamedNode) for e in ends):
                    continue
                if any(e.value.startswith(_RDF) for e in ends):
                    continue
                start, end = (drawing.node(e) for e in ends)
                style = {"style": "dotted"} if fact.inferred else {}
                drawing.edge(start, end, _label(store, fact.predicate), **style)
                edges += 1
                for other in ends:
                    if other.value not in seen and other.value.startswith(ID):
                        seen.add(other.value)
                        following.append(other)
            for claim in description.claims:
                triple = (claim.subject, claim.predicate, claim.object)
                if claim.predicate is None or triple in asserted or edges >= MAX_EDGES:
                    continue  # in words, or asserted (drawn above)
                if not all(isinstance(e, ox.NamedNode) for e in (claim.subject, claim.object)):
                    continue
                start, end = drawing.node(claim.subject), drawing.node(claim.object)
                label = f"{_label(store, claim.predicate)} ({claim.status})"
                drawing.edge(start, end, label, style="dashed")
                edges += 1
        frontier = following
    return drawing


_CLASSES = f"""
SELECT ?class WHERE {{
  ?class a <{PREFIXES["owl"]}Class> ; <{PREFIXES["rdfs"]}isDefinedBy> <{ONTOLOGY_IRI}> .
}} ORDER BY ?class
"""
_SUBCLASSES = f"""
SELECT ?class ?parent WHERE {{
  ?class <{PREFIXES["rdfs"]}subClassOf> ?parent ; <{PREFIXES["rdfs"]}isDefinedBy> <{ONTOLOGY_IRI}> .
  ?parent <{PREFIXES["rdfs"]}isDefinedBy> <{ONTOLOGY_IRI}> .
}} ORDER BY ?class ?parent
"""
_LINKS = f"""
SELECT ?property ?domain ?range WHERE {{
  ?property a <{PREFIXES["owl"]}ObjectProperty> ; <{PREFIXES["rdfs"]}isDefinedBy> <{ONTOLOGY_IRI}> ;
            <{PREFIXES["rdfs"]}domain> ?domain ; <{PREFIXES["rdfs"]}range> ?range .
  ?domain <{PREFIXES["rdfs"]}isDefinedBy> <{ONTOLOGY_IRI}> .
  ?range <{PREFIXES["rdfs"]}isDefinedBy> <{ONTOLOGY_IRI}> .
}} ORDER BY ?property ?domain ?range
"""


def ontology(store: ox.Store, *, links: bool = False) -> _Drawing:
    """The ontology as written (not its entailments): its classes, ``rdfs:subClassOf``
    between them (hollow arrows) and each object property from its domain to its range, where
    both are the ontology's own classes."""
    drawing = _Drawing(store, links)
    drawing.graph.attr(rankdir="TB")
    query = {"default_graph": ox.NamedNode(ASSERTED_GRAPH)}  # as written, not entailed
    for row in store.query(_CLASSES, **query):
        drawing.node(row["class"])
    for row in store.query(_SUBCLASSES, **query):
        child, parent = drawing.node(row["class"]), drawing.node(row["parent"])
        drawing.edge(child, parent, "", arrowhead="empty", color="#888888")
    for row in store.query(_LINKS, **query):
        start, end = drawing.node(row["domain"]), drawing.node(row["range"])
        drawing.edge(start, end, _label(store, row["property"]))
    return drawing
