"""``l2graph serve`` as users meet it: started by its command on a free loopback port, then
queried by a real SPARQL client (SPARQLWrapper) and driven in a real browser (Playwright with
Debian's Chromium). Expected answers come from the public API.

The browser tests skip with a reason when no Chromium is installed, and fail in CI (where
``.ci/run`` installs it).

The last section treats the server as an abusive client would, on its own server process:
a 300 MB body, a chunked body without end, a 50 MB header, 100 distinct 4 MB queries and a
query sent behind eight runaways, each bounded in time and measured by the server's resident
memory (``VmRSS`` in ``/proc``).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

import l2graph
from benchmarks import oxigraph_server
from l2graph.project import ID

HEADLINE = "leica_bodies_that_are_panasonic_bodies"


@contextlib.contextmanager
def _serving(log: Path, *options: str):
    """``l2graph serve --port 0 OPTIONS`` in its own process; yields ``(base URL, process)``
    and stops it, checking that it ended cleanly and printed no traceback."""
    l2graph.build()  # the build the server opens, made before its start-up clock runs
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "l2graph", "serve", "--port", "0", *options], stderr=stderr
        )
    try:
        deadline = time.monotonic() + 60
        while not (match := re.search(r"serving (http://127\.0\.0\.1:\d+)/", log.read_text())):
            assert process.poll() is None, f"the server did not start: {log.read_text()}"
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.05)
        # the address is printed once bound, a moment before uvicorn listens on it
        url = match.group(1)
        oxigraph_server.wait_until_answering(
            f"{url}/sparql?query=ASK%7B%7D", process, log, 60, "l2graph serve"
        )
        yield url, process
    finally:
        oxigraph_server.stop(process)
    assert process.returncode in (0, 143), log.read_text()  # 143: stopped by SIGTERM
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture(scope="module")
def server(sources_dir, tmp_path_factory):
    """``l2graph serve --port 0`` in its own process; yields its base URL (no trailing /)."""
    with _serving(tmp_path_factory.mktemp("serve") / "stderr.log", "--timeout", "3") as (url, _):
        yield url


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


# ------------------------------------------------------------------ under abuse, measured

ABUSE_TIMEOUT = 2  # seconds: --timeout of the abused server
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def abused(sources_dir, tmp_path_factory):
    """A server of its own for the abuse tests (2 workers, ``--timeout 2``): ``(host, port,
    process id)``."""
    if not Path("/proc/self/status").exists():
        pytest.skip("resident memory is read from /proc (Linux)")
    log = tmp_path_factory.mktemp("abused") / "stderr.log"
    options = ("--workers", "2", "--timeout", str(ABUSE_TIMEOUT))
    with _serving(log, *options) as (url, process):
        host, port = url.removeprefix("http://").split(":")
        yield host, int(port), process.pid


def _rss(pid: int) -> int:
    """A process's resident memory in bytes (``VmRSS``)."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def _workers(pid: int) -> list[int]:
    """The server's child processes (its query workers and multiprocessing's helper)."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as file:
            found += [int(child) for child in file.read().split()]
    return found


@contextlib.contextmanager
def _peak(pid: int):
    """Samples ``pid``'s resident memory every 10 ms; yields a dict whose ``"peak"`` is the
    highest seen (and ``"before"`` the first)."""
    seen = {"before": _rss(pid), "peak": _rss(pid)}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.01):
            with contextlib.suppress(OSError, StopIteration):
                seen["peak"] = max(seen["peak"], _rss(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield seen
    finally:
        stop.set()
        sampler.join()


def _push(host: str, port: int, head: bytes, body, most: int) -> tuple[bytes, int]:
    """Send ``head`` and then ``body``'s pieces (up to ``most`` bytes) while reading the
    answer, as a client that does not wait to be refused: ``(answer, bytes of body sent)``.
    Stops when the server answers and closes, or after 20 s."""
    sent, answer, pending, head_left = 0, b"", head, len(head)
    pieces = iter(body)
    deadline = time.monotonic() + 20
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.setblocking(False)
        with selectors.DefaultSelector() as selector:
            selector.register(connection, selectors.EVENT_READ | selectors.EVENT_WRITE)
            while time.monotonic() < deadline:
                for _, events in selector.select(timeout=0.5):
                    if events & selectors.EVENT_READ:
                        try:
                            data = connection.recv(65536)
                        except OSError:
                            return answer, sent
                        if not data:
                            return answer, sent
                        answer += data
                    if events & selectors.EVENT_WRITE:
                        if not pending and sent < most:
                            pending = next(pieces, b"")
                        if not pending:
                            selector.modify(connection, selectors.EVENT_READ)
                            continue
                        try:
                            done = connection.send(pending)
                        except BlockingIOError:
                            continue
                        except OSError:  # refused and closed: what is sent is what was taken
                            selector.modify(connection, selectors.EVENT_READ)
                            pending = b""
                            continue
                        of_head = min(done, head_left)
                        head_left -= of_head
                        sent += done - of_head
                        pending = pending[done:]
    return answer, sent


def test_a_300_mb_body_is_refused_from_its_content_length_without_being_read(abused):
    host, port, pid = abused
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 300000000\r\n\r\n"
    )
    block = b"x" * MiB
    started = time.monotonic()
    with _peak(pid) as memory:
        answer, sent = _push(host, port, head, iter(lambda: block, None), 300_000_000)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"larger than this server's limit of 5,242,880 bytes" in answer
    assert time.monotonic() - started < 10
    assert sent < 64 * MiB, f"{sent:,} bytes of the body were taken"  # socket buffers at most
    assert memory["peak"] - memory["before"] < 16 * MiB, memory


def test_a_chunked_body_is_refused_once_past_the_cap_and_never_read_further(abused):
    host, port, pid = abused
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"x" * 65536
    chunk = b"%x\r\n" % len(piece) + piece + b"\r\n"
    with _peak(pid) as memory:
        answer, sent = _push(host, port, head, iter(lambda: chunk, None), 300_000_000)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert sent < 64 * MiB, f"{sent:,} bytes of the body were taken"
    assert memory["peak"] - memory["before"] < 32 * MiB, memory


def test_a_50_mb_request_head_is_refused_without_being_buffered(abused):
    host, port, pid = abused
    head = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv"
    block = b", text/x-padding" * 65536
    started = time.monotonic()
    with _peak(pid) as memory:
        answer, sent = _push(host, port, head, iter(lambda: block, None), 50_000_000)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:300]
    assert b"larger than this server's limit" in answer
    assert time.monotonic() - started < 10
    assert sent < 64 * MiB, f"{sent:,} bytes of the head were taken"
    assert memory["peak"] - memory["before"] < 16 * MiB, memory


def test_a_hundred_distinct_4_mb_queries_leave_the_server_within_64_mb(abused):
    """Each query text differs (as an attacker's would), half are asked for as HTML pages,
    which repeat the text: what is kept is bounded in bytes, and the text itself is never a
    key."""
    host, port, pid = abused
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "text/csv"})
    assert connection.getresponse().read() == b"true"  # the workers have answered once
    before, workers_before = _rss(pid), {w: _rss(w) for w in _workers(pid)}
    for number in range(100):
        accept = "text/html" if number % 2 else "application/sparql-results+json"
        text = f"ASK {{ }} # {number} " + "x" * 4_000_000
        connection.request(
            "POST",
            "/sparql",
            body=text.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": accept},
        )
        response = connection.getresponse()
        assert response.status == 200, response.read()[:300]
        response.read()
    connection.close()
    grown = _rss(pid) - before
    assert grown < 64 * MiB, f"the server grew by {grown / MiB:.0f} MiB"
    for worker, was in workers_before.items():  # a worker holds one query at a time
        with contextlib.suppress(FileNotFoundError):
            assert _rss(worker) - was < 64 * MiB, (worker, was, _rss(worker))


def test_a_query_behind_eight_runaways_is_answered_or_refused_by_its_own_deadline(abused):
    """Two workers, eight runaway queries, then a trivial one: every request has its answer
    within the time limit and a second, counted from its arrival; those that found no free
    worker are told the server is busy, with a Retry-After."""
    host, port, _ = abused
    answers: dict[str, tuple[float, int, str, str | None]] = {}

    def ask(name: str, query: str, delay: float = 0.0) -> None:
        time.sleep(delay)
        started = time.monotonic()
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("GET", "/sparql?" + urlencode({"query": query}))
        response = connection.getresponse()
        body = response.read().decode()
        took = time.monotonic() - started
        answers[name] = (took, response.status, body, response.getheader("Retry-After"))
        connection.close()

    askers = [
        threading.Thread(target=ask, args=(f"runaway {n}", f"{RUNAWAY} # {n}")) for n in range(8)
    ]
    askers.append(threading.Thread(target=ask, args=("trivial", "ASK { ?s ?p ?o }", 0.2)))
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join(timeout=30)
    assert len(answers) == 9, answers
    for name, (took, status, body, retry_after) in answers.items():
        assert took < ABUSE_TIMEOUT + 1, (name, took, body)
        if name == "trivial":
            assert status in (200, 503), (status, body)
        else:
            assert status == 503, (name, status, body)
        if status == 503 and "busy" in body:
            assert retry_after == str(ABUSE_TIMEOUT), (name, retry_after)
    busy = [name for name, answer in answers.items() if "the server is busy" in answer[2]]
    # some waited for a worker and were refused as busy; how many depends on how soon the
    # killed workers' replacements start (3 to 6 seen here), so only that there were
    assert busy, answers
