"""The remote and core benchmarks run end to end on the shipped graph against Oxigraph."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks import oxigraph_server, remote

REPO = Path(__file__).resolve().parent.parent


def test_push_and_remote_queries_are_measured(tmp_path: Path):
    if oxigraph_server.binary() is None:
        if os.environ.get("CI"):
            pytest.fail(oxigraph_server.MISSING)
        pytest.skip(oxigraph_server.MISSING)
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nearlier results\n")
    argv = ["--home", str(REPO), "--repeat", "1", "--out", str(tmp_path), "--docs", str(docs)]
    assert remote.main(argv) == 0
    result = json.loads((tmp_path / "remote.json").read_text())
    assert result["held"] == result["triples"] > 1000
    assert len(result["queries"]) >= 10 and all(q["p50"] > 0 for q in result["queries"].values())
    assert result["queries"]["001_leica_bodies_that_are_panasonic_bodies"]["rows"] == 2
    assert remote.main(argv) == 0  # a second run replaces its section, keeps the rest
    text = docs.read_text()
    assert text.count(remote.START) == 1 and "earlier results" in text


def test_core_benchmark_measures_both_pairs(tmp_path: Path):
    from benchmarks import core

    if oxigraph_server.binary() is None:
        if os.environ.get("CI"):
            pytest.fail(oxigraph_server.MISSING)
        pytest.skip(oxigraph_server.MISSING)
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nearlier results\n")
    argv = ["--home", str(REPO), "--runs", "1", "--out", str(tmp_path), "--docs", str(docs)]
    assert core.main(argv) == 0
    (result,) = json.loads((tmp_path / "core.json").read_text())["results"]
    # asserted, inferred, and the quotes' anchors in their articles
    assert result["export"]["quads"] > result["triples"] + result["inferred"]
    assert result["cold_query"]["rows"] == {"l2graph": 2, "l2graph_first": 2, "oxigraph": 2}
    assert result["export"]["ratio"] > 0 and result["cold_query"]["ratio"] > 0
    assert core.main(argv) == 0  # a second run replaces its section, keeps the rest
    text = docs.read_text()
    assert text.count(core.START) == 1 and "earlier results" in text
