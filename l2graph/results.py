"""Query results in the CLI's output formats.

Engines hand over pyoxigraph result objects (a remote endpoint's answer is parsed into the
same objects), so every output format is produced by one code path: the W3C formats by
pyoxigraph's serialisers, the readable table here.
"""

from __future__ import annotations

import pyoxigraph as ox

from l2graph.errors import InputError
from l2graph.project import PREFIXES

TABULAR_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
}
OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "nt")
_CELL_WIDTH = 72


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as a person reads it: ``id:leica-sl2``, ``Leica SL2``, ``2022-05-31``."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in PREFIXES.items():
            if term.value.startswith(namespace) and "/" not in term.value[len(namespace) :]:
                return f"{prefix}:{term.value[len(namespace) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _table(columns: list[str], rows: list[list[str]]) -> str:
    clipped = [
        [c if len(c) <= _CELL_WIDTH else c[: _CELL_WIDTH - 1] + "…" for c in r] for r in rows
    ]
    widths = [max([len(name)] + [len(r[i]) for r in clipped]) for i, name in enumerate(columns)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(columns), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in clipped]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def render(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str) -> bytes:
    """Serialise a pyoxigraph result in one of :data:`OUTPUT_FORMATS`."""
    if isinstance(result, ox.QueryTriples):
        if fmt == "table":
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise InputError(
                f"--format {fmt}: a CONSTRUCT or DESCRIBE result is a graph; use turtle, nt or xml"
            )
        return ox.serialize(result, format=GRAPH_FORMATS[fmt], prefixes=PREFIXES)
    if fmt in ("turtle", "nt"):
        raise InputError(
            f"--format {fmt}: a SELECT or ASK result is a table; use table, csv, tsv, json or xml"
        )
    if fmt != "table":
        return result.serialize(format=TABULAR_FORMATS[fmt])
    if isinstance(result, ox.QueryBoolean):
        return b"true\n" if result else b"false\n"
    columns = [variable.value for variable in result.variables]
    rows = [[short(solution[name]) for name in columns] for solution in result]
    return _table(columns, rows).encode()
