"""Scalable SHACL: shapes compiled to SPARQL and run set-at-a-time by Oxigraph.

pyshacl (:func:`l2graph.reference.validate`) stays the reference; it checks one focus node at
a time in rdflib, which takes about a minute at 100k triples. Here each constraint of each
shape is one SPARQL query over all its focus nodes at once.

Shapes are read as the SHACL spec reads them: every shape with a target (``sh:targetClass``,
``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, or the implicit class
target of a class that is also a shape), typed or not, node or property shape, and every
shape reached from one by ``sh:property``. A shape nested in a constraint (``sh:node``,
``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``, ``sh:qualifiedValueShape``, a property shape
inside those) is compiled into a SPARQL expression true of the nodes that conform to it.

The rule is *right or refused*: any term of the SHACL vocabulary this compiler does not
implement, and any value it cannot read, raises :class:`UnsupportedShape` naming the feature,
the shape and the file, so nothing is skipped silently. Every test is total (wrapped in
``COALESCE(…, false)``): an expression error is a violation, never a silent pass.

SPARQL-based constraints (``sh:sparql``) and constraint components (``sh:parameter`` with
``sh:validator``, ``sh:nodeValidator`` or ``sh:propertyValidator``) pre-bind ``$this``,
``$currentShape``, ``$value`` and the parameters by substitution (Oxigraph's SEP-0007
substitution), one focus node at a time; a query whose ``$this`` occurs only where joining
the focus nodes gives the same solutions (triple patterns, filters of the top group and of its
OPTIONALs) runs once for all focus nodes. The SHACL-SPARQL restrictions (no MINUS, VALUES or
SERVICE, sub-selects that return ``$this``, no ``AS`` onto a pre-bound variable) are checked.

``sh:datatype`` checks literals by value, as SHACL requires (an ill-typed literal such as
``"2022-02-30"^^xsd:date`` violates it): for the XSD types Oxigraph can cast to, the literal
must survive a cast of its lexical form.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from l2graph.errors import InputError
from l2graph.project import PREFIXES, SH, short_iri

RDF, RDFS, XSD, OWL = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"], PREFIXES["owl"]
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
# Derived integer types: castable to xsd:integer, and within their bounds.
_INTEGER_BOUNDS = {
    XSD + "byte": (-128, 127), XSD + "short": (-32768, 32767),
    XSD + "int": (-2147483648, 2147483647),
    XSD + "long": (-9223372036854775808, 9223372036854775807),
    XSD + "unsignedByte": (0, 255), XSD + "unsignedShort": (0, 65535),
    XSD + "unsignedInt": (0, 4294967295), XSD + "unsignedLong": (0, 18446744073709551615),
    XSD + "nonNegativeInteger": (0, None), XSD + "positiveInteger": (1, None),
    XSD + "nonPositiveInteger": (None, 0), XSD + "negativeInteger": (None, -1),
}  # fmt: skip
_NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
_RANGES = {"minExclusive": ">", "minInclusive": ">=", "maxExclusive": "<", "maxInclusive": "<="}
# Constraints tested on each value node, one at a time (sh:hasValue only on node shapes).
_VALUE_COMPONENTS = (
    "class", "datatype", "nodeKind", *_RANGES, "minLength", "maxLength", "pattern",
    "languageIn", "in", "hasValue", "node", "not", "and", "or", "xone",
)  # fmt: skip
_PROPERTY_ONLY = {
    "minCount", "maxCount", "uniqueLang", "lessThan", "lessThanOrEquals",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint",
}  # fmt: skip
# SHACL terms a shape may carry that this compiler reads (or that carry no constraint).
_KNOWN = {
    *_VALUE_COMPONENTS, *_PROPERTY_ONLY, "flags", "path", "property", "equals", "disjoint",
    "closed", "ignoredProperties", "sparql", "targetClass", "targetNode", "targetSubjectsOf",
    "targetObjectsOf", "message", "severity", "deactivated", "name", "description", "order",
    "group", "defaultValue", "declare", "prefixes", "shapesGraph", "suggestedShapesGraph",
    "entailment", "labelTemplate", "select", "ask",
}  # fmt: skip
_QUALIFIED = {"qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint"}
_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
# Nested counts are tested by finding that many distinct values: cheap up to this many.
_MAX_NESTED_COUNT = 8
_PRE_BOUND = {"this", "currentShape", "shapesGraph", "value", "PATH"}


class UnsupportedShape(InputError):
    """The shapes use a SHACL feature this compiler does not implement, or a value it cannot
    read (a count that is not a whole number), or break a SHACL-SPARQL rule.

    ``shape`` is the shape being compiled when it was raised and ``feature`` the SHACL term
    refused, where known; :func:`run` puts the shapes file and line in front of the message
    (see :meth:`ShapesGraph.place`)."""

    shape = None
    feature: str | None = None
    located = False

    def __init__(self, message: str, *, feature: str | None = None, shape=None) -> None:
        super().__init__(message)
        self.feature, self.shape = feature, shape


class ShapesGraph:
    """A shapes graph as its files spell it, with the files' text to point into.

    Oxigraph's store keeps a typed literal by its value, not as written (issue 526 of
    oxigraph: "1"^^xsd:boolean is read back as true, "05"^^xsd:int as "5"^^xsd:integer), and
    SHACL reads some parameters by their lexical form (only true activates sh:uniqueLang,
    sh:closed, sh:deactivated…). So the shapes are read from the parsed triples; a store holding
    the same triples (the same blank nodes) answers the few queries (class hierarchies).
    It offers what the compiler reads of an ``ox.Store``: ``quads_for_pattern``, ``query``,
    iteration."""

    def __init__(self) -> None:
        self.store = ox.Store()
        self.triples: list = []
        self.by_subject: dict = {}
        self.by_predicate: dict = {}
        self.origin: dict = {}  # subject -> the file its first triple is in
        self.texts: dict = {}  # file -> its text

    def add(self, quads: Iterable, path: Path | None = None) -> None:
        """Add parsed quads (their graph names dropped) as one file's triples."""
        fresh: dict = {}

        def own(term):  # a file's blank nodes are its own (RDF merge)
            if isinstance(term, ox.BlankNode):
                return fresh.setdefault(term, ox.BlankNode())
            return term

        added = []
        for q in quads:
            quad = ox.Quad(own(q.subject), q.predicate, own(q.object))
            added.append(quad)
            self.triples.append(quad)
            self.by_subject.setdefault(quad.subject, []).append(quad)
            self.by_predicate.setdefault(quad.predicate, []).append(quad)
            if path is not None:
                self.origin.setdefault(quad.subject, path)
        self.store.extend(added)

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None):
        if subject is not None:
            found = self.by_subject.get(subject, ())
        elif predicate is not None:
            found = self.by_predicate.get(predicate, ())
        else:
            found = self.triples
        return [
            q
            for q in found
            if (predicate is None or q.predicate == predicate)
            and (object is None or q.object == object)
        ]

    def query(self, *args, **kwargs):
        return self.store.query(*args, **kwargs)

    def __iter__(self):
        return iter(self.triples)

    def __len__(self) -> int:
        return len(self.triples)

    # -- where a shape is written --------------------------------------------------------
    def describe(self, node) -> str:
        """A shape by its IRI, or a blank node by the subject and predicate it hangs from."""
        if not isinstance(node, ox.BlankNode):
            return _name(node)
        chain, seen = [], {node}
        while isinstance(node, ox.BlankNode):
            parents = self.quads_for_pattern(None, None, node)
            if not parents:
                break
            quad = parents[0]
            chain.append(f"the {_name(quad.predicate)} of")
            node = quad.subject
            if node in seen:
                break
            seen.add(node)
        if not chain:
            return "a blank node"
        top = _name(node) if not isinstance(node, ox.BlankNode) else "a blank node"
        return "[] (" + " ".join(chain) + f" {top})"

    def place(self, shape, feature: str | None) -> str:
        """``file:line`` where ``shape`` is written (its first triple: the line where its IRI
        stands as a subject, or for a blank node the only line that names ``feature`` in its
        file, else the line of the IRI it hangs from), or just the file, or ""."""
        node = shape
        while isinstance(node, ox.BlankNode) and node not in self.origin:
            parents = self.quads_for_pattern(None, None, node)
            if not parents:
                break
            node = parents[0].subject
        path = self.origin.get(node)
        if path is None:
            return ""
        text = self.texts.get(path, "")
        line = None
        if isinstance(shape, ox.BlankNode) and feature:
            lines = _lines_naming(text, feature)
            if len(lines) == 1:
                line = lines[0]
        if line is None:
            while isinstance(node, ox.BlankNode):
                parents = self.quads_for_pattern(None, None, node)
                if not parents:
                    break
                node = parents[0].subject
            if isinstance(node, ox.NamedNode):
                lines = _lines_naming(text, node.value, subject=True)
                line = lines[0] if lines else None
        return f"{path}:{line}" if line else str(path)


def _spellings(text: str, iri: str) -> list[str]:
    """The ways a Turtle file can write ``iri``: in full, or with a prefix it declares."""
    found = [re.escape(f"<{iri}>")]
    declared = re.findall(r"(?im)^\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>", text)
    for prefix, namespace in declared:
        local = iri[len(namespace) :]
        if namespace and iri.startswith(namespace) and re.fullmatch(r"[\w.-]*", local):
            found.append(rf"(?<![\w:<]){re.escape(prefix)}:{re.escape(local)}(?![\w:-])")
    return found


def _lines_naming(text: str, term: str, subject: bool = False) -> list[int]:
    """1-based numbers of the lines of ``text`` that write ``term`` (an IRI or ``sh:name``),
    only where it begins a line (a subject) with ``subject``."""
    iri = SH + term[3:] if term.startswith("sh:") else term
    pattern = "|".join(_spellings(text, iri))
    numbers = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0] if "<" not in line else line
        match = re.search(pattern, code)
        if match and (not subject or not code[: match.start()].strip()):
            numbers.append(number)
    return numbers


class Result(NamedTuple):
    """One validation result in RDF terms (the shapes' terms come from the shapes graph)."""

    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    path: object  # the sh:path node of the shapes graph, an IRI from ?path, or None
    value: object
    shape: ox.NamedNode | ox.BlankNode
    component: str  # the constraint component's IRI
    severity: str  # its IRI
    constraint: object  # the sh:sparql node, for SPARQL-based constraints
    message: str | None


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


def _component(name: str) -> str:
    return f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent"


def _name(node) -> str:
    return short_iri(node.value) if isinstance(node, ox.NamedNode) else str(node)


def _count(term, what: str = "a count") -> int:
    """A count (``sh:minCount``, ``sh:minLength``…): a non-negative whole number."""
    text = getattr(term, "value", str(term))
    if not isinstance(term, ox.Literal) or not text.isdigit():
        raise UnsupportedShape(f"a count must be a whole number, not {text!r} ({what})")
    return int(text)


def _truth(term) -> bool:
    # only true itself: the spec names no other form ("1" leaves a constraint off)
    return isinstance(term, ox.Literal) and term.value == "true"


def _constant(term, where: str) -> str:
    """A shapes-graph term as SPARQL text; a blank node has no such text, so it is refused."""
    if isinstance(term, ox.BlankNode):
        raise UnsupportedShape(f"a blank node as the value of {where} is not compiled to SPARQL")
    return str(term)


class _Shapes:
    """The shapes graph, read: shapes, their parameters, and SPARQL text for them."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.fresh_ids = itertools.count()
        self.stack: list = []  # shapes being compiled, to refuse recursion
        self.components = self._components()

    # -- reading the graph --------------------------------------------------------------
    def objects(self, subject, name: str) -> list:
        predicate = _sh(name) if ":" not in name else ox.NamedNode(name)
        return [q.object for q in self.store.quads_for_pattern(subject, predicate, None)]

    def one(self, subject, name: str):
        values = self.objects(subject, name)
        if len(values) > 1:
            raise UnsupportedShape(f"{_name(subject)} has {len(values)} values of sh:{name}")
        return values[0] if values else None

    def items(self, head) -> list:
        first, rest, nil = (ox.NamedNode(RDF + name) for name in ("first", "rest", "nil"))
        members, seen = [], set()
        while head != nil:
            if head in seen:
                raise UnsupportedShape(f"{_name(head)} is a cyclic RDF list")
            seen.add(head)
            firsts = list(self.store.quads_for_pattern(head, first, None))
            rests = list(self.store.quads_for_pattern(head, rest, None))
            if len(firsts) != 1 or len(rests) != 1:
                raise UnsupportedShape(f"{_name(head)} is not a well-formed RDF list")
            members.append(firsts[0].object)
            head = rests[0].object
        return members

    def is_list(self, node) -> bool:
        if node == ox.NamedNode(RDF + "nil"):
            return True
        first = ox.NamedNode(RDF + "first")
        return next(iter(self.store.quads_for_pattern(node, first, None)), None) is not None

    def fresh(self) -> str:
        return f"?_v{next(self.fresh_ids)}"

    def deactivated(self, shape) -> bool:
        return any(_truth(v) for v in self.objects(shape, "deactivated"))

    def is_property(self, shape) -> bool:
        return bool(self.objects(shape, "path"))

    def severity(self, shape) -> str:
        value = self.one(shape, "severity")
        if value is None:
            return SH + "Violation"
        if not isinstance(value, ox.NamedNode):
            raise UnsupportedShape(f"sh:severity of {_name(shape)} must be an IRI")
        return value.value

    def check(self, shape) -> None:
        """Refuse a shape using a SHACL term this compiler does not read."""
        for quad in self.store.quads_for_pattern(shape, None, None):
            iri = quad.predicate.value
            if iri.startswith(SH) and iri[len(SH) :] not in _KNOWN:
                raise UnsupportedShape(
                    f"sh:{iri[len(SH) :]} (on shape {_name(shape)}) is not compiled to SPARQL",
                    feature=f"sh:{iri[len(SH) :]}",
                )
        if not self.is_property(shape):
            # the qualified counts are parameters of a component whose mandatory one is
            # sh:qualifiedValueShape: without it they constrain nothing (core/node/qualified-001)
            inert = set() if self.objects(shape, "qualifiedValueShape") else _QUALIFIED
            for name in sorted(_PROPERTY_ONLY - inert):
                if self.objects(shape, name):
                    raise UnsupportedShape(
                        f"sh:{name} on node shape {_name(shape)}: it needs a sh:path",
                        feature=f"sh:{name}",
                    )

    # -- shapes and targets -------------------------------------------------------------
    def targeted(self) -> list:
        """Every shape with a target, explicit or implicit, in a stable order."""
        shapes = set()
        for name in _TARGETS:
            shapes |= {q.subject for q in self.store.quads_for_pattern(None, _sh(name), None)}
        if self.objects(None, "target"):
            raise UnsupportedShape("sh:target (SPARQL-based targets) is not compiled to SPARQL")
        rdf_type = ox.NamedNode(RDF + "type")
        for kind in ("NodeShape", "PropertyShape"):
            for quad in self.store.quads_for_pattern(None, rdf_type, _sh(kind)):
                if self.is_class(quad.subject):
                    shapes.add(quad.subject)
        return sorted(shapes, key=str)

    def is_class(self, node) -> bool:
        """A SHACL instance of rdfs:Class in the shapes graph (owl:Class counts too)."""
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            return False
        query = f"ASK {{ ?n {_TYPE_PATH} ?c FILTER (?c IN (<{RDFS}Class>, <{OWL}Class>)) }}"
        return bool(self.store.query(query, substitutions={ox.Variable("n"): node}))

    def focus(self, shape) -> Callable[[str], str]:
        """A SPARQL pattern binding the given variable to each focus node of ``shape``."""
        parts = []
        for c in self.objects(shape, "targetClass"):
            parts.append(lambda v, c=c: f"{v} {_TYPE_PATH} {_constant(c, 'sh:targetClass')} .")
        if self.is_class(shape):
            parts.append(lambda v: f"{v} {_TYPE_PATH} {_constant(shape, 'a class target')} .")
        for p in self.objects(shape, "targetSubjectsOf"):
            parts.append(lambda v, p=p: f"{v} {_constant(p, 'sh:targetSubjectsOf')} [] .")
        for p in self.objects(shape, "targetObjectsOf"):
            parts.append(lambda v, p=p: f"[] {_constant(p, 'sh:targetObjectsOf')} {v} .")
        nodes = [_constant(n, "sh:targetNode") for n in self.objects(shape, "targetNode")]
        if nodes:
            parts.append(lambda v: f"VALUES {v} {{ {' '.join(nodes)} }}")

        def pattern(v: str) -> str:
            union = " UNION ".join("{ " + part(v) + " }" for part in parts)
            return f"{{ SELECT DISTINCT {v} WHERE {{ {union} }} }}"

        return pattern

    # -- paths ---------------------------------------------------------------------------
    def path(self, node) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(node, ox.NamedNode):
            return str(node)
        if isinstance(node, ox.Literal):
            raise UnsupportedShape(f"a literal ({node}) is not a SHACL path")
        if self.is_list(node):  # a sequence, whatever else the node says
            members = self.items(node)
            if len(members) < 2:
                raise UnsupportedShape("a sequence path needs at least two members")
            return "(" + "/".join(self.path(p) for p in members) + ")"
        kinds = [
            (name, values)
            for name in (
                "inversePath",
                "alternativePath",
                "zeroOrMorePath",
                "oneOrMorePath",
                "zeroOrOnePath",
            )
            if (values := self.objects(node, name))
        ]
        if len(kinds) != 1 or len(kinds[0][1]) != 1:
            raise UnsupportedShape(f"{_name(node)} is not a well-formed SHACL path")
        name, (inner,) = kinds[0]
        if name == "inversePath":
            return f"^({self.path(inner)})"
        if name == "alternativePath":
            return "(" + "|".join(self.path(p) for p in self.items(inner)) + ")"
        mark = {"zeroOrMorePath": "*", "oneOrMorePath": "+", "zeroOrOnePath": "?"}[name]
        return f"({self.path(inner)}){mark}"

    def path_triples(self, node) -> tuple:
        """The shapes-graph triples that describe a path node (for the report)."""
        found, todo, seen = [], [node], set()
        while todo:
            subject = todo.pop()
            if not isinstance(subject, ox.BlankNode) or subject in seen:
                continue
            seen.add(subject)
            for quad in self.store.quads_for_pattern(subject, None, None):
                found.append(ox.Triple(quad.subject, quad.predicate, quad.object))
                todo.append(quad.object)
        return tuple(found)

    # -- tests on one node ---------------------------------------------------------------
    def value_test(self, shape, name: str, value, v: str) -> str:
        """A SPARQL expression: the node in ``v`` satisfies constraint ``name`` = ``value``."""
        if name == "datatype":
            dt = _constant(value, "sh:datatype")
            test = f"isLiteral({v}) && datatype({v}) = {dt}"
            if value.value in _CASTABLE:  # well-typed: the lexical form casts to the type
                test += f" && isLiteral({dt}(STR({v})))"
            elif value.value in _INTEGER_BOUNDS:
                low, high = _INTEGER_BOUNDS[value.value]
                number = f"<{XSD}integer>(STR({v}))"
                test += f" && isLiteral({number})"
                test += f" && {number} >= {low}" if low is not None else ""
                test += f" && {number} <= {high}" if high is not None else ""
            return f"COALESCE({test}, false)"
        if name == "class":
            return f"EXISTS {{ {v} {_TYPE_PATH} {_constant(value, 'sh:class')} }}"
        if name == "nodeKind":
            kind = value.value[len(SH) :] if isinstance(value, ox.NamedNode) else ""
            if not value.value.startswith(SH) or kind not in _NODE_KINDS:
                raise UnsupportedShape(f"sh:nodeKind {_name(value)} is not a node kind")
            return _NODE_KINDS[kind].format(v=v)
        if name in _RANGES:
            if not isinstance(value, ox.Literal):
                raise UnsupportedShape(f"sh:{name} needs a literal, not {_name(value)}")
            return f"COALESCE(isLiteral({v}) && {v} {_RANGES[name]} {value}, false)"
        if name in ("minLength", "maxLength"):
            op = ">=" if name == "minLength" else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {_count(value, 'sh:' + name)})"
        if name == "pattern":
            flags = self.objects(shape, "flags")
            extra = f", {_constant(flags[0], 'sh:flags')}" if flags else ""
            if len(flags) > 1:
                raise UnsupportedShape(f"{_name(shape)} has several sh:flags")
            pattern = _constant(value, "sh:pattern")
            return f"COALESCE(!isBlank({v}) && REGEX(STR({v}), {pattern}{extra}), false)"
        if name == "languageIn":
            tags = self.items(value)
            matches = [f"LANGMATCHES(LANG({v}), {_constant(t, 'sh:languageIn')})" for t in tags]
            return f"COALESCE(isLiteral({v}) && ({' || '.join(matches) or 'false'}), false)"
        if name == "in":
            terms = [f"sameTerm({v}, {_constant(t, 'sh:in')})" for t in self.items(value)]
            return "(" + (" || ".join(terms) or "false") + ")"
        if name == "hasValue":
            return f"sameTerm({v}, {_constant(value, 'sh:hasValue')})"
        if name == "node":
            return self.conforms(value, v)
        if name == "not":
            return f"(!{self.conforms(value, v)})"
        members = [self.conforms(s, v) for s in self.items(value)]
        if name == "and":
            return "(" + (" && ".join(members) or "true") + ")"
        if name == "or":
            return "(" + (" || ".join(members) or "false") + ")"
        # xone: exactly one member conforms
        return "((" + (" + ".join(f"IF({m}, 1, 0)" for m in members) or "0") + ") = 1)"

    def value_tests(self, shape, v: str) -> list[str]:
        """Every test of ``shape`` on each of its value nodes (in ``v``)."""
        tests = []
        for name in _VALUE_COMPONENTS:
            if name == "hasValue" and self.is_property(shape):
                continue  # of the value set, not of each value
            tests += [self.value_test(shape, name, value, v) for value in self.objects(shape, name)]
        if self.is_property(shape):
            tests += [self.conforms(p, v) for p in self.objects(shape, "property")]
        return tests

    def conforms(self, shape, v: str) -> str:
        """A SPARQL expression: the node in ``v`` conforms to every constraint of ``shape``."""
        if shape in self.stack:
            raise UnsupportedShape(f"shape {_name(shape)} refers to itself (recursive shapes)")
        if self.deactivated(shape):
            return "true"
        self.check(shape)
        if self.objects(shape, "sparql") or self.custom(shape):
            raise UnsupportedShape(
                f"a SPARQL-based constraint in shape {_name(shape)}, which is nested in "
                "another constraint, is not compiled to SPARQL"
            )
        self.stack.append(shape)
        try:
            if self.is_property(shape):
                tests = self.property_tests(shape, v)
            else:
                tests = self.value_tests(shape, v)
                tests += [self.conforms(p, v) for p in self.objects(shape, "property")]
                tests += self.node_pair_tests(shape, v)
                tests += self.closed_tests(shape, v)
        finally:
            self.stack.pop()
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def distinct_values(self, v: str, path: str, n: int, test: str | None = None) -> str:
        """A pattern: ``n`` distinct values of ``v`` on ``path`` (each passing ``test``)."""
        names = [self.fresh() for _ in range(n)]
        parts = [f"{v} {path} {x} ." for x in names]
        if test:
            parts += [f"FILTER ({test.replace('?_VALUE_', x)})" for x in names]
        parts += [f"FILTER (!sameTerm({a}, {b}))" for a, b in itertools.combinations(names, 2)]
        return " ".join(parts)

    def nested_count(self, count, what: str) -> int:
        n = _count(count, what)
        if n > _MAX_NESTED_COUNT:
            raise UnsupportedShape(
                f"{what} {n} inside a nested shape (at most {_MAX_NESTED_COUNT} is compiled)"
            )
        return n

    def property_tests(self, shape, v: str) -> list[str]:
        """Tests of a property shape on a focus node in ``v`` (a nested property shape)."""
        path = self.path(self.objects(shape, "path")[0])
        tests = []
        y = self.fresh()
        each = self.value_tests(shape, y)
        if each:
            tests.append(f"NOT EXISTS {{ {v} {path} {y} FILTER (!({' && '.join(each)})) }}")
        for count in self.objects(shape, "minCount"):
            n = self.nested_count(count, "sh:minCount")
            if n:
                tests.append(f"EXISTS {{ {self.distinct_values(v, path, n)} }}")
        for count in self.objects(shape, "maxCount"):
            n = self.nested_count(count, "sh:maxCount") + 1
            tests.append(f"NOT EXISTS {{ {self.distinct_values(v, path, n)} }}")
        for value in self.objects(shape, "hasValue"):
            tests.append(f"EXISTS {{ {v} {path} {_constant(value, 'sh:hasValue')} }}")
        for pattern in self.pair_patterns(shape, v, path):
            tests.append(f"NOT EXISTS {{ {pattern} }}")
        if any(_truth(u) for u in self.objects(shape, "uniqueLang")):
            a, b = self.fresh(), self.fresh()
            tests.append(
                f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} FILTER (!sameTerm({a}, {b}) "
                f'&& LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}'
            )
        for qualified, low, high in self.qualified(shape):
            test = self.qualified_test(shape, qualified, "?_VALUE_")
            if low:
                tests.append(f"EXISTS {{ {self.distinct_values(v, path, low, test)} }}")
            if high is not None:
                pattern = self.distinct_values(v, path, high + 1, test)
                tests.append(f"NOT EXISTS {{ {pattern} }}")
        for name in ("closed", "ignoredProperties"):
            if self.objects(shape, name):
                raise UnsupportedShape(f"sh:{name} on property shape {_name(shape)}")
        return tests

    def pair_patterns(self, shape, v: str, path: str | None) -> list[str]:
        """Patterns matching each violation of sh:equals/disjoint/lessThan[OrEquals], with
        the offending value in ``?_VALUE_``-free fresh variables (for nested tests)."""
        patterns = []
        for _component_name, pattern in self.pair_queries(shape, v, path, self.fresh()):
            patterns.append(pattern)
        return patterns

    def pair_queries(self, shape, v: str, path: str | None, x: str) -> list[tuple[str, str]]:
        """(component, pattern binding ``x`` to each offending value) for sh:equals,
        sh:disjoint, sh:lessThan and sh:lessThanOrEquals; ``path`` None for a node shape."""
        own = f"{v} {path} {x} ." if path else f"BIND ({v} AS {x})"
        found = []
        for other in self.objects(shape, "equals"):
            q = _constant(other, "sh:equals")
            if path:
                found.append(("equals", f"{own} FILTER NOT EXISTS {{ {v} {q} {x} }}"))
                found.append(("equals", f"{v} {q} {x} FILTER NOT EXISTS {{ {own} }}"))
            else:
                found.append(("equals", f"FILTER NOT EXISTS {{ {v} {q} {v} }} {own}"))
                found.append(("equals", f"{v} {q} {x} FILTER (!sameTerm({x}, {v}))"))
        for other in self.objects(shape, "disjoint"):
            found.append(("disjoint", f"{own} {v} {_constant(other, 'sh:disjoint')} {x} ."))
        for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for other in self.objects(shape, name):
                z = self.fresh()
                found.append(
                    (
                        name,
                        f"{own} {v} {_constant(other, 'sh:' + name)} {z} "
                        f"FILTER (!COALESCE({x} {op} {z}, false))",
                    )
                )
        return found

    def node_pair_tests(self, shape, v: str) -> list[str]:
        return [
            f"NOT EXISTS {{ {p} }}" for _n, p in self.pair_queries(shape, v, None, self.fresh())
        ]

    def closed_tests(self, shape, v: str) -> list[str]:
        pattern = self.closed_pattern(shape, v, self.fresh(), self.fresh())
        return [f"NOT EXISTS {{ {pattern} }}"] if pattern else []

    def closed_pattern(self, shape, v: str, p: str, o: str) -> str | None:
        """A pattern binding ``p``/``o`` to each triple of ``v`` a closed shape forbids."""
        closed = self.objects(shape, "closed")
        if not any(_truth(c) for c in closed):
            if self.objects(shape, "ignoredProperties") and not closed:
                raise UnsupportedShape(f"sh:ignoredProperties without sh:closed on {_name(shape)}")
            return None
        allowed = []
        for prop in self.objects(shape, "property"):
            for path in self.objects(prop, "path"):
                if isinstance(path, ox.NamedNode):
                    allowed.append(str(path))
        for head in self.objects(shape, "ignoredProperties"):
            allowed += [_constant(t, "sh:ignoredProperties") for t in self.items(head)]
        test = f"FILTER ({p} NOT IN ({', '.join(allowed)}))" if allowed else ""
        return f"{v} {p} {o} . {test}"

    def qualified(self, shape) -> list[tuple]:
        """(qualified shape, min or 0, max or None) of a property shape."""
        shapes = self.objects(shape, "qualifiedValueShape")
        lows = self.objects(shape, "qualifiedMinCount")
        highs = self.objects(shape, "qualifiedMaxCount")
        if not shapes:  # the component's mandatory parameter: without it, inactive
            return []
        if len(shapes) > 1 or len(lows) > 1 or len(highs) > 1:
            raise UnsupportedShape(f"{_name(shape)} has several qualified value shapes")
        low = _count(lows[0], "sh:qualifiedMinCount") if lows else 0
        high = _count(highs[0], "sh:qualifiedMaxCount") if highs else None
        return [(shapes[0], low, high)]

    def qualified_test(self, shape, qualified, v: str) -> str:
        """The node in ``v`` counts for the qualified value shape of ``shape``: it conforms
        to it and, with sh:qualifiedValueShapesDisjoint, to no sibling's."""
        test = self.conforms(qualified, v)
        if any(_truth(d) for d in self.objects(shape, "qualifiedValueShapesDisjoint")):
            parents = [
                q.subject for q in self.store.quads_for_pattern(None, _sh("property"), shape)
            ]
            siblings = {
                sibling
                for parent in parents
                for prop in self.objects(parent, "property")
                if prop != shape
                for sibling in self.objects(prop, "qualifiedValueShape")
            }
            for sibling in sorted(siblings, key=str):
                test += f" && !{self.conforms(sibling, v)}"
        return f"({test})"

    # -- SPARQL-based constraint components ----------------------------------------------
    def _components(self) -> list:
        """(component, [(parameter path, local name, optional)]) of each declared one."""
        found = []
        for quad in self.store.quads_for_pattern(None, _sh("parameter"), None):
            if any(c == quad.subject for c, _ in found):
                continue
            params = []
            for param in self.objects(quad.subject, "parameter"):
                path = self.one(param, "path")
                if not isinstance(path, ox.NamedNode):
                    raise UnsupportedShape(
                        f"a parameter of {_name(quad.subject)} needs an IRI path"
                    )
                local = path.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                optional = any(_truth(o) for o in self.objects(param, "optional"))
                params.append((path, local, optional))
            if any(p.value.startswith(SH) for p, _l, _o in params):
                continue  # SHACL's own components, declared in the SHACL vocabulary
            found.append((quad.subject, params))
        return found

    def custom(self, shape) -> list:
        """(component, {local name: value}) for each SPARQL-based component ``shape`` uses,
        one entry per combination of parameter values."""
        used = []
        for component, params in self.components:
            values = {}
            for path, local, optional in params:
                found = [q.object for q in self.store.quads_for_pattern(shape, path, None)]
                if not found and not optional:
                    break
                values[local] = found
            else:
                if not any(values.values()):
                    continue
                names = [n for n in values if values[n]]
                for combo in itertools.product(*(values[n] for n in names)):
                    used.append((component, dict(zip(names, combo, strict=True))))
        return used

    def prologue(self, holder) -> str:
        """PREFIX lines for the declarations of ``holder``'s ``sh:prefixes`` (and of the
        ontologies those import, through owl:imports inside the shapes graph only)."""
        lines, seen = {}, set()
        todo = list(self.objects(holder, "prefixes"))
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo += self.objects(node, OWL + "imports")
            for declaration in self.objects(node, "declare"):
                prefix, namespace = (
                    self.one(declaration, "prefix"),
                    self.one(declaration, "namespace"),
                )
                if prefix is None or namespace is None:
                    raise UnsupportedShape(
                        f"a sh:declare of {_name(node)} lacks a prefix or namespace"
                    )
                if lines.get(prefix.value, namespace.value) != namespace.value:
                    raise UnsupportedShape(f"prefix {prefix.value}: is declared twice, differently")
                lines[prefix.value] = namespace.value
        return "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(lines.items()))


# -- SHACL-SPARQL queries -------------------------------------------------------------------
class _Query(NamedTuple):
    """A SPARQL-based constraint's query, checked and ready to run."""

    text: str  # with $PATH and the parameters substituted
    joinable: bool  # the focus nodes may be joined at its top group, run once for all
    where: int  # offset just after the top group's opening brace
    ask: bool


def _analyse(
    text: str, what: str, *, path: str | None = None, constants: dict[str, str] | None = None
) -> _Query:
    """Check a SHACL-SPARQL query against the spec's restrictions, put ``path`` in for
    ``$PATH`` and ``constants`` in for parameter variables, and decide whether joining the
    focus nodes gives what pre-binding ``$this`` would."""
    from l2graph.sparql_lexer import Token, tokens

    constants = constants or {}
    parts: list[str] = []
    depth = 0
    openers: list[str] = []  # the keyword that opened each brace
    previous = ""  # the last significant token, upper-cased
    expression: tuple[int, bool] | None = None  # (nesting at its start, safe)
    nesting = 0  # parentheses and braces
    selects = 0
    joinable = True
    where = -1
    form = None
    out_offset = 0
    for token in tokens(text):
        if not isinstance(token, Token):
            raise UnsupportedShape(f"{what}: the SPARQL query is not readable where it stops")
        kind, word = token.kind, token.text
        upper = word.upper() if kind in ("word", "punct") else ""
        if upper in ("MINUS", "VALUES", "SERVICE"):
            raise UnsupportedShape(f"{what}: SHACL-SPARQL forbids {upper} in a constraint")
        if upper in ("SELECT", "ASK"):
            form = form or upper
            selects += upper == "SELECT"
            if selects > 1:
                joinable = False  # a sub-select: checked below, run per focus node
        if upper in ("GROUP", "HAVING", "LIMIT", "OFFSET", "ORDER"):
            joinable = False
        if upper in ("FILTER", "BIND") and expression is None:
            # joining $this at the top group is what pre-binding gives only where the
            # expression is evaluated with the top group's (or its OPTIONAL's) solutions
            safe = depth == 1 or (upper == "FILTER" and depth == 2 and openers[1] == "OPTIONAL")
            expression = (nesting, safe)
        if upper in ("(", "{"):
            nesting += 1
        if upper == "{":
            openers.append(previous if previous in ("OPTIONAL", "EXISTS", "GRAPH") else "")
            depth += 1
            if depth == 1 and where < 0:
                where = out_offset + 1
        if upper in (")", "}"):
            nesting -= 1
            if upper == "}":
                depth -= 1
                openers.pop()
            if expression is not None and nesting == expression[0]:
                expression = None
        if kind == "var":
            name = word[1:]
            if previous == "AS" and name in _PRE_BOUND:
                raise UnsupportedShape(f"{what}: SHACL-SPARQL forbids AS {word} (pre-bound)")
            if name == "PATH":
                if path is None:
                    raise UnsupportedShape(f"{what}: $PATH is only allowed on a property shape")
                word = path
            elif name in constants:
                word = constants[name]
            elif name == "shapesGraph":
                raise UnsupportedShape(
                    f"{what}: $shapesGraph is not supported (the shapes are not in the data's "
                    "dataset)"
                )
            elif name in ("this", "value") and expression is not None and not expression[1]:
                joinable = False
        if kind not in ("space", "comment"):
            previous = upper or word
        parts.append(word)
        out_offset += len(word)
    if form is None:
        raise UnsupportedShape(f"{what}: a SELECT or ASK query is required")
    if selects > 1:
        _check_subselects(text, what)
    if where < 0:
        raise UnsupportedShape(f"{what}: the query has no WHERE group")
    return _Query("".join(parts), joinable, where, form == "ASK")


def _with_projected(text: str, names: set[str]) -> tuple[str, set[str]]:
    """The query with each pre-bound variable of ``names`` it uses in its projection (where
    Oxigraph's substitution requires it; a constant column changes no solution), an ASK
    turned into the SELECT of its solutions; and the names it uses."""
    from l2graph.sparql_lexer import Token, tokens

    found = [t for t in tokens(text) if isinstance(t, Token)]
    used = {t.text[1:] for t in found if t.kind == "var"} & names
    significant = [t for t in found if t.kind not in ("space", "comment")]
    for i, token in enumerate(significant):
        upper = token.text.upper() if token.kind == "word" else ""
        if upper == "ASK":
            end = token.start + len(token.text)
            return text[: token.start] + "SELECT * " + text[end:] + " LIMIT 1", used
        if upper == "SELECT":
            j = i + 1
            if significant[j].text.upper() in ("DISTINCT", "REDUCED"):
                j += 1
            if significant[j].text == "*":
                return text, used
            projected = set()
            for t in significant[j:]:
                if t.text == "{" or t.text.upper() == "WHERE":
                    break
                if t.kind == "var":
                    projected.add(t.text[1:])
            missing = sorted(used - projected)
            at = significant[j].start
            extra = "".join(f"?{n} " for n in missing)
            return text[:at] + extra + text[at:], used
    return text, used


def _substitute(text: str, terms: dict[str, object]) -> str:
    """Pre-binding by substitution (SHACL 5.6): each pre-bound variable is replaced by its
    constant, ``bound(v)`` by true, and a projected one by ``(constant AS v)``."""
    from l2graph.sparql_lexer import Token, tokens

    found = [t for t in tokens(text) if isinstance(t, Token)]
    out: list[str] = []
    projecting = grouping = False
    selects = 0
    skip = 0
    for i, token in enumerate(found):
        if skip:
            skip -= 1
            continue
        upper = token.text.upper() if token.kind in ("word", "punct") else ""
        if upper == "GROUP":
            grouping = True
        elif upper in ("HAVING", "ORDER", "LIMIT", "OFFSET", "}"):
            grouping = False
        if upper == "SELECT":
            projecting = True
            selects += 1
        elif upper in ("WHERE", "{"):
            projecting = False
        if token.kind == "var" and token.text[1:] in terms:
            constant = str(terms[token.text[1:]])
            rest = [t for t in found[i + 1 :] if t.kind not in ("space", "comment")][:1]
            before = [t for t in out if t.strip()][-2:]
            if len(before) == 2 and before[0].upper() == "BOUND" and before[1] == "(" and rest:
                while out and out[-1].strip().upper() != "BOUND":
                    out.pop()
                out.pop()
                out.append("(true)")
                skip = found.index(rest[0], i) - i
                continue
            if grouping:  # grouping by a constant is no grouping
                continue
            if projecting:  # the top projection names it; a sub-select's under a fresh
                # name (its own is no longer bound inside; a projection may not be empty)
                name = token.text[1:] if selects == 1 else f"_{token.text[1:]}{selects}"
                out.append(f"({constant} AS ?{name})")
            else:
                out.append(constant)
            continue
        out.append(token.text)
    return re.sub(r"(?i)GROUP\s+BY\s*(?=HAVING|ORDER|LIMIT|OFFSET|\}|$)", " ", "".join(out))


def _check_subselects(text: str, what: str) -> None:
    """A sub-select must return ``$this`` (SHACL-SPARQL's rule for pre-bound variables)."""
    from l2graph.sparql_lexer import Token, tokens

    words = [t for t in tokens(text) if isinstance(t, Token) and t.kind not in ("space", "comment")]
    selects = [i for i, t in enumerate(words) if t.kind == "word" and t.text.upper() == "SELECT"]
    for start in selects[1:]:
        projected = []
        for t in words[start + 1 :]:
            if t.text == "{" or (t.kind == "word" and t.text.upper() == "WHERE"):
                break
            projected.append(t.text)
        if not {"$this", "?this"} & set(projected):  # SELECT * too: $this may be out of scope
            raise UnsupportedShape(f"{what}: a sub-select must return $this (by name)")


# -- the checks ---------------------------------------------------------------------------
class _Check(NamedTuple):
    """One query and how its rows become results."""

    query: str
    shape: object
    component: str
    path: object  # the shape's sh:path node, or None
    value: str | None  # the variable holding sh:value ("this" for node shapes)
    # for a shape nested in a property shape, a pattern binding each focus node and how many
    # times it is one (once per parent focus node whose value it is: each is validated)
    weight: Callable[[str, str], str] | None = None


class _Plan:
    """Every query to run for a shapes graph, compiled once."""

    def __init__(self, shapes: _Shapes) -> None:
        self.shapes = shapes
        self.checks: list[_Check] = []
        self.sparql: list[
            tuple
        ] = []  # (shape, focus, path node, holder, query, component, constants, message holders)
        self.weight = None  # of the shape being compiled (see _Check.weight)
        for shape in shapes.targeted():
            self.shape(shape, shapes.focus(shape))

    def add(self, check: _Check) -> None:
        self.checks.append(check._replace(weight=self.weight))

    def shape(self, shape, focus: Callable[[str], str], weight=None) -> None:
        """Compile the checks of ``shape`` on the focus nodes ``focus`` gives (each as many
        times as ``weight`` says, if given)."""
        s = self.shapes
        if s.deactivated(shape):
            return
        if shape in s.stack:
            raise UnsupportedShape(f"shape {_name(shape)} refers to itself (recursive shapes)")
        outer = self.weight
        s.stack.append(shape)
        self.weight = weight
        try:
            s.check(shape)
            if s.is_property(shape):
                self.property_shape(shape, focus)
            else:
                self.node_shape(shape, focus)
        except UnsupportedShape as exc:
            exc.shape = exc.shape if exc.shape is not None else shape
            raise
        finally:
            s.stack.pop()
            self.weight = outer

    def node_shape(self, shape, focus) -> None:
        s = self.shapes
        target = focus("?this")
        for name in _VALUE_COMPONENTS:
            for value in s.objects(shape, name):
                test = s.value_test(shape, name, value, "?this")
                query = f"SELECT DISTINCT ?this WHERE {{ {target} FILTER (!{test}) }}"
                value_of = None if name == "hasValue" else "this"  # the spec gives none
                self.add(_Check(query, shape, _component(name), None, value_of))
        for name, pattern in s.pair_queries(shape, "?this", None, "?value"):
            query = f"SELECT DISTINCT * WHERE {{ {target} {pattern} }}"
            self.add(_Check(query, shape, _component(name), None, "value"))
        closed = s.closed_pattern(shape, "?this", "?path", "?value")
        if closed:
            query = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {target} {closed} }}"
            self.add(_Check(query, shape, _component("closed"), None, "value"))
        for prop in s.objects(shape, "property"):
            self.shape(prop, focus, self.weight)
        self.sparql_constraints(shape, focus, None)

    def property_shape(self, shape, focus) -> None:
        s = self.shapes
        paths = s.objects(shape, "path")
        if len(paths) != 1:
            raise UnsupportedShape(f"property shape {_name(shape)} has {len(paths)} sh:path values")
        node = paths[0]
        path = s.path(node)
        target = focus("?this")
        values = f"{target} ?this {path} ?value ."
        add = self.add
        # A count of 1 on a property, the usual case, is checked without counting: a probe for
        # a value, a join for a second one (each half the time of grouping every focus node's
        # values). Not on other paths: Oxigraph evaluates a path in a probe over the whole
        # graph.
        simple = isinstance(node, ox.NamedNode)
        for count in s.objects(shape, "minCount"):
            n = _count(count, "sh:minCount")
            if n == 0:
                continue
            if simple and n == 1:
                query = (
                    f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} ?value }} }}"
                )
            else:
                query = (
                    f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?value }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})"
                )
            add(_Check(query, shape, _component("minCount"), node, None))
        for count in s.objects(shape, "maxCount"):
            n = _count(count, "sh:maxCount")
            if simple and n == 1:  # two values not the same term (DISTINCT's test)
                query = (
                    f"SELECT DISTINCT ?this WHERE {{ {values} ?this {path} ?other "
                    "FILTER (!sameTerm(?value, ?other)) }"
                )
            elif n == 0:
                query = f"SELECT DISTINCT ?this WHERE {{ {values} }}"
            else:
                query = (
                    f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this "
                    f"HAVING (COUNT(DISTINCT ?value) > {n})"
                )
            add(_Check(query, shape, _component("maxCount"), node, None))
        if any(_truth(flag) for flag in s.objects(shape, "uniqueLang")):
            query = (
                f"SELECT DISTINCT ?this (LCASE(LANG(?value)) AS ?tag) WHERE {{ {values} "
                f"?this {path} ?other . FILTER (!sameTerm(?value, ?other) && "
                f'LANG(?value) != "" && LCASE(LANG(?value)) = LCASE(LANG(?other))) }}'
            )
            add(_Check(query, shape, _component("uniqueLang"), node, None))
        for value in s.objects(shape, "hasValue"):
            constant = _constant(value, "sh:hasValue")
            query = (
                f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} {constant} }} }}"
            )
            add(_Check(query, shape, _component("hasValue"), node, None))
        for name in _VALUE_COMPONENTS:
            if name == "hasValue":
                continue
            for value in s.objects(shape, name):
                test = s.value_test(shape, name, value, "?value")
                query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} FILTER (!{test}) }}"
                add(_Check(query, shape, _component(name), node, "value"))
        for name, pattern in s.pair_queries(shape, "?this", path, "?value"):
            # DISTINCT *: sh:lessThan[OrEquals] gives a result per pair of values
            query = f"SELECT DISTINCT * WHERE {{ {target} {pattern} }}"
            add(_Check(query, shape, _component(name), node, "value"))
        for qualified, low, high in s.qualified(shape):
            test = s.qualified_test(shape, qualified, "?value")
            counted = (
                f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?value "
                f"FILTER ({test}) }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) "
            )
            if low:
                add(
                    _Check(
                        counted + f"< {low})", shape, _component("qualifiedMinCount"), node, None
                    )
                )
            if high is not None:
                add(
                    _Check(
                        counted + f"> {high})", shape, _component("qualifiedMaxCount"), node, None
                    )
                )
        for name in ("closed", "ignoredProperties"):
            if s.objects(shape, name):
                raise UnsupportedShape(f"sh:{name} on property shape {_name(shape)}")

        def inner(v: str, focus=focus, path=path) -> str:
            f = s.fresh()
            return f"{{ SELECT DISTINCT {v} WHERE {{ {focus(f)} {f} {path} {v} }} }}"

        def inner_weight(v: str, n: str, focus=focus, weight=self.weight, path=path) -> str:
            # a value of two focus nodes is validated twice (core/property/property-001)
            f, m = s.fresh(), s.fresh()
            if weight is None:
                pairs = f"{focus(f)} {f} {path} {v} ."
                count = f"(COUNT(DISTINCT {f}) AS {n})"
                return f"{{ SELECT {v} {count} WHERE {{ {pairs} }} GROUP BY {v} }}"
            pairs = f"{{ SELECT DISTINCT {f} {v} {m} WHERE {{ {weight(f, m)} {f} {path} {v} }} }}"
            return f"{{ SELECT {v} (SUM({m}) AS {n}) WHERE {{ {pairs} }} GROUP BY {v} }}"

        for prop in s.objects(shape, "property"):
            self.shape(prop, inner, inner_weight)
        self.sparql_constraints(shape, focus, node)

    def sparql_constraints(self, shape, focus, path_node) -> None:
        """sh:sparql constraints and SPARQL-based components of ``shape``."""
        s = self.shapes
        path = s.path(path_node) if path_node is not None else None
        where = f"shape {_name(shape)}"
        for constraint in s.objects(shape, "sparql"):
            if s.deactivated(constraint):
                continue
            select = s.one(constraint, "select")
            if select is None or s.objects(constraint, "ask"):
                raise UnsupportedShape(f"{where}: a sh:sparql constraint needs one sh:select")
            query = _analyse(s.prologue(constraint) + select.value, where, path=path)
            if query.ask:
                raise UnsupportedShape(f"{where}: sh:select must hold a SELECT query")
            messages = [constraint, shape]
            self.sparql.append(
                (
                    shape,
                    focus,
                    path_node,
                    constraint,
                    query,
                    SH + "SPARQLConstraintComponent",
                    {},
                    messages,
                    self.weight,
                )
            )
        for component, values in s.custom(shape):
            validators = s.objects(
                component, "propertyValidator" if path_node is not None else "nodeValidator"
            )
            validators = validators or s.objects(component, "validator")
            if not validators:
                raise UnsupportedShape(
                    f"{where}: component {_name(component)} has no validator for this kind of shape"
                )
            validator = validators[0]
            body = s.one(validator, "select") or s.one(validator, "ask")
            if body is None:
                raise UnsupportedShape(f"{where}: validator of {_name(component)} has no query")
            constants = {n: _constant(v, f"parameter ${n}") for n, v in values.items()}
            query = _analyse(
                s.prologue(validator) + body.value, where, path=path, constants=constants
            )
            if not isinstance(component, ox.NamedNode):
                raise UnsupportedShape(f"{where}: a constraint component must be an IRI")
            messages = [validator, component, shape]
            self.sparql.append(
                (
                    shape,
                    focus,
                    path_node,
                    None,
                    query,
                    component.value,
                    values,
                    messages,
                    self.weight,
                )
            )


def _messages(shapes: _Shapes, holders: Iterable) -> str | None:
    for holder in holders:
        found = shapes.objects(holder, "message")
        if found:
            return found[0].value
    return None


def run(store: ox.Store, shapes_store, graph: str | None = None) -> list[Result]:
    """Validate ``store`` (its union graph, or its named ``graph``) against the shapes in
    ``shapes_store`` (a :class:`ShapesGraph`, or an ``ox.Store`` read as stored); every
    result in RDF terms.

    Raises:
        UnsupportedShape: a feature of the shapes that is not compiled, or a SHACL-SPARQL
            query that breaks the spec's rules or does not parse; from a :class:`ShapesGraph`,
            named by its file and line and the shape's IRI (or where a blank one hangs).
    """
    shapes = _Shapes(shapes_store)
    try:
        return _run(store, shapes, graph)
    except UnsupportedShape as exc:
        if not isinstance(shapes_store, ShapesGraph) or exc.located:
            raise
        raise _located(exc, shapes_store) from None


def _located(exc: UnsupportedShape, graph: ShapesGraph) -> UnsupportedShape:
    """The refusal with the file and line of its shape in front, the shape named."""
    message = str(exc)
    feature = exc.feature or next(iter(re.findall(r"sh:[A-Za-z]+|\$[A-Za-z]+", message)), None)
    if exc.shape is None:
        return exc
    described = graph.describe(exc.shape)
    if isinstance(exc.shape, ox.BlankNode):
        message = message.replace(str(exc.shape), described)
    if described not in message:
        message += f" (shape {described})"
    where = graph.place(exc.shape, feature if feature and feature.startswith("sh:") else None)
    located = UnsupportedShape(f"{where}: {message}" if where else message, feature=feature)
    located.shape, located.located = exc.shape, bool(where)
    return located


def _weights(store: ox.Store, weight, scope: dict, cache: dict) -> dict:
    """How many times each focus node of a nested shape is validated (see _Check.weight)."""
    if weight not in cache:
        query = f"SELECT ?this ?n WHERE {{ {weight('?this', '?n')} }}"
        cache[weight] = {
            row["this"]: int(row["n"].value) for row in list(store.query(query, **scope))
        }
    return cache[weight]


def _run(store: ox.Store, shapes: _Shapes, graph: str | None) -> list[Result]:
    from l2graph.engine import dataset

    plan = _Plan(shapes)
    scope = dataset(graph or None)
    found: list[Result] = []
    message_of: dict = {}
    weights: dict = {}
    for check in plan.checks:
        shape = check.shape
        if shape not in message_of:
            message_of[shape] = (_messages(shapes, [shape]), shapes.severity(shape))
        message, severity = message_of[shape]
        # the solutions are read whole here: an iterator kept alive by an exception's
        # traceback would be dropped on another thread, which pyoxigraph does not allow
        rows = list(store.query(check.query, **scope))
        times = _weights(store, check.weight, scope, weights) if rows and check.weight else {}
        for row in rows:
            focus = row["this"]
            value = row[check.value] if check.value else None
            path = check.path
            if check.component == _component("closed"):
                path = row["path"]
            result = Result(focus, path, value, shape, check.component, severity, None, message)
            found += [result] * times.get(focus, 1)
    for item in plan.sparql:
        try:
            more = _run_sparql(store, shapes, scope, *item)
        except UnsupportedShape as exc:
            exc.shape = exc.shape if exc.shape is not None else item[0]
            raise
        weight = item[-1]
        times = _weights(store, weight, scope, weights) if more and weight else {}
        found += [r for r in more for _ in range(times.get(r.focus, 1))]
    return found


def _run_sparql(
    store, shapes: _Shapes, scope, shape, focus, path_node, constraint, query: _Query,
    component: str, parameters: dict, holders: list, weight=None,
) -> list[Result]:  # fmt: skip
    """Results of one SPARQL-based constraint, ``$this`` pre-bound (see the module's doc)."""
    severity = shapes.severity(shape)
    template = _messages(shapes, holders)
    where = f"shape {_name(shape)}"
    this, current = ox.Variable("this"), ox.Variable("currentShape")
    text = query.text
    substitutions: dict = {current: shape}
    focus_nodes = [
        row["this"] for row in store.query(f"SELECT ?this WHERE {{ {focus('?this')} }}", **scope)
    ]
    rows: list[tuple] = []  # (focus, value, solution)

    def attempt(run_query):
        try:
            return run_query()
        except SyntaxError as exc:
            raise UnsupportedShape(f"{where}: the SPARQL query does not parse: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise UnsupportedShape(f"{where}: the SPARQL query fails: {exc}") from None

    projected, used = _with_projected(text, {"this", "currentShape", "value"})

    def solutions(node_subs: dict) -> list:
        given = {k: v for k, v in {**substitutions, **node_subs}.items() if k.value in used}
        constants = {k.value: v for k, v in given.items() if not isinstance(v, ox.BlankNode)}
        blanks = {k: v for k, v in given.items() if isinstance(v, ox.BlankNode)}
        if blanks and not query.joinable:
            # a blank node has no text to substitute, and Oxigraph's substitution binds
            # it only where a join would: refuse rather than answer differently
            raise UnsupportedShape(
                f"{where}: pre-binding a blank node where the query reads it in a nested "
                "filter or sub-select is not supported"
            )
        text_now = _substitute(projected, constants) if constants else projected
        result = list(store.query(text_now, substitutions=blanks, **scope))
        return [bool(result)] if query.ask else result

    if path_node is not None:  # each value node, for ASK validators and ?value defaults
        path = shapes.path(path_node)
    if query.ask:
        if path_node is None:
            pairs = [(n, n) for n in focus_nodes]
        else:
            pairs = [
                (row["this"], row["value"])
                for row in store.query(
                    f"SELECT ?this ?value WHERE {{ {focus('?this')} ?this {path} ?value }}", **scope
                )
            ]
        for node, value in pairs:
            bindings = {this: node, ox.Variable("value"): value}
            answer = attempt(lambda bindings=bindings: solutions(bindings))
            if not answer[0]:
                rows.append((node, value, None))
    elif query.joinable and not isinstance(shape, ox.BlankNode):
        joined = text[: query.where] + f" {focus('?this')} " + text[query.where :]
        joined = joined.replace("$currentShape", str(shape)).replace("?currentShape", str(shape))
        result = attempt(lambda: list(store.query(joined, **scope)))
        rows = [(row["this"], None, row) for row in result]
    else:
        for node in focus_nodes:
            for row in attempt(lambda node=node: solutions({this: node})):
                rows.append((node, None, row))
    found = []
    for node, value, row in rows:
        bound = {}
        if row is not None:
            for name in ("value", "path", "failure", "message"):
                try:
                    term = row[name]
                except (KeyError, IndexError, TypeError):
                    term = None
                if term is not None:
                    bound[name] = term
        if _truth(bound.get("failure")):
            raise UnsupportedShape(f"{where}: the SPARQL constraint reports a failure")
        if "value" in bound:
            value = bound["value"]
        elif value is None and path_node is None:
            value = node
        path = bound.get("path") if isinstance(bound.get("path"), ox.NamedNode) else path_node
        message = bound["message"].value if "message" in bound else template
        if message:
            fill = {"this": node, **({"value": value} if value is not None else {})}
            fill.update({n: v for n, v in parameters.items()})
            message = _fill(message, fill, row)
        found.append(Result(node, path, value, shape, component, severity, constraint, message))
    return found


def _fill(message: str, bound: dict, row=None) -> str:
    """Put a result's values into its message's ``{?name}`` / ``{$name}`` slots."""
    import re

    def slot(match: re.Match) -> str:
        name = match[1]
        term = bound.get(name)
        if term is None and row is not None:
            try:
                term = row[name]
            except (KeyError, IndexError, TypeError):
                term = None
        return match[0] if term is None else _node(term)

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", slot, message)


def _node(term) -> str:
    if isinstance(term, ox.NamedNode):
        return short_iri(term.value)
    if isinstance(term, ox.Literal) and term.datatype == ox.NamedNode(XSD + "string"):
        return term.value if "\n" not in term.value else str(term)
    return str(term)


# -- reports ------------------------------------------------------------------------------
def _label(result: Result) -> str:
    """The ``constraint`` a report names: a SPARQL constraint by its IRI, else the component."""
    if result.constraint is not None and isinstance(result.constraint, ox.NamedNode):
        return short_iri(result.constraint.value)
    return short_iri(result.component)


def to_report(results: list[Result], shapes: ox.Store):
    """A :class:`l2graph.report.ValidationReport` of the results (readable and in RDF)."""
    from l2graph.report import ValidationReport, ValidationResult

    reader = _Shapes.__new__(_Shapes)
    reader.store = shapes
    made = []  # a multiset: the same result reached twice is reported twice, as SHACL does
    for r in results:
        path = None
        if isinstance(r.path, ox.NamedNode):
            path = short_iri(r.path.value)
        severity = r.severity[len(SH) :] if r.severity.startswith(SH) else short_iri(r.severity)
        message = r.message or f"{_label(r)} violated"
        terms = (
            r.focus, r.path, r.value, r.shape, ox.NamedNode(r.component),
            ox.NamedNode(r.severity), r.constraint, r.message,
            reader.path_triples(r.path) if r.path is not None else (),
        )  # fmt: skip
        made.append(
            ValidationResult(
                focus_node=_node(r.focus),
                path=path,
                constraint=_label(r),
                message=message if r.message else f"{_label(r)} violated",
                severity=severity,
                value=None if r.value is None else _node(r.value),
                source_shape=_node(r.shape),
                component=short_iri(r.component),
                terms=terms,
            )
        )
    ordered = sorted(
        made,
        key=lambda r: (
            r.focus_node,
            r.path or "",
            r.constraint,
            r.value or "",
            r.source_shape or "",
            r.message,
        ),
    )
    return ValidationReport(conforms=not ordered, results=tuple(ordered))


def report_graph(report, format: str = "turtle") -> bytes:
    """A report as a standard ``sh:ValidationReport`` graph, serialized."""
    formats = {"turtle": ox.RdfFormat.TURTLE, "json-ld": ox.RdfFormat.JSON_LD,
               "nt": ox.RdfFormat.N_TRIPLES}  # fmt: skip
    if format not in formats:
        raise InputError(f"unknown report format {format!r} (turtle, json-ld)")
    rdf_type = ox.NamedNode(RDF + "type")
    boolean = ox.NamedNode(XSD + "boolean")
    root = ox.BlankNode()
    triples = [
        ox.Triple(root, rdf_type, _sh("ValidationReport")),
        ox.Triple(
            root, _sh("conforms"), ox.Literal(str(report.conforms).lower(), datatype=boolean)
        ),
    ]
    for result in report.results:
        if result.terms is None:
            raise InputError(
                "this report has results no SHACL engine made (the quotes' check): it can only "
                "be written as text"
            )
        focus, path, value, shape, component, severity, constraint, _message, path_triples = (
            result.terms
        )
        node = ox.BlankNode()
        triples += [
            ox.Triple(root, _sh("result"), node),
            ox.Triple(node, rdf_type, _sh("ValidationResult")),
            ox.Triple(node, _sh("focusNode"), focus),
            ox.Triple(node, _sh("sourceShape"), shape),
            ox.Triple(node, _sh("sourceConstraintComponent"), component),
            ox.Triple(node, _sh("resultSeverity"), severity),
            ox.Triple(node, _sh("resultMessage"), ox.Literal(result.message)),
        ]
        if path is not None:
            triples.append(ox.Triple(node, _sh("resultPath"), path))
            triples += list(path_triples)
        if value is not None:
            triples.append(ox.Triple(node, _sh("value"), value))
        if constraint is not None:
            triples.append(ox.Triple(node, _sh("sourceConstraint"), constraint))
    return ox.serialize(
        triples, format=formats[format], prefixes={"sh": SH, "xsd": XSD, "rdf": RDF}
    )


def load_shapes(files: Iterable[Path | str]) -> ShapesGraph:
    """The shapes graph of RDF files as written (errors name the file and line): see
    :class:`ShapesGraph`. Its store holds the triples in its default graph, where the
    compiled shapes' own queries read it."""
    from l2graph.errors import TurtleSyntaxError

    shapes = ShapesGraph()
    for name in files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            quads = list(ox.parse(data, format=_format(path), base_iri=path.resolve().as_uri()))
        except SyntaxError as exc:
            raise TurtleSyntaxError(path, exc.lineno or 1, str(exc)) from None
        shapes.texts[path] = data.decode("utf-8", "replace")
        shapes.add(quads, path)
    return shapes


def _format(path: Path) -> ox.RdfFormat:
    try:
        return ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    except ValueError:
        return ox.RdfFormat.TURTLE


def validate_store(store: ox.Store, shapes_file: Path | Iterable[Path], graph: str | None = None):
    """Validate a graph of ``store`` against the shapes in ``shapes_file``.

    Args:
        store: holds the data (and the ontology, for class hierarchies).
        shapes_file: the SHACL shapes, in Turtle (one file or several).
        graph: the named graph to validate; by default the union of the store's graphs.

    Returns:
        A :class:`l2graph.report.ValidationReport`, as pyshacl's would read.

    Raises:
        UnsupportedShape: the shapes use a feature that is not compiled (named, with the
            shapes' file).
    """
    files = (
        [Path(shapes_file)]
        if isinstance(shapes_file, str | Path)
        else [Path(f) for f in shapes_file]
    )
    shapes = load_shapes(files)
    try:
        results = run(store, shapes, graph)
    except UnsupportedShape as exc:  # named by the file it is in
        raise _in_files(exc, files) from None
    return to_report(results, shapes)


def _in_files(exc: UnsupportedShape, files: list[Path]) -> UnsupportedShape:
    """The refusal named by its file (and line, where :func:`run` found them)."""
    if exc.located:
        return exc
    named = UnsupportedShape(f"{', '.join(map(str, files))}: {exc}", feature=exc.feature)
    named.shape, named.located = exc.shape, True
    return named


def load_files(paths: Iterable[Path | str], store: ox.Store | None = None) -> ox.Store:
    """Parse RDF files (by extension; Turtle by default) into ``store``'s default graph,
    each with its own ``file:`` IRI as base, so ``<>`` and relative IRIs mean the file.
    Nothing is fetched: owl:imports are read as triples, never followed.

    Raises:
        InputError: a file cannot be read; TurtleSyntaxError (an InputError) names the file
            and line of a syntax error.
    """
    from l2graph.errors import TurtleSyntaxError

    store = store if store is not None else ox.Store()
    for name in paths:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            store.load(
                data,
                format=_format(path),
                base_iri=path.resolve().as_uri(),
                to_graph=ox.DefaultGraph(),
            )
        except SyntaxError as exc:
            raise TurtleSyntaxError(path, exc.lineno or 1, str(exc)) from None
    return store


def validate_files(data: Iterable[Path | str], shapes: Iterable[Path | str]):
    """Validate the graph of the ``data`` files against the shapes of the ``shapes`` files
    (the union of each), as ``pyshacl -s shapes data`` does, on the compiled engine.

    Returns:
        A :class:`l2graph.report.ValidationReport`; :meth:`~l2graph.report.ValidationReport.rdf`
        writes it as a standard ``sh:ValidationReport``.

    Raises:
        InputError: a file cannot be read or parsed; UnsupportedShape (an InputError): the
            shapes use a feature that is not compiled, named with the shapes' files.
    """
    data, shapes = [Path(p) for p in data], [Path(p) for p in shapes]
    if not data or not shapes:
        raise InputError("validation needs at least one data file and one shapes file")
    store = load_files(data)
    shapes_graph = load_shapes(shapes)
    try:
        results = run(store, shapes_graph, None)
    except UnsupportedShape as exc:
        raise _in_files(exc, shapes) from None
    return to_report(results, shapes_graph)
