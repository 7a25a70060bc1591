"""The remote and core benchmarks run end to end on the shipped graph against Oxigraph."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks import core, oxigraph_server, remote

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A benchmarks page with earlier results, which a run must keep; the server binary must
    be there (mandatory in CI)."""
    if oxigraph_server.binary() is None:
        if os.environ.get("CI"):
            pytest.fail(oxigraph_server.MISSING)
        pytest.skip(oxigraph_server.MISSING)
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nearlier results\n")
    return page


def _run_twice(module, argv: list[str], docs: Path) -> None:
    """A second run replaces its own section and keeps the rest of the page."""
    assert module.main(argv) == 0
    text = docs.read_text()
    assert module.main(argv) == 0
    assert docs.read_text().count(module.START) == 1 == text.count(module.START)
    assert "earlier results" in docs.read_text()


def test_push_and_remote_queries_are_measured_on_both_stores(tmp_path: Path, docs: Path):
    from benchmarks import virtuoso_server

    if virtuoso_server.binaries() is None:
        if os.environ.get("CI"):
            pytest.fail(virtuoso_server.MISSING)
        pytest.skip(virtuoso_server.MISSING)
    argv = ["--home", str(REPO), "--repeat", "1", "--out", str(tmp_path), "--docs", str(docs)]
    # a first run on Oxigraph alone writes the section that the full run (both stores) replaces
    assert remote.main([*argv, "--stores", "oxigraph"]) == 0
    text = docs.read_text()
    assert remote.main(argv) == 0
    assert docs.read_text().count(remote.START) == 1 == text.count(remote.START)
    assert "earlier results" in docs.read_text()
    result = json.loads((tmp_path / "remote.json").read_text())
    assert set(result["stores"]) == {"oxigraph", "virtuoso"}
    for store in result["stores"].values():
        assert store["held"] == store["triples"] == result["triples"] > 1000
        assert store["push_seconds"] > 0 and store["version"] != "?"
        for mode in ("replace", "add"):
            pair = store["push"][mode]
            assert pair["l2graph"] > 0
            if store["push"]["chunk_size"] is None:  # one request: held to the same one
                assert pair["one"] > 0 and pair["ratio"] > 0
        queries = store["queries"]
        assert len(queries) >= 10 and all(q["p50"] > 0 for q in queries.values())
        assert queries["001_leica_bodies_that_are_panasonic_bodies"]["rows"] == 2
    text = docs.read_text()
    assert "| Virtuoso | " in text and "| Oxigraph | " in text


def test_core_benchmark_measures_each_pair(tmp_path: Path, docs: Path):
    argv = ["--home", str(REPO), "--runs", "1", "--out", str(tmp_path), "--docs", str(docs)]
    _run_twice(core, argv, docs)
    (result,) = json.loads((tmp_path / "core.json").read_text())["results"]
    # asserted, inferred, and the quotes' anchors in their articles
    assert result["export"]["quads"] > result["triples"] + result["inferred"]
    assert result["cold_query"]["rows"] == {"l2graph": 2, "l2graph_first": 2, "oxigraph": 2}
    assert result["export"]["ratio"] > 0 and result["cold_query"]["ratio"] > 0
    assert result["build"]["ratio"] > 0 and result["build"]["files"] >= 2
    assert "build vs `oxigraph load`" in docs.read_text()
    queries = result["stored_queries"]
    import l2graph

    free = [q.name for q in l2graph.list_queries() if all(not p.required for p in q.parameters)]
    assert queries["queries"] == free and "008_fact_provenance" not in free  # it needs an entity
    assert queries["ratio_l2graph"] > 0 and queries["ratio_l2graph_first"] > 0
    assert "stored queries summed, answers kept" in docs.read_text()


def test_serve_load_benchmark_measures_both_servers(tmp_path: Path, docs: Path):
    """wrk against ``l2graph serve`` and ``oxigraph serve-read-only``, briefly."""
    import shutil

    from benchmarks import serve

    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail(serve.MISSING_WRK)
        pytest.skip(serve.MISSING_WRK)
    argv = ["--duration", "1", "--rounds", "1", "--out", str(tmp_path), "--docs", str(docs)]
    assert serve.main(argv) == 0
    result = json.loads((tmp_path / "serve.json").read_text())
    assert result["rows"] == 2
    for kind in ("repeated", "distinct"):
        for name in ("l2graph", "oxigraph"):
            run = result[kind][name]
            assert run["requests"] > 0 and run["errors"] == 0, (kind, name, run)
        assert result[kind]["l2graph"]["cpu_us_per_request"]["server"] > 0
    assert result["distinct"]["l2graph"]["cpu_us_per_request"]["workers"] > 0
    text = docs.read_text()
    assert "earlier results" in text and text.count("<!-- serve:start -->") == 1
