"""The command line against Oxigraph's own tools on the same quads, measured in one run.

``python -m benchmarks.core --triples 200000 1000000`` generates each synthetic project (and
takes ``--home`` first, e.g. ``--home .`` for the shipped graph), builds it, and then,
alternating the two commands of each pair:

* **export**: ``l2graph export -f turtle --inferred -o FILE`` against a Python process that
  parses the same quads (the build's asserted and inferred graphs, as N-Quads) with pyoxigraph
  and serialises them as Turtle with the same prefixes;
* **cold query**: ``l2graph query 001 -f csv`` against ``oxigraph query`` on a store loaded
  with the same quads (``--union-default-graph``, as l2graph queries it), both on the first run
  on a build (the kept answers removed before each run) and once the answer is kept;
* **build**: ``l2graph build --force`` (parse, validate, reason, write the cache) against
  ``oxigraph load`` of the same source files into a new store;
* **stored queries**: every stored query that needs no parameter, cold, summed, against
  ``oxigraph query`` of the same files.

Each figure is the median of ``--runs`` whole-process wall times (at least 20 for the cold
query); the ratio is l2graph's median
over the reference's. Peak RSS comes from GNU ``time`` in separate runs. Results go to
``core.json`` in ``--out`` and, between markers, into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.generate import REPO, generate
from benchmarks.measure import (
    COLD_QUERY,
    alternate,
    cold_query,
    installed_bytecode,
    own_peak_kib,
    say,
)

START, END = "<!-- core:start -->", "<!-- core:end -->"
# The one-engine issue's limits: ratios to the reference measured in the same run.
EXPORT_MAX_RATIO = 4.0
COLD_QUERY_MAX_RATIO = 2.0
BUILD_MAX_RATIO = 4.0  # scale, round two: a build within 4x of a bare load
STORED_QUERIES_MAX_RATIO = 1.3  # and the stored queries, cold, summed
COLD_RUNS = 20
SHIPPED_COLD_QUERY_MAX_RATIO = 1.5  # scale, round two: a cold query 001 on the shipped graph
LARGE_EXPORT_SECONDS, LARGE_EXPORT_KIB = 15.0, 1024 * 1024

_REFERENCE_EXPORT = """
import sys
import pyoxigraph as ox
from l2graph.project import PREFIXES
quads = ox.parse(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
ox.serialize((quad.triple for quad in quads), output=sys.argv[2], format=ox.RdfFormat.TURTLE,
             prefixes=PREFIXES)
"""


def export_pair(home: Path, runs: int, workdir: Path) -> dict[str, Any]:
    """``l2graph export -f turtle --inferred`` against pyoxigraph parse + serialise."""
    import pyoxigraph as ox

    from l2graph.cache import open_store

    quads_file = workdir / "graph.nq"
    open_store(home).dump(output=str(quads_file), format=ox.RdfFormat.N_QUADS)
    bin_dir = Path(sys.executable).parent
    commands = {
        "l2graph": [
            str(bin_dir / "l2graph"),
            "export", "-f", "turtle", "--inferred", "-o", str(workdir / "l2graph.ttl"),
        ],
        "pyoxigraph": [
            sys.executable, "-c", _REFERENCE_EXPORT, str(quads_file), str(workdir / "ref.ttl"),
        ],
    }  # fmt: skip
    env = dict(os.environ, L2GRAPH_HOME=str(home))
    runs_of = alternate(commands, runs, env, "export")
    times = {key: [f.seconds for f in finished] for key, finished in runs_of.items()}
    result: dict[str, Any] = {
        "runs": runs,
        "quads": quads_file.read_bytes().count(b"\n"),
        "commands": {k: " ".join(v).replace(str(workdir), "$TMP") for k, v in commands.items()},
        "bytes": {"l2graph": (workdir / "l2graph.ttl").stat().st_size},
    }
    result["commands"]["pyoxigraph"] = "python -c '<parse N-Quads, serialise Turtle>' …"
    for key, argv in commands.items():
        kib, method = own_peak_kib(argv, env, workdir)
        result[key] = {
            "median": statistics.median(times[key]),
            "min": min(times[key]),
            "max": max(times[key]),
            "peak_rss_kib": kib,
            "rss_method": method,
        }
    result["ratio"] = result["l2graph"]["median"] / result["pyoxigraph"]["median"]
    return result


def build_pair(home: Path, runs: int, workdir: Path) -> dict[str, Any]:
    """``l2graph build --force`` against ``oxigraph load`` of the same files into a new store
    (the last run's store removed before each load, untimed)."""
    from l2graph.project import Project

    files = [str(path) for path in Project.locate(home).data_files()]
    location = workdir / "loaded"
    bin_dir = Path(sys.executable).parent
    load = [str(bin_dir / "oxigraph"), "load", "--location", str(location), "--file", *files]
    commands = {"l2graph": [str(bin_dir / "l2graph"), "build", "--force"], "oxigraph": load}
    env = dict(os.environ, L2GRAPH_HOME=str(home))
    fresh = {"oxigraph": lambda: shutil.rmtree(location, ignore_errors=True)}
    runs_of = alternate(commands, runs, env, "build", before=fresh)
    result: dict[str, Any] = {
        "runs": runs,
        "files": len(files),
        "commands": {
            "l2graph": "l2graph build --force",
            "oxigraph": f"oxigraph load --location DIR --file <the {len(files)} source files>",
        },
    }
    for key, finished in runs_of.items():
        times = [f.seconds for f in finished]
        if key in fresh:
            fresh[key]()
        result[key] = {
            "median": statistics.median(times),
            "min": min(times),
            "max": max(times),
            "peak_rss_kib": own_peak_kib(commands[key], env, workdir)[0],
        }
    shutil.rmtree(location, ignore_errors=True)
    result["ratio"] = result["l2graph"]["median"] / result["oxigraph"]["median"]
    return result


def stored_queries_pair(home: Path, runs: int, workdir: Path) -> dict[str, Any]:
    """Every stored query that needs no parameter, each a whole ``l2graph query NAME -f csv``
    process, against ``oxigraph query`` of the same file on a store of the same quads
    (``--union-default-graph``); summed over the queries, run by run. l2graph on the first run
    on the build (its kept answers removed before each query, untimed) and with
    the answers kept."""
    import pyoxigraph as ox

    import l2graph
    from l2graph.cache import live_build, open_store
    from l2graph.project import Project

    project = Project.locate(home)
    copy = workdir / "oxigraph-store"
    shutil.rmtree(copy, ignore_errors=True)
    target = ox.Store(str(copy))
    target.bulk_load(
        open_store(home).dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS
    )
    target.flush()
    del target  # release the store's lock before the CLI opens it
    names = [
        q.name for q in l2graph.list_queries(home) if not any(p.required for p in q.parameters)
    ]
    bin_dir = Path(sys.executable).parent
    answers = live_build(project) / "answers"
    commands: dict[str, list[str]] = {}
    for name in names:
        ours = [str(bin_dir / "l2graph"), "query", name, "--format", "csv"]
        commands[f"l2graph_first:{name}"] = ours
        commands[f"l2graph:{name}"] = ours
        commands[f"oxigraph:{name}"] = [
            str(bin_dir / "oxigraph"), "query", "--location", str(copy),
            "--query-file", str(project.queries_dir / f"{name}.rq"),
            "--results-format", "csv", "--union-default-graph",
        ]  # fmt: skip
    env = dict(os.environ, L2GRAPH_HOME=str(home))
    forget = {
        key: lambda: shutil.rmtree(answers, ignore_errors=True)
        for key in commands
        if key.startswith("l2graph_first:")
    }
    runs_of = alternate(commands, runs, env, "stored queries", before=forget)
    shutil.rmtree(copy, ignore_errors=True)
    result: dict[str, Any] = {"runs": runs, "queries": names}
    for kind in ("l2graph_first", "l2graph", "oxigraph"):
        sums = [
            sum(runs_of[f"{kind}:{name}"][run].seconds for name in names) for run in range(runs)
        ]
        result[kind] = {"median": statistics.median(sums), "min": min(sums), "max": max(sums)}
    for kind in ("l2graph_first", "l2graph"):
        result[f"ratio_{kind}"] = result[kind]["median"] / result["oxigraph"]["median"]
    return result


def measure(home: Path, runs: int, workdir: Path) -> dict[str, Any]:
    """Build ``home``, then each pair."""
    import l2graph

    info = l2graph.build(home)
    return {
        "shipped": home.resolve() == REPO,
        "triples": info.asserted,
        "inferred": info.inferred,
        "export": export_pair(home, runs, workdir),
        # a cold query is short: at least COLD_RUNS runs, whatever the other pairs take
        "cold_query": cold_query(home, max(runs, COLD_RUNS), workdir),
        "build": build_pair(home, runs, workdir),
        "stored_queries": stored_queries_pair(home, runs, workdir),
    }


def _ms(seconds: float) -> str:
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _size(result: dict[str, Any]) -> str:
    shipped = " (shipped graph)" if result.get("shipped") else ""
    return f"{result['triples']:,} + {result['inferred']:,}{shipped}"


def section(results: list[dict[str, Any]], command: str) -> str:
    """The Markdown section for ``docs/benchmarks.md``."""
    lines = [
        START,
        "## One core: export, cold query and build against Oxigraph's own tools",
        "",
        f"`{command}`; each figure is the median of whole-process wall times, commands "
        "alternated; peak RSS from GNU `time`. **export** is `l2graph export -f turtle "
        "--inferred -o FILE` against a Python process that parses the same quads (N-Quads) "
        "with pyoxigraph and serialises Turtle with the same prefixes; **cold query** is "
        f"`l2graph query {COLD_QUERY} -f csv` against `oxigraph query --union-default-graph` "
        "on a store loaded with the same quads; *first run on the build* removes the build's "
        "kept answers before each run (untimed), *answer "
        "kept* reads the answer a previous run kept; **build** is `l2graph build --force` "
        "(parse, validate, reason, write the cache) against `oxigraph load` of the same source "
        "files into a new store; **stored queries summed** runs every stored query that needs "
        "no parameter as its own `l2graph query NAME -f csv` process against `oxigraph query` "
        "of the same file, summed run by run.",
        "",
        "| Triples (asserted + inferred) | Pair | l2graph | reference | ratio | peak RSS l2graph "
        "/ reference | limit |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        size = _size(result)
        cold = SHIPPED_COLD_QUERY_MAX_RATIO if result.get("shipped") else COLD_QUERY_MAX_RATIO
        for key, ours_key, label, reference, limit in (
            ("export", "l2graph", "export", "pyoxigraph", f"≤ {EXPORT_MAX_RATIO:g}×"),
            ("cold_query", "l2graph_first", "cold query, first run on the build", "oxigraph",
             f"≤ {cold:g}×"),
            ("cold_query", "l2graph", "cold query, answer kept", "oxigraph", f"≤ {cold:g}×"),
            ("build", "l2graph", "build vs `oxigraph load`", "oxigraph",
             f"≤ {BUILD_MAX_RATIO:g}×"),
        ):  # fmt: skip
            if key not in result:  # a result from before the pair existed
                continue
            pair = result[key]
            if "skipped" in pair:
                lines.append(f"| {size} | {label} | skipped: {pair['skipped']} | | | | |")
                continue
            ours, theirs = pair[ours_key], pair[reference]
            ratio = ours["median"] / theirs["median"]
            lines.append(
                f"| {size} | {label} | {_ms(ours['median'])} | {_ms(theirs['median'])} | "
                f"{ratio:.2f}× | {ours['peak_rss_kib'] / 1024:,.0f} / "
                f"{theirs['peak_rss_kib'] / 1024:,.0f} MiB | {limit} |"
            )
    for result in results:
        pair = result.get("stored_queries")
        if pair is None:
            continue
        size = _size(result)
        theirs = pair["oxigraph"]["median"]
        for kind, label in (
            (
                "l2graph_first",
                f"{len(pair['queries'])} stored queries summed, first run on the build",
            ),
            ("l2graph", f"{len(pair['queries'])} stored queries summed, answers kept"),
        ):
            ours = pair[kind]["median"]
            lines.append(
                f"| {size} | {label} | {_ms(ours)} | {_ms(theirs)} | {ours / theirs:.2f}× | | "
                f"≤ {STORED_QUERIES_MAX_RATIO:g}× |"
            )
    largest = max(results, key=lambda r: r["triples"])
    export = largest["export"]["l2graph"]
    ok = export["median"] <= LARGE_EXPORT_SECONDS and export["peak_rss_kib"] <= LARGE_EXPORT_KIB
    lines += [
        "",
        f"Export of the largest graph ({largest['triples']:,} asserted triples): "
        f"{_ms(export['median'])}, {export['peak_rss_kib'] / 1024:,.0f} MiB peak "
        f"(limit at 1M: ≤ {LARGE_EXPORT_SECONDS:g} s and ≤ 1 GiB: "
        f"{'met' if ok else 'not met'}).",
        "",
        END,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.core [--triples N …| --home DIR] [--runs K]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, nargs="*", default=None)
    parser.add_argument(
        "--home", type=Path, help="an existing project, measured before the synthetic ones"
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    words = argv if argv is not None else sys.argv[1:]
    command = ("python -m benchmarks.core " + " ".join(words)).strip()
    installed_bytecode()
    results = []
    with tempfile.TemporaryDirectory(prefix="l2graph-core-") as scratch:
        os.environ["L2GRAPH_CACHE_DIR"] = str(Path(scratch) / "cache")
        homes = [args.home] if args.home else []
        sizes = args.triples if args.triples is not None else ([] if args.home else [200_000])
        for size in sizes:
            say(f"generating {size:,} triples")
            homes.append(generate(Path(scratch) / f"synthetic-{size}", size).home)
        for home in homes:
            workdir = Path(scratch) / "work"
            workdir.mkdir(exist_ok=True)
            results.append(measure(home, args.runs, workdir))
            shutil.rmtree(workdir)
            shutil.rmtree(Path(scratch) / "cache", ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "core.json").write_text(json.dumps({"command": command, "results": results}))
    report.write_section(args.docs, section(results, command), "core")
    print(section(results, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
