"""The query side of the public API: stored and ad hoc queries on the cache, an rdflib graph,
or a remote SPARQL endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from l2graph import engine
from l2graph.project import PREFIXES
from l2graph.queries import get_query

_XSD_STRING = PREFIXES["xsd"] + "string"


@dataclass
class QueryResult:
    """The answer to a query: named columns and rows of rdflib terms, a boolean, or a graph."""

    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Any = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def to_rdflib(term: Any) -> Any:
    """A pyoxigraph term as the equal rdflib term (``None`` stays ``None``)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

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


def to_query_result(result: Any) -> QueryResult:
    """Materialise a pyoxigraph result as a :class:`QueryResult`."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return QueryResult(boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        from l2graph.graph import new_graph

        graph = new_graph()
        for triple in result:
            graph.add(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
            )
        return QueryResult(graph=graph)
    columns = [variable.value for variable in result.variables]
    rows = [{name: to_rdflib(solution[name]) for name in columns} for solution in result]
    return QueryResult(columns=columns, rows=rows)


def run_sparql(
    query: str,
    *,
    graph: Any = None,
    endpoint: str | None = None,
    home: Path | str | None = None,
    timeout: float = 30.0,
) -> QueryResult:
    """Run a SPARQL query (read-only; ``SERVICE`` is refused on local engines).

    Args:
        query: the query text.
        graph: an rdflib graph to query with rdflib, instead of the built cache.
        endpoint: a SPARQL 1.1 endpoint URL to query instead of the built cache.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        timeout: seconds to wait for a remote endpoint.

    Returns:
        A :class:`QueryResult` with rdflib terms.
    """
    if endpoint is not None:
        from l2graph import remote

        return to_query_result(remote.query(endpoint, query, timeout=timeout))
    if graph is not None:
        return _run_rdflib(graph, query)
    from l2graph.cache import open_store

    return to_query_result(engine.run(open_store(home), query))


def run_query(
    name: str,
    *,
    graph: Any = None,
    endpoint: str | None = None,
    home: Path | str | None = None,
    timeout: float = 30.0,
    **params: Any,
) -> QueryResult:
    """Run a stored query by name with its parameters bound.

    Args:
        name: a stored query's name, number or slug (see :func:`list_queries`).
        graph: an rdflib graph to run it on with rdflib, instead of the built cache.
        endpoint: a SPARQL 1.1 endpoint URL to run it on instead.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        timeout: seconds to wait for a remote endpoint.
        **params: the query's parameters, e.g. ``entity="id:leica-sl2"``.

    Returns:
        A :class:`QueryResult`: ``columns`` and ``rows`` (dicts of rdflib terms).

    Raises:
        UnknownQueryError: no stored query has that name.
        ParameterError: a parameter is missing, unknown or ill-typed.
    """
    text = get_query(name, home).bind(params)
    return run_sparql(text, graph=graph, endpoint=endpoint, home=home, timeout=timeout)


def _run_rdflib(graph: Any, query: str) -> QueryResult:
    from pyparsing import ParseException

    from l2graph.errors import QuerySyntaxError

    engine.refuse_federation(query)
    try:
        result = graph.query(query)
    except ParseException as exc:
        raise QuerySyntaxError(
            f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}"
        ) from None
    if result.type == "ASK":
        return QueryResult(boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return QueryResult(graph=result.graph)
    columns = [str(var) for var in result.vars]
    return QueryResult(
        columns=columns, rows=[dict(zip(columns, row, strict=True)) for row in result]
    )
