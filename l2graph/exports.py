"""Exports straight from the store: Turtle, N-Triples, N-Quads, TriG, RDF/XML and JSON-LD.

Every export starts from one canonical N-Triples (or N-Quads) text: blank nodes relabelled by
RDFC-1.0, lines sorted and each kept once. Oxigraph's serialisers write the other RDF formats
from that sorted stream, so the same graph always gives the same bytes. JSON-LD is written here,
subject by subject, compacted with the project's context (``ontology/context.jsonld``), which
is embedded: nothing is fetched. Files are written atomically.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path

import pyoxigraph as ox

from l2graph.errors import InputError
from l2graph.project import L2, PREFIXES, Project, short_iri

#: Export formats and whether each holds named graphs.
FORMATS = {"turtle": False, "nt": False, "xml": False, "json-ld": False, "nq": True, "trig": True}
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
Graphs = list[ox.NamedNode | ox.DefaultGraph]
_RDF_TYPE = PREFIXES["rdf"] + "type"
_XSD = PREFIXES["xsd"]

# Terms beyond the ontology's own that the data uses, with how their values read.
_EXTRA_TERMS = {
    "label": {"@id": "rdfs:label"},
    "comment": {"@id": "rdfs:comment"},
    "altLabel": {"@id": "skos:altLabel"},
    "definition": {"@id": "skos:definition"},
    "isDefinedBy": {"@id": "rdfs:isDefinedBy", "@type": "@id"},
    "subClassOf": {"@id": "rdfs:subClassOf", "@type": "@id"},
    "subPropertyOf": {"@id": "rdfs:subPropertyOf", "@type": "@id"},
    "domain": {"@id": "rdfs:domain", "@type": "@id"},
    "range": {"@id": "rdfs:range", "@type": "@id"},
    "inverseOf": {"@id": "owl:inverseOf", "@type": "@id"},
    "title": {"@id": "dcterms:title"},
    "datePublished": {"@id": "schema:datePublished"},
    "author": {"@id": "schema:author", "@type": "@id"},
    "publisher": {"@id": "schema:publisher", "@type": "@id"},
    "about": {"@id": "schema:about", "@type": "@id"},
    "subject": {"@id": "rdf:subject", "@type": "@id"},
    "predicate": {"@id": "rdf:predicate", "@type": "@id"},
    "object": {"@id": "rdf:object"},
}


def build_context(ontology_file: Path) -> dict:
    """The JSON-LD context for the graph, derived from the ontology's property declarations.

    Object properties read as IRIs (``"@type": "@id"``); datatype properties carry their
    range's datatype; language-tagged strings default to English.
    """
    store = ox.Store()
    store.load(path=str(ontology_file), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        """PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?property ?kind ?range WHERE {
          VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty }
          ?property a ?kind . OPTIONAL { ?property rdfs:range ?range }
        }"""
    )
    terms: dict = {}
    for row in sorted(rows, key=lambda row: row["property"].value):
        prop = row["property"].value
        if not prop.startswith(L2):
            continue
        name = prop[len(L2) :]
        definition: dict = {"@id": f"l2:{name}"}
        datatype = row["range"].value if row["range"] is not None else ""
        if row["kind"].value.endswith("ObjectProperty"):
            definition["@type"] = "@id"
        elif datatype == _XSD + "string":
            definition["@language"] = None
        elif datatype.startswith(_XSD):
            definition["@type"] = f"xsd:{datatype[len(_XSD) :]}"
        terms[name] = definition
    context: dict = {"@version": 1.1, "@vocab": L2, "@language": "en", **PREFIXES}
    return {"@context": {**context, **_EXTRA_TERMS, **terms}}


def load_context(project: Project) -> dict:
    """The committed JSON-LD context ``ontology/context.jsonld``."""
    try:
        document = json.loads(project.context_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        where = project.context_file
        raise InputError(f"{where}: cannot read the JSON-LD context: {exc}") from None
    context = document.get("@context") if isinstance(document, dict) else None
    # embedded, and never referring onward: nothing is fetched to compact or to read an export
    if not isinstance(context, dict) or "@import" in context or "@base" in context:
        raise InputError(
            f"{project.context_file}: the JSON-LD context must be an object held in the file "
            '({"@context": {…}}), with no @import or @base: l2graph fetches no context'
        )
    return document


def canonical_text(store: ox.Store, graphs: Graphs, *, quads: bool = False) -> bytes:
    """:func:`canonical_lines` as one N-Triples (or N-Quads) text."""
    lines = canonical_lines(store, graphs, quads=quads)
    return b"\n".join(lines) + b"\n" if lines else b""


def canonical_lines(store: ox.Store, graphs: Graphs, *, quads: bool = False) -> list[bytes]:
    """The graphs' statements as N-Triples (or N-Quads) lines without the newline: graph by
    graph in the order given (see :func:`canonical_parts`)."""
    return [line for part in canonical_parts(store, graphs, quads=quads) for line in part]


def canonical_parts(store: ox.Store, graphs: Graphs, *, quads: bool = False) -> list[list[bytes]]:
    """Each graph's statements as sorted, distinct N-Triples (or N-Quads) lines without the
    newline; blank nodes carry their RDFC-1.0 canonical labels, computed over all the graphs
    together.

    Only the statements that mention a blank node go through canonicalisation: RDFC-1.0 labels
    a blank node from the statements it occurs in, so the others cannot change its label.
    """
    named = quads and all(isinstance(graph, ox.NamedNode) for graph in graphs)
    if len(graphs) > 1 and not named:  # a relabelled line finds its graph by the graph's name
        raise ValueError("several graphs go out only as N-Quads of named graphs")
    parts: list[list[bytes]] = []
    blank: list[bytes] = []
    for graph in graphs:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        lines = data.splitlines()
        if named:
            suffix = f" {graph} .".encode()
            lines = [line[:-2] + suffix for line in lines]
        if b"_:" in data:
            blank += [line for line in lines if b"_:" in line]
            lines = [line for line in lines if b"_:" not in line]
        parts.append(lines)
    if blank:
        quads = list(ox.parse(b"\n".join(blank), format=ox.RdfFormat.N_QUADS))
        if _largest_blank_component(quads) <= RDFC_LIMIT:
            dataset = ox.Dataset(quads)
            dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        else:
            dataset = _refined(quads)
        relabelled = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).splitlines()
        for graph, lines in zip(graphs, parts, strict=True):
            suffix = f" {graph} .".encode()
            lines += [line for line in relabelled if not named or line.endswith(suffix)]
    # distinct already: a graph holds a statement once, and relabelling is one-to-one (a set
    # would also undo the dump's near order, which makes the sort ten times slower)
    return [sorted(lines) for lines in parts]


#: Blank nodes linked together, past which RDFC-1.0 is not used: its cost grows exponentially
#: in the worst case (a 2,000-node chain takes minutes) and Oxigraph's implementation recurses
#: along chains (a 2,000-node cycle overflows its stack and kills the process).
RDFC_LIMIT = 400
_REFINEMENT_ROUNDS = 32


def _largest_blank_component(quads: list[ox.Quad]) -> int:
    """The number of blank nodes in the largest set of blank nodes linked by statements."""
    parent: dict = {}

    def root(node):
        while parent[node] is not node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for quad in quads:
        ends = [t for t in (quad.subject, quad.object, quad.graph_name) if _is_blank(t)]
        for term in ends:
            parent.setdefault(term, term)
        for term in ends[1:]:
            parent[root(term)] = root(ends[0])
    sizes: dict = {}
    for node in parent:
        sizes[root(node)] = sizes.get(root(node), 0) + 1
    return max(sizes.values(), default=0)


def _is_blank(term) -> bool:
    return isinstance(term, ox.BlankNode)


def _refined(quads: list[ox.Quad]) -> ox.Dataset:
    """Blank nodes labelled by colour refinement, in time linear in the statements per round:
    each node's colour is the hash of its statements with the colours of the blank nodes
    around it, refined until no new colour appears (at most 32 rounds); labels follow the
    colours, and nodes no colour tells apart keep their order in the sorted input. The same
    input always gives the same output; RDFC-1.0 is kept for graphs it can afford."""
    import hashlib

    occurrences: dict = {}
    for index, quad in enumerate(quads):
        for position, term in (("s", quad.subject), ("o", quad.object), ("g", quad.graph_name)):
            if _is_blank(term):
                occurrences.setdefault(term, []).append((position, index))

    def shown(term, colours) -> str:
        return colours[term] if _is_blank(term) else str(term)

    def recolour(colours) -> dict:
        fresh = {}
        for node, places in occurrences.items():
            parts = sorted(
                f"{position}|{shown(q.subject, colours)}|{q.predicate}|"
                f"{shown(q.object, colours)}|{shown(q.graph_name, colours)}"
                for position, q in ((p, quads[i]) for p, i in places)
            )
            digest = hashlib.sha256("\n".join([colours[node], *parts]).encode())
            fresh[node] = digest.hexdigest()
        return fresh

    colours = recolour(dict.fromkeys(occurrences, ""))
    for _ in range(_REFINEMENT_ROUNDS):
        finer = recolour(colours)
        if len(set(finer.values())) == len(set(colours.values())):
            break
        colours = finer
    order = {node: n for n, node in enumerate(occurrences)}  # first seen in the sorted lines
    ranked = sorted(occurrences, key=lambda node: (colours[node], order[node]))
    label = {node: ox.BlankNode(f"c14n{n}") for n, node in enumerate(ranked)}

    def relabel(term):
        return label[term] if _is_blank(term) else term

    return ox.Dataset(
        ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), relabel(q.graph_name))
        for q in quads
    )


def write_build_files(store: ox.Store, graphs: list[str], directory: Path) -> None:
    """Write each named graph of ``store`` as ``<directory>/<last IRI segment>.nq``: canonical
    N-Quads (:func:`canonical_parts`), which exports read instead of the store."""
    parts = canonical_parts(store, [ox.NamedNode(graph) for graph in graphs], quads=True)
    for graph, lines in zip(graphs, parts, strict=True):
        with open(directory / f"{graph.rsplit('/', 1)[-1]}.nq", "wb") as file:
            file.writelines(line + b"\n" for line in lines)


def build_text(directory: Path, graphs: list[str], *, quads: bool = False) -> bytes:
    """The canonical text of a build's named ``graphs`` (see :func:`write_build_files`), graph
    after graph; as N-Triples unless ``quads``.

    A build's graphs hold no triple twice (the rules add only what is not there yet), so the
    N-Triples stay distinct. N-Triples hold no raw newline inside a term, so ``" <g> .\\n"``
    only ever ends a line: dropping the graph names is one replace per graph.
    """
    data = b"".join((directory / f"{graph.rsplit('/', 1)[-1]}.nq").read_bytes() for graph in graphs)
    if not quads:
        for graph in graphs:
            data = data.replace(f" <{graph}> .\n".encode(), b" .\n")
    return data


def check_format(fmt: str) -> None:
    """Raise :class:`InputError` naming the choices unless ``fmt`` is an export format."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}' (choose from {', '.join(FORMATS)})")


def serialize(text: bytes, fmt: str, context: dict | None = None) -> bytes:
    """Canonical statements (:func:`canonical_text`, :func:`build_text`) in ``fmt`` (see
    :data:`FORMATS`): N-Quads for the dataset formats, N-Triples for the others.

    Args:
        text: the statements, sorted, one per line.
        fmt: the export format.
        context: the JSON-LD context (a ``{"@context": …}`` document), for ``json-ld``.
    """
    check_format(fmt)
    if fmt in ("nt", "nq"):
        return text
    if fmt == "json-ld":
        triples = (quad.triple for quad in ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
        return _json_ld(triples, context or {"@context": {}})
    source = ox.RdfFormat.N_QUADS if FORMATS[fmt] else ox.RdfFormat.N_TRIPLES
    stream = ox.parse(text, format=source)
    if not FORMATS[fmt]:
        stream = (quad.triple for quad in stream)
    return ox.serialize(stream, format=_RDF_FORMATS[fmt], prefixes=PREFIXES)


class _Compactor:
    """Chooses, for each property and value, the context's term that reads most plainly."""

    def __init__(self, context: dict) -> None:
        self.context = context
        self.prefixes = {
            name: value
            for name, value in context.items()
            if isinstance(value, str) and not name.startswith("@")
        }
        # property IRI -> [(term, coercion)], coercion: "@id", a datatype IRI, None (a plain
        # string) or "@language" (a string in the default language)
        self.terms: dict[str, list[tuple[str, str | None]]] = {}
        for name, definition in context.items():
            if name.startswith("@") or not isinstance(definition, dict):
                continue
            iri = self.expand(definition["@id"])
            if "@type" in definition:
                coercion = definition["@type"]
                coercion = coercion if coercion == "@id" else self.expand(coercion)
            elif "@language" in definition and definition["@language"] is None:
                coercion = None
            else:
                coercion = "@language"
            self.terms.setdefault(iri, []).append((name, coercion))
        self.language = context.get("@language")
        self.vocab = context.get("@vocab")

    def expand(self, name: str) -> str:
        prefix, colon, local = name.partition(":")
        return self.prefixes[prefix] + local if colon and prefix in self.prefixes else name

    def iri(self, iri: str) -> str:
        named = short_iri(iri)
        return iri if named.startswith("<") else named

    def node(self, term: ox.NamedNode | ox.BlankNode) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def type_name(self, iri: str) -> str:
        local = iri[len(self.vocab) :] if self.vocab and iri.startswith(self.vocab) else None
        if local and local.isidentifier() and local not in self.context:
            return local  # read against @vocab
        return self.iri(iri)

    def entry(self, predicate: str, value: ox.NamedNode | ox.BlankNode | ox.Literal):
        """The key and the JSON value of one statement."""
        if isinstance(value, ox.Literal):
            if value.language:
                wanted = "@language" if value.language == self.language else "-"
                plain = {"@value": value.value, "@language": value.language}
            elif value.datatype.value == _XSD + "string":
                wanted, plain = None, {"@value": value.value}
            else:
                wanted = value.datatype.value
                plain = {"@value": value.value, "@type": self.iri(wanted)}
            compact = value.value
        else:
            wanted, compact = "@id", self.node(value)
            plain = {"@id": compact}
        for name, coercion in self.terms.get(predicate, ()):
            if coercion == wanted:
                return name, compact
        return self.iri(predicate), plain


def _json_ld(triples: Iterable[ox.Triple], context: dict) -> bytes:
    """A JSON-LD document: one node object per subject, in the order given.

    Written node by node, so that only one node is held as Python objects at a time; the
    bytes are those of ``json.dumps(document, indent=2)``.
    """
    compactor = _Compactor(context.get("@context", {}))
    head = json.dumps({"@context": context.get("@context", {})}, indent=2, ensure_ascii=False)
    chunks = [head[: head.rindex("}")].rstrip().encode(), b',\n  "@graph": [']
    first = True
    for subject, statements in groupby(triples, key=lambda triple: triple.subject):
        node: dict = {"@id": compactor.node(subject)}
        for triple in statements:
            predicate, value = triple.predicate.value, triple.object
            if predicate == _RDF_TYPE and not isinstance(value, ox.Literal):
                key, item = "@type", compactor.type_name(value.value)
            else:
                key, item = compactor.entry(predicate, value)
            _add(node, key, item)
        text = json.dumps(node, indent=2, ensure_ascii=False).replace("\n", "\n    ")
        chunks.append((("\n    " if first else ",\n    ") + text).encode())
        first = False
    chunks.append(b"\n  ]\n}\n" if not first else b"]\n}\n")
    return b"".join(chunks)


def _add(node: dict, key: str, item: object) -> None:
    if key not in node:
        node[key] = item
    elif isinstance(node[key], list):
        node[key].append(item)
    else:
        node[key] = [node[key], item]


if __name__ == "__main__":  # regenerate ontology/context.jsonld from the ontology
    print(json.dumps(build_context(Project.locate().ontology_file), indent=2, ensure_ascii=False))
