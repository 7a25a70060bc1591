"""Why an inferred fact holds: the OWL 2 RL rule that draws it and the facts it reads, each
explained in turn down to asserted facts and the claims (status, quote, article) behind them.

The rules are :mod:`l2graph.reasoning`'s own (``_RULES`` and the per-axiom rules of
``_Axioms``), read backwards: a rule's head is bound to the fact, its body is queried over the
asserted and inferred triples, and a solution whose premises can each be explained (none on
the path being explained, so no cycle) explains it. The equality rules, which the reasoner runs
through a scratch graph of representatives, are read here as the profile writes them (eq-sym,
eq-trans, eq-rep-s/p/o). Schema read in place (a list's members, a class as its own subclass)
is shown as the ontology it reads.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pyoxigraph as ox

from l2graph import reasoning
from l2graph.errors import InputError
from l2graph.project import ASSERTED_GRAPH, ID, INFERRED_GRAPH, L2, PREFIXES

_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_CLAIM = ox.NamedNode(L2 + "Claim")
#: Statements the shapes do not ask a claim for (l2s:FactHasClaim): types, labels, comments,
#: where an article's text is kept, and a claim's own statements.
UNCLAIMED = frozenset(
    PREFIXES[prefix] + name
    for prefix, names in {
        "rdf": "type subject predicate object",
        "rdfs": "label comment",
        "skos": "altLabel",
        "l2": "sourceFile status quote statedIn attributedTo reportedVia about",
    }.items()
    for name in names.split()
)


class UnknownFactError(InputError):
    """The triple to explain is neither asserted nor inferred."""


class Claim(NamedTuple):
    """A claim behind an asserted fact."""

    claim: str
    status: str  # l2:confirmed, l2:reported, …
    quote: str
    article: str
    speaker: str | None = None  # l2:attributedTo
    via: str | None = None  # l2:reportedVia


class Explanation(NamedTuple):
    """Why ``triple`` (its terms as reports name them: ``id:leica-sl2``) holds.

    ``basis`` is ``"inferred"`` (``rule``, an OWL 2 RL rule name, drew it from ``premises``),
    ``"claims"`` (asserted, backed by ``claims``), ``"data"`` (asserted, a statement no claim
    backs: a type, a label, a claim's own statement), ``"ontology"`` (asserted by the
    ontology, or a list of it read in place) or ``"in place"`` (a tautology the rules read
    without storing it, such as a class being its own subclass: ``rule`` names it).
    """

    triple: tuple[str, str, str]
    basis: str
    rule: str | None = None
    premises: tuple[Explanation, ...] = ()
    claims: tuple[Claim, ...] = ()

    @property
    def asserted(self) -> bool:
        return self.basis in ("claims", "data", "ontology")

    def leaves(self) -> list[Explanation]:
        """The asserted (and read-in-place) facts it ends in, depth first."""
        if self.basis != "inferred":
            return [self]
        return [leaf for premise in self.premises for leaf in premise.leaves()]

    def rules(self) -> list[str]:
        """The rules used, depth first (with repeats)."""
        if self.basis != "inferred":
            return []
        return [self.rule or "", *(rule for premise in self.premises for rule in premise.rules())]

    def text(self) -> str:
        """An indented tree: each inferred fact with its rule, each asserted one with its
        claims' quotes."""
        lines: list[str] = []
        self._lines(lines, 0)
        return "\n".join(lines) + "\n"

    def _lines(self, lines: list[str], depth: int) -> None:
        pad = "  " * depth
        fact = " ".join(self.triple)
        if self.basis == "inferred":
            lines.append(f"{pad}{fact}  [inferred by OWL 2 RL {self.rule}]")
            for premise in self.premises:
                premise._lines(lines, depth + 1)
            return
        if self.basis == "in place":
            lines.append(f"{pad}{fact}  [{self.rule}: holds by definition]")
            return
        where = {"claims": "asserted", "data": "asserted", "ontology": "the ontology"}
        lines.append(f"{pad}{fact}  [{where[self.basis]}]")
        for claim in self.claims:
            who = f", {claim.speaker}" if claim.speaker else ""
            via = f" via {claim.via}" if claim.via else ""
            lines.append(
                f'{pad}    {claim.status} "{claim.quote}" ({claim.article}{who}{via};'
                f" {claim.claim})"
            )


# The equality rules as the profile writes them (the reasoner reads them through a scratch
# graph of each clique's representative, gone after the build).
_EQUALITY = (
    reasoning.Rule("eq-sym", "?y owl:sameAs ?x", ("?x owl:sameAs ?y",), "!sameTerm(?x, ?y)"),
    reasoning.Rule(
        "eq-trans",
        "?x owl:sameAs ?z",
        ("?x owl:sameAs ?y", "?y owl:sameAs ?z"),
        "!sameTerm(?x, ?z) && !sameTerm(?x, ?y) && !sameTerm(?y, ?z)",
    ),
    reasoning.Rule(
        "eq-rep-s", "?s2 ?p ?o", ("?s owl:sameAs ?s2", "?s ?p ?o"), "!sameTerm(?s, ?s2)"
    ),
    reasoning.Rule(
        "eq-rep-p", "?s ?p2 ?o", ("?p owl:sameAs ?p2", "?s ?p ?o"), "!sameTerm(?p, ?p2)"
    ),
    reasoning.Rule(
        "eq-rep-o", "?s ?p ?o2", ("?o owl:sameAs ?o2", "?s ?p ?o"), "!sameTerm(?o, ?o2)"
    ),
)
_IN_PLACE = re.compile(r"^\{ (\?\w+) (rdfs:subClassOf|rdfs:subPropertyOf) (\?\w+) \}")
_VARIABLE = re.compile(r"\?\w+")
_LIMIT = 64  # solutions tried per rule and fact


def _constant(token: str) -> ox.NamedNode:
    return ox.NamedNode(reasoning._iri(token))


_VOCABULARIES = tuple(PREFIXES[name] for name in ("rdfs", "owl"))
_NOT_DOMAIN = tuple(iri for name, iri in PREFIXES.items() if name != "id")


def _schema(triple: ox.Triple) -> bool:
    """Whether an asserted triple is the ontology's (a term of a vocabulary, an axiom, a list
    or a restriction), not a statement about the data."""
    subject, predicate, obj = triple
    if isinstance(subject, ox.NamedNode):
        if subject.value.startswith(ID):
            return False
        if subject.value.startswith(_NOT_DOMAIN):
            return True
    if predicate.value.startswith(_VOCABULARIES) or predicate.value in (
        PREFIXES["rdf"] + "first",
        PREFIXES["rdf"] + "rest",
    ):
        return True
    return (
        predicate == _RDF_TYPE
        and isinstance(obj, ox.NamedNode)
        and obj.value.startswith(_VOCABULARIES)
    )


class Explainer:
    """Explains the facts of one store's asserted and inferred graphs (copied into memory:
    the per-axiom rules name blank nodes through handles they add)."""

    def __init__(
        self, store: ox.Store, asserted: str = ASSERTED_GRAPH, inferred: str = INFERRED_GRAPH
    ) -> None:
        self.store = ox.Store()
        self.asserted: set[ox.Triple] = set()
        self.inferred: set[ox.Triple] = set()
        for graph, into in ((asserted, self.asserted), (inferred, self.inferred)):
            for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                into.add(quad.triple)
        self.store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.asserted)
        self.store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.inferred)
        self.axioms = reasoning._Axioms(self.store, [ox.DefaultGraph()])
        rules = [
            rule for rule in reasoning._RULES if not rule.selected
        ]  # eq-rep: read as _EQUALITY
        self.rules = [*rules, *_EQUALITY, *self.axioms.rules()]
        self.claims = self._claims()
        self.memo: dict[ox.Triple, Explanation] = {}

    def _claims(self) -> dict[ox.Triple, list[Claim]]:
        found: dict[ox.Triple, list[Claim]] = {}
        text = f"""PREFIX rdf: <{PREFIXES["rdf"]}> PREFIX l2: <{L2}>
        SELECT ?c ?s ?p ?o ?status ?quote ?article ?speaker ?via WHERE {{
            ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; l2:status ?status ;
               l2:quote ?quote ; l2:statedIn ?article .
            OPTIONAL {{ ?c l2:attributedTo ?speaker }} OPTIONAL {{ ?c l2:reportedVia ?via }}
        }} ORDER BY ?c"""
        for row in self.store.query(text):
            triple = ox.Triple(row["s"], row["p"], row["o"])
            if triple not in self.asserted:
                continue  # a claim not asserted as fact (speculation, opinion …)
            shown = [
                None if row[name] is None else reasoning.show(row[name])
                for name in ("c", "status", "article", "speaker", "via")
            ]
            found.setdefault(triple, []).append(
                Claim(shown[0], shown[1], row["quote"].value, shown[2], shown[3], shown[4])
            )
        return found

    @staticmethod
    def _shown(triple: ox.Triple) -> tuple[str, str, str]:
        return tuple(reasoning.show(term) for term in triple)  # type: ignore[return-value]

    def leaf(self, triple: ox.Triple) -> Explanation:
        claims = tuple(self.claims.get(triple, ()))
        if claims:
            basis = "claims"
        elif _schema(triple):
            basis = "ontology"
        else:
            basis = "data"
        return Explanation(self._shown(triple), basis, claims=claims)

    def explain(self, triple: ox.Triple) -> Explanation | None:
        """Why ``triple`` holds, or None when it is neither asserted nor inferred."""
        if triple not in self.asserted and triple not in self.inferred:
            return None
        return self._explain(triple, frozenset())

    def _explain(self, triple: ox.Triple, path: frozenset) -> Explanation | None:
        if triple in self.asserted:
            return self.leaf(triple)
        if triple in self.memo:
            return self.memo[triple]
        if triple in path or triple not in self.inferred:
            return None
        path = path | {triple}
        for rule in self.rules:
            for solution in self._solutions(rule, triple):
                premises = self._premises(rule, solution, path)
                if premises is not None:
                    found = Explanation(self._shown(triple), "inferred", rule.name, premises)
                    self.memo[triple] = found
                    return found
        return None

    def _solutions(self, rule: reasoning.Rule, triple: ox.Triple) -> list:
        """The solutions of ``rule``'s body with its head bound to ``triple``."""
        names, values, atoms = [], [], []
        for token, term in zip(rule.head.split(), triple, strict=True):
            if not token.startswith("?"):
                if _constant(token) != term:
                    return []
                continue
            if token in names:
                if values[names.index(token)] != term:
                    return []
                continue
            if isinstance(term, ox.BlankNode):  # no blank node in query text: a handle
                self.axioms.term(term, [])
                atoms.append(self._handle_atom(term, token))
            names.append(token)
            values.append(term)
        bound = [
            (n, v) for n, v in zip(names, values, strict=True) if not isinstance(v, ox.BlankNode)
        ]
        if bound:
            row = " ".join(str(value) for _, value in bound)
            atoms.insert(0, f"VALUES ({' '.join(n for n, _ in bound)}) {{ ({row}) }}")
        atoms += [atom.removeprefix("!") for atom in rule.body]
        condition = f" FILTER ({rule.condition})" if rule.condition else ""
        text = (
            f"{reasoning._PREFIXES}SELECT * WHERE {{ {' . '.join(atoms)}{condition} }}"
            f" LIMIT {_LIMIT}"
        )
        return list(self.store.query(text))

    def _handle_atom(self, term: ox.BlankNode, variable: str) -> str:
        number = self.axioms.handles[term]
        return (
            f"GRAPH <{reasoning._HANDLES}> {{ <{reasoning._HANDLE}{number}>"
            f" <{reasoning._NAMES}> {variable} }}"
        )

    def _premises(
        self, rule: reasoning.Rule, solution, path: frozenset
    ) -> tuple[Explanation, ...] | None:
        premises: list[Explanation] = []
        for written in rule.body:
            atom = written.removeprefix("!")
            if atom.startswith("GRAPH"):
                continue  # a handle naming a blank node
            place = _IN_PLACE.match(atom)
            if place:  # scm-cls / scm-op read in place, or the stored triple
                s, p, o = (
                    solution[place[1][1:]],
                    _constant(place[2]),
                    solution[place[3][1:]],
                )
                triple = ox.Triple(s, p, o)
                if triple in self.asserted or triple in self.inferred:
                    found = self._explain(triple, path)
                    if found is None:
                        return None
                    premises.append(found)
                else:
                    name = "scm-cls" if place[2] == "rdfs:subClassOf" else "scm-op"
                    premises.append(Explanation(self._shown(triple), "in place", name))
                continue
            tokens = atom.split()
            terms = []
            for token in (tokens[0], tokens[2]):
                terms.append(solution[token[1:]] if token.startswith("?") else _constant(token))
            if not tokens[1].startswith(("<", "?")) and (
                "*" in tokens[1] or "/" in tokens[1]
            ):  # a list's member, read in the ontology
                shown = (reasoning.show(terms[0]), tokens[1], reasoning.show(terms[1]))
                premises.append(Explanation(shown, "ontology"))
                continue
            predicate = (
                solution[tokens[1][1:]] if tokens[1].startswith("?") else _constant(tokens[1])
            )
            found = self._explain(ox.Triple(terms[0], predicate, terms[1]), path)
            if found is None:
                return None
            premises.append(found)
        return tuple(premises)


_LITERAL = re.compile(r'^"(?P<text>.*)"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^(?P<type>\S+))?$', re.S)


def term(text: str, role: str) -> ox.NamedNode | ox.Literal:
    """A term given as a prefixed name (``id:leica-sl2``, ``a`` for rdf:type), an IRI (with or
    without ``<>``) or, as an object, a literal (``"2022"^^xsd:gYear``, ``"text"@en``).

    Raises:
        InputError: none of these, or an unknown prefix.
    """
    text = text.strip()
    if text == "a" and role == "predicate":
        return _RDF_TYPE
    if role == "object" and text.startswith('"'):
        match = _LITERAL.match(text)
        if match is None:
            raise InputError(
                f'{role} {text!r}: not a literal such as "text"@en or "5"^^xsd:integer'
            )
        if match["lang"]:
            return ox.Literal(match["text"], language=match["lang"])
        if match["type"]:
            datatype = term(match["type"], "datatype")
            return ox.Literal(match["text"], datatype=datatype)  # type: ignore[arg-type]
        return ox.Literal(match["text"])
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    elif ":" in text and "://" not in text:
        prefix, _, local = text.partition(":")
        if prefix not in PREFIXES:
            known = ", ".join(f"{name}:" for name in PREFIXES)
            raise InputError(f"{role} {text!r}: unknown prefix {prefix}: (known: {known})")
        text = PREFIXES[prefix] + local
    if "://" not in text and not text.startswith("urn:"):
        raise InputError(f"{role} {text!r}: not an IRI or a prefixed name such as id:leica-sl2")
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise InputError(f"{role} {text!r}: not a valid IRI ({exc})") from None


def explain_in(store: ox.Store, subject: str, predicate: str, obj: str) -> Explanation:
    """Why ``subject predicate obj`` holds in a build's store (see :func:`l2graph.explain`).

    Raises:
        InputError: a term is malformed.
        UnknownFactError: the triple is neither asserted nor inferred.
    """
    triple = ox.Triple(term(subject, "subject"), term(predicate, "predicate"), term(obj, "object"))
    found = Explainer(store).explain(triple)
    if found is None:
        shown = " ".join(reasoning.show(part) for part in triple)
        raise UnknownFactError(f"{shown}: neither asserted nor inferred in the graph")
    return found
