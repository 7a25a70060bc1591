"""``l2graph serve`` against the W3C SPARQL 1.1 Protocol test cases that apply to a read-only
endpoint, and against the clients people point at it.

Each ``test_<case>`` is the W3C case of that name (manifest of
``data-sparql11/protocol``), its request written from the case's description: the same method,
media type, parameters and query, sent to ``/sparql/`` where the case does. The dataset cases
name the W3C's example graphs (``data1.rdf`` …), which an endpoint would fetch; this server
never fetches a graph, so they name the build's own graphs instead (asserted, inferred,
anchors), and each checks that the dataset was really restricted, not only that the answer is
true. The update cases are refused: the endpoint is read-only. In
``query_multiple_dataset`` the protocol's dataset overrides the query's ``FROM``, as the W3C
expects; without one, ``FROM`` is refused (docs/security.md).

Then, against one live server on loopback started with ``--cors``: SPARQLWrapper with every
return format for SELECT, ASK and CONSTRUCT, by GET and by POST; rdflib's ``SPARQLStore`` with
a graph identifier and as a dataset; a YASGUI-style form POST from another origin, and the
browser's preflight. Expected answers come from the public API.
"""

from __future__ import annotations

import json
import socket
import warnings
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

import l2graph
from l2graph.project import ANCHORS_GRAPH, ASSERTED_GRAPH, ID, INFERRED_GRAPH, PROJECT_GRAPH
from l2graph.web.app import create_app

TABLE = ("application/sparql-results+xml", "application/sparql-results+json")
SELECT_TYPES = (*TABLE, "text/tab-separated-values", "text/csv")
GRAPH = ("application/rdf+xml", "application/rdf+json", "text/turtle")
DIRECT = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ENDPOINT = "http://testserver/sparql"  # the TestClient's Host: the base IRI of its queries


@pytest.fixture(scope="module")
def client(sources_dir):
    with TestClient(create_app(workers=2, timeout=5)) as client:
        yield client


def _media(response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def _boolean(response) -> bool:
    """The answer of an ASK, read from SPARQL JSON or XML (the two the W3C cases accept)."""
    assert response.status_code in range(200, 400), (response.status_code, response.text)
    assert _media(response) in TABLE, response.headers["content-type"]
    format = {TABLE[0]: ox.QueryResultsFormat.XML, TABLE[1]: ox.QueryResultsFormat.JSON}
    return bool(ox.parse_query_results(response.content, format=format[_media(response)]))


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    bindings = json.loads(response.content)["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in bindings]


def _url(**parameters: str | list[str]) -> str:
    """``/sparql/?name=value&…``, a list giving its parameter once per value."""
    pairs = [
        (name.replace("_", "-"), value)
        for name, values in parameters.items()
        for value in ([values] if isinstance(values, str) else values)
    ]
    return "/sparql/?" + "&".join(f"{n}={quote(v, safe='')}" for n, v in pairs)


def _only_in(graph: str, other: str) -> str:
    """A triple pattern (IRIs only) that ``graph`` holds and ``other`` does not, from the API."""
    rows = l2graph.run_sparql(
        f"SELECT ?s ?p ?o {{ GRAPH <{graph}> {{ ?s ?p ?o FILTER (isIRI(?s) && isIRI(?o)) }} "
        f"FILTER NOT EXISTS {{ GRAPH <{other}> {{ ?s ?p ?o }} }} }} ORDER BY ?s ?p ?o LIMIT 1"
    )
    row = next(iter(rows))
    return " ".join(row[name].n3() for name in ("s", "p", "o"))


@pytest.fixture(scope="module")
def asserted_only(sources_dir) -> str:
    return _only_in(ASSERTED_GRAPH, INFERRED_GRAPH)


@pytest.fixture(scope="module")
def inferred_only(sources_dir) -> str:
    return _only_in(INFERRED_GRAPH, ASSERTED_GRAPH)


# ------------------------------------------------------------------ W3C: positive cases


def test_query_get(client):
    assert _boolean(client.get("/sparql?query=ASK%20%7B%7D")) is True


def test_query_post_form(client):
    assert _boolean(client.post("/sparql/", content=b"query=ASK%20%7B%7D", headers=FORM)) is True


def test_query_post_direct(client):
    assert _boolean(client.post("/sparql/", content=b"ASK {}", headers=DIRECT)) is True


def test_query_dataset_default_graph(client, asserted_only, inferred_only):
    """The README's form of the case: one protocol-specified default graph, and nothing of
    the others in it."""
    url = _url(default_graph_uri=ASSERTED_GRAPH)
    assert _boolean(client.post(url, content=f"ASK {{ {asserted_only} }}", headers=DIRECT))
    assert not _boolean(client.post(url, content=f"ASK {{ {inferred_only} }}", headers=DIRECT))
    # without a dataset, the default graph is the union of the build's graphs
    everything = client.post("/sparql/", content=f"ASK {{ {inferred_only} }}", headers=DIRECT)
    assert _boolean(everything) is True


def test_query_dataset_default_graphs_get(client, asserted_only, inferred_only):
    query = f"ASK {{ {asserted_only} . {inferred_only} . }}"
    url = _url(query=query, default_graph_uri=[ASSERTED_GRAPH, INFERRED_GRAPH])
    assert _boolean(client.get(url)) is True
    assert _boolean(client.get(_url(query=query, default_graph_uri=ASSERTED_GRAPH))) is False


def test_query_dataset_default_graphs_post(client, asserted_only, inferred_only):
    url = _url(default_graph_uri=[ASSERTED_GRAPH, INFERRED_GRAPH])
    query = f"ASK {{ {asserted_only} . {inferred_only} }}"
    assert _boolean(client.post(url, content=query, headers=DIRECT)) is True


def test_query_dataset_named_graphs_post(client):
    url = _url(named_graph_uri=[ASSERTED_GRAPH, INFERRED_GRAPH])
    assert _boolean(client.post(url, content="ASK { GRAPH ?g { ?s ?p ?o } }", headers=DIRECT))
    # exactly those graphs are named, and the default graph is empty (SPARQL 1.1 §13.2)
    named = client.post(
        url,
        content="SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }",
        headers={**DIRECT, "Accept": TABLE[1]},
    )
    assert {row["g"] for row in _rows(named)} == {ASSERTED_GRAPH, INFERRED_GRAPH}
    assert not _boolean(client.post(url, content="ASK { ?s ?p ?o }", headers=DIRECT))


def test_query_dataset_named_graphs_get(client, asserted_only, inferred_only):
    query = f"ASK {{ GRAPH ?g1 {{ {asserted_only} }} GRAPH ?g2 {{ {inferred_only} }} }}"
    url = _url(query=query, named_graph_uri=[ASSERTED_GRAPH, INFERRED_GRAPH])
    assert _boolean(client.get(url)) is True
    assert _boolean(client.get(_url(query=query, named_graph_uri=ASSERTED_GRAPH))) is False


def test_query_dataset_full(client):
    url = _url(default_graph_uri=INFERRED_GRAPH, named_graph_uri=[ASSERTED_GRAPH, ANCHORS_GRAPH])
    query = "SELECT ?g ?x ?s { ?x ?y ?o  GRAPH ?g { ?s ?p ?o } }"
    response = client.post(url, content=query, headers={**DIRECT, "Accept": TABLE[1]})
    rows = _rows(response)
    assert rows and {row["g"] for row in rows} <= {ASSERTED_GRAPH, ANCHORS_GRAPH}
    subjects = l2graph.run_sparql(
        f"SELECT DISTINCT ?x {{ GRAPH <{INFERRED_GRAPH}> {{ ?x ?y ?o }} }}"
    )
    assert {row["x"] for row in rows} <= {str(row["x"]) for row in subjects}


def test_query_multiple_dataset(client, inferred_only):
    """The protocol's dataset overrides the query's ``FROM``: Oxigraph then reads no graph the
    ``FROM`` names, so the guard lets it stand (it is refused without a protocol dataset)."""
    url = _url(default_graph_uri=INFERRED_GRAPH)
    query = f"ASK FROM <{ASSERTED_GRAPH}> {{ {inferred_only} }}"
    response = client.post(url, content=query, headers=DIRECT)
    assert response.status_code == 200 and "true" in response.text
    alone = client.post("/sparql", content=query, headers=DIRECT)
    assert alone.status_code == 403 and "FROM and FROM NAMED are not allowed" in alone.text


def test_query_content_type_select(client):
    response = client.post("/sparql/", content=b"SELECT (1 AS ?value) {}", headers=DIRECT)
    assert response.status_code == 200 and _media(response) in SELECT_TYPES


def test_query_content_type_ask(client):
    response = client.post("/sparql/", content=b"ASK {}", headers=DIRECT)
    assert response.status_code == 200 and _media(response) in TABLE


def test_query_content_type_describe(client):
    response = client.post("/sparql/", content=b"DESCRIBE <http://example.org/>", headers=DIRECT)
    assert response.status_code == 200 and _media(response) in GRAPH


def test_query_content_type_construct(client):
    """Its IRIs are relative: they are resolved against the endpoint's URL, as Oxigraph's
    endpoint does."""
    response = client.post("/sparql/", content=b"CONSTRUCT { <s> <p> 1 } WHERE {}", headers=DIRECT)
    assert response.status_code == 200 and _media(response) in GRAPH
    [triple] = ox.parse(response.content, ox.RdfFormat.TURTLE)
    assert triple.subject == ox.NamedNode("http://testserver/s")
    assert triple.predicate == ox.NamedNode("http://testserver/p")


# ------------------------------------------------------------------ W3C: negative cases


def test_bad_query_method(client):
    response = client.put("/sparql?query=ASK%20%7B%7D")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST"


def test_bad_multiple_queries(client):
    response = client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert response.status_code == 400 and "query= is given 2 times" in response.text


def test_bad_query_wrong_media_type(client):
    response = client.post("/sparql/", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_bad_query_missing_form_type(client):
    assert client.post("/sparql/", content=b"query=ASK%20%7B%7D").status_code == 415


def test_bad_query_missing_direct_type(client):
    assert client.post("/sparql/", content=b"ASK {}").status_code == 415


def test_bad_query_non_utf8(client):
    response = client.post(
        "/sparql/",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert response.status_code == 400 and "UTF-8" in response.text


def test_bad_query_syntax(client):
    response = client.get("/sparql?query=ASK%20%7B")
    assert response.status_code == 400 and "syntax error" in response.text


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param({"method": "GET", "url": "/sparql?update=CLEAR%20ALL"}, id="bad_update_get"),
        pytest.param(
            {"content": b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", "headers": FORM},
            id="bad_multiple_updates",
        ),
        pytest.param(
            {"content": b"CLEAR NAMED", "headers": {"Content-Type": "text/plain"}},
            id="bad_update_wrong_media_type",
        ),
        pytest.param({"content": b"update=CLEAR%20NAMED"}, id="bad_update_missing_form_type"),
        pytest.param(
            {
                "content": "CLEAR NAMED".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-update; charset=UTF-16"},
            },
            id="bad_update_non_utf8",
        ),
        pytest.param({"content": b"update=CLEAR%20XYZ", "headers": FORM}, id="bad_update_syntax"),
        pytest.param(
            {
                "content": b"using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople&update="
                + quote(
                    "PREFIX foaf: <http://xmlns.com/foaf/0.1/> WITH <http://example/addresses> "
                    "DELETE { ?person foaf:givenName 'Bill' } "
                    "INSERT { ?person foaf:givenName 'William' } "
                    "WHERE { ?person foaf:givenName 'Bill' }",
                    safe="",
                ).encode(),
                "headers": FORM,
            },
            id="bad_update_dataset_conflict",
        ),
    ],
)
def test_bad_update(client, request_):
    """Each W3C ``bad_update_*`` case gets a 4xx: the endpoint takes no update at all (403),
    or the request is malformed before that can be told (415)."""
    request_ = {"method": "POST", "url": "/sparql/", **request_}
    response = client.request(**request_)
    assert response.status_code in (403, 415), response.text
    if response.status_code == 403:
        assert "this endpoint is read-only" in response.text


_UPDATE = "CLEAR ALL ; INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> a <urn:x:Document> } }"


@pytest.mark.parametrize(
    ("url", "headers", "body"),
    [
        pytest.param(
            "/sparql?using-graph-uri=urn%3Ax%3Ag",
            {"Content-Type": "application/sparql-update"},
            _UPDATE,
            id="update_dataset_default_graph",
        ),
        pytest.param(
            "/sparql?using-graph-uri=urn%3Ax%3Ag&using-graph-uri=urn%3Ax%3Ah",
            {"Content-Type": "application/sparql-update"},
            _UPDATE,
            id="update_dataset_default_graphs",
        ),
        pytest.param(
            "/sparql?using-named-graph-uri=urn%3Ax%3Ag",
            {"Content-Type": "application/sparql-update"},
            _UPDATE,
            id="update_dataset_named_graphs",
        ),
        pytest.param(
            "/sparql?using-graph-uri=urn%3Ax%3Ag&using-named-graph-uri=urn%3Ax%3Ah",
            {"Content-Type": "application/sparql-update"},
            _UPDATE,
            id="update_dataset_full",
        ),
        pytest.param("/sparql", FORM, "update=" + quote(_UPDATE, safe=""), id="update_post_form"),
        pytest.param(
            "/sparql",
            {"Content-Type": "application/sparql-update"},
            _UPDATE,
            id="update_post_direct",
        ),
        pytest.param(
            "/sparql",
            {"Content-Type": "application/sparql-update"},
            "CLEAR SILENT GRAPH <protocol-update-base-uri> ; INSERT DATA { <s> <p> <o> }",
            id="update_base_uri",
        ),
    ],
)
def test_update_cases_are_refused(client, url, headers, body):
    """The W3C's positive update cases do not apply to a read-only endpoint: each is a 403
    that says why, and the graph is unchanged."""
    response = client.post(url, content=body.encode(), headers=headers)
    assert response.status_code == 403 and "this endpoint is read-only" in response.text
    assert not _boolean(client.get("/sparql?query=" + quote("ASK { GRAPH <urn:x:g> {} }")))


# ------------------------------------------------------------- what clients rely on


def test_a_plain_get_is_the_service_description(client):
    """``GET /sparql`` without a query: a SPARQL 1.1 Service Description, negotiated."""
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and _media(response) == "text/turtle"
    sd = "http://www.w3.org/ns/sparql-service-description#"
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.TURTLE)

    def objects(subject, name: str) -> list:
        return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(sd + name), None)]

    [service] = [
        q.subject for q in store.quads_for_pattern(None, None, ox.NamedNode(sd + "Service"))
    ]
    assert objects(service, "endpoint") == [ox.NamedNode(ENDPOINT)]
    assert objects(service, "supportedLanguage") == [ox.NamedNode(sd + "SPARQL11Query")]
    formats = {term.value.rsplit("/", 1)[1] for term in objects(service, "resultFormat")}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "Turtle", "N-Quads"} <= formats
    [dataset] = objects(service, "defaultDataset")
    assert objects(dataset, "defaultGraph") == [ox.NamedNode(PROJECT_GRAPH)]
    triples = ox.NamedNode("http://rdfs.org/ns/void#triples")
    sizes = {}
    for named in objects(dataset, "namedGraph"):
        [name], [graph] = objects(named, "name"), objects(named, "graph")
        sizes[name.value] = int(next(store.quads_for_pattern(graph, triples, None)).object.value)
    expected = {}
    for graph in (ASSERTED_GRAPH, INFERRED_GRAPH, ANCHORS_GRAPH):
        counted = l2graph.run_sparql(
            f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )
        expected[graph] = int(next(iter(counted))["n"])
    assert sizes == expected
    # in JSON-LD by Accept; a browser gets the query form; HEAD answers as GET does
    as_json = client.get("/sparql/", headers={"Accept": "application/ld+json"})
    assert _media(as_json) == "application/ld+json" and json.loads(as_json.content)
    page = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert _media(page) == "text/html" and '<form class="query"' in page.text
    head = client.head("/sparql")
    assert head.status_code == 200 and head.content == b"" and _media(head) == "text/turtle"


def test_sparql_with_a_trailing_slash_is_the_same_endpoint(client):
    query = "SELECT ?l { id:leica-sl2 rdfs:label ?l }"
    answers = [client.get(path, params={"query": query}) for path in ("/sparql", "/sparql/")]
    assert answers[0].status_code == answers[1].status_code == 200
    assert answers[0].content == answers[1].content
    assert answers[0].headers["ETag"] == answers[1].headers["ETag"]


def test_application_xml_is_sparql_xml_for_a_table_and_rdf_xml_for_a_graph(client):
    response = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/xml"}
    )
    assert _media(response) == "application/xml"
    assert bool(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.XML))
    query = "CONSTRUCT WHERE { id:leica-sl2 rdfs:label ?l }"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/xml"})
    assert _media(response) == "application/xml"
    assert len(list(ox.parse(response.content, ox.RdfFormat.RDF_XML))) == 1


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [("application/n-quads", ox.RdfFormat.N_QUADS), ("application/trig", ox.RdfFormat.TRIG)],
)
def test_a_graph_answer_in_n_quads_and_trig(client, accept, rdf_format):
    query = "CONSTRUCT { ?b l2:rebadgeOf ?o } WHERE { ?b l2:rebadgeOf ?o }"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and _media(response) == accept
    got = {(q.subject.value, q.object.value) for q in ox.parse(response.content, rdf_format)}
    expected = l2graph.run_sparql("SELECT ?b ?o { ?b l2:rebadgeOf ?o }")
    assert got == {(str(row["b"]), str(row["o"])) for row in expected} and got


@pytest.mark.parametrize(
    ("query", "hints", "media"),
    [
        # SPARQLWrapper's own spellings: the name, then for some the media types again
        ("CONSTRUCT WHERE { id:leica-sl2 rdfs:label ?l }", "json", "application/ld+json"),
        ("CONSTRUCT WHERE { id:leica-sl2 rdfs:label ?l }", "n3", "text/turtle"),
        ("CONSTRUCT WHERE { id:leica-sl2 rdfs:label ?l }", "xml", "application/rdf+xml"),
        (
            "CONSTRUCT WHERE { id:leica-sl2 rdfs:label ?l }",
            ["json-ld", "application/ld+json,application/x-json+ld"],
            "application/ld+json",
        ),
        (
            "CONSTRUCT WHERE { id:leica-sl2 rdfs:label ?l }",
            ["rdf+xml", "application/rdf+xml"],
            "application/rdf+xml",
        ),
        ("ASK {}", ["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
        ("ASK {}", "xml", "application/sparql-results+xml"),
        ("ASK {}", ["rdf+xml", ""], "application/sparql-results+json"),  # not a table: Accept
        ("ASK {}", "x-unknown", "application/sparql-results+json"),
    ],
)
def test_format_output_and_results_as_sparqlwrapper_sends_them(client, query, hints, media):
    url = _url(query=query, format=hints, output=hints, results=hints).replace(
        "/sparql/", "/sparql"
    )
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert _media(response) == media


def test_two_formats_asked_at_once_are_refused(client):
    response = client.get(_url(query="ASK {}", format="json", results="csv"))
    assert response.status_code == 400
    assert "format= and results= ask for different formats (json, csv)" in response.text


def test_the_project_graph_and_rdflib_s_default_graph_name_the_union(client):
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    plain = _rows(client.get(_url(query=query)))
    for name in (PROJECT_GRAPH, "urn:x-rdflib:default"):
        assert _rows(client.get(_url(query=query, default_graph_uri=name))) == plain
    # the union is the default graph, not a named graph
    response = client.get(_url(query="ASK {}", named_graph_uri=PROJECT_GRAPH))
    assert response.status_code == 403 and "named-graph-uri" in response.text


def test_a_graph_the_server_does_not_hold_is_refused_and_never_fetched(client):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        for parameter in ("default-graph-uri", "named-graph-uri"):
            data = f"http://127.0.0.1:{port}/data.ttl"
            response = client.get("/sparql", params={"query": "ASK {}", parameter: data})
            assert response.status_code == 403
            assert f"{parameter} <{data}> is not allowed" in response.text
            assert "never fetched" in response.text
        listener.setblocking(False)  # a connection made would wait in the backlog
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_every_405_says_what_is_allowed(client):
    for method, path, allowed in [
        ("DELETE", "/sparql", "GET, HEAD, POST"),
        ("PUT", "/queries", "GET, HEAD"),
        ("POST", "/id/leica-sl2", "GET, HEAD"),
        ("PUT", "/static/style.css", "GET, HEAD"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["Allow"] == allowed, (method, path)


def test_without_cors_other_origins_are_not_let_in(client):
    response = client.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 405 and preflight.headers["Allow"] == "GET, HEAD, POST"
    assert "access-control-allow-origin" not in preflight.headers


# --------------------------------------------------------- live: clients on loopback


@pytest.fixture(scope="module")
def server(sources_dir, tmp_path_factory):
    """One ``l2graph serve --port 0 --cors`` for this module; its base URL."""
    from test_server_live import _serving

    log = tmp_path_factory.mktemp("protocol") / "stderr.log"
    with _serving(log, "--timeout", "5", "--cors") as (url, _):
        yield url


_FORMS = {
    "SELECT": "SELECT ?l WHERE { id:leica-sl2 rdfs:label ?l }",
    "ASK": "ASK { id:leica-sl2 rdfs:label ?l }",
    "CONSTRUCT": "CONSTRUCT { id:leica-sl2 rdfs:label ?l } WHERE { id:leica-sl2 rdfs:label ?l }",
}
#: SPARQLWrapper's return formats: JSON, XML, CSV, TSV, N3, TURTLE, JSONLD, RDFXML, RDF
_RETURN_FORMATS = ("json", "xml", "csv", "tsv", "n3", "turtle", "json-ld", "rdf+xml", "rdf")


def _label() -> str:
    return str(next(iter(l2graph.run_sparql(_FORMS["SELECT"])))["l"])


@pytest.mark.parametrize("form", list(_FORMS))
def test_sparqlwrapper_gets_every_return_format(server, form):
    """SPARQLWrapper sends its return format three times as ``format``/``output``/``results``
    (twice each for TSV, JSON-LD and RDF/XML) with an ``Accept`` to match; every format it
    offers, by GET and by POST, gets an answer it converts, and the natural ones in kind."""
    import rdflib
    from SPARQLWrapper import GET, POST, SPARQLWrapper

    label = _label()
    for return_format in _RETURN_FORMATS:
        for method in (GET, POST):
            client = SPARQLWrapper(f"{server}/sparql")
            client.setQuery(_FORMS[form])
            client.setReturnFormat(return_format)
            client.setMethod(method)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # "format requested was …"
                result = client.query()
                media = result.info()["content-type"].split(";")[0]
                converted = result.convert()
            where = (form, return_format, method, media)
            if form != "CONSTRUCT":
                expected = {
                    "xml": "application/sparql-results+xml",
                    "csv": "text/csv",
                    "tsv": "text/tab-separated-values",
                }.get(return_format, "application/sparql-results+json")
                assert media == expected, where
            if media == "application/sparql-results+json":
                if form == "ASK":
                    assert converted["boolean"] is True, where
                else:
                    cells = [row["l"]["value"] for row in converted["results"]["bindings"]]
                    assert cells == [label], where
            elif media == "application/sparql-results+xml":
                assert converted.getElementsByTagName("sparql"), where
            elif media in ("text/csv", "text/tab-separated-values"):
                text = converted.decode()
                assert ("true" if form == "ASK" else "Leica SL2") in text, where
            else:  # a graph: rdflib's Graph, or Turtle as text (SPARQLWrapper's N3 and TURTLE)
                assert form == "CONSTRUCT", where
                expected = {
                    "json": "application/ld+json",
                    "json-ld": "application/ld+json",
                    "xml": "application/rdf+xml",
                    "rdf+xml": "application/rdf+xml",
                    "rdf": "application/rdf+xml",
                }.get(return_format, "text/turtle")
                assert media == expected, where
                graph = converted
                if isinstance(converted, bytes):
                    graph = rdflib.Graph().parse(data=converted, format="turtle")
                assert [str(o) for o in graph.objects()] == [label], where


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_rdflib_sparqlstore_with_a_graph_identifier(server):
    """rdflib sends ``default-graph-uri`` with the graph's identifier: the project's graph is
    the union of the build's graphs, each of them is itself, and a ``Dataset`` over the store
    queries its default graph by rdflib's own name for it."""
    from rdflib import RDFS, Dataset, Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(f"{server}/sparql")
    union = Graph(store, identifier=URIRef(PROJECT_GRAPH))
    sl2 = URIRef(ID + "leica-sl2")
    assert [str(o) for o in union.objects(sl2, RDFS.label)] == [_label()]
    sizes = {}
    for graph in (ASSERTED_GRAPH, INFERRED_GRAPH, ANCHORS_GRAPH):
        sizes[graph] = len(Graph(store, identifier=URIRef(graph)))
        counted = l2graph.run_sparql(
            f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )
        assert sizes[graph] == int(next(iter(counted))["n"]), graph
    everything = l2graph.run_sparql("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert len(union) == int(next(iter(everything))["n"])
    assert set(map(str, store.contexts())) == set(sizes)
    rows = Graph(store, identifier=URIRef(ASSERTED_GRAPH)).query(
        f"SELECT ?l WHERE {{ <{sl2}> <{RDFS.label}> ?l }}"
    )
    assert [str(row[0]) for row in rows] == [_label()]
    counted = Dataset(store).query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert [int(row[0]) for row in counted] == [len(union)]


def test_a_yasgui_style_form_post_from_another_origin_under_cors(server):
    import httpx

    origin = {"Origin": "https://yasgui.example"}
    with httpx.Client(trust_env=False) as http:
        response = http.post(
            f"{server}/sparql",
            data={"query": _FORMS["SELECT"]},
            headers={**origin, "Accept": "application/sparql-results+json,*/*;q=0.9"},
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
        assert "L2graph-Row-Cap" in response.headers["access-control-expose-headers"]
        assert _rows(response) == [{"l": _label()}]
        # errors are readable too, so the page can show why
        refused = http.get(f"{server}/sparql", params={"update": "CLEAR ALL"}, headers=origin)
        assert refused.status_code == 403 and refused.headers["access-control-allow-origin"] == "*"


def test_the_preflight_of_a_direct_post_under_cors(server):
    import httpx

    with httpx.Client(trust_env=False) as http:
        preflight = http.options(
            f"{server}/sparql",
            headers={
                "Origin": "https://yasgui.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "POST" in preflight.headers["access-control-allow-methods"].split(", ")
        assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in preflight.headers
        assert "PUT" not in preflight.headers["access-control-allow-methods"]
        direct = http.post(
            f"{server}/sparql",
            content=b"ASK {}",
            headers={**DIRECT, "Origin": "https://yasgui.example"},
        )
        assert direct.status_code == 200 and direct.headers["access-control-allow-origin"] == "*"
