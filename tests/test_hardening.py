"""Signals, the socket guard and the cache under concurrent and killed builds: what the corpus
(``tests/test_bad_inputs.py``) cannot express as one command and its answer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import l2graph
from l2graph.project import Project

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_ends_a_runaway_query_within_a_second(sources_dir, sent, code):
    l2graph.build()
    process = subprocess.Popen(
        [sys.executable, "-m", "l2graph", "sparql", RUNAWAY],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)  # well into the query
    assert process.poll() is None
    process.send_signal(sent)
    started = time.monotonic()
    process.wait(timeout=10)
    assert time.monotonic() - started < 1.0
    err = process.stderr.read()
    assert process.returncode == code, err
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_the_next_command_works_after_a_timeout(sources_dir):
    stopped = subprocess.run(
        [sys.executable, "-m", "l2graph", "sparql", RUNAWAY, "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stopped.returncode == 2 and "stopped after 1 s" in stopped.stderr
    answered = subprocess.run(
        [sys.executable, "-m", "l2graph", "query", "001", "-f", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answered.returncode == 0
    assert len(answered.stdout.splitlines()) == 1 + len(l2graph.run_query("001"))


def test_pending_temporary_files_are_removed_when_the_process_stops(tmp_path: Path):
    from l2graph import files

    release = threading.Event()

    def slow():
        yield b"first part\n"
        release.wait(10)
        yield b"second part\n"

    outcome: list[BaseException] = []

    def write() -> None:
        try:
            files.write_atomically(slow(), tmp_path / "out")
        except l2graph.InputError as failed:  # its file was taken away: it fails cleanly
            outcome.append(failed)

    writer = threading.Thread(target=write)
    writer.start()
    deadline = time.monotonic() + 10
    while not list(tmp_path.glob(".out.*")):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    files.remove_pending()  # what the command does on SIGTERM, before it exits
    assert not list(tmp_path.glob(".out.*"))
    release.set()
    writer.join()
    assert outcome and not (tmp_path / "out").exists()


def test_the_socket_guard_refuses_what_nobody_named_and_lets_the_endpoint_through():
    script = (
        "import urllib.request\n"
        "from l2graph import guard\n"
        "guard.install()\n"
        "for url in ('http://127.0.0.1:9/', 'http://example.org/'):\n"
        "    try:\n"
        "        urllib.request.urlopen(url, timeout=2)\n"
        "    except guard.ConnectionRefused as refused:\n"
        "        print('refused', url)\n"
        "guard.allow('http://127.0.0.1:9/sparql')\n"
        "try:\n"
        "    urllib.request.urlopen('http://127.0.0.1:9/', timeout=2)\n"
        "except OSError:\n"  # let through: nothing listens there
        "    print('let through')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.splitlines() == [
        "refused http://127.0.0.1:9/",
        "refused http://example.org/",
        "let through",
    ], done.stderr


def test_killed_builds_are_swept_and_live_ones_kept(project_copy: Path):
    l2graph.build(project_copy)
    cache = Project.locate(project_copy).cache_dir
    dead = cache / ".build-999999999-left"  # no such process
    alive = cache / f".build-{os.getpid()}-working"
    for folder in (dead, alive):
        (folder / "store").mkdir(parents=True)
    (project_copy / "data" / "products.ttl").write_text(
        (project_copy / "data" / "products.ttl").read_text() + "\n# a change\n"
    )
    l2graph.build(project_copy)
    assert not dead.exists() and alive.exists()


def test_queries_racing_forced_rebuilds_always_find_a_build(project_copy: Path):
    l2graph.build(project_copy)
    failures: list[BaseException] = []
    stop = threading.Event()

    def rebuild() -> None:
        while not stop.is_set():
            l2graph.build(project_copy, force=True)

    builder = threading.Thread(target=rebuild)
    builder.start()
    try:
        for _ in range(40):
            try:
                assert len(l2graph.run_query("001", home=project_copy)) >= 2
            except BaseException as exc:  # every failure counts
                failures.append(exc)
    finally:
        stop.set()
        builder.join()
    assert not failures, failures[:3]


@pytest.mark.parametrize("where", ["build", "graph", "rdflib"])
def test_the_api_stops_a_runaway_query_at_its_timeout_and_answers_the_next(sources_dir, where):
    from l2graph import workers

    on = {"build": {}, "graph": {"graph": l2graph.load_graph()}, "rdflib": {"engine": "rdflib"}}
    worker = workers.run(os.getpid, (), 30)
    started = time.monotonic()
    with pytest.raises(l2graph.QueryTimeoutError):
        l2graph.run_sparql(RUNAWAY, timeout=1, **on[where])
    assert time.monotonic() - started < 2.0 + (1.0 if where == "rdflib" else 0.0)  # + owlrl
    assert worker not in workers.worker_pids()  # killed, not left running
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)
    assert len(l2graph.run_query("001", **on[where])) >= 2


def test_a_table_shows_its_first_rows_and_the_w3c_formats_stream_every_row(monkeypatch):
    import io

    import pyoxigraph as ox

    from l2graph import results
    from l2graph.results import QueryResult

    store = ox.Store()
    for n in range(15):
        store.add(ox.Quad(ox.NamedNode(f"urn:s{n}"), ox.NamedNode("urn:p"), ox.Literal(str(n))))
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
    monkeypatch.setattr(results, "TABLE_ROWS", 10)
    table = QueryResult(store.query(query)).serialize("table").decode()
    assert table.splitlines()[-1] == "(10 of 15 rows shown; -f csv, tsv, json or xml gives all)"
    assert len(table.splitlines()) == 2 + 10 + 1
    streamed = io.BytesIO()
    QueryResult(store.query(query)).write(streamed, "csv")
    assert streamed.getvalue() == QueryResult(store.query(query)).serialize("csv")
    assert streamed.getvalue().count(b"\n") == 16


def test_reading_a_query_s_form_takes_no_exponential_path():
    """A long run of spaces or of "#" before the first keyword once made the prologue pattern
    try every way of cutting it: 30 spaces took minutes, in the server's event loop."""
    script = (
        "from l2graph.engine import query_form\n"
        "assert query_form(' ' * 10_000 + 'x') == 'SELECT'\n"
        "assert query_form('#' * 10_000 + '\\nASK {}') == 'ASK'\n"
        "assert query_form('# c\\n' * 5_000 + 'CONSTRUCT WHERE {}') == 'CONSTRUCT'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
