"""A differential property: the query guard's verdict agrees with what each engine's own
parser reads in a query.

Queries are built from every token class the guard must read past (strings of the four
forms with escapes, IRIs, prefixed names with ``PN_LOCAL`` escapes and dots, variables named
like keywords, comments ended by ``\\r`` or ``\\n``, less-than next to IRIs) and, sometimes,
a ``SERVICE`` or ``FROM`` in one of its spellings (glued to a dot, to ``true``, after a
comment ended by ``\\r``, as a prefix name, in ``\\u`` escapes, in any case). Then:

- whatever Oxigraph accepts and the guard lets through must not reach a ``SERVICE`` when
  evaluated (the probe IRI is ``urn:``, so Oxigraph fails at once, before any connection);
- whatever the guard hands rdflib must not parse to a ``SERVICE`` or a dataset clause;
- a query built with neither, that an engine accepts, is not refused (no false alarm).
"""

from __future__ import annotations

import os

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.plugins.sparql.parser import parseQuery

from l2graph.errors import QuerySyntaxError, RefusedQueryError
from l2graph.sparql_lexer import check_read_only

EXAMPLES = 2000 if os.environ.get("CI") else 300  # CI holds to the 2,000
PREFIXES = {"ex": "urn:x:", "": "urn:x:", "prov": "http://www.w3.org/ns/prov#"}
PROLOGUE = "PREFIX ex: <urn:x:> PREFIX : <urn:x:> PREFIX prov: <http://www.w3.org/ns/prov#>\n"

# Between two pieces of a group: white space, comments (ended by either EOL), or nothing.
JOINERS = [
    " ",
    "\n",
    "\t",
    "\r",
    " # a comment\n",
    ' # SERVICE <urn:x:probe> { } "\n',
    " # it's a comment\r",
    "#\r",
    "\r\n",
]
# Pieces that hold no SERVICE and no FROM in any reading, though their text names them.
DECOYS = [
    'FILTER(?o != "SERVICE <urn:x:probe> { ?a ?b ?c }")',
    "BIND('from <urn:x:g>' AS ?f1)",
    'BIND("""a " SERVICE \' b""" AS ?f2)',
    "BIND('''it''s SERVICE''' AS ?f3)",
    'BIND("say \\"SERVICE\\" \\\\" AS ?f4)',
    "OPTIONAL { ?s ex:serviceType ?f5 }",
    "OPTIONAL { ?s prov:wasDerivedFrom ?f6 }",
    "OPTIONAL { ?service ?from ?f7 }",
    "FILTER(?o != <urn:x:service#from>)",
    "FILTER(?o != ex:a\\'b)",
    "FILTER(?o != ex:a\\#b)",
    "FILTER(?o != ex:a.b)",
    "FILTER(?o != ex:a%20b)",
    "FILTER(1 < 2)",
    "FILTER(STR(?o) < 'zzz')",
    'VALUES ?f8 { "SERVICE" 1 <urn:x:from> }',
    "OPTIONAL { ?s ?p ?f9 . ?f9 ?q ex:service }",
    'FILTER(?o != "caf\\u00e9 SERVICE")',
    "FILTER(?o != <urn:x:\\u0053ERVICE>)",
    'FILTER(?o != "from"@en-GB && ?o != 1.5e3 && ?o != .5 && ?o != -2)',
    "OPTIONAL { _:from ?p ?f10 }",
    "FILTER(?o != 'x'^^ex:service)",
]
# SERVICE in the spellings the grammar allows, and those Oxigraph reads besides.
SERVICES = [
    "SERVICE <urn:x:probe> { ?x ?y ?z }",
    "service <urn:x:probe>{?x ?y ?z}",
    "SeRvIcE<urn:x:probe>{ ?x ?y ?z }",
    "SERVICE ex:probe { ?x ?y ?z }",
    "SERVICE:probe { ?x ?y ?z }",
    "SERVICE SILENT <urn:x:probe> { ?x ?y ?z }",
    "SERV\\u0049CE <urn:x:probe> { ?x ?y ?z }",
    "\\u0053ERVICE <urn:x:probe> { ?x ?y ?z }",
]
# What may stand right before SERVICE: the end of a triple, in each way it can end.
BEFORE_SERVICE = [" ", " .", ".", " .\n", " # c\r", " true", "true", " :a.b.", " # c\n"]
FROMS = [
    "FROM <urn:x:g>",
    "from<urn:x:g>",
    "FROM NAMED <urn:x:g>",
    "FROMNAMED<urn:x:g>",
    "# c\rFROM <urn:x:g>\n",
    "FR\\u004fM <urn:x:g>",
]

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def queries(draw) -> tuple[str, bool]:
    """A query, and whether it was built with a SERVICE or a FROM in it."""
    pieces = draw(st.lists(st.sampled_from(DECOYS), max_size=4, unique=True))
    joiners = draw(st.lists(st.sampled_from(JOINERS), min_size=len(pieces), max_size=len(pieces)))
    service = draw(st.none() | st.sampled_from(SERVICES))
    dataset = draw(st.none() | st.sampled_from(FROMS))
    head = draw(st.sampled_from(["SELECT *", "select*", "SELECT ?s", "ASK", "ask"]))
    body = "?s ?p ?o"
    for joiner, piece in zip(joiners, pieces, strict=True):
        body += joiner + piece
    if service is not None:
        before = draw(st.sampled_from(BEFORE_SERVICE))
        spot = draw(st.integers(0, 1))
        triple = "?s ?p ?o" + before
        body = triple + service + " " + body if spot == 0 else body + " ?s ?p ?o" + before + service
    text = PROLOGUE + head + (" " + dataset if dataset else " ") + " WHERE { " + body + " }"
    return text, service is not None or dataset is not None


def _refused(query: str, engine: str) -> str | None:
    """The text the guard hands ``engine``, or None when it refuses the query (as refused, or
    as a syntax error where no engine could read on)."""
    try:
        return check_read_only(query, engine)
    except (RefusedQueryError, QuerySyntaxError):
        return None


def _probe_store() -> ox.Store:
    store = ox.Store()
    a, b = ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:b")
    for value in (
        ox.NamedNode("urn:x:c"),
        ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
        ox.NamedNode("urn:x:a.b"),
    ):
        store.add(ox.Quad(a, b, value))
    return store


STORE = _probe_store()


def _oxigraph_reads_service(query: str) -> bool | None:
    """Whether Oxigraph reaches a SERVICE evaluating ``query`` (None: it does not parse)."""
    try:  # ASK is evaluated at once; the others as they are read
        result = STORE.query(query, prefixes=PREFIXES)
        bool(result) if isinstance(result, ox.QueryBoolean) else list(result)
    except SyntaxError:
        return None
    except OSError as exc:  # the urn: probe fails at once, and says why
        return "authority" in str(exc)
    return False


def _rdflib_reads(query: str) -> bool | None:
    """Whether rdflib's parser reads a SERVICE or a dataset clause (None: it does not parse)."""
    try:
        tree = repr(parseQuery(query))
    except Exception:  # any failure to parse: rdflib does not read the query
        return None
    return "ServiceGraphPattern" in tree or "datasetClause" in tree


@SETTINGS
@given(case=queries())
def test_the_guard_passes_nothing_an_engine_reads_as_service_or_from(case):
    query, built_with_one = case
    to_oxigraph = _refused(query, "oxigraph")
    oxigraph = _oxigraph_reads_service(query)
    if to_oxigraph is not None:
        assert not oxigraph, f"Oxigraph evaluated a SERVICE the guard let through: {query!r}"
        assert not (built_with_one and oxigraph is not None), f"let through: {query!r}"
    to_rdflib = _refused(query, "rdflib")
    if to_rdflib is not None:
        assert not _rdflib_reads(to_rdflib), f"rdflib reads what the guard let through: {query!r}"
    if not built_with_one:  # no false alarm where an engine accepts the query
        if oxigraph is not None:
            assert to_oxigraph is not None, f"refused for Oxigraph: {query!r}"
        if _rdflib_reads(query) is not None:
            assert to_rdflib is not None, f"refused for rdflib: {query!r}"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o .SERVICE <urn:x:probe> { ?x ?y ?z } }",
        "SELECT * WHERE { # c\rSERVICE <urn:x:probe> { ?x ?y ?z } \n}",
        "SELECT * WHERE { ?s ?p ?o FILTER(ex:a\\' != 1) SERVICE <urn:x:probe> { ?x ?y ?z } } #'",
        "SELECT * WHERE { ?s ?p trueSERVICE <urn:x:probe> { ?x ?y ?z } }",
        "SELECT * WHERE { ?s ?p :a.b.SERVICE <urn:x:probe> { ?x ?y ?z } }",
        "SELECT * WHERE { ?s ?p ?o SERVICEex:probe { ?x ?y ?z } }",
    ],
)
def test_oxigraph_reads_these_as_service_and_the_guard_refuses_them(query):
    """Each spelling is a real SERVICE to Oxigraph (so the property's oracle can see one)."""
    assert _oxigraph_reads_service(PROLOGUE + query) is True
    with pytest.raises(RefusedQueryError, match="SERVICE is not allowed"):
        check_read_only(PROLOGUE + query)


def test_oxigraph_does_not_decode_escapes_outside_strings():
    """The guard reads Oxigraph's text as written (and, to be safe, as decoded too); if a new
    pyoxigraph decodes ``\\u`` everywhere, as the standard says, this tells."""
    assert _oxigraph_reads_service(PROLOGUE + "SELECT * { SERV\\u0049CE <urn:x:p> { } }") is None
