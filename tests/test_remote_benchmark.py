"""The remote benchmark runs end to end on the shipped graph against a local Oxigraph server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import REPO

from benchmarks import oxigraph_server, remote


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
