"""One path through the core: every face (CLI, API, HTTP) answers a query, stored or ad hoc,
broken or not, with the same rows and the same error text; a build lands in the cache
directory its project names, and no other project's build there is removed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import l2graph
from l2graph.cache import build, live_build
from l2graph.project import Project
from l2graph.web.app import create_app

BROKEN = """#+ summary: A stored query with a mistake on its fourth line.
SELECT ?s
WHERE {
  ?s ?p ?o
  FILTER (?o = )
}
"""
AD_HOC = "SELECT ?name WHERE { ?body a l2:CameraBody ; rdfs:label ?name } ORDER BY ?name"
AD_HOC_BROKEN = "SELECT ?name WHERE { ?body a l2:CameraBody ; rdfs:label ?name ORDER BY ?name"


def _cli(home: Path, *argv: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "l2graph", "--home", str(home), *argv],
        capture_output=True,
        timeout=120,
        check=False,
    )  # bytes: CSV's line ends are \r\n, which text mode would turn into \n
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


@pytest.fixture(scope="module")
def faces(tmp_path_factory, sources_dir):
    """A project with one broken stored query, and the server over it."""
    home = tmp_path_factory.mktemp("faces") / "project"
    repo = Path(__file__).resolve().parent.parent
    for part in ("ontology", "data", "queries"):
        shutil.copytree(repo / part, home / part)
    (home / "queries" / "099_broken.rq").write_text(BROKEN)
    with TestClient(create_app(home, workers=1, timeout=20)) as client:
        yield home, client


def _api_error(function, *args, **kwargs) -> str:
    with pytest.raises(l2graph.QuerySyntaxError) as failed:
        function(*args, **kwargs).serialize("csv")
    return str(failed.value)


def test_a_stored_query_gives_the_same_rows_on_every_face(faces):
    home, client = faces
    by_cli = _cli(home, "query", "001", "--format", "csv")
    by_api = l2graph.run_query("001", home=home).serialize("csv").decode()
    by_http = client.get("/queries/001", params={"format": "csv"})
    assert by_cli.returncode == 0, by_cli.stderr
    assert by_http.status_code == 200
    assert by_cli.stdout == by_api == by_http.text
    assert "Leica SL2" in by_api


def test_an_ad_hoc_query_gives_the_same_rows_on_every_face(faces):
    home, client = faces
    by_cli = _cli(home, "sparql", AD_HOC, "--format", "csv")
    by_api = l2graph.run_sparql(AD_HOC, home=home).serialize("csv").decode()
    by_http = client.get("/sparql", params={"query": AD_HOC}, headers={"Accept": "text/csv"})
    assert by_cli.returncode == 0, by_cli.stderr
    assert by_cli.stdout == by_api == by_http.text
    assert by_api.count("\n") > 5


def test_a_broken_stored_query_is_the_same_error_naming_its_file_on_every_face(faces):
    home, client = faces
    by_cli = _cli(home, "query", "099", "--format", "csv")
    by_api = _api_error(l2graph.run_query, "099", home=home)
    by_http = client.get("/queries/099", params={"format": "csv"})
    assert by_cli.returncode == 2
    assert by_http.status_code == 400
    assert str(home / "queries" / "099_broken.rq") in by_api
    assert "line 5" in by_api  # the file's own line, not the bound text's
    assert by_cli.stderr.strip() == f"l2graph: error: {by_api}"
    assert by_api in by_http.text


def test_a_broken_ad_hoc_query_is_the_same_error_on_every_face(faces):
    home, client = faces
    by_cli = _cli(home, "sparql", AD_HOC_BROKEN)
    by_api = _api_error(l2graph.run_sparql, AD_HOC_BROKEN, home=home)
    by_http = client.get("/sparql", params={"query": AD_HOC_BROKEN}, headers={"Accept": "text/csv"})
    assert (by_cli.returncode, by_http.status_code) == (2, 400)
    assert by_cli.stderr.strip() == f"l2graph: error: {by_api}"
    assert by_api in by_http.text


def _edited(home: Path) -> None:
    """A change to the project's inputs (a comment), so that its next build is a new one."""
    data = sorted((home / "data").glob("*.ttl"))[0]
    data.write_text(data.read_text() + f"\n# edited {len(data.read_text())}\n")


def test_a_build_lands_in_the_cache_directory_asked_for_and_leaves_others(
    project_copy: Path, tmp_path: Path
):
    other = tmp_path / "other" / "project"
    shutil.copytree(project_copy, other)
    _edited(other)
    asked = tmp_path / "asked"
    first = Project(project_copy, cache_dir=asked)
    second = Project(other, cache_dir=asked)
    mine = asked / build(first).fingerprint
    theirs = asked / build(second).fingerprint
    assert mine != theirs and mine.is_dir() and theirs.is_dir()
    assert live_build(first) == mine  # a path that exists, where it was asked for
    environment_cache = tmp_path / "cache"  # $L2GRAPH_CACHE_DIR: nothing went there
    assert not environment_cache.exists() or not any(environment_cache.iterdir())
    _edited(project_copy)
    newer = live_build(first)
    assert newer != mine and newer.parent == asked
    assert not mine.exists()  # the project's own superseded build goes
    assert theirs.is_dir()  # another project's build in the same directory stays
