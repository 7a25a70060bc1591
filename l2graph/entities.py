"""What the graph knows about one entity: found by IRI, id or label, then its asserted facts,
its inferred facts (marked as such), every claim about it with status, quote, article, speaker
and channels, grouped by the fact it backs, and what the entity itself said (for a speaker)."""

from __future__ import annotations

from collections import namedtuple

import pyoxigraph as ox

from l2graph.errors import UnknownEntityError
from l2graph.project import ASSERTED_GRAPH, ID, INFERRED_GRAPH, PREFIXES, short_iri

_LABEL, _ALT_LABEL = PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "altLabel"


class Fact(namedtuple("Fact", "subject predicate object inferred of_claim", defaults=(False,))):
    """One statement touching the entity; ``inferred`` when reasoning added it; ``of_claim``
    when its subject is a claim (a claim's link to what it is about or to whose it is), which
    the claims themselves show."""

    __slots__ = ()


class ClaimAbout(
    namedtuple(
        "ClaimAbout",
        "claim status subject predicate object quote article speaker via about",
        defaults=((), ()),
    )
):
    """A claim about the entity (as a fact's subject or object, or in words), or one it made:
    ``speaker`` whose it is, ``via`` the publications it came through, ``about`` what a claim
    in words is about."""

    __slots__ = ()

    def said(self, entity=None) -> str:
        """Who said it and through whom ("said by id:panasonic via id:nikkei"), leaving out
        ``entity`` as the speaker; empty in the article's own voice."""
        parts = []
        if self.speaker is not None and self.speaker != entity:
            parts.append(f"said by {_show(self.speaker)}")
        if self.via:
            parts.append("via " + ", ".join(_show(v) for v in self.via))
        return " ".join(parts)

    def line(self, what: str = "", entity=None) -> str:
        """``[status] what, said by … via … — article``."""
        said = self.said(entity)
        joined = ", ".join(part for part in (what, said) if part)
        return f"[{self.status}]{' ' + joined if joined else ''} — {_show(self.article)}"


class Description(
    namedtuple("Description", "entity label types facts claims said why", defaults=((), None))
):
    """An entity, its label, its types (each with whether it is inferred), the facts about it,
    the claims about it, the claims it is the speaker of (``said``), and why each inferred
    fact holds (``why``: (s, p, o) to an ``l2graph.Explanation``)."""

    __slots__ = ()

    def by_fact(self) -> tuple[list, list, list, list]:
        """The types each with the claims that back it, the facts each with the claims that
        back it, the claims of facts not asserted (guesses, opinions), and the claims in words."""
        behind: dict[tuple, list] = {}
        in_words = []
        for claim in self.claims:
            if claim.predicate is None:
                in_words.append(claim)
            else:
                behind.setdefault((claim.subject, claim.predicate, claim.object), []).append(claim)
        rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
        types = [
            (t, inferred, behind.pop((self.entity, rdf_type, t), [])) for t, inferred in self.types
        ]
        facts = [(fact, behind.pop(tuple(fact[:3]), [])) for fact in self.facts]
        unasserted = [claim for claims in behind.values() for claim in claims]
        return types, facts, unasserted, in_words

    def text(self) -> str:
        """A readable page: facts (inferred ones marked) each with the claims behind it, what
        is said but not asserted, what is said in words, and what the entity said."""
        name = _show(self.entity)
        lines = [f"{self.label} ({name})"]
        asserted = [_show(t) for t, inferred in self.types if not inferred]
        inferred = [_show(t) for t, inferred in self.types if inferred]
        if asserted:
            lines.append("  a " + ", ".join(asserted))
        if inferred:
            lines.append("  a " + ", ".join(inferred) + "  (inferred)")
        types, facts, unasserted, in_words = self.by_fact()
        outgoing = [(f, c) for f, c in facts if f.subject == self.entity]
        incoming = [(f, c) for f, c in facts if f.subject != self.entity and not f.of_claim]

        def why_lines(fact) -> list[str]:
            explanation = (self.why or {}).get(tuple(fact[:3]))
            if explanation is None:
                return []
            found = [f"      by OWL 2 RL {explanation.rule}, from:"]
            for premise in explanation.premises:
                found += ["        " + line for line in premise.text().splitlines()]
            return found

        def claim_lines(claims, what: str = "") -> list[str]:
            found = []
            for claim in claims:
                found += [f"      {claim.line(what)}", f"        “{claim.quote}”"]
            return found

        typed = [(t, claims) for t, inferred, claims in types if claims]
        if typed:
            lines += ["", "Types, each with the claims behind it:"]
            for t, claims in typed:
                lines.append(f"  a {_show(t)}")
                lines += claim_lines(claims)

        if outgoing:
            lines += ["", "Facts, each with the claims behind it:"]
            for fact, claims in outgoing:
                mark = "  (inferred)" if fact.inferred else ""
                lines.append(f"  {_show(fact.predicate)} {_show(fact.object)}{mark}")
                lines += claim_lines(claims) + why_lines(fact)
        if incoming:
            lines += ["", "Linked from:"]
            for fact, claims in incoming:
                mark = "  (inferred)" if fact.inferred else ""
                lines.append(f"  {_show(fact.subject)} {_show(fact.predicate)}{mark}")
                lines += claim_lines(claims) + why_lines(fact)
        if unasserted:
            lines += ["", "Said, not asserted:"]
            for claim in unasserted:
                lines.append(
                    f"  {_show(claim.subject)} {_show(claim.predicate)} {_show(claim.object)}"
                )
                lines += claim_lines([claim])
        if in_words:
            lines += ["", "Said about it in words:"]
            lines += [line[4:] for line in claim_lines(in_words, "in words")]
        if self.said:
            lines += ["", f"What {self.label} said:"]
            for claim in self.said:
                if claim.predicate is None:
                    what = "about " + ", ".join(_show(a) for a in claim.about) + ", in words"
                else:
                    what = f"{_show(claim.subject)} {_show(claim.predicate)} {_show(claim.object)}"
                lines += [f"  {claim.line(what, self.entity)}", f"      “{claim.quote}”"]
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
SELECT DISTINCT ?entity ?claim ?status ?s ?p ?o ?quote ?article ?speaker WHERE {
  { ?claim rdf:subject ?entity ; rdf:predicate ?p ; rdf:object ?o BIND (?entity AS ?s) }
  UNION { ?claim rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?entity BIND (?entity AS ?o) }
  UNION { ?claim l2:about ?entity }
  ?claim l2:status/rdfs:label ?status ; l2:quote ?quote ; l2:statedIn ?article .
  OPTIONAL { ?claim l2:attributedTo ?speaker }
} ORDER BY ?claim
"""
# What the entity said: the claims attributed to it, each with its fact (or none: in words).
_SAID = """
PREFIX l2: <https://w3id.org/l2graph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?entity ?claim ?status ?s ?p ?o ?quote ?article WHERE {
  ?claim l2:attributedTo ?entity ; l2:status/rdfs:label ?status ; l2:quote ?quote ;
         l2:statedIn ?article .
  OPTIONAL { ?claim rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
} ORDER BY ?article ?claim
"""
_VIA, _ABOUT = PREFIXES["l2"] + "reportedVia", PREFIXES["l2"] + "about"
_TYPE, _CLAIM = PREFIXES["rdf"] + "type", PREFIXES["l2"] + "Claim"
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
        of_claim = subject != entity and _is_claim(store, subject)
        facts.append(Fact(subject, predicate, obj, inferred, of_claim))
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
            _objects(store, row["claim"], _VIA),
        )
        for row in store.query(
            _CLAIMS, substitutions=bound, prefixes=PREFIXES, use_default_graph_as_union=True
        )
    ]
    said = [
        ClaimAbout(
            row["claim"],
            row["status"].value,
            row["s"],
            row["p"],
            row["o"],
            row["quote"].value,
            row["article"],
            entity,
            _objects(store, row["claim"], _VIA),
            _objects(store, row["claim"], _ABOUT),
        )
        for row in store.query(
            _SAID, substitutions=bound, prefixes=PREFIXES, use_default_graph_as_union=True
        )
    ]
    label = labels[0] if labels else short_iri(entity.value)
    types.sort(key=lambda t: (t[1], str(t[0])))
    return Description(entity, label, types, facts, claims, said, _why(store, facts))


#: Past this many asserted and inferred triples, describe and the entity pages do not explain
#: their inferred facts (the explainer copies both graphs, about 12 µs a triple: 9 s at the
#: 500k benchmark's size, on every page); ``l2graph explain S P O`` still does.
EXPLAINED_AT_MOST = 50_000


def _why(store: ox.Store, facts: list) -> dict:
    """Each inferred fact's explanation (:mod:`l2graph.explanations`), by (s, p, o); none on
    a graph larger than :data:`EXPLAINED_AT_MOST`."""
    from itertools import chain, islice

    inferred = [fact for fact in facts if fact.inferred and not fact.of_claim]
    both = chain.from_iterable(
        store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        for graph in (ASSERTED_GRAPH, INFERRED_GRAPH)
    )  # counted only up to the bound: a large graph costs no more than a small one here
    if not inferred or sum(1 for _ in islice(both, EXPLAINED_AT_MOST + 1)) > EXPLAINED_AT_MOST:
        return {}
    from l2graph.explanations import Explainer

    explainer = Explainer(store)
    found = {}
    for fact in inferred:
        explanation = explainer.explain(ox.Triple(*fact[:3]))
        if explanation is not None:
            found[tuple(fact[:3])] = explanation
    return found


def _objects(store: ox.Store, subject, predicate: str) -> tuple:
    """The values of ``predicate`` on ``subject`` in the asserted graph, sorted."""
    found = store.quads_for_pattern(
        subject, ox.NamedNode(predicate), None, ox.NamedNode(ASSERTED_GRAPH)
    )
    return tuple(sorted({quad.object for quad in found}, key=str))


def _is_claim(store: ox.Store, node) -> bool:
    claim = ox.NamedNode(_CLAIM)
    return next(store.quads_for_pattern(node, ox.NamedNode(_TYPE), claim), None) is not None
