"""Scalable SHACL: the project's shapes compiled to SPARQL and run set-at-a-time by Oxigraph.

pyshacl (``l2graph.validation``) stays the reference; it checks one focus node at a time in
rdflib, which takes about a minute at 100k triples. Here each constraint of each shape is one
SPARQL query over all its focus nodes at once. Only the constraint components the shapes use
are compiled; any other raises :class:`UnsupportedShape`, so nothing is skipped silently.
``tests/test_validation_engines.py`` requires both engines to report the same focus nodes,
paths and constraints on the shipped graph, on every invalid fixture and on synthetic data.

``sh:datatype`` checks literals by value, as SHACL requires (an ill-typed literal such as
``"2022-02-30"^^xsd:date`` violates it): for the XSD types Oxigraph can cast to, the literal
must survive a cast of its lexical form.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from l2graph.errors import InputError
from l2graph.project import PREFIXES, SH, short_iri

RDF, RDFS, XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]
_TYPE_PATH = f"<{RDF}type>/<{RDFS}subClassOf>*"
# XSD datatypes whose value space Oxigraph checks when it casts a lexical form to them (the
# derived integer types such as xsd:int are not castable, so they are checked by type only).
_CASTABLE = {
    XSD + name
    for name in (
        "string", "boolean", "integer", "decimal", "float", "double", "date", "dateTime",
        "time", "duration", "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth",
        "gMonthDay", "gDay", "gMonth",
    )
}  # fmt: skip
_NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
# Constraints on each value node, in the order they are checked.
_VALUE_COMPONENTS = (
    "datatype", "class", "nodeKind", "in", "languageIn", "pattern", "hasValue",
    "or", "and", "not", "property",
)  # fmt: skip
_OTHER_TERMS = {
    "targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode", "path", "sparql",
    "message", "minCount", "maxCount", "uniqueLang", "flags", "declare", "prefixes", "select",
    "name", "description",
}  # fmt: skip


class UnsupportedShape(InputError):
    """The shapes use a SHACL feature this compiler does not implement, or a value it cannot
    read (a count that is not a whole number)."""


def _count(term) -> int:
    """A ``sh:minCount``/``sh:maxCount`` value: a non-negative whole number."""
    text = getattr(term, "value", str(term))
    if not text.isdigit():
        raise UnsupportedShape(f"a count must be a whole number, not {text!r}")
    return int(text)


class _Compiler:
    """Turns shapes (read from an Oxigraph store) into SPARQL text."""

    def __init__(self, shapes: ox.Store) -> None:
        self.store = shapes

    def objects(self, subject, name: str) -> list:
        quads = self.store.quads_for_pattern(subject, ox.NamedNode(SH + name), None)
        return [quad.object for quad in quads]

    def items(self, head) -> list:
        first, rest, nil = (ox.NamedNode(RDF + name) for name in ("first", "rest", "nil"))
        members = []
        while head != nil:
            members.append(next(self.store.quads_for_pattern(head, first, None)).object)
            head = next(self.store.quads_for_pattern(head, rest, None)).object
        return members

    def check_supported(self, shape) -> None:
        for quad in self.store.quads_for_pattern(shape, None, None):
            name = quad.predicate.value[len(SH) :]
            if quad.predicate.value.startswith(SH) and name not in (
                *_VALUE_COMPONENTS,
                *_OTHER_TERMS,
            ):
                raise UnsupportedShape(f"sh:{name} (on {shape}) is not compiled to SPARQL")

    def prologue(self, constraint) -> str:
        """PREFIX lines for the ``sh:declare``s of a SPARQL constraint's ``sh:prefixes``."""
        lines = []
        for holder in self.objects(constraint, "prefixes"):
            for declaration in self.objects(holder, "declare"):
                prefix = self.objects(declaration, "prefix")[0].value
                namespace = self.objects(declaration, "namespace")[0].value
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
        return "".join(lines)

    def path(self, node) -> str:
        if isinstance(node, ox.NamedNode):
            return str(node)
        for name, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
            if self.objects(node, name):
                return f"({self.path(self.objects(node, name)[0])}){mark}"
        if self.objects(node, "inversePath"):
            return f"^({self.path(self.objects(node, 'inversePath')[0])})"
        if self.objects(node, "alternativePath"):
            alternatives = self.items(self.objects(node, "alternativePath")[0])
            return "(" + "|".join(self.path(p) for p in alternatives) + ")"
        return "(" + "/".join(self.path(p) for p in self.items(node)) + ")"

    def targets(self, shape) -> str | None:
        """A sub-select binding ``?this`` to every focus node of ``shape``, or None."""
        parts = [f"?this {_TYPE_PATH} {c} ." for c in self.objects(shape, "targetClass")]
        parts += [f"?this {p} ?_t ." for p in self.objects(shape, "targetSubjectsOf")]
        parts += [f"?_t {p} ?this ." for p in self.objects(shape, "targetObjectsOf")]
        nodes = self.objects(shape, "targetNode")
        if nodes:
            parts.append("VALUES ?this { " + " ".join(str(n) for n in nodes) + " }")
        if not parts:
            return None
        union = " UNION ".join("{ " + part + " }" for part in parts)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    def component(self, name: str, value, v: str) -> str:
        """A SPARQL expression: the node in ``v`` satisfies constraint ``name`` = ``value``."""
        if name == "datatype":
            test = f"isLiteral({v}) && datatype({v}) = {value}"
            if value.value in _CASTABLE:  # well-typed: the lexical form casts to the type
                test += f" && COALESCE(isLiteral({value}(STR({v}))), false)"
            return f"({test})"
        if name == "class":
            return f"(!isLiteral({v}) && EXISTS {{ {v} {_TYPE_PATH} {value} }})"
        if name == "nodeKind":
            return _NODE_KINDS[value.value[len(SH) :]].format(v=v)
        if name == "in":
            return f"({v} IN ({', '.join(str(x) for x in self.items(value))}))"
        if name == "languageIn":
            tags = " || ".join(f'LANGMATCHES(LANG({v}), "{t.value}")' for t in self.items(value))
            return f"(isLiteral({v}) && ({tags}))"
        if name == "pattern":
            return f"(!isBlank({v}) && REGEX(STR({v}), {value}))"
        if name == "hasValue":
            return f"({v} = {value})"
        if name == "or":
            return "(" + " || ".join(self.conforms(s, v) for s in self.items(value)) + ")"
        if name == "and":
            return "(" + " && ".join(self.conforms(s, v) for s in self.items(value)) + ")"
        if name == "not":
            return f"(!{self.conforms(value, v)})"
        return self.nested_property(value, v)

    def conforms(self, shape, v: str) -> str:
        """A SPARQL expression: the node in ``v`` conforms to every constraint of ``shape``."""
        self.check_supported(shape)
        tests = [
            self.component(name, value, v)
            for name in _VALUE_COMPONENTS
            for value in self.objects(shape, name)
            if not (name == "hasValue" and self.objects(shape, "path"))
        ]
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def nested_property(self, prop, v: str) -> str:
        """A property shape inside sh:or/sh:not; only sh:hasValue and sh:minCount 1 occur."""
        allowed = {"path", "hasValue", "minCount", "message"}
        for quad in self.store.quads_for_pattern(prop, None, None):
            name = quad.predicate.value[len(SH) :]
            if quad.predicate.value.startswith(SH) and name not in allowed:
                raise UnsupportedShape(f"sh:{name} in a nested property shape")
        path = self.path(self.objects(prop, "path")[0])
        tests = [f"EXISTS {{ {v} {path} {value} }}" for value in self.objects(prop, "hasValue")]
        for count in self.objects(prop, "minCount"):
            if _count(count) != 1:
                raise UnsupportedShape("a nested sh:minCount other than 1")
            tests.append(f"EXISTS {{ {v} {path} ?_nested }}")
        return "(" + " && ".join(tests) + ")" if tests else "true"


def _component_iri(name: str) -> str:
    return f"sh:{name[0].upper()}{name[1:]}ConstraintComponent"


def _checks(compiler: _Compiler) -> Iterator[tuple[str, str, str | None, str | None]]:
    """(query, constraint, path, message) for each constraint of each targeted shape."""
    node_type = (ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "NodeShape"))
    shapes = {q.subject for q in compiler.store.quads_for_pattern(None, *node_type)}
    for shape in sorted(shapes, key=str):
        compiler.check_supported(shape)
        target = compiler.targets(shape)
        if target is None:
            continue
        message = _text(compiler.objects(shape, "message"))
        for name in _VALUE_COMPONENTS:
            for value in compiler.objects(shape, name):
                if name == "property":
                    yield from _property_checks(compiler, value, target)
                    continue
                test = compiler.component(name, value, "?this")
                query = f"SELECT ?this WHERE {{ {target} FILTER (!{test}) }}"
                yield query, _component_iri(name), None, message
        for constraint in compiler.objects(shape, "sparql"):
            select = compiler.objects(constraint, "select")[0].value.replace("$this", "?this")
            where = select.index("{", select.upper().index("WHERE")) + 1
            query = compiler.prologue(constraint) + select[:where] + f" {target} " + select[where:]
            yield (
                query,
                short_iri(constraint.value),
                None,
                _text(compiler.objects(constraint, "message")),
            )


def _property_checks(compiler: _Compiler, prop, target: str):
    compiler.check_supported(prop)
    path_node = compiler.objects(prop, "path")[0]
    path = compiler.path(path_node)
    label = short_iri(path_node.value) if isinstance(path_node, ox.NamedNode) else None
    message = _text(compiler.objects(prop, "message"))
    values = f"{target} ?this {path} ?value ."
    # A count of 1 on a property, the usual case, is checked without counting: a probe for a
    # value, a join for a second one (each half the time of grouping every focus node's
    # values). Not on other paths: Oxigraph evaluates a path in a probe over the whole graph.
    simple = isinstance(path_node, ox.NamedNode)
    for count in compiler.objects(prop, "minCount"):
        if simple and _count(count) == 1:
            query = f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} ?value }} }}"
        else:
            query = (
                f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?value }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {_count(count)})"
            )
        yield query, _component_iri("minCount"), label, message
    for count in compiler.objects(prop, "maxCount"):
        if simple and _count(count) == 1:  # two values not the same term (DISTINCT's test)
            query = (
                f"SELECT DISTINCT ?this WHERE {{ {values} ?this {path} ?other "
                "FILTER (!sameTerm(?value, ?other)) }"
            )
        else:
            query = (
                f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?value) > {_count(count)})"
            )
        yield query, _component_iri("maxCount"), label, message
    if any(flag.value == "true" for flag in compiler.objects(prop, "uniqueLang")):
        query = (
            f"SELECT DISTINCT ?this WHERE {{ {values} ?this {path} ?other . FILTER "
            f'(?value != ?other && LANG(?value) != "" && LANG(?value) = LANG(?other)) }}'
        )
        yield query, _component_iri("uniqueLang"), label, message
    for name in _VALUE_COMPONENTS:
        for value in compiler.objects(prop, name):
            test = compiler.component(name, value, "?value")
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} FILTER (!{test}) }}"
            yield query, _component_iri(name), label, message


def _text(values: list) -> str | None:
    return values[0].value if values else None


def validate_store(store: ox.Store, shapes_file: Path, graph: str | None = None):
    """Validate a graph of ``store`` against the shapes in ``shapes_file``.

    Args:
        store: holds the data (and the ontology, for class hierarchies).
        shapes_file: the SHACL shapes, in Turtle.
        graph: the named graph to validate; by default the union of the store's graphs.

    Returns:
        A :class:`l2graph.validation.ValidationReport`, as pyshacl's would read.
    """
    from l2graph.engine import dataset, parse_files
    from l2graph.report import ValidationReport, ValidationResult

    shapes = ox.Store()
    parse_files([shapes_file], shapes)  # errors name the file and the line
    scope = dataset(graph or None)
    results = set()
    try:
        checks = list(_checks(_Compiler(shapes)))
    except UnsupportedShape as exc:  # named by the file it is in
        raise UnsupportedShape(f"{shapes_file}: {exc}") from None
    for query, constraint, path, message in checks:
        solutions = store.query(query, **scope)
        names = [variable.value for variable in solutions.variables]
        for row in solutions:
            bound = {name: row[name] for name in names if row[name] is not None}
            row_path = path or (short_iri(bound["path"].value) if "path" in bound else None)
            value = bound.get("value")
            results.add(
                ValidationResult(
                    focus_node=_node(bound["this"]),
                    path=row_path,
                    constraint=constraint,
                    message=_fill(message, bound) if message else f"{constraint} violated",
                    severity="Violation",
                    value=None if value is None else _node(value),
                )
            )
    ordered = sorted(
        results, key=lambda r: (r.focus_node, r.path or "", r.constraint, r.value or "")
    )
    return ValidationReport(conforms=not ordered, results=tuple(ordered))


def _fill(message: str, bound: dict) -> str:
    """Put a result's values into its message's ``{?name}`` / ``{$this}`` slots."""
    for name, term in bound.items():
        text = _node(term)
        message = message.replace(f"{{?{name}}}", text).replace(f"{{${name}}}", text)
    return message


def _node(term) -> str:
    if isinstance(term, ox.NamedNode):
        return short_iri(term.value)
    return str(term)
