"""The wheel carries the graph: built from this checkout and installed in a fresh virtual
environment, l2graph answers from an empty directory, on the command line and in Python.
Slow (it installs the dependencies), and needs the package index pip uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


# builds from the checkout (its build/ directory), as test_release does: one xdist worker runs both
@pytest.mark.xdist_group("builds-from-the-checkout")
@pytest.mark.slow
def test_an_installed_wheel_answers_from_an_empty_directory(tmp_path: Path):
    dist, venv, empty = tmp_path / "dist", tmp_path / "venv", tmp_path / "empty"
    empty.mkdir()
    build = [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(dist)]
    subprocess.run(build, check=True, timeout=600)
    (wheel,) = dist.glob("l2graph-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=900)
    environment = {  # no trace of this checkout: not its cache, not its texts, not its home
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("L2GRAPH_", "PYTHON", "VIRTUAL_ENV"))
    }
    environment["XDG_CACHE_HOME"] = str(tmp_path / "user-cache")

    def run(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            command, cwd=empty, env=environment, capture_output=True, text=True, timeout=300
        )

    answered = run(str(venv / "bin" / "l2graph"), "query", "001", "-f", "csv")
    assert answered.returncode == 0, answered.stderr
    assert "Leica SL2" in answered.stdout and len(answered.stdout.splitlines()) == 3
    version = run(str(venv / "bin" / "l2graph"), "--version")
    assert "site-packages/l2graph/graph" in version.stdout
    loaded = run(str(python), "-c", "import l2graph; print(len(l2graph.load_graph()))")
    assert loaded.returncode == 0, loaded.stderr
    assert int(loaded.stdout) > 1000
    assert list(empty.iterdir()) == []  # nothing written where it was run
    assert any((tmp_path / "user-cache" / "l2graph").iterdir())  # the cache went here
