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
    """The query guard, on every local engine: refuse what a read-only query over this graph
    may not do, before any parser sees it.

    - nesting deeper than :data:`MAX_NESTING` groups (a parser's stack is not a limit: 3,000
      nested ``{`` crash Oxigraph's and exhaust rdflib's);
    - updates (``INSERT``, ``LOAD`` …): the graph is read-only;
    - ``SERVICE``: l2graph sends nothing to another endpoint;
    - ``FROM``/``FROM NAMED``: the default graph is the union of the build's graphs (use
      ``GRAPH`` to pick one), and rdflib would fetch what they name.

    Keywords inside strings, IRIs and comments do not count. SPARQL lets ``\\u``/``\\U``
    escapes stand for any character of a query (rdflib decodes them before it parses), so the
    text is checked as written and as decoded.

    Raises:
        RefusedQueryError: the query does one of these.
    """
    decoded = _decode_escapes(query)
    for text in (query, decoded) if decoded != query else (query,):
        _check_nesting(text)
        lowered = text.lower()
        if not any(word in lowered for word in _SUSPECT):
            continue
        code = _OPAQUE.sub(" ", text)
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


#: Groups (``{``, ``(``, ``[``) a query may nest; the stored queries nest at most 5.
MAX_NESTING = 64
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_BRACKETS = re.compile(r"[{}()\[\]]")


def _decode_escapes(query: str) -> str:
    if "\\u" not in query and "\\U" not in query:
        return query

    def character(match: re.Match) -> str:
        code = int(match[1] or match[2], 16)
        return chr(code) if code <= 0x10FFFF else match[0]

    return _ESCAPE.sub(character, query)


def _check_nesting(query: str) -> None:
    if query.count("{") + query.count("(") + query.count("[") <= MAX_NESTING:
        return  # cannot nest deeper than it opens (the usual case: no scan)
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_OPAQUE.sub(" ", query)):
        depth = depth + 1 if bracket in "{([" else max(depth - 1, 0)
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            raise RefusedQueryError(
                f"the query nests groups more than {MAX_NESTING} deep; "
                "flatten it (deeper nesting can crash a SPARQL parser)"
            )


# Possessive throughout: each piece of the prologue is read one way only, so a long run of
# spaces or of "#" cannot make the pattern try every way of cutting it (exponential time).
_PROLOGUE_THEN_FORM = re.compile(
    r"(?:\s++|#[^\n]*+|PREFIX\s*+[\w.-]*+:\s*+<[^>]*+>|BASE\s*+<[^>]*+>)*+"
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first keyword after its prologue
    (SELECT when it cannot be told: the engine then reports what is wrong)."""
    found = _PROLOGUE_THEN_FORM.match(query)
    return found.group(1).upper() if found else "SELECT"


def parse_files(paths: Iterable[Path], store: ox.Store, graph: str = ASSERTED_GRAPH) -> None:
    """Parse Turtle files into a named graph of ``store``; errors name the file and line."""
    for path in paths:
        parse_file(path, store, graph)


def parse_file(path: Path, store: ox.Store, graph: str = ASSERTED_GRAPH) -> bytes:
    """Parse one Turtle file into a named graph of ``store`` and return the bytes parsed (for
    another store to load the very same text); errors name the file and line."""
    try:
        data = Path(path).read_bytes()
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
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return data


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
