"""Shared fixtures. Tests never write into the repository: the build cache goes to a
temporary directory, and tests that change sources work on a copy of the project."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _offline():
    """The suite runs offline: Python code may reach this machine's own test servers, and a
    test that tries to connect anywhere else fails (l2graph.guard)."""
    from l2graph import guard

    guard.install(loopback=True)


@pytest.fixture(scope="session", autouse=True)
def _cache_outside_repo(tmp_path_factory: pytest.TempPathFactory):
    """Point the build cache at a temporary directory for the whole session."""
    previous = os.environ.get("L2GRAPH_CACHE_DIR")
    os.environ["L2GRAPH_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("L2GRAPH_CACHE_DIR", None)
    else:
        os.environ["L2GRAPH_CACHE_DIR"] = previous


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project (ontology, data, queries) with its own cache directory, and the
    article texts beside it where the checkout has them (``../shared/sources``)."""
    home = tmp_path / "project"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(REPO / part, home / part)
    texts = Path(os.environ.get("L2GRAPH_SOURCES") or REPO.parent / "shared" / "sources")
    if texts.is_dir():
        shutil.copytree(texts, tmp_path / "shared" / "sources")
    monkeypatch.delenv("L2GRAPH_SOURCES", raising=False)
    monkeypatch.setenv("L2GRAPH_CACHE_DIR", str(tmp_path / "cache"))
    return home


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The articles' full texts: ``$L2GRAPH_SOURCES`` or ``../shared/sources`` beside the repo.

    A missing directory skips the tests that need it locally, and fails them in CI.
    """
    path = Path(os.environ.get("L2GRAPH_SOURCES") or REPO.parent / "shared" / "sources")
    if not path.is_dir():
        message = f"article texts not found at {path} (set L2GRAPH_SOURCES)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def asserted_graph():
    """The shipped asserted graph (ontology, data and the quotes' anchors) from the core's
    validated build, as an rdflib graph, loaded once."""
    import l2graph

    return l2graph.load_graph()


@pytest.fixture(scope="session")
def inferred_graph():
    """The shipped graph with the core's OWL 2 RL entailments (:mod:`l2graph.reasoning`, the
    build's inferred graph), as an rdflib graph, loaded once."""
    import l2graph

    return l2graph.load_graph(reason=True)


_PREPARED: dict = {}


@pytest.fixture
def rdflib_prepares_queries_once(monkeypatch: pytest.MonkeyPatch):
    """rdflib parses a query's text each time it is asked (pyshacl asks once per focus node, the
    same text with ``$this`` bound): here each text is prepared once (rdflib's own
    ``prepareQuery``, as a prepared query is meant to be reused) and evaluated as before."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    evaluate = SPARQLProcessor.query
    prepared = _PREPARED  # for the whole session: a prepared query is not changed by its use

    def query(self, query, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(query, str):
            key = (query, base, tuple(sorted((initNs or {}).items())))
            if key not in prepared:
                prepared[key] = prepareQuery(query, initNs=initNs, base=base)
            query = prepared[key]
        return evaluate(self, query, initBindings, initNs, base, DEBUG)

    monkeypatch.setattr(SPARQLProcessor, "query", query)
