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
    the named graph ``name``."""
    store = ox.Store()
    store.load(
        graph.serialize(format="nt", encoding="utf-8"),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode(name) if name else None,
    )
    return store


def graph_from_ntriples(data: bytes) -> rdflib.Graph:
    """An rdflib graph (with the project's prefixes) parsed from N-Triples bytes."""
    graph = new_graph()
    if data:
        graph.parse(data=data, format="nt")
    return graph
