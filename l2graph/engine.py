"""The fast path: Oxigraph (pyoxigraph) parses, stores and queries; rdflib is not imported."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from l2graph.errors import InputError, TurtleSyntaxError
from l2graph.project import ASSERTED_GRAPH, PREFIXES
from l2graph.sparql_lexer import (
    Unreadable,
    check_read_only,
    tokens,
)
from l2graph.syntax import syntax_error

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first keyword after its prologue
    (SELECT when it cannot be told: the engine then reports what is wrong)."""
    for token in tokens(query):
        if isinstance(token, Unreadable):
            break
        if token.kind == "word":
            word = token.text.upper()
            if word in _FORMS:
                return word
            if word not in ("PREFIX", "BASE"):
                break
        elif token.kind not in ("space", "comment", "pname", "iri"):
            break
    return "SELECT"


def parse_files(paths: Iterable[Path], store: ox.Store, graph: str = ASSERTED_GRAPH) -> None:
    """Parse Turtle files into a named graph of ``store``; errors name the file and line."""
    for path in paths:
        parse_file(path, store, graph)


def parse_file(path: Path, store: ox.Store, graph: str = ASSERTED_GRAPH) -> bytes:
    """Parse one Turtle file into a named graph of ``store`` and return the bytes parsed (for
    another store to load the very same text); errors name the file and line."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    except SyntaxError as exc:
        if exc.lineno == 1 and data[:3] == b"\xef\xbb\xbf":
            # a byte-order mark, which Oxigraph's Turtle parser does not skip: say so
            raise TurtleSyntaxError(
                path,
                1,
                "the file starts with a byte-order mark (U+FEFF): save it as UTF-8 without one",
            ) from None
        detail = re.sub(r" \([^()]*\bline \d+\)$", "", str(exc))
        raise TurtleSyntaxError(path, exc.lineno, detail) from None
    except MemoryError as exc:
        raise _too_long(path, data, exc) or exc from None
    return data


#: A token of Turtle as Oxigraph's lexer holds it whole: a long or short string, an IRI, a
#: comment, an escape, a run of anything else, or white space (only to find one too long).
_TURTLE_TOKEN = re.compile(
    rb'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\Z)'
    rb"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)"
    rb'|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"?'
    rb"|'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'?"
    rb"|<[^>\s]*>?|#[^\r\n]*|\\.|[^\"'<#\\\s]+|\s+",
    re.DOTALL,
)
_TOKEN_KINDS = {
    ord('"'): "a literal",
    ord("'"): "a literal",
    ord("<"): "an IRI",
    ord("#"): "a comment",
}


def _too_long(path: Path, data: bytes, exc: MemoryError) -> InputError | None:
    """The input error for Oxigraph's "Reached the buffer maximal size of 16777216": its
    lexer holds each token (a literal, an IRI, even a comment) in a buffer of at most 16 MiB,
    and says neither where nor what; this names the file, the line and the longest token,
    which is the one. ``None`` when memory itself ran out."""
    limit = re.search(r"buffer maximal size of (\d+)", str(exc))
    if limit is None:
        return None
    token = max(_TURTLE_TOKEN.finditer(data), key=lambda match: match.end() - match.start())
    line = data.count(b"\n", 0, token.start()) + 1
    kind = _TOKEN_KINDS.get(data[token.start()], "a term")
    size = token.end() - token.start()
    return InputError(
        f"{path}:{line}: {kind} of {size:,} bytes, longer than the Turtle parser takes "
        f"(Oxigraph's {int(limit[1]) >> 20} MiB): shorten it"
    )


def graph_size(store: ox.Store, graph: str) -> int:
    """The number of triples in the named graph ``graph`` of ``store``, counted by Oxigraph
    (no term crosses into Python)."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))["n"].value)


def dataset(graph: str | None) -> dict:
    """``store.query`` keywords for a query's default graph: the named ``graph``, else the
    union of the store's graphs."""
    if graph is None:
        return {"use_default_graph_as_union": True}
    return {"default_graph": ox.NamedNode(graph)}


def run(
    store: ox.Store, query: str, *, base_iri: str | None = None, graphs: dict | None = None
) -> Result:
    """Run a read-only SPARQL query over the union of the store's graphs, or over ``graphs``
    (``store.query``'s dataset keywords, as :func:`dataset` gives them); the project's
    prefixes are predeclared (the query's own ``PREFIX`` lines take precedence), and relative
    IRIs are resolved against ``base_iri`` (the query's own ``BASE`` takes precedence).
    ``graphs`` override the query's own ``FROM``, as the SPARQL Protocol says."""
    check_read_only(query, dataset_given=graphs is not None)
    try:
        return store.query(
            query,
            base_iri=base_iri,
            prefixes=PREFIXES,
            **(graphs if graphs is not None else dataset(None)),
        )
    except SyntaxError as exc:
        raise syntax_error(query, exc) from None


def declared_prefixes(query: str) -> set[str]:
    """The prefixes a query declares itself (``PREFIX name: <…>``)."""
    declared, after_prefix = set(), False
    for token in tokens(query):
        if isinstance(token, Unreadable):
            break
        if token.kind in ("space", "comment"):
            continue
        if after_prefix and token.kind == "pname" and token.text.endswith(":"):
            declared.add(token.text[:-1])
        after_prefix = token.kind == "word" and token.text.upper() == "PREFIX"
    return declared


def with_prefixes(query: str) -> str:
    """The query with a ``PREFIX`` line for each project prefix it does not declare, all on
    one first line: for endpoints, which do not know the project's prefixes."""
    declared = declared_prefixes(query)
    missing = [f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items() if name not in declared]
    return " ".join(missing) + "\n" + query if missing else query
