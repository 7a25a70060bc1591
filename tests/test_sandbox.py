"""The processes that evaluate queries cannot open a network connection (l2graph.sandbox).

Each test hands a query with ``SERVICE <http://127.0.0.1:PORT/x>`` straight to an engine, past
the query guard, and a listener on that port records whether anything arrived: nothing may
from the API's worker, the server's workers or a local command-line query; the same query in a
plain process does arrive, so these tests can fail. The task functions are module-level, for
the workers unpickle them by reference (``tests`` is on the path, and the workers are given
it). On CI the layer below Python (seccomp) is mandatory; elsewhere its absence skips.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from l2graph import sandbox, workers
from l2graph.errors import L2GraphError

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 20.0  # a worker's deadline, far above the second these tasks take


def oxigraph_service(url: str) -> list[str]:
    """Oxigraph's own HTTP client (native code): a SERVICE query, no guard."""
    import pyoxigraph

    query = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    return [str(row) for row in pyoxigraph.Store().query(query)]


def rdflib_service(url: str) -> list[str]:
    """rdflib's SERVICE (urllib, Python code): a SERVICE query, no guard."""
    import rdflib

    query = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    return [str(row) for row in rdflib.Graph().query(query)]


TASKS = [oxigraph_service, rdflib_service]


class Listener:
    """A TCP listener on loopback that records each connection made to it (for 30 s at most)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/x"
        self.peers: list[tuple] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        ends = time.monotonic() + 30
        while not self._stop.is_set() and time.monotonic() < ends:
            try:
                connection, peer = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.peers.append(peer)
            connection.close()  # the client gets an error, not an answer

    def reached(self, within: float) -> bool:
        """Whether a connection arrived, waiting up to ``within`` seconds for one (a refused
        connect never reaches the kernel's queue; one that did is accepted within 50 ms)."""
        ends = time.monotonic() + within
        while not self.peers and time.monotonic() < ends:
            time.sleep(0.02)
        return bool(self.peers)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def _holds(layer: str | None) -> None:
    """Go on only where the layer below Python holds: mandatory on CI, a skip elsewhere."""
    if layer == sandbox.SECCOMP:
        return
    assert layer is not None, "the process ran a query without calling deny_network"
    message = f"the worker's network is not cut below Python: {layer}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _environment(**more: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), **more}


def _python(code: str, *args: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=_environment(**environment),
    )


@pytest.mark.parametrize("task", TASKS, ids=lambda task: task.__name__)
def test_the_api_worker_cannot_reach_the_network(task, listener: Listener) -> None:
    _holds(workers.run(sandbox.layer, (), TIMEOUT))
    with pytest.raises(L2GraphError, match="Permission denied"):
        workers.run(task, (listener.url,), TIMEOUT)
    assert not listener.reached(within=0.2)
    assert workers.run(sandbox.layer, (), TIMEOUT) == sandbox.SECCOMP  # the same worker lives


def test_the_server_workers_cannot_reach_the_network(listener: Listener) -> None:
    from l2graph.workers import WorkerPool

    async def in_the_pool() -> tuple[str, list[str]]:
        pool = WorkerPool(1)
        try:
            layer = await pool.run(sandbox.layer, (), TIMEOUT)
            failures = []
            for task in TASKS:
                with pytest.raises(L2GraphError) as failed:
                    await pool.run(task, (listener.url,), TIMEOUT)
                failures.append(str(failed.value))
            return layer, failures
        finally:
            pool.close()

    layer, failures = asyncio.run(in_the_pool())
    _holds(layer)
    assert all("Permission denied" in failure for failure in failures), failures
    assert not listener.reached(within=0.2)


@pytest.mark.parametrize("task", TASKS, ids=lambda task: task.__name__)
def test_without_the_sandbox_the_same_query_reaches_the_listener(task, listener) -> None:
    """The control: in a plain process the query does connect, so the tests above can fail."""
    code = "import sys, test_sandbox; getattr(test_sandbox, sys.argv[1])(sys.argv[2])"
    _python(code, task.__name__, listener.url)
    assert listener.reached(within=5)


# a local query through the command line, then, in the worker it ran in, a SERVICE past the
# guard (an endpoint's query starts no worker: the command's own process is then asked)
COMMAND_THEN_SERVICE = """
import sys
from l2graph import cli, sandbox, workers
import test_sandbox
code = cli.main(sys.argv[2:])
if workers.worker_pids():
    layer = workers.run(sandbox.layer, (), 30)
    try:
        workers.run(test_sandbox.oxigraph_service, (sys.argv[1],), 30)
        reply = "ok"
    except Exception:
        reply = "error"
else:
    layer, reply = sandbox.layer(), "no-worker"
print(code, layer, reply, file=sys.stderr)
"""


def test_a_local_command_line_query_and_the_build_it_needs_run_offline(
    listener: Listener, tmp_path: Path
) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    cache = str(tmp_path / "cache")  # empty: the query builds first, under the filter
    done = _python(
        COMMAND_THEN_SERVICE,
        listener.url,
        "sparql",
        query,
        "--format",
        "csv",
        L2GRAPH_CACHE_DIR=cache,
    )
    code, layer, reply = done.stderr.splitlines()[-1].split(" ", 2)
    _holds(layer)
    assert code == "0", done.stderr
    assert int(done.stdout.splitlines()[1]) > 1000  # the build's triples, counted
    assert reply == "error"
    assert not listener.reached(within=0.2)


def test_a_query_at_an_endpoint_keeps_the_network(listener: Listener) -> None:
    """``--endpoint`` must reach its endpoint: no sandbox (the listener hangs up, so the
    command fails, after connecting)."""
    done = _python(
        COMMAND_THEN_SERVICE, listener.url, "sparql", "ASK {}", "--endpoint", listener.url
    )
    code, layer, _ = done.stderr.splitlines()[-1].split(" ", 2)
    assert (code, layer) == ("2", "None"), done.stderr
    assert listener.reached(within=5)


NAMESPACE_THEN_SERVICE = """
import sys
from l2graph import sandbox
from l2graph.workers import outcome as answer
import test_sandbox
refused = sandbox._namespace()
print(refused or answer(test_sandbox.oxigraph_service, (sys.argv[1],))[0], file=sys.stderr)
"""


def test_the_network_namespace_fallback_cuts_the_network(listener: Listener) -> None:
    """Where libseccomp is missing, a network namespace of its own (where the kernel lets a
    process make one) holds instead."""
    done = _python(NAMESPACE_THEN_SERVICE, listener.url)
    said = done.stderr.splitlines()[-1]
    if said != "error":
        pytest.skip(f"this kernel refuses a network namespace: {said}")
    assert not listener.reached(within=0.2)


def test_without_seccomp_or_off_linux_it_says_why_and_installs_nothing(monkeypatch) -> None:
    """In this (the test) process: nothing may be installed, only the reasons returned."""
    monkeypatch.setitem(sys.modules, "pyseccomp", None)  # its import fails, as where absent
    assert "install pyseccomp and libseccomp2" in sandbox._seccomp()
    monkeypatch.setattr(sys, "platform", "darwin")
    assert sandbox._install().startswith(f"{sandbox.HOOK_ONLY}: darwin has neither")
    with socket.socket() as still_allowed:  # this process kept its network
        assert still_allowed.family == socket.AF_INET


def test_the_command_line_called_inside_another_program_leaves_its_network_alone():
    """``cli.main`` run in-process (by a test, a notebook) must not sandbox the caller: the
    filter could never be lifted, and the caller's own connections would fail from then on."""
    from l2graph import cli

    assert cli.main(["sparql", "ASK {}", "-f", "csv"]) == 0
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # refused under the filter
    probe.close()
