"""Long commands show their progress on a terminal, and only there: never on standard output,
never in a pipe, and not for work that ends before the delay."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from on_terminal import L2GRAPH, run_on_tty


@pytest.fixture
def env(project_copy: Path, tmp_path: Path) -> dict[str, str]:
    """The command's environment: a project copy and a delay of none, so the shipped graph's
    short build is long enough to show."""
    return dict(os.environ, L2GRAPH_HOME=str(project_copy), L2GRAPH_PROGRESS_DELAY="0")


def test_a_build_shows_its_stages_on_the_terminal_and_clears_them(env):
    code, out, terminal = run_on_tty(["build", "--force"], env)
    assert code == 0, terminal
    assert b"l2graph: " in terminal and any(
        stage in terminal for stage in (b"parsing", b"validating", b"reasoning", b"writing")
    )
    assert terminal.rstrip(b" ").endswith(b"\r")  # the line is cleared when the work ends
    assert out.startswith(b"built: ") and b"\r" not in out and out.count(b"\n") == 1


def test_a_push_shows_a_bar_of_triples_sent(env, tmp_path):
    from benchmarks import oxigraph_server

    if oxigraph_server.binary() is None:
        if os.environ.get("CI"):
            pytest.fail(oxigraph_server.MISSING)
        pytest.skip(oxigraph_server.MISSING)
    with oxigraph_server.running(tmp_path / "store") as base:
        code, out, terminal = run_on_tty(["push", "--replace", "--endpoint", f"{base}/store"], env)
    assert code == 0, terminal
    assert b"l2graph: pushing" in terminal and b"100%" in terminal and b"triples" in terminal
    assert out.startswith(b"pushed ") and b"\r" not in out


def test_an_export_shows_its_stages_and_writes_the_same_bytes(env, tmp_path):
    on_tty = tmp_path / "tty.ttl"
    code, out, terminal = run_on_tty(["export", "--inferred", "-o", str(on_tty)], env)
    assert code == 0, terminal
    assert b"l2graph: writing turtle" in terminal or b"l2graph: reading the build" in terminal
    assert out == b""
    piped = subprocess.run(
        [L2GRAPH, "export", "--inferred"], env=env, capture_output=True, check=True, timeout=120
    )
    assert piped.stderr == b""  # no terminal: silent, even with no delay
    assert on_tty.read_bytes() == piped.stdout


def test_work_shorter_than_the_delay_shows_nothing(env):
    code, out, terminal = run_on_tty(["build", "--force"], {**env, "L2GRAPH_PROGRESS_DELAY": "30"})
    assert code == 0
    assert terminal == b"" and out.startswith(b"built: ")
