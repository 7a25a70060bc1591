"""What the graph knows about one entity: found by IRI, id or label, then its asserted facts,
its inferred facts (marked as such) and every claim about it with status, quote and article."""

from __future__ import annotations

from collections import namedtuple

import pyoxigraph as ox

from l2graph.errors import UnknownEntityError
from l2graph.project import ASSERTED_GRAPH, ID, INFERRED_GRAPH, PREFIXES, short_iri

_LABEL, _ALT_LABEL = PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "altLabel"


class Fact(namedtuple("Fact", "subject predicate object inferred")):
    """One statement touching the entity; ``inferred`` when reasoning added it."""

    __slots__ = ()


class ClaimAbout(
    namedtuple("ClaimAbout", "claim status subject predicate object quote article speaker")
):
    """A claim about the entity (as a fact's subject or object, or in words)."""

    __slots__ = ()


class Description(namedtuple("Description", "entity label types facts claims")):
    """An entity, its label, its types (each with whether it is inferred), the facts about it
    and the claims behind them."""

    __slots__ = ()

    def text(self) -> str:
        """A readable page: facts (inferred ones marked), then the claims with their quotes."""
        name = _show(self.entity)
        lines = [f"{self.label} ({name})"]
        asserted = [_show(t) for t, inferred in self.types if not inferred]
        inferred = [_show(t) for t, inferred in self.types if inferred]
        if asserted:
            lines.append("  a " + ", ".join(asserted))
        if inferred:
            lines.append("  a " + ", ".join(inferred) + "  (inferred)")
        outgoing = [f for f in self.facts if f.subject == self.entity]
        incoming = [f for f in self.facts if f.subject != self.entity]
        if outgoing:
            lines += ["", "Facts:"]
            lines += [
                f"  {_show(f.predicate)} {_show(f.object)}" + ("  (inferred)" if f.inferred else "")
                for f in outgoing
            ]
        if incoming:
            lines += ["", "Linked from:"]
            lines += [
                f"  {_show(f.subject)} {_show(f.predicate)}"
                + ("  (inferred)" if f.inferred else "")
                for f in incoming
            ]
        if self.claims:
            lines += ["", "Claims:"]
            for claim in self.claims:
                if claim.predicate is None:
                    what = "in words"
                elif claim.subject == self.entity:
                    what = f"{_show(claim.predicate)} {_show(claim.object)}"
                else:
                    what = f"{_show(claim.subject)} {_show(claim.predicate)} {name}"
                said = f", said by {_show(claim.speaker)}" if claim.speaker is not None else ""
                lines.append(f"  [{claim.status}] {what}{said} — {_show(claim.article)}")
                lines.append(f"      “{claim.quote}”")
        return "\n".join(lines) + "\n"


def _show(term) -> str:
    if isinstance(term, ox.NamedNode):
        return short_iri(term.value)
    if isinstance(term, ox.Literal):
        return term.value if term.language or "#string" in term.datatype.value else str(term)
    return str(term)


def find(store: ox.Store, name: str) -> ox.NamedNode:
    """The entity called ``name``: an IRI (``<…>``, ``prefix:local`` or full), an id such as
    ``leica-sl2``, or a label or alternative label, case-insensitively.

    Raises:
        UnknownEntityError: nothing matches; the nearest labels and ids are suggested.
    """
    from l2graph.queries import expand_iri

    wanted = name.strip()
    try:
        node = ox.NamedNode(expand_iri(wanted))
    except ValueError:
        node = None  # not IRI-shaped: a label, then
    if node is not None and next(store.quads_for_pattern(node, None, None), None) is not None:
        return node
    names: dict[str, ox.NamedNode] = {}
    for predicate in (_LABEL, _ALT_LABEL):
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            if isinstance(quad.subject, ox.NamedNode):
                names.setdefault(quad.object.value, quad.subject)
    for label, node in names.items():
        if label.casefold() == wanted.casefold():
            return node
    import difflib

    ids = {n.value[len(ID) :]: n for n in names.values() if n.value.startswith(ID)}
    close = difflib.get_close_matches(wanted, [*names, *ids], n=3, cutoff=0.5)
    raise UnknownEntityError(name, close)


_FACTS = f"""
SELECT ?entity ?s ?p ?o ?g WHERE {{
  VALUES ?g {{ <{ASSERTED_GRAPH}> <{INFERRED_GRAPH}> }}
  {{ GRAPH ?g {{ ?entity ?p ?o BIND (?entity AS ?s) }} }}
  UNION
  {{ GRAPH ?g {{ ?s ?p ?entity BIND (?entity AS ?o) }} }}
}}
"""
_CLAIMS = """
PREFIX l2: <https://w3id.org/l2graph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?entity ?claim ?status ?s ?p ?o ?quote ?article ?speaker WHERE {
  { ?claim rdf:subject ?entity ; rdf:predicate ?p ; rdf:object ?o BIND (?entity AS ?s) }
  UNION { ?claim rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?entity BIND (?entity AS ?o) }
  UNION { ?claim l2:about ?entity }
  ?claim l2:status/rdfs:label ?status ; l2:quote ?quote ; l2:statedIn ?article .
  OPTIONAL { ?claim l2:attributedTo ?speaker }
} ORDER BY ?claim
"""
_SKIPPED = {PREFIXES["rdf"] + name for name in ("subject", "predicate", "object")} | {
    PREFIXES["l2"] + "about"
}


def describe(store: ox.Store, name: str) -> Description:
    """What the graph asserts and infers about the entity called ``name``, with its claims."""
    entity = find(store, name)
    bound = {ox.Variable("entity"): entity}
    facts, types, labels = [], [], []
    for row in store.query(_FACTS, substitutions=bound):
        subject, predicate, obj = row["s"], row["p"], row["o"]
        inferred = row["g"].value == INFERRED_GRAPH
        if subject == entity and predicate.value == PREFIXES["rdf"] + "type":
            types.append((obj, inferred))
            continue
        if subject == entity and predicate.value == _LABEL:
            labels.append(obj.value)
            continue
        if predicate.value in _SKIPPED:
            continue  # the claims that point here are listed with their quotes below
        facts.append(Fact(subject, predicate, obj, inferred))
    facts.sort(key=lambda f: (f.subject != entity, f.inferred, str(f.predicate), str(f.object)))
    claims = [
        ClaimAbout(
            row["claim"],
            row["status"].value,
            row["s"],
            row["p"],
            row["o"],
            row["quote"].value,
            row["article"],
            row["speaker"],
        )
        for row in store.query(
            _CLAIMS, substitutions=bound, prefixes=PREFIXES, use_default_graph_as_union=True
        )
    ]
    label = labels[0] if labels else short_iri(entity.value)
    types.sort(key=lambda t: (t[1], str(t[0])))
    return Description(entity, label, types, facts, claims)
