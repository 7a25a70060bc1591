"""l2graph: the Leica–Panasonic L² Technology knowledge graph.

A small API over the project's ontology, data, shapes and stored queries::

    import l2graph
    graph = l2graph.load_graph(reason=True)
    for row in l2graph.run_query("leica_bodies_that_are_panasonic_bodies"):
        print(row["leicaName"], "is", row["panasonicName"])

Every operation runs on one core (Oxigraph, see :mod:`l2graph.api`). Names are imported on
first use, so ``l2graph query`` answers from the cache without loading rdflib, owlrl or
pyshacl. The server is its own face: ``from l2graph.web import serve``.
"""

from importlib import import_module

from l2graph._version import __version__ as __version__

_EXPORTS = {
    "BuildInfo": "l2graph.cache",
    "build": "l2graph.cache",
    "EndpointError": "l2graph.errors",
    "InconsistentOntologyError": "l2graph.errors",
    "InputError": "l2graph.errors",
    "InternalError": "l2graph.errors",
    "L2GraphError": "l2graph.errors",
    "ParameterError": "l2graph.errors",
    "QuerySyntaxError": "l2graph.errors",
    "QueryTimeoutError": "l2graph.errors",
    "RefusedQueryError": "l2graph.errors",
    "TurtleSyntaxError": "l2graph.errors",
    "UnknownQueryError": "l2graph.errors",
    "ValidationFailed": "l2graph.errors",
    "StoredQuery": "l2graph.queries",
    "get_query": "l2graph.queries",
    "list_queries": "l2graph.queries",
    "QueryResult": "l2graph.results",
    "ValidationReport": "l2graph.report",
    "ValidationResult": "l2graph.report",
    "coverage": "l2graph.api",
    "describe": "l2graph.api",
    "explain": "l2graph.api",
    "Explanation": "l2graph.explanations",
    "UnknownFactError": "l2graph.explanations",
    "diagram": "l2graph.api",
    "UnknownEntityError": "l2graph.errors",
    "UnsupportedAxiomError": "l2graph.errors",
    "export": "l2graph.api",
    "infer": "l2graph.api",
    "load_graph": "l2graph.api",
    "push": "l2graph.api",
    "run_query": "l2graph.api",
    "run_sparql": "l2graph.api",
    "statistics": "l2graph.api",
    "validate": "l2graph.api",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'l2graph' has no attribute {name!r}")
