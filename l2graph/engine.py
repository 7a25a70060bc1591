"""The fast path: Oxigraph (pyoxigraph) parses, stores and queries; rdflib is not imported."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from l2graph.errors import InputError, QuerySyntaxError, TurtleSyntaxError
from l2graph.project import ASSERTED_GRAPH

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

# Strings, IRIs and comments, which may mention SERVICE harmlessly.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)
_POSITION = re.compile(r"^error at (\d+):(\d+): ")


def refuse_federation(query: str) -> None:
    """Refuse queries with ``SERVICE``: l2graph never sends a query to a third-party endpoint."""
    if _SERVICE.search(_OPAQUE.sub(" ", query)):
        raise InputError(
            "SERVICE is not allowed: l2graph never fetches data from other endpoints "
            "(query a remote store with --endpoint instead)"
        )


def parse_files(paths: Iterable[Path], store: ox.Store, graph: str = ASSERTED_GRAPH) -> None:
    """Parse Turtle files into a named graph of ``store``; errors name the file and line."""
    target = ox.NamedNode(graph)
    for path in paths:
        try:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=target)
        except SyntaxError as exc:
            detail = re.sub(r" \([^()]*, line \d+\)$", "", str(exc))
            raise TurtleSyntaxError(path, exc.lineno, detail) from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def run(store: ox.Store, query: str) -> Result:
    """Run a read-only SPARQL query over the union of the store's graphs."""
    refuse_federation(query)
    try:
        return store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QuerySyntaxError(describe_syntax_error(exc)) from None


def describe_syntax_error(exc: SyntaxError) -> str:
    """Oxigraph's ``error at L:C: …`` as ``SPARQL syntax error at line L, column C: …``."""
    message = str(exc)
    match = _POSITION.match(message)
    if match:
        line, column = match.groups()
        return f"SPARQL syntax error at line {line}, column {column}: {message[match.end() :]}"
    return f"SPARQL syntax error: {message}"
