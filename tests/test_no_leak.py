"""No spelling of SERVICE, FROM or LOAD reaches the network, on any face or engine.

A listener on 127.0.0.1 stands where each query would send its request; every spelling is
sent through the command line, the Python API (Oxigraph and rdflib) and the server (GET,
direct POST, form POST), must be refused on each, and the listener must hear nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest
from starlette.testclient import TestClient

import l2graph
from l2graph.errors import RefusedQueryError

# {P} is the listener's port. The first three are the spellings that once went through; the
# fourth sends the graph's own labels out with the request.
SPELLINGS = [
    "SELECT * WHERE { ?s ?p ?o .SERVICE <http://127.0.0.1:{P}/a> { ?x ?y ?z } }",
    "SELECT * WHERE { # c\rSERVICE <http://127.0.0.1:{P}/b> { ?x ?y ?z } \n}",
    "SELECT * WHERE { ?s ?p ?o FILTER(rdf:a\\' != 1) SERVICE <http://127.0.0.1:{P}/c> "
    "{ ?x ?y ?z } } #'",
    "SELECT ?o WHERE { ?s rdfs:label ?o .\n"
    '  BIND(IRI(CONCAT("http://127.0.0.1:{P}/leak?", ENCODE_FOR_URI(STR(?o)))) AS ?svc)\n'
    "  FILTER EXISTS { ?s ?p ?q .SERVICE ?svc { ?x ?y ?z } } } LIMIT 3",
    "select * where { ?s ?p ?o .service silent <http://127.0.0.1:{P}/d> { ?x ?y ?z } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o .SERVICE <http://127.0.0.1:{P}/e> { ?s ?p ?o } }",
    "ASK { ?s ?p ?o .SERVICE <http://127.0.0.1:{P}/f> { ?x ?y ?z } }",
    "SELECT * WHERE { VALUES ?svc { <http://127.0.0.1:{P}/g> } .SERVICE ?svc { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p trueSERVICE <http://127.0.0.1:{P}/h> { ?x ?y ?z } }",
    "SELECT * WHERE { ?s ?p id:a.b.SERVICE <http://127.0.0.1:{P}/i> { ?x ?y ?z } }",
    "SELECT * WHERE { ?s ?p ?o SERV\\u0049CE <http://127.0.0.1:{P}/j> { ?x ?y ?z } }",
    "SELECT * WHERE { FILTER(?a<?b#> 1 \n) SERVICE <http://127.0.0.1:{P}/k> { ?x ?y ?z } }",
    "SELECT * # c\rFROM <http://127.0.0.1:{P}/l>\nWHERE { ?s ?p ?o }",
    "SELECT * # c\rFROM NAMED <http://127.0.0.1:{P}/m>\nWHERE { GRAPH ?g { ?s ?p ?o } }",
    "ASKFROM<http://127.0.0.1:{P}/n>{ ?s ?p ?o }",
    "SELECT*FROM<http://127.0.0.1:{P}/o>{ ?s ?p ?o }",
    # rdflib decodes the escape and reads one string; Oxigraph reads SERVICE as code
    'ASK { ?s ?p "x\\u0022" SERVICE <http://127.0.0.1:{P}/r> { ?a ?b ?c } #" }',
    "LOAD <http://127.0.0.1:{P}/p>",
    "load<http://127.0.0.1:{P}/q>",
]
CLI_SPELLINGS = SPELLINGS[:4] + SPELLINGS[12:13]  # each a process: the ones the issue named


@pytest.fixture(scope="module")
def listener():
    """A TCP listener on 127.0.0.1 that records every connection made to it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    heard: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    heard.append(connection.recv(4096) or b"(connected)")
                except OSError:
                    heard.append(b"(connected)")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], heard
    stop.set()
    thread.join(5)
    server.close()


def _queries(port: int, spellings: list[str]) -> list[str]:
    return [spelling.replace("{P}", str(port)) for spelling in spellings]


def test_the_api_refuses_every_spelling_on_both_engines(listener):
    import rdflib

    port, heard = listener
    graph = rdflib.Graph()
    graph.add((rdflib.URIRef("urn:x:a"), rdflib.RDFS.label, rdflib.Literal("Canon")))
    for query in _queries(port, SPELLINGS):
        with pytest.raises(RefusedQueryError):
            l2graph.run_sparql(query)
        with pytest.raises(RefusedQueryError):
            l2graph.run_sparql(query, graph=graph, engine="rdflib")
        with pytest.raises(RefusedQueryError):
            l2graph.run_sparql(query, graph=graph)
    assert heard == []


def test_the_server_refuses_every_spelling_by_get_post_and_form(listener, sources_dir):
    from l2graph.web.app import create_app

    port, heard = listener
    with TestClient(create_app(workers=1, timeout=5)) as client:
        for query in _queries(port, SPELLINGS):
            answers = [
                client.get("/sparql", params={"query": query}),
                client.post(
                    "/sparql",
                    content=query.encode(),
                    headers={"Content-Type": "application/sparql-query"},
                ),
                client.post("/sparql", data={"query": query}),
            ]
            for answer in answers:
                assert answer.status_code == 403, (query, answer.status_code, answer.text[:200])
                assert "not allowed" in answer.text
    assert heard == []


def test_the_command_line_refuses_the_spellings_with_exit_2(listener):
    port, heard = listener
    for query in _queries(port, CLI_SPELLINGS):
        done = subprocess.run(
            [sys.executable, "-m", "l2graph", "sparql", query],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ},
        )
        assert done.returncode == 2, (query, done.stderr)
        assert "not allowed" in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert heard == []
