"""Between rdflib, which Python users hold, and the Oxigraph store, which answers everything.

Graphs cross as N-Triples, terms one by one; blank node labels are kept both ways.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef

from l2graph.project import PREFIXES

_XSD_STRING = PREFIXES["xsd"] + "string"


def _quiet(*names: str) -> None:
    """The library never prints: without a handler of their own, the warnings these
    libraries log (an ill-typed literal, say) would reach stderr through logging's last
    resort. A NullHandler keeps them for whoever configures logging."""
    import logging

    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


_quiet("rdflib", "pyshacl", "owlrl")


def new_graph() -> rdflib.Graph:
    """An empty rdflib graph with the project's prefixes bound."""
    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def to_rdflib(term: Any) -> Any:
    """A pyoxigraph term as the equal rdflib term (``None`` stays ``None``)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))


def store_from_graph(graph: rdflib.Graph, name: str | None = None) -> ox.Store:
    """An in-memory Oxigraph store holding ``graph``'s triples in its default graph, or in
    the named graph ``name``; blank nodes keep their labels (a store's own load would give
    them new ones), so what the store concludes about them names ``graph``'s nodes."""
    store = ox.Store()
    into = ox.NamedNode(name) if name else ox.DefaultGraph()
    data = graph.serialize(format="nt", encoding="utf-8")
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object, into)
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    )
    return store


class _SameLabels(dict):
    """A blank-node context for rdflib's N-Triples parser that keeps each label: ``_:b`` is
    read as ``BNode("b")``, not as a fresh node (rdflib's default), so that what comes back
    from the store names the blank nodes of the graph that went in."""

    def get(self, key: str, default: object = None) -> str:
        return key


def graph_from_ntriples(data: bytes) -> rdflib.Graph:
    """An rdflib graph (with the project's prefixes) parsed from N-Triples bytes, its blank
    nodes labelled as in ``data``."""
    graph = new_graph()
    if data:
        graph.parse(data=data, format="nt", bnode_context=_SameLabels())
    return graph
