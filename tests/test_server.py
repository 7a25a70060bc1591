"""``l2graph serve`` in process: the SPARQL 1.1 Protocol, refusals, time limits, row caps,
caching with ETags, stored queries, Linked Data pages and article pages.

Every expected answer comes from the public API (the same core), never written out here.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time

import markupsafe
import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

import l2graph
from l2graph.project import ID, PREFIXES
from l2graph.web.app import create_app, negotiate

HEADLINE = "leica_bodies_that_are_panasonic_bodies"
JSON = "application/sparql-results+json"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # a browser's
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ROW_CAP = 1000


@pytest.fixture(scope="module")
def client(sources_dir):
    with TestClient(create_app(workers=2, timeout=3, row_cap=ROW_CAP)) as client:
        yield client


def _rows(body: bytes) -> list[dict[str, str]]:
    return [
        {name: cell["value"] for name, cell in row.items()}
        for row in json.loads(body)["results"]["bindings"]
    ]


def _api_rows(result) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items() if v is not None} for row in result]


def _headline_text() -> str:
    return l2graph.get_query(HEADLINE).text


# ------------------------------------------------------------------------ the protocol


def test_get_form_post_and_direct_post_give_the_api_s_answer(client):
    query = _headline_text()
    expected = _api_rows(l2graph.run_query(HEADLINE))
    answers = [
        client.get("/sparql", params={"query": query}, headers={"Accept": JSON}),
        client.post("/sparql", data={"query": query}, headers={"Accept": JSON}),
        client.post(
            "/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": JSON},
        ),
    ]
    for response in answers:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(JSON)
        assert _rows(response.content) == expected
    assert len(expected) >= 2


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (JSON, JSON),
        ("application/json", "application/json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        (None, JSON),
        ("*/*", JSON),
    ],
)
def test_select_answers_in_the_media_type_accept_asks_for(client, accept, media):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": _headline_text()}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    if media == "text/csv":  # lossy by design: no parser reads terms back from it
        names = sorted(row["leicaName"] for row in csv.DictReader(io.StringIO(response.text)))
    else:
        parsed = ox.parse_query_results(
            response.content,
            format={
                JSON: ox.QueryResultsFormat.JSON,
                "application/json": ox.QueryResultsFormat.JSON,
                "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                "text/tab-separated-values": ox.QueryResultsFormat.TSV,
            }[media],
        )
        names = sorted(str(row["leicaName"].value) for row in parsed)
    assert names == sorted(str(r["leicaName"]) for r in l2graph.run_query(HEADLINE))


def test_ask_answers_true_and_false(client):
    for query, expected in (
        ("ASK { id:leica-sl2 l2:rebadgeOf id:panasonic-s1r }", True),
        ("ASK { id:panasonic-s1r l2:rebadgeOf id:leica-sl2 }", False),
    ):
        response = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
        assert response.status_code == 200
        assert json.loads(response.content)["boolean"] is expected


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_answers_in_rdf_formats(client, accept, rdf_format):
    query = "CONSTRUCT { ?body l2:rebadgeOf ?original } WHERE { ?body l2:rebadgeOf ?original }"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    got = {(t.subject.value, t.object.value) for t in ox.parse(response.content, rdf_format)}
    expected = {
        (str(row["body"]), str(row["original"]))
        for row in l2graph.run_sparql("SELECT ?body ?original { ?body l2:rebadgeOf ?original }")
    }
    assert got == expected and got


def test_an_unacceptable_media_type_is_406_and_a_format_not_offered_is_left_to_accept(client):
    query = _headline_text()
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    response = client.get(
        "/sparql", params={"query": query, "format": "turtle"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    response = client.get("/sparql", params={"query": query, "format": "json", "output": "csv"})
    assert response.status_code == 400
    assert "csv" in response.text and "json" in response.text


def test_the_project_prefixes_are_predeclared(client):
    response = client.get(
        "/sparql", params={"query": "SELECT ?l { id:leica-sl2 rdfs:label ?l }"}, headers={}
    )
    assert response.status_code == 200
    assert _rows(response.content) == _api_rows(
        l2graph.run_sparql("SELECT ?l { id:leica-sl2 rdfs:label ?l }")
    )


@pytest.mark.parametrize(
    "request_",
    [
        {"method": "get", "params": {"query": "INSERT DATA { id:x rdfs:label 'x' }"}},
        {"method": "get", "params": {"query": "LOAD <http://127.0.0.1:9/data.ttl>"}},
        {"method": "post", "data": {"update": "CLEAR ALL"}},
        {
            "method": "post",
            "content": b"DELETE WHERE { ?s ?p ?o }",
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {
            "method": "get",
            "params": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
        },
        {"method": "get", "params": {"query": "SELECT * FROM <http://127.0.0.1:9/x> { ?s ?p ?o }"}},
        {
            "method": "get",
            "params": {"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": "http://x/"},
        },
    ],
    ids=["insert", "load", "form-update", "sparql-update", "service", "from", "dataset"],
)
def test_updates_service_load_and_dataset_clauses_are_refused(client, request_):
    request_ = dict(request_)
    method = request_.pop("method")
    response = getattr(client, method)("/sparql", **request_)
    assert response.status_code == 403
    assert re.search(r"not allowed|read-only", response.text)
    assert "Traceback" not in response.text


def test_a_syntax_error_is_400_with_its_position(client):
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "line 1" in response.text


def test_unsupported_content_type_is_415(client):
    response = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415


# ------------------------------------------------------------- time limit and row cap


def test_a_runaway_query_is_stopped_its_worker_killed_and_the_next_query_answered(client):
    pool = client.app.state.graph.pool
    before = set(pool.pids())
    started = time.monotonic()
    response = client.get("/sparql", params={"query": RUNAWAY})
    assert response.status_code == 503
    assert "time limit" in response.text
    assert time.monotonic() - started < 3 + 5
    after = set(pool.pids())
    gone = before - after
    assert len(gone) == 1 and len(after) == len(before)
    (killed,) = gone
    with pytest.raises(ProcessLookupError):
        os.kill(killed, 0)
    response = client.get("/sparql", params={"query": _headline_text()}, headers={"Accept": JSON})
    assert response.status_code == 200
    assert _rows(response.content) == _api_rows(l2graph.run_query(HEADLINE))


def test_the_row_cap_cuts_big_answers_and_says_so(client):
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    total = len(l2graph.run_sparql(everything))
    assert total > ROW_CAP
    response = client.get("/sparql", params={"query": everything}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["L2graph-Truncated"] == "true"
    assert response.headers["L2graph-Row-Cap"] == str(ROW_CAP)
    assert len(list(csv.reader(io.StringIO(response.text)))) == ROW_CAP + 1  # and the header
    small = client.get("/sparql", params={"query": _headline_text()})
    assert "L2graph-Truncated" not in small.headers


# --------------------------------------------------------------------------- caching


def test_etag_and_304(client):
    params = {"query": _headline_text()}
    first = client.get("/sparql", params=params, headers={"Accept": JSON})
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Accept" in first.headers["Vary"]
    again = client.get("/sparql", params=params, headers={"Accept": JSON, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
    assert other.headers["ETag"] != etag
    stale = client.get(
        "/sparql", params=params, headers={"Accept": JSON, "If-None-Match": '"elsewhere"'}
    )
    assert stale.status_code == 200 and stale.content == first.content


def _edit_label(home, old: str, new: str) -> None:
    path = home / "data" / "products.ttl"
    text = path.read_text(encoding="utf-8")
    assert f'"{old}"@en' in text
    path.write_text(text.replace(f'"{old}"@en', f'"{new}"@en', 1), encoding="utf-8")


def _label(client, entity: str, **headers) -> tuple[int, str, str]:
    response = client.get(
        "/sparql",
        params={"query": f"SELECT ?l {{ {entity} rdfs:label ?l }}"},
        headers={"Accept": JSON, **headers},
    )
    rows = _rows(response.content) if response.status_code == 200 else []
    return response.status_code, rows[0]["l"] if rows else "", response.headers.get("ETag", "")


def test_a_rebuild_is_served_at_once_and_the_old_answers_never_again(project_copy):
    app = create_app(project_copy, workers=1, timeout=5, watch_seconds=3600)
    with TestClient(app) as client:
        status, label, etag = _label(client, "id:leica-sl2")
        assert (status, label) == (200, "Leica SL2")
        _edit_label(project_copy, "Leica SL2", "Leica SL2 (edited)")
        l2graph.build(project_copy)  # another process's rebuild: no restart, no wait
        status, label, new_etag = _label(client, "id:leica-sl2", **{"If-None-Match": etag})
        assert (status, label) == (200, "Leica SL2 (edited)")
        assert new_etag != etag


def test_an_edit_is_rebuilt_and_served_without_a_restart(project_copy):
    app = create_app(project_copy, workers=1, timeout=5, watch_seconds=0.1)
    with TestClient(app) as client:
        assert _label(client, "id:leica-sl2")[1] == "Leica SL2"
        _edit_label(project_copy, "Leica SL2", "Leica SL2 (rebuilt)")
        deadline = time.monotonic() + 30
        while _label(client, "id:leica-sl2")[1] != "Leica SL2 (rebuilt)":
            assert time.monotonic() < deadline, "the edit was never served"
            time.sleep(0.1)


# ------------------------------------------------------------------- stored queries


def test_stored_queries_are_listed_in_json_csv_and_html(client):
    names = [q.name for q in l2graph.list_queries()]
    listed = client.get("/queries", headers={"Accept": "application/json"}).json()
    assert [q["name"] for q in listed] == names
    table = client.get("/queries", params={"format": "csv"}).text
    assert [row[0] for row in csv.reader(io.StringIO(table))][1:] == names
    page = client.get("/queries", headers={"Accept": HTML}).text
    assert all(f'href="/queries/{name}"' in page for name in names)


def test_every_stored_query_over_http_gives_the_api_s_rows(client):
    for query in l2graph.list_queries():
        response = client.get(
            f"/queries/{query.name}", params=query.example, headers={"Accept": JSON}
        )
        assert response.status_code == 200, (query.name, response.text)
        assert _rows(response.content) == _api_rows(
            l2graph.run_query(query.name, **query.example)
        ), query.name


def test_stored_query_parameters_are_bound_and_a_bad_one_named(client):
    with_params = [q for q in l2graph.list_queries() if q.parameters]
    assert with_params
    query = with_params[0]
    parameter = query.parameters[0]
    response = client.get(f"/queries/{query.name}", params={parameter.name: "not an iri <>"})
    if parameter.kind != "string":
        assert response.status_code == 400
        assert parameter.name in response.text
    response = client.get(f"/queries/{query.name}", params={"nonsense": "1"})
    assert response.status_code == 400 and "nonsense" in response.text
    injected = client.get(
        f"/queries/{query.name}",
        params={**query.example, parameter.name: "x } . ?s ?p ?o . { ?s"},
    )
    assert injected.status_code in (200, 400)  # bound as a value or refused, never run as text
    if injected.status_code == 200:
        assert _rows(injected.content) == []


def test_an_unknown_stored_query_is_404_with_the_nearest_name(client):
    response = client.get("/queries/leica_bodies_that_are_panasonic_body")
    assert response.status_code == 404
    assert HEADLINE in response.text
    plain = client.get("/queries/no_such_query", headers={"Accept": "text/csv"})
    assert plain.text.startswith("unknown query 'no_such_query'")
    assert plain.text.endswith(" (/queries lists them)\n")
    assert "l2graph queries" not in plain.text  # the command line's hint is not the server's


# ------------------------------------------------------------------ Linked Data pages


@pytest.mark.parametrize(
    ("accept", "extension"),
    [(HTML, "html"), ("text/turtle", "ttl"), ("application/ld+json", "jsonld")],
)
def test_an_entity_iri_is_303_to_the_document_accept_asks_for(client, accept, extension):
    response = client.get("/id/leica-sl2", headers={"Accept": accept}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/id/leica-sl2.{extension}"
    assert "Accept" in response.headers["Vary"]


def test_entity_documents_hold_its_triples(client):
    turtle = client.get("/id/leica-sl2.ttl")
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = {
        (t.subject.value, t.predicate.value, t.object.value)
        for t in ox.parse(turtle.content, ox.RdfFormat.TURTLE)
    }
    assert (ID + "leica-sl2", PREFIXES["l2"] + "rebadgeOf", ID + "panasonic-s1r") in graph
    for extension, rdf_format in (("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD)):
        other = client.get(f"/id/leica-sl2.{extension}")
        assert other.status_code == 200
        parsed = {
            (t.subject.value, t.predicate.value, t.object.value)
            for t in ox.parse(other.content, rdf_format)
        }
        assert parsed == graph


def test_a_label_redirects_to_the_canonical_iri(client):
    response = client.get("/id/Leica%20SL2.html", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/id/leica-sl2.html"


def test_an_unknown_entity_gets_a_404_page_with_the_nearest_names(client):
    response = client.get("/id/leica-sl3", headers={"Accept": HTML})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/id/leica-sl2"' in response.text


def _visible(page: str) -> str:
    """Page text as a reader sees it: tags dropped, entities decoded, white space folded."""
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_entity_page_shows_every_fact_its_quote_and_status(client):
    description = l2graph.describe("leica-sl2")
    page = client.get("/id/leica-sl2.html").text
    text = _visible(page)
    assert description.label in text
    for claim in description.claims:
        assert " ".join(claim.quote.split()) in text, claim.claim
        assert f"status-{claim.status}" in page
    inferred = [f for f in description.facts if f.inferred]
    assert inferred and text.count("inferred") >= len(inferred)
    assert '<a class="in-article" href="/articles/' in page


def test_the_entity_page_draws_its_neighbourhood(client):
    import shutil

    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz's dot is not installed (apt-get install graphviz)")
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
    page = client.get("/id/leica-sl2.html").text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "Panasonic S1R" in svg and 'href="/id/panasonic-s1r"' in svg


def test_the_article_page_marks_every_quote_with_its_status_and_claim(client):
    from l2graph import sources
    from l2graph.cache import open_store
    from l2graph.project import Project

    project = Project.locate()
    located, missing = sources.quotes(open_store(), project.sources_dir)
    assert not missing
    slug = "2022-leica-panasonic-joint-camera"
    mine = [q for q in located if q.article == ID + "article-" + slug]
    page = client.get(f"/articles/{slug}").text
    for quote in mine:
        local = quote.claim.removeprefix(ID)
        assert f'id="{local}"' in page, local
        assert f'href="/id/{local}"' in page
        assert f'class="claim-ref status-{quote.status}"' in page
    coverage = l2graph.coverage()
    article = next(a for a in coverage.articles if a.article == ID + "article-" + slug)
    text = page[page.index('<article class="source">') :]
    shown = len(re.findall(r'class="sentence (?:covered|excluded|uncovered)"', text))
    assert shown == len(article.sentences)
    assert text.count('class="sentence excluded"') == len(article.excluded)


def test_the_home_page_lists_classes_queries_and_has_a_query_form(client):
    page = client.get("/", headers={"Accept": HTML}).text
    text = _visible(page)
    for label, count in l2graph.statistics():
        if label.startswith("instances of "):
            assert f"{label.removeprefix('instances of ')} {count}" in text
    for query in l2graph.list_queries():
        assert query.summary in text
    assert '<form class="query" action="/sparql" method="post">' in page


def test_the_query_form_answers_with_a_table_of_entity_links(client):
    response = client.post("/sparql", data={"query": _headline_text()}, headers={"Accept": HTML})
    assert response.status_code == 200
    for row in l2graph.run_query(HEADLINE):
        assert f'href="/id/{str(row["leicaBody"]).removeprefix(ID)}"' in response.text


def _html_table(client, query: str) -> str:
    """The browser's results table for ``query`` (a GET with ``query=``, as a link gives)."""
    response = client.get("/sparql", params={"query": query}, headers={"Accept": HTML})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_the_html_table_shows_every_term_of_the_whole_graph(client):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    page = _html_table(client, query)
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    cells = [c for row in json.loads(answer.content)["results"]["bindings"] for c in row.values()]
    kinds = {cell["type"] for cell in cells}
    assert {"uri", "literal"} <= kinds
    for cell in cells:
        shown = "_:" + cell["value"] if cell["type"] == "bnode" else cell["value"]
        assert str(markupsafe.escape(shown)) in page, cell


def test_the_html_table_shows_blank_nodes_and_unbound_cells(client):
    page = _html_table(client, "SELECT ?b ?u WHERE { BIND(BNODE() AS ?b) }")
    assert re.search(r'<td><span class="blank">_:[^<]+</span></td>', page)
    assert '<td><span class="unbound">' in page


def test_the_html_table_shows_iris_of_every_scheme_and_links_only_http(client):
    iris = ["urn:isbn:0451450523", "mailto:a@example.org", "javascript:alert(1)"]
    linked = "https://example.org/x?a=1&b=2"
    values = " ".join(f"<{iri}>" for iri in [*iris, linked])
    page = _html_table(client, f"SELECT ?i WHERE {{ VALUES ?i {{ {values} }} }}")
    for iri in iris:
        assert f'title="{markupsafe.escape(iri)}"' in page
        assert f'href="{markupsafe.escape(iri)}"' not in page
    assert f'href="{markupsafe.escape(linked)}"' in page
    assert 'href="javascript:' not in page and 'href="urn:' not in page


def test_the_html_table_shows_literals_with_their_language_or_datatype(client):
    hostile = "<b>bold & 'quoted'</b>"
    query = (
        'SELECT ?l WHERE { VALUES ?l { "chat"@fr "3"^^xsd:integer "x"^^<urn:example:type> '
        f'"plain" "{hostile}" }} }}'
    )
    page = _html_table(client, query)
    assert '<span class="literal">chat</span> <small class="language">@fr</small>' in page
    assert '<span class="literal">3</span> <small class="datatype">xsd:integer</small>' in page
    assert f'<small class="datatype">{markupsafe.escape("<urn:example:type>")}</small>' in page
    assert '<span class="literal">plain</span></td>' in page
    assert hostile not in page and str(markupsafe.escape(hostile)) in page


def test_pages_load_nothing_from_elsewhere_and_escape_every_value(client, project_copy):
    for path in ("/", "/id/leica-sl2.html", "/articles/2022-05-31-l2-technology-alliance"):
        page = client.get(path).text
        assets = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', page)
        assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets)
    hostile = "<script>alert(1)</script>"
    _edit_label(project_copy, "Leica SL2", hostile)
    with TestClient(create_app(project_copy, workers=1, timeout=5)) as own:
        page = own.get("/id/leica-sl2.html").text
        assert hostile not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        result = own.post(
            "/sparql",
            data={"query": "SELECT ?l { id:leica-sl2 rdfs:label ?l }"},
            headers={"Accept": HTML},
        ).text
        assert hostile not in result


def test_only_http_and_https_iris_become_links():
    from l2graph.web.answers import href

    assert href("https://schema.org/brand") == "https://schema.org/brand"
    assert href(ID + "leica-sl2") == "/id/leica-sl2"
    for iri in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "urn:x:y"):
        assert href(iri) is None


def test_negotiation_prefers_quality_then_specificity_then_our_order():
    offers = {"application/json": "json", "text/csv": "csv", "text/html": "html"}
    assert negotiate("text/*;q=0.9, application/json;q=0.1", offers)[1] == "csv"
    assert negotiate("text/html, text/*;q=0.5", offers)[1] == "html"
    assert negotiate("*/*", offers)[1] == "json"
    assert negotiate("text/csv;q=0, */*;q=0.1", offers)[1] == "json"


def test_the_worker_s_answer_path_never_imports_rdflib(sources_dir):
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from l2graph.cache import live_build\n"
        "from l2graph.project import Project\n"
        "from l2graph.web import answers\n"
        "project = Project.locate()\n"
        "build = str(live_build(project))\n"
        "answers.sparql(project, build, 'SELECT * { ?s ?p ?o } LIMIT 3', 'json', 10)\n"
        "answers.entity(project, build, answers.ID, 'leica-sl2', 'html')\n"
        "loaded = [m for m in ('rdflib', 'owlrl', 'pyshacl') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


def test_a_broken_edit_keeps_the_last_good_build_live_and_says_why(project_copy):
    app = create_app(project_copy, workers=1, timeout=5, watch_seconds=0.1)
    products = project_copy / "data" / "products.ttl"
    good = products.read_text(encoding="utf-8")
    with TestClient(app) as client:
        assert _label(client, "id:leica-sl2")[1] == "Leica SL2"
        products.write_text(good + "\nid:broken l2:brand .\n", encoding="utf-8")
        deadline = time.monotonic() + 30
        while app.state.graph.problem is None:
            assert time.monotonic() < deadline, "the broken edit was never noticed"
            time.sleep(0.1)
        assert "products.ttl" in app.state.graph.problem
        assert _label(client, "id:leica-sl2")[1] == "Leica SL2"  # the last good build
        products.write_text(  # the file, mended
            good.replace('"Leica SL2"@en', '"Leica SL2 (fixed)"@en', 1), encoding="utf-8"
        )
        while _label(client, "id:leica-sl2")[1] != "Leica SL2 (fixed)":
            assert time.monotonic() < deadline + 30, "the mended file was never served"
            time.sleep(0.1)
        assert app.state.graph.problem is None
