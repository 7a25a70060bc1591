"""``l2graph serve`` as users meet it: started by its command on a free loopback port, then
queried by a real SPARQL client (SPARQLWrapper) and driven in a real browser (Playwright with
Debian's Chromium). Expected answers come from the public API.

The browser tests skip with a reason when no Chromium is installed, and fail in CI (where
``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import l2graph
from benchmarks import oxigraph_server
from l2graph.project import ID

HEADLINE = "leica_bodies_that_are_panasonic_bodies"


@pytest.fixture(scope="module")
def server(sources_dir, tmp_path_factory):
    """``l2graph serve --port 0`` in its own process; yields its base URL (no trailing /)."""
    l2graph.build()  # the build the server opens, made before its start-up clock runs
    log = tmp_path_factory.mktemp("serve") / "stderr.log"
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "l2graph", "serve", "--port", "0", "--timeout", "3"],
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60
        while not (match := re.search(r"serving (http://127\.0\.0\.1:\d+)/", log.read_text())):
            assert process.poll() is None, f"the server did not start: {log.read_text()}"
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.05)
        yield match.group(1)
    finally:
        oxigraph_server.stop(process)
    assert process.returncode in (0, 143), log.read_text()  # 143: stopped by SIGTERM
    assert "Traceback" not in log.read_text(), log.read_text()


def test_serve_binds_loopback_and_refuses_a_taken_port(server):
    port = server.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "l2graph", "serve", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------------ SPARQLWrapper


def _wrapper(server: str):
    from SPARQLWrapper import SPARQLWrapper

    return SPARQLWrapper(f"{server}/sparql")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_gets_the_api_s_rows(server, method):
    from SPARQLWrapper import JSON

    client = _wrapper(server)
    client.setMethod(method)
    client.setQuery(l2graph.get_query(HEADLINE).text)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    got = [{name: cell["value"] for name, cell in row.items()} for row in rows]
    expected = [
        {k: str(v) for k, v in row.items() if v is not None} for row in l2graph.run_query(HEADLINE)
    ]
    assert got == expected and len(got) >= 2


def test_sparqlwrapper_ask_and_construct(server):
    from SPARQLWrapper import JSON, TURTLE

    client = _wrapper(server)
    client.setQuery("ASK { id:leica-sl2 l2:rebadgeOf id:panasonic-s1r }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True

    client = _wrapper(server)
    client.setQuery("CONSTRUCT { ?b l2:rebadgeOf ?o } WHERE { ?b l2:rebadgeOf ?o }")
    client.setReturnFormat(TURTLE)
    graph = client.queryAndConvert()
    import rdflib

    parsed = rdflib.Graph().parse(data=graph, format="turtle")
    expected = {
        (str(row["b"]), str(row["o"]))
        for row in l2graph.run_sparql("SELECT ?b ?o { ?b l2:rebadgeOf ?o }")
    }
    assert {(str(s), str(o)) for s, _, o in parsed} == expected


def test_sparqlwrapper_update_is_refused(server):
    from urllib.error import HTTPError

    from SPARQLWrapper import POST

    client = _wrapper(server)
    client.setMethod(POST)
    client.setQuery("INSERT DATA { id:x rdfs:label 'x' }")
    with pytest.raises(HTTPError) as refused:
        client.query()
    assert refused.value.code == 403


def test_a_runaway_query_times_out_and_the_server_answers_the_next(server):
    from urllib.error import HTTPError

    from SPARQLWrapper import JSON

    client = _wrapper(server)
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    client.setReturnFormat(JSON)
    started = time.monotonic()
    with pytest.raises(HTTPError) as stopped:
        client.query()
    assert stopped.value.code == 503
    assert time.monotonic() - started < 15
    client = _wrapper(server)
    client.setQuery("ASK { id:leica-sl2 ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


# ---------------------------------------------------------------------------- browser


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "no Chromium found (apt-get install chromium); the browser test needs one"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.mark.browser
def test_a_browser_runs_the_headline_query_and_follows_it_to_the_quote(server, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    rows = list(l2graph.run_query(HEADLINE))
    sl2 = next(row for row in rows if str(row["leicaBody"]) == ID + "leica-sl2")
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{server}/")
            page.fill("textarea#query", l2graph.get_query(HEADLINE).text)
            page.click("form.query button[type=submit]")
            page.wait_for_selector("table.results")
            table = page.inner_text("table.results")
            for row in rows:  # both Leica/Panasonic pairs, as the API gives them
                assert str(row["leicaName"]) in table and str(row["panasonicName"]) in table
            page.screenshot(path=str(tmp_path / "results.png"), full_page=True)

            page.get_by_role("link", name=str(sl2["leicaName"]), exact=True).first.click()
            page.wait_for_url(re.compile(r"/id/leica-sl2\.html$"))
            assert page.inner_text("h1") == str(sl2["leicaName"])
            quote = " ".join(str(sl2["quote"]).split())
            claim = page.locator(".claim", has_text=quote).first
            assert "confirmed" in claim.inner_text() or "reported" in claim.inner_text()
            page.screenshot(path=str(tmp_path / "entity.png"), full_page=True)

            claim.locator("a.in-article").click()
            page.wait_for_url(re.compile(r"/articles/[^#]+#claim-"))
            anchor = page.url.rsplit("#", 1)[1]
            marked = page.locator(f"[id='{anchor}'] ~ mark").first
            assert page.locator(f"[id='{anchor}']").count() == 1, page.content()[:3000]
            assert marked.is_visible()
            assert quote.split()[0] in page.inner_text("article.source")
            page.screenshot(path=str(tmp_path / "article.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "article.png").stat().st_size > 10_000
    elsewhere = [url for url in requested if not url.startswith(server)]
    assert not elsewhere, f"pages requested other hosts: {elsewhere}"


def test_a_large_answer_arrives_whole(server):
    """Bigger than a socket buffer: the worker's answer crosses the pipe in many reads."""
    from SPARQLWrapper import JSON

    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    client = _wrapper(server)
    client.setQuery(everything)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert len(rows) == len(l2graph.run_sparql(everything)) > 1000
