"""The fast path: Oxigraph (pyoxigraph) parses, stores and queries; rdflib is not imported."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from l2graph.errors import InputError, QuerySyntaxError, RefusedQueryError, TurtleSyntaxError
from l2graph.project import ASSERTED_GRAPH, PREFIXES

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

# Strings, IRIs and comments, which may mention SERVICE harmlessly.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:-])", re.IGNORECASE)
# The refused keywords: most queries contain none of them anywhere and skip the full scan.
_SUSPECT = ("service", "from", "insert", "delete", "load", "clear", "drop", "create", "copy")
_SUSPECT += ("move", "add")
_DATASET = re.compile(r"(?<![\w?$:.-])FROM(?![\w:-])", re.IGNORECASE)
_UPDATE = re.compile(
    r"(?<![\w?$:.-])(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|COPY|MOVE|ADD)(?![\w:-])", re.IGNORECASE
)
_POSITION = re.compile(r"^error at (\d+):(\d+): ")
_DECLARATION = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?:")
_PREFIXED_NAME = re.compile(r"(?<![\w<?$])([A-Za-z][\w.-]*)?:(?=[\w%\\]|\s|$)")
_SHOWN_CHOICES = 6


def check_read_only(query: str) -> None:
    """Refuse what a read-only query over this graph may not do: update it (``INSERT``,
    ``LOAD`` …), send data to another endpoint (``SERVICE``) or name its own dataset
    (``FROM``/``FROM NAMED``: the default graph is the union of the build's graphs; use
    ``GRAPH`` to pick one). Keywords inside strings, IRIs and comments do not count.

    Raises:
        RefusedQueryError: the query does one of these.
    """
    lowered = query.lower()
    if not any(word in lowered for word in _SUSPECT):
        return
    code = _OPAQUE.sub(" ", query)
    update = _UPDATE.search(code)
    if update:
        raise RefusedQueryError(
            f"{update[1].upper()} is not allowed: the graph is read-only here "
            "(edit data/ and rebuild to change it)"
        )
    if _SERVICE.search(code):
        raise RefusedQueryError(
            "SERVICE is not allowed: l2graph never fetches data from other endpoints "
            "(query a remote store with --endpoint instead)"
        )
    if _DATASET.search(code):
        raise RefusedQueryError(
            "FROM and FROM NAMED are not allowed: the default graph is the union of the "
            "build's graphs (use GRAPH <…> { … } to pick one)"
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
    """Run a read-only SPARQL query over the union of the store's graphs; the project's
    prefixes are predeclared (the query's own ``PREFIX`` lines take precedence)."""
    check_read_only(query)
    try:
        return store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QuerySyntaxError(describe_syntax_error(exc, query)) from None


def declared_prefixes(query: str) -> set[str]:
    """The prefixes a query declares itself."""
    return {name or "" for name in _DECLARATION.findall(_OPAQUE.sub(" ", query))}


def with_prefixes(query: str) -> str:
    """The query with a ``PREFIX`` line for each project prefix it does not declare, all on
    one first line: for endpoints, which do not know the project's prefixes."""
    declared = declared_prefixes(query)
    missing = [f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items() if name not in declared]
    return " ".join(missing) + "\n" + query if missing else query


def describe_syntax_error(exc: SyntaxError, query: str) -> str:
    """Oxigraph's ``error at L:C: …`` as one short line: where, the token there, and either
    the undeclared prefix or a few of the tokens that would have fitted."""
    message = str(exc).replace("\n", " ")
    match = _POSITION.match(message)
    if not match:
        return f"SPARQL syntax error: {message}"
    line, column = (int(group) for group in match.groups())
    lines = query.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    where = f"SPARQL syntax error at line {line}, column {column}"
    detail = message[match.end() :]
    undeclared = _first_undeclared_prefix(query)
    if undeclared:  # whatever the parser says, this is the likeliest cause
        name, at_line, at_column = undeclared
        return (
            f"SPARQL syntax error at line {at_line}, column {at_column}: undeclared prefix "
            f"'{name}:' (declare it with PREFIX {name}: <…>; predeclared: {', '.join(PREFIXES)})"
        )
    token = text[max(column - 1, 0) :].split(maxsplit=1)
    near = f" near '{token[0][:30]}'" if token else " at the end of the line"
    choices = detail.removeprefix("expected one of ").split(", ")
    if detail.startswith("expected one of ") and len(choices) > _SHOWN_CHOICES:
        detail = "expected one of " + ", ".join(choices[:_SHOWN_CHOICES]) + ", …"
    return f"{where}{near}: {detail}"


def _first_undeclared_prefix(query: str) -> tuple[str, int, int] | None:
    """The first prefixed name whose prefix neither the query nor the project declares, with
    its line and column (1-based); strings, IRIs and comments are skipped."""
    known = declared_prefixes(query) | set(PREFIXES)
    blanked = _OPAQUE.sub(lambda opaque: re.sub(r"[^\n]", " ", opaque[0]), query)
    for number, text in enumerate(blanked.split("\n"), start=1):
        for match in _PREFIXED_NAME.finditer(text):
            name = match.group(1) or ""
            if name not in known:
                return name, number, match.start() + 1
    return None
