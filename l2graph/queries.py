"""Stored SPARQL queries: ``queries/NNN_slug.rq`` files with ``#+`` headers and parameters.

Parameters are bound by a ``VALUES`` block placed at the top of the query's ``WHERE`` group,
built from validated RDF terms, so one binding works the same on every engine (rdflib,
Oxigraph, a remote endpoint) and user text never becomes query syntax.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Mapping
from pathlib import Path

from l2graph import layout
from l2graph.errors import InputError, ParameterError, QuerySyntaxError, UnknownQueryError
from l2graph.project import ID, PREFIXES, Project

XSD = PREFIXES["xsd"]
PARAMETER_KINDS = ("iri", "string", "date", "year", "integer")
_WHERE = re.compile(r"(?m)^[^#\n]*?\bWHERE\s*\{")
_TEXT_HEADERS = ("summary", "description", "performance")  # may go on over "#+   " lines
_HEADERS = (*_TEXT_HEADERS, "param", "example")


# Named tuples rather than dataclasses: the query path starts fast without importing
# dataclasses (and inspect, which it pulls in).
class Parameter(namedtuple("Parameter", "name kind required description")):
    """A declared query parameter: ``#+ param: NAME KIND required|optional DESCRIPTION``."""

    __slots__ = ()


class StoredQuery(
    namedtuple("StoredQuery", "name path summary description parameters examples performance text")
):
    """One stored query file: its name, headers, declared parameters, example parameter values
    (``#+ example: NAME=VALUE …``, read by ``l2graph queries``, the tests and the benchmarks),
    what its plan costs on a large graph (``#+ performance:``, read by the benchmark report)
    and text."""

    __slots__ = ()

    @property
    def slug(self) -> str:
        return self.name.split("_", 1)[1]

    @property
    def example(self) -> dict[str, str]:
        """Parameter values to run the query with: its first ``#+ example:``, else none."""
        return dict(self.examples[0]) if self.examples else {}

    def terms(self, values: Mapping[str, object] | None = None) -> dict:
        """The parameters' values as RDF terms (pyoxigraph's), checked: names, presence and
        each kind's strict lexical form. An empty value is a value not given.

        Raises:
            ParameterError: a parameter is unknown, missing or ill-formed.
        """
        values = dict(values or {})
        declared = {p.name: p for p in self.parameters}
        for name in values:
            if name not in declared:
                known = ", ".join(declared) or "none"
                raise ParameterError(name, f"not a parameter of {self.name} (parameters: {known})")
        terms = {}
        for parameter in self.parameters:
            value = values.get(parameter.name)
            if value is None or value == "":
                if parameter.required:
                    raise ParameterError(
                        parameter.name, f"required by {self.name}: {parameter.description}"
                    )
                continue
            terms[parameter.name] = to_term(parameter, value)
        return terms

    def bind(self, values: Mapping[str, object] | None = None) -> str:
        """The query text with ``values`` bound by a ``VALUES`` block of RDF terms written by
        the engine's own term writer (see :meth:`terms`)."""
        bindings = [f"VALUES ?{name} {{ {term} }}" for name, term in self.terms(values).items()]
        if not bindings:
            return self.text
        where = _WHERE.search(self.text)
        return self.text[: where.end()] + "\n  " + "\n  ".join(bindings) + self.text[where.end() :]

    def syntax_error(self, error: QuerySyntaxError) -> QuerySyntaxError:
        """The error a syntax error in this query is reported as, on every face: named by its
        file, at the line and column of the file's own text (a binding moves lines)."""
        import pyoxigraph as ox

        from l2graph import engine

        own = error
        try:
            engine.run(ox.Store(), self.text)
        except QuerySyntaxError as found:
            own = found
        return QuerySyntaxError(f"{self.path}: {own}", own.line, own.column, own.source_line)


def to_term(parameter: Parameter, value: object):
    """A parameter value as an RDF term (pyoxigraph's), checked against the parameter's
    kind; ``str()`` of it is its N-Triples form."""
    import pyoxigraph

    text = str(value)
    try:
        if parameter.kind != "string" and text != text.strip():
            raise ValueError(text)  # white space is not silently dropped
        if parameter.kind == "iri":
            return pyoxigraph.NamedNode(expand_iri(text))
        if parameter.kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", text):  # not "1_000": xsd:integer's form
                raise ValueError(text)
            return pyoxigraph.Literal(
                str(int(text)), datatype=pyoxigraph.NamedNode(XSD + "integer")
            )
        if parameter.kind == "date":
            import datetime

            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # not 20220531: xsd:date's form
                raise ValueError(text)
            datetime.date.fromisoformat(text)
            return pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(XSD + "date"))
        if parameter.kind == "year":
            if not re.fullmatch(r"-?\d{4,}", text):
                raise ValueError(text)
            return pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(XSD + "gYear"))
        return pyoxigraph.Literal(text)
    except ValueError:
        expected = {
            "iri": "an IRI, a prefixed name such as id:leica-sl2, or an id such as leica-sl2",
            "integer": "a whole number",
            "date": "a date as YYYY-MM-DD",
            "year": "a year as YYYY",
        }.get(parameter.kind, "a string")
        raise ParameterError(parameter.name, f"{text!r} is not {expected}") from None


def expand_iri(text: str) -> str:
    """Expand ``<iri>``, ``prefix:local`` or a bare id (``leica-sl2``) to a full IRI."""
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I):
        return text
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    if colon or not re.fullmatch(r"[A-Za-z0-9._~-]+", text):
        raise ValueError(text)
    return ID + text


def _parse_header(path: Path, text: str) -> tuple:
    fields: dict[str, list[str]] = {}
    params: list[Parameter] = []
    examples: list[dict[str, str]] = []
    key = None
    for line in text.splitlines():
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break
            continue
        body = line[2:].strip()
        match = re.match(r"^([a-z]+):\s*(.*)$", body)
        if match and match.group(1) in _HEADERS:
            key, rest = match.groups()
            if key == "example":
                pairs = [pair.partition("=") for pair in rest.split()]
                if not pairs or any(not name or not eq for name, eq, _ in pairs):
                    raise InputError(f"{path}: bad '#+ example:' line (NAME=VALUE …): {rest!r}")
                examples.append({name: value for name, _, value in pairs})
            elif key == "param":
                parts = rest.split(None, 3)
                if (
                    len(parts) < 3
                    or parts[1] not in PARAMETER_KINDS
                    or parts[2] not in ("required", "optional")
                ):
                    raise InputError(f"{path}: bad '#+ param:' line: {rest!r}")
                description = parts[3] if len(parts) > 3 else ""
                params.append(Parameter(parts[0], parts[1], parts[2] == "required", description))
            else:
                fields.setdefault(key, []).append(rest)
        elif key in _TEXT_HEADERS:
            fields[key].append(body)  # a continuation line
    if "summary" not in fields:
        raise InputError(f"{path}: a stored query opens with a '#+ summary:' line")
    declared = {p.name for p in params}
    if any(p.required for p in params) and not examples:
        raise InputError(f"{path}: a query with a required parameter needs a '#+ example:' line")
    for example in examples:
        if set(example) - declared:
            unknown = ", ".join(sorted(set(example) - declared))
            raise InputError(f"{path}: '#+ example:' names undeclared parameters: {unknown}")
    summary, description, performance = (
        " ".join(fields.get(key, [])) for key in ("summary", "description", "performance")
    )
    return summary, description, tuple(params), tuple(examples), performance


def _load(path: Path) -> StoredQuery:
    try:
        text = layout.read_query(str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    summary, description, params, examples, performance = _parse_header(path, text)
    if params and not _WHERE.search(text):
        raise InputError(f"{path}: a query with parameters needs a 'WHERE {{' to bind them in")
    return StoredQuery(path.stem, path, summary, description, params, examples, performance, text)


def _query_files(home: Project | Path | str | None) -> list[Path]:
    directory = Project.locate(home).queries_dir
    return [Path(path) for path in layout.query_files(str(directory))]


def list_queries(
    home: Project | Path | str | None = None, problems: list[str] | None = None
) -> list[StoredQuery]:
    """Every valid stored query of the project, in file-name order. A file that cannot be
    read or whose headers are wrong is left out, so one broken file does not take the others
    with it; why is appended to ``problems`` when a list is given."""
    found = []
    for path in _query_files(home):
        try:
            found.append(_load(path))
        except InputError as problem:
            if problems is not None:
                problems.append(str(problem))
    return found


def get_query(name: str, home: Project | Path | str | None = None) -> StoredQuery:
    """A stored query by full name (``001_leica_…``), number (``001``/``1``) or slug.

    Raises:
        UnknownQueryError: no query has that name; the error suggests the nearest one.
    """
    project = Project.locate(home)
    found = layout.query_file(str(project.queries_dir), name)
    if found is not None:  # matched by file name: only the query asked for is read
        return _load(Path(found))
    import difflib

    wanted = name.strip().removesuffix(".rq")
    queries = list_queries(project)
    candidates = {q.name: q.name for q in queries} | {q.slug: q.name for q in queries}
    close = difflib.get_close_matches(wanted, list(candidates), n=1, cutoff=0.4)
    if not close:  # a word of the slug may still point at one query
        close = [key for key in candidates if wanted and wanted.lower() in key][:1]
    raise UnknownQueryError(name, candidates[close[0]] if close else None)
