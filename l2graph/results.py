"""Query results: one type for every engine's answer, converted only when it is read.

A :class:`QueryResult` keeps the engine's own result (pyoxigraph's; a remote endpoint's answer
and the rdflib reference's are parsed into the same types). The W3C formats are written by
pyoxigraph's serialisers, the readable table here; rows become rdflib terms only when a Python
user reads them, so the command line never imports rdflib.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from l2graph.answer_cache import OUTPUT_FORMATS, AnswerCache
from l2graph.errors import InputError
from l2graph.project import PREFIXES, short_iri

TYPE_CHECKING = False  # typing is not imported at run time: a faster start
if TYPE_CHECKING:
    from typing import Any

    import pyoxigraph as ox

# The formats, by the names of pyoxigraph's QueryResultsFormat and RdfFormat members:
# pyoxigraph is imported only once a query runs, not to read an answer kept before.
TABULAR_FORMATS = {"csv": "CSV", "tsv": "TSV", "json": "JSON", "xml": "XML"}
GRAPH_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "xml": "RDF_XML", "json-ld": "JSON_LD"}
#: Rows a table shows: a table is for reading; the W3C formats give every row, streamed.
TABLE_ROWS = 10_000
_CELL_WIDTH = 72
_XSD = PREFIXES["xsd"]


class QueryResult:
    """The answer to a query: a table of solutions, a boolean (ASK) or triples (CONSTRUCT).

    Iterating gives one dict per row, mapping column names to rdflib terms (``None`` where
    unbound). :meth:`serialize` writes any of :data:`OUTPUT_FORMATS`; :meth:`to_dataframe`
    gives a pandas DataFrame.
    """

    def __init__(
        self,
        result: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple] | None = None,
        *,
        run: Callable[[], Any] | None = None,
        cache: AnswerCache | None = None,
        build: str = "",
        asked: str = "",
        row_cap: int | None = None,
    ):
        """Hold ``result``, or ``run`` (which gives it) to be called when it is first needed.

        With ``row_cap``, at most that many rows (or triples) are read from the engine and
        :attr:`truncated` tells whether there were more.

        With ``cache``, the answer to ``asked`` (:func:`l2graph.answer_cache.identity`) on
        ``build`` is kept there: a build's answers never change, so :meth:`serialize` reads
        one written before instead of running the query, and keeps what it writes.
        """
        self._boolean: ox.QueryBoolean | None = None
        self._triples: list[ox.Triple] | None = None
        self._solutions: ox.QuerySolutions | None = None
        self._buffer: bytes | None = None  # the solutions as SPARQL JSON, once read
        self._rows: list[dict[str, Any]] | None = None
        self._columns: list[str] = []
        self._count: int | None = None  # the number of rows, once known without reading them
        self._run, self._cache, self._build, self._asked = run, cache, build, asked
        self._row_cap, self.truncated = row_cap, False
        if result is not None:
            self._hold(result)

    def _hold(self, result: Any) -> None:
        import pyoxigraph as ox

        cap = self._row_cap
        if isinstance(result, ox.QueryBoolean):
            self._boolean = result
        elif isinstance(result, ox.QuerySolutions):
            self._columns = [variable.value for variable in result.variables]
            if cap is None:
                self._solutions = result
                return
            rows = list(islice(result, cap + 1))
            self.truncated = len(rows) > cap
            self._count = min(len(rows), cap)
            self._buffer = results_json(self._columns, rows[:cap])
        else:
            stream = iter(result)
            triples = [t if isinstance(t, ox.Triple) else t.triple for t in islice(stream, cap)]
            self.truncated = cap is not None and next(stream, None) is not None
            self._triples = triples

    def _ready(self) -> QueryResult:
        """Run the query if that has not happened yet."""
        if self._run is not None:
            run, self._run = self._run, None
            self._hold(run())
        return self

    @property
    def columns(self) -> list[str]:
        """The names of a SELECT query's columns (empty for ASK and CONSTRUCT)."""
        return self._ready()._columns

    @property
    def boolean(self) -> bool | None:
        """The answer of an ASK query (``None`` for other queries)."""
        self._ready()
        return None if self._boolean is None else bool(self._boolean)

    @property
    def triples(self) -> list[ox.Triple] | None:
        """The triples of a CONSTRUCT or DESCRIBE query, as pyoxigraph terms."""
        return self._ready()._triples

    def solutions(self) -> Iterator[ox.QuerySolution]:
        """The rows as the engine gives them (pyoxigraph terms); can be read more than once."""
        self._ready()
        if self._solutions is None and self._buffer is None:
            return iter(())
        return iter(self._replay())

    def _replay(self) -> ox.QuerySolutions:
        """The solutions afresh: kept as SPARQL JSON after the engine's result is first read."""
        import pyoxigraph as ox

        if self._buffer is None:
            self._buffer = self._solutions.serialize(format=ox.QueryResultsFormat.JSON)
            self._solutions = None
        return ox.parse_query_results(self._buffer, format=ox.QueryResultsFormat.JSON)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts of rdflib terms (converted on first use)."""
        if self._rows is None:
            from l2graph.bridge import to_rdflib

            self._rows = [
                {name: to_rdflib(solution[name]) for name in self.columns}
                for solution in self.solutions()
            ]
        return self._rows

    @property
    def graph(self) -> Any:
        """The triples of a CONSTRUCT or DESCRIBE query as an rdflib graph (else ``None``)."""
        if self._ready()._triples is None:
            return None
        import pyoxigraph as ox

        from l2graph.bridge import graph_from_ntriples

        return graph_from_ntriples(ox.serialize(self._triples, format=ox.RdfFormat.N_TRIPLES))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        if self._ready()._triples is not None:
            return len(self._triples)
        return 0 if self._boolean is not None else len(self.rows)

    def __repr__(self) -> str:
        """What the result is, from what is already known: it never runs the query nor reads
        rows the engine still streams (their count shows as ``?`` until they are read)."""
        if self._run is not None:
            return "<QueryResult (not run yet)>"
        cut = ", truncated" if self.truncated else ""
        if self._boolean is not None:
            return f"<QueryResult ASK: {str(bool(self._boolean)).lower()}>"
        if self._triples is not None:
            return f"<QueryResult graph: {len(self._triples)} triples{cut}>"
        count = self._count if self._rows is None else len(self._rows)
        rows = "? rows" if count is None else f"{count} row{'' if count == 1 else 's'}"
        return f"<QueryResult SELECT {' '.join('?' + c for c in self._columns)}: {rows}{cut}>"

    def serialize(self, format: str = "table") -> bytes:
        """The result in one of :data:`OUTPUT_FORMATS`, written by the engine's serialisers.

        Raises:
            InputError: the format does not fit the result (a table asked of a graph, …).
        """
        if format not in OUTPUT_FORMATS:
            raise InputError(f"format {format!r}: choose from {', '.join(OUTPUT_FORMATS)}")
        kept = self._kept(format)
        if kept is not None:
            return kept
        data = self._serialize(format)
        self._keep(format, data)
        return data

    def write(self, stream: Any, format: str = "table") -> None:
        """Write the result to a binary stream without holding it whole: SELECT answers in
        the W3C formats go from the engine's serialiser straight to ``stream``, and a table
        shows at most :data:`TABLE_ROWS` rows and says how many there were. A streamed
        result is consumed: write it once.

        Raises:
            InputError: the format does not fit the result.
        """
        if format not in OUTPUT_FORMATS:
            raise InputError(f"format {format!r}: choose from {', '.join(OUTPUT_FORMATS)}")
        kept = self._kept(format)
        if kept is not None:
            stream.write(kept)
            return
        self._ready()
        if self._solutions is None or format not in TABULAR_FORMATS:
            data = self._serialize(format)
            stream.write(data)
            self._keep(format, data)
            return
        tee = _Tee(stream, AnswerCache.MAX_ON_DISK)
        self._solutions.serialize(output=tee, format=_results_format(format))
        self._solutions = None  # consumed by the serialiser
        if tee.copy is not None:
            self._keep(format, bytes(tee.copy))

    def _kept(self, format: str) -> bytes | None:
        """The answer kept by an earlier run on this build, if whole and for this query."""
        if self._cache is None:
            return None
        return self._cache.get(self._build, self._asked, format)

    def _keep(self, format: str, data: bytes) -> None:
        if self._cache is not None:
            self._cache.put(self._build, self._asked, format, data, len(data))

    def _serialize(self, format: str) -> bytes:
        import pyoxigraph as ox

        self._ready()
        if self._triples is not None:
            format = "turtle" if format == "table" else format
            if format not in GRAPH_FORMATS:
                raise InputError(
                    f"format {format}: a CONSTRUCT or DESCRIBE result is a graph; "
                    "use turtle, nt, xml or json-ld"
                )
            rdf_format = getattr(ox.RdfFormat, GRAPH_FORMATS[format])
            return ox.serialize(self._triples, format=rdf_format, prefixes=PREFIXES)
        if format not in ("table", *TABULAR_FORMATS):
            raise InputError(
                f"format {format}: a SELECT or ASK result is a table; "
                "use table, csv, tsv, json or xml"
            )
        if self._boolean is not None:
            if format == "table":
                return b"true\n" if self._boolean else b"false\n"
            return self._boolean.serialize(format=_results_format(format))
        if format == "table":  # what a person reads: the first TABLE_ROWS rows, and a count
            source = self._solutions if self._solutions is not None else self.solutions()
            rows, total = [], 0
            for total, solution in enumerate(source, start=1):
                if total <= TABLE_ROWS:
                    rows.append([_readable(solution[name]) for name in self.columns])
            self._solutions = None if source is self._solutions else self._solutions
            return _table(self.columns, rows, total).encode()
        solutions = self._replay()
        if format == "json":
            return self._buffer
        return solutions.serialize(format=_results_format(format))

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame with the query's columns and typed values.

        IRIs and blank nodes become strings, numbers numbers, ``xsd:date`` and
        ``xsd:dateTime`` dates and datetimes, booleans booleans; other literals their text.

        Raises:
            InputError: pandas is not installed (``pip install 'l2graph[dataframe]'``).
        """
        try:
            import pandas
        except ImportError:
            raise InputError(
                "to_dataframe needs pandas: pip install 'l2graph[dataframe]'"
            ) from None
        records = [
            [_python_value(solution[name]) for name in self.columns]
            for solution in self.solutions()
        ]
        return pandas.DataFrame.from_records(records, columns=self.columns)


class _Tee:
    """Passes writes on to a stream and keeps a copy while it stays under ``limit`` bytes."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream, self.limit = stream, limit
        self.copy: bytearray | None = bytearray()

    def write(self, data: bytes) -> int:
        self.stream.write(data)
        if self.copy is not None:
            self.copy += data
            if len(self.copy) > self.limit:
                self.copy = None
        return len(data)

    def flush(self) -> None:
        self.stream.flush()


def results_json(columns: list[str], rows: Iterable[Any]) -> bytes:
    """Rows (solutions, or dicts of each column's term or None) in the SPARQL 1.1 JSON
    results format, for the engine's parser to read back: the engine's results cannot be cut
    short or changed and still serialised, so capped rows, and remote rows made canonical,
    pass here."""
    import json

    head = {"vars": columns}
    bindings = [
        {name: _json_term(row[name]) for name in columns if row[name] is not None} for row in rows
    ]
    return json.dumps({"head": head, "results": {"bindings": bindings}}).encode()


def _json_term(term: Any) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = ("subject", "predicate", "object")
        return {"type": "triple", "value": {p: _json_term(getattr(term, p)) for p in parts}}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def _results_format(format: str):
    import pyoxigraph as ox

    return getattr(ox.QueryResultsFormat, TABULAR_FORMATS[format])


def _python_value(term: Any) -> Any:
    """A term as the plain Python value a DataFrame holds."""
    import datetime
    import decimal

    import pyoxigraph as ox

    if term is None:
        return None
    if not isinstance(term, ox.Literal):
        return term.value
    datatype = term.datatype.value.removeprefix(_XSD)
    converters = {
        "integer": int,
        "int": int,
        "long": int,
        "decimal": decimal.Decimal,
        "double": float,
        "float": float,
        "boolean": lambda text: text.strip() in ("true", "1"),
        "date": datetime.date.fromisoformat,
        "dateTime": datetime.datetime.fromisoformat,
        "gYear": int,
    }
    try:
        return converters[datatype](term.value) if datatype in converters else term.value
    except ValueError:  # an ill-typed literal keeps its text
        return term.value


def _readable(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as a person reads it: ``id:leica-sl2``, ``Leica SL2``, ``2022-05-31``; control
    characters (an ANSI escape in a label, from the data or an endpoint) are shown, not sent
    to the terminal."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return _printable(short_iri(term.value))
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return _printable(term.value)


def _printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _table(columns: list[str], rows: list[list[str]], total: int | None = None) -> str:
    clipped = [
        [c if len(c) <= _CELL_WIDTH else c[: _CELL_WIDTH - 1] + "…" for c in r] for r in rows
    ]
    widths = [max([len(name)] + [len(r[i]) for r in clipped]) for i, name in enumerate(columns)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(columns), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in clipped]
    total = len(rows) if total is None else total
    if total > len(rows):
        out.append(f"({len(rows):,} of {total:,} rows shown; -f csv, tsv, json or xml gives all)")
    else:
        out.append(f"({total} row{'s' if total != 1 else ''})")
    return "\n".join(out) + "\n"
