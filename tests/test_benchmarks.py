"""The benchmark suite: its synthetic graph conforms to the shapes, and it runs end to end."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # benchmarks/ is a directory of the checkout, not installed
    sys.path.insert(0, str(REPO))

from benchmarks.generate import PROVENANCE_ENTITY, generate  # noqa: E402


def _state(path: Path) -> list[tuple[str, int]]:
    """Names and modification times of a file or of a directory's files (empty if missing)."""
    files = sorted(path.rglob("*")) if path.is_dir() else [path] if path.exists() else []
    return [(str(f), f.stat().st_mtime_ns) for f in files]


def _parsed_triples(home: Path) -> int:
    import pyoxigraph as ox

    store = ox.Store()
    for path in [home / "ontology" / "l2graph.ttl", *sorted((home / "data").glob("*.ttl"))]:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return len(store)


@pytest.mark.slow
def test_generated_graph_conforms_and_has_the_requested_size(tmp_path: Path) -> None:
    import l2graph

    project = generate(tmp_path / "bench", 5_000)
    graph = l2graph.load_graph(home=project.home)
    assert len(graph) == project.triples  # the generator counts exactly, with no duplicates
    assert abs(len(graph) - 5_000) <= 500
    report = l2graph.validate(graph, home=project.home)
    assert report.conforms, report.text()
    # The stored queries' anchors exist, and some facts are only speculation.
    rows = l2graph.run_query("008_fact_provenance", graph=graph, entity=PROVENANCE_ENTITY)
    assert len(rows) >= 2
    assert len(l2graph.run_query("007_speculation", graph=graph)) > 0
    assert len(l2graph.run_query("001_leica_bodies_that_are_panasonic_bodies", graph=graph)) >= 2


@pytest.mark.parametrize("size", [3_000, 20_000, 120_000])
def test_generated_size_is_within_ten_percent(tmp_path: Path, size: int) -> None:
    project = generate(tmp_path / "bench", size)
    assert _parsed_triples(project.home) == project.triples
    assert abs(project.triples - size) <= size // 10


def test_generation_is_seeded(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 4_000)
    second = generate(tmp_path / "b", 4_000)
    other = generate(tmp_path / "c", 4_000, seed=7)
    texts = [[p.read_bytes() for p in project.files] for project in (first, second, other)]
    assert texts[0] == texts[1]
    assert texts[0] != texts[2]


def test_project_is_complete(tmp_path: Path) -> None:
    project = generate(tmp_path / "bench", 3_000)
    for name in ("l2graph.ttl", "shapes.ttl", "context.jsonld"):
        assert (project.home / "ontology" / name).is_file()
    assert sorted(p.name for p in (project.home / "queries").glob("*.rq")) == sorted(
        p.name for p in (REPO / "queries").glob("*.rq")
    )
    assert all(path.parent == project.home / "data" for path in project.files)


@pytest.mark.slow
def test_suite_smoke(tmp_path: Path) -> None:
    """The whole suite at 2,000 triples, each query run once, writes results with every stage
    timed and measured."""
    # What a full run writes into the checkout; a smoke run pointed at tmp_path must not.
    watched = [
        REPO / "benchmarks" / "results",
        REPO / "benchmarks" / "growth.png",
        REPO / "docs" / "benchmarks.md",
    ]
    before = [_state(path) for path in watched]
    out = tmp_path / "out"
    docs = tmp_path / "benchmarks.md"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--smoke",
            "--sizes",
            "2000",
            # one run of each stored and each cold query: the smoke test checks that every
            # stage runs and is measured, not how steady the measurements are
            "--repeat",
            "1",
            "--cold-runs",
            "1",
            "--out",
            str(out),
            "--docs",
            str(docs),
            "--docs-plot",
            str(tmp_path / "growth.png"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr

    results = json.loads((out / "results.json").read_text())
    assert {"cpu", "cores", "memory_gib", "python", "versions"} <= set(results["machine"])
    assert results["command"].startswith("python -m benchmarks.run")
    names = [graph["name"] for graph in results["graphs"]]
    assert names == ["shipped", "synthetic 2,000"]
    queries = {p.stem for p in (REPO / "queries").glob("*.rq")}
    for graph in results["graphs"]:
        stages = graph["stages"]
        assert {"build", "export", "naive"} | {f"query:{q}" for q in queries} == set(stages)
        for name, stage in stages.items():
            assert stage["seconds"] > 0, name
            assert stage["peak_rss_kib"] > 0, name
        assert set(stages["build"]["steps"]) == {"parse", "validate", "reason", "write"}
        assert all(seconds > 0 for seconds in stages["build"]["steps"].values())
        assert set(stages["naive"]["steps"]) == {"parse", "validate", "reason"}
        assert all(seconds > 0 for seconds in stages["naive"]["steps"].values())
        assert graph["speedup"]["ratio"] > 0
    synthetic = results["graphs"][1]
    assert abs(synthetic["triples"] - 2_000) <= 200

    cold = results["cold_query"]
    if "skipped" not in cold:
        assert cold["l2graph"]["median"] > 0 and cold["oxigraph"]["median"] > 0
        assert cold["rows"]["l2graph"] == cold["rows"]["oxigraph"] > 0
    assert len(results["targets"]) == 5
    assert {t["status"] for t in results["targets"]} <= {
        "met",
        "not met",
        "not measured",
        "undecided (naive timed out below the ratio)",
    }

    if importlib.util.find_spec("matplotlib") is not None:
        png = out / "growth.png"
        assert png.stat().st_size > 1000
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (tmp_path / "growth.png").read_bytes() == png.read_bytes()
    text = docs.read_text()
    for target in results["targets"]:
        assert target["target"] in text

    assert [_state(path) for path in watched] == before, "the smoke run wrote into the checkout"
