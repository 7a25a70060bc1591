"""The kept-answer path of the ``l2graph`` program (l2graph.program, l2graph.grammar,
l2graph.answer_cache): what it answers is what the full command line answers, it never
answers from a stale build, and it loads none of the modules that make a start slow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import l2graph
from l2graph import program
from l2graph.cli import _parser, _plain_query, main
from l2graph.grammar import plain_query
from l2graph.records import CURRENT_RECORD

PROGRAM = [sys.executable, "-m", "l2graph"]


def _program(*argv: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PROGRAM, *argv],
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


TAKEN = [
    ["query", "001"],
    ["query", "001", "-f", "csv"],
    ["query", "001", "--format", "json"],
    ["query", "001", "--format=tsv"],
    ["query", "leica_bodies_that_are_panasonic_bodies", "-f", "xml"],
    ["query", "1", "-f", "turtle"],
    ["query", " 001.rq", "-f", "csv"],
]
LEFT_TO_ARGPARSE = [
    ["query", "001", "-fcsv"],
    ["query", "001", "--form", "csv"],
    ["query", "001", "-f", "csv", "-f", "json"],
    ["query", "001", "-f", "csv", "--timeout", "5"],
    ["query", "001", "-p", "x=y"],
    ["query", "-f", "csv", "001"],
    ["query", "001", "--endpoint", "http://127.0.0.1:1/sparql"],
    ["query", "001", "--", "-f"],
    ["query", "--", "001"],
    ["--home", "x", "query", "001"],
    ["query", "001", "-f", "yaml"],
    ["query", "001", "--format="],
    ["query"],
    ["queries"],
    ["sparql", "001"],
]


@pytest.mark.parametrize("argv", TAKEN)
def test_a_plain_query_is_read_as_argparse_reads_it(argv: list[str]):
    """What the kept path and the command line take for a plain query without argparse,
    argparse takes for the same command line: the same name and format, and every other
    option at its default."""
    name, format = plain_query(argv)
    args = _parser("query").parse_args(argv)
    assert (args.command, args.name, args.format) == ("query", name, format)
    assert vars(_plain_query(name, format)) == vars(args)


@pytest.mark.parametrize("argv", LEFT_TO_ARGPARSE)
def test_every_other_command_line_is_left_to_argparse(argv: list[str]):
    assert plain_query(argv) is None


def _parameter_free(home: Path) -> list[str]:
    queries = l2graph.list_queries(home)
    return [q.name for q in queries if not q.parameters]


def test_a_kept_answer_is_the_full_paths_answer_in_every_format(
    project_copy: Path, capfdbinary, monkeypatch
):
    """Each parameter-free query, in each format that fits it: the full command line answers
    and keeps; then the kept path answers the same bytes."""
    monkeypatch.setenv("L2GRAPH_HOME", str(project_copy))
    names = _parameter_free(project_copy)
    assert len(names) >= 5
    for name in names:
        for format in ("table", "csv", "tsv", "json", "xml"):
            argv = ["query", name, "--format", format]
            assert program.answer(argv) is None  # nothing kept yet
            assert main(argv) == 0
            full = capfdbinary.readouterr().out
            assert full and program.answer(argv) == full, (name, format)


def test_a_hit_loads_no_parser_engine_or_re(project_copy: Path):
    """On a hit the program imports none of what makes a start slow; on a miss it does."""
    env = {"L2GRAPH_HOME": str(project_copy)}
    first = _program("query", "001", "-f", "csv", **env)
    assert first.returncode == 0, first.stderr
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "l2graph", "query", "001", "-f", "csv"],
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )
    assert probe.returncode == 0 and probe.stdout == first.stdout
    imported = {line.split("|")[-1].strip() for line in probe.stderr.decode().splitlines()}
    assert {"l2graph.program", "l2graph.answer_cache", "l2graph.grammar"} <= imported
    assert not {"re", "pathlib", "json", "argparse", "pyoxigraph", "l2graph.cli"} & imported


def test_an_edit_is_never_answered_from_a_kept_answer(project_copy: Path, monkeypatch):
    monkeypatch.setenv("L2GRAPH_HOME", str(project_copy))
    argv = ["query", "001", "-f", "csv"]
    first = _program(*argv).stdout
    assert b"Leica SL2," in first and program.answer(argv) == first
    products = project_copy / "data" / "products.ttl"
    products.write_text(products.read_text().replace('"Leica SL2"@en', '"Leica SL2 (test)"@en'))
    assert program.answer(argv) is None  # the build is no longer current
    again = _program(*argv)
    assert again.returncode == 0 and b"Leica SL2 (test)" in again.stdout
    assert program.answer(argv) == again.stdout
    (project_copy / "data" / "zz-extra.ttl").write_text("")  # a new data file
    assert program.answer(argv) is None
    assert _program(*argv).stdout == again.stdout
    query = next((project_copy / "queries").glob("001_*.rq"))  # the query itself
    query.write_text(query.read_text().replace("SELECT ", "SELECT DISTINCT ", 1))
    assert program.answer(argv) is None
    assert _program(*argv).stdout == again.stdout


def test_an_ad_hoc_run_of_a_query_file_never_answers_the_stored_query(project_copy: Path):
    """``sparql FILE`` keeps its answer as a text's; ``query NAME`` must still check the
    stored query (here: its required parameter) and is not served that answer."""
    env = {"L2GRAPH_HOME": str(project_copy)}
    (path,) = (project_copy / "queries").glob("008_*.rq")
    ad_hoc = _program("sparql", str(path), "-f", "csv", **env)
    assert ad_hoc.returncode == 0, ad_hoc.stderr
    stored = _program("query", "008", "-f", "csv", **env)
    assert stored.returncode == 2 and b"required" in stored.stderr


def test_a_hit_into_a_closed_pipe_is_no_error():
    """A reader that stopped (``| head``) ends the program quietly, exit 0."""
    probe = (
        "import os\n"
        "read, write = os.pipe()\n"
        "os.close(read)\n"
        "os.dup2(write, 1)\n"
        "from l2graph.program import _print\n"
        "_print(b'answer')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, timeout=60, check=False
    )
    assert (done.returncode, done.stderr) == (0, b"")


def test_a_look_up_that_breaks_is_a_miss(project_copy: Path, monkeypatch):
    """Whatever goes wrong in the look-up, the full path answers (and would say what is
    wrong): never a traceback from the kept path."""
    monkeypatch.setenv("L2GRAPH_HOME", str(project_copy))
    argv = ["query", "001", "-f", "csv"]
    first = _program(*argv).stdout
    assert program.answer(argv) == first
    (record,) = Path(os.environ["L2GRAPH_CACHE_DIR"]).glob(CURRENT_RECORD)
    record.write_bytes(b"\xfb" + b"\x00" * 64)  # not a record marshal can read
    assert program.answer(argv) is None
    again = _program(*argv)
    assert again.returncode == 0 and again.stdout == first and again.stderr == b""


def test_an_error_in_the_look_up_hands_over_to_the_command_line(monkeypatch):
    from l2graph import cli

    def broken(_argv):
        raise RecursionError("as a damaged file might make it")

    handed = []
    monkeypatch.setattr(program, "answer", broken)
    monkeypatch.setattr(cli, "run", lambda: handed.append(True))
    monkeypatch.setattr(sys, "argv", ["l2graph", "query", "001"])
    program.run()
    assert handed == [True]
