"""The query side of the public API: stored and ad hoc queries on the cache, an rdflib graph,
or a remote SPARQL endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from l2graph import engine
from l2graph.queries import get_query
from l2graph.results import QueryResult, to_query_result


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
    **params: Any,
) -> QueryResult:
    """Run a stored query by name with its parameters bound.

    Args:
        name: a stored query's name, number or slug (see :func:`list_queries`).
        graph: an rdflib graph to run it on with rdflib, instead of the built cache.
        endpoint: a SPARQL 1.1 endpoint URL to run it on instead.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        **params: the query's parameters, e.g. ``entity="id:leica-sl2"``.

    Returns:
        A :class:`QueryResult`: ``columns`` and ``rows`` (dicts of rdflib terms).

    Raises:
        UnknownQueryError: no stored query has that name.
        ParameterError: a parameter is missing, unknown or ill-typed.
    """
    text = get_query(name, home).bind(params)
    return run_sparql(text, graph=graph, endpoint=endpoint, home=home)


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
