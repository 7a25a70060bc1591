"""The remote benchmark runs end to end on the shipped graph against a local Oxigraph server."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO

from benchmarks import remote


def test_push_and_remote_queries_are_measured(tmp_path: Path):
    if not (Path(sys.executable).parent / "oxigraph").exists() and not shutil.which("oxigraph"):
        message = "the oxigraph server binary is not installed (pip install oxigraph)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
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
