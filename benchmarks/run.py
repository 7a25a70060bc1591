"""The benchmark suite: time and measure every stage of l2graph on graphs of growing size.

``make bench`` runs ``python -m benchmarks.run --sizes 10000 100000 1000000``. For the shipped
graph and for a synthetic graph of each size (:mod:`benchmarks.generate`) it measures, each in a
fresh subprocess (:mod:`benchmarks.stage`) so that stages never share caches or memory:

* the fast path: ``l2graph.cache.build`` (parse, validate, reason, write), every stored query on
  the built store (median and maximum of ``--repeat`` runs) and ``export --format nt``;
* the naive reference: rdflib parse, pyshacl validation and the owlrl closure, killed after
  ``--naive-timeout`` seconds;

and, on the shipped graph, a cold ``l2graph query`` against ``oxigraph query`` on a copy of the
same store. Wall time comes from the parent; peak RSS from ``wait4`` (the child's own
``ru_maxrss``). It writes ``results.json`` and ``growth.png`` into ``--out`` and, on a full run,
``docs/benchmarks.md`` with the targets and whether each is met.

A target compares a build near 50,000 triples with the naive path, so a 50,000-triple size is
added when no size between 40,000 and 60,000 is asked for (not with ``--smoke``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import DEFAULT_SEED, REPO, generate
from benchmarks.measure import (
    STARTED,
    cold_query,
    installed_bytecode,
    machine,
    measure_graph,
    say,
    source_digest,
)
from benchmarks.report import marked_blocks, plot, render_docs
from benchmarks.targets import MID_SIZE, evaluate_targets, slow_query_notes

DEFAULT_SIZES = (10_000, 50_000, 100_000, 1_000_000)


SMOKE_SIZES = (2_000,)


def _sizes(args: argparse.Namespace) -> tuple[list[int], list[int]]:
    sizes = list(args.sizes or (SMOKE_SIZES if args.smoke else DEFAULT_SIZES))
    added = []
    if not args.smoke and not any(0.8 * MID_SIZE <= n <= 1.2 * MID_SIZE for n in sizes):
        added.append(MID_SIZE)
    return sorted(set(sizes + added)), added


def main(argv: list[str] | None = None) -> int:
    """Run the suite; see the module docstring."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N", help="triples per graph")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--naive-timeout", type=float, default=300.0, metavar="SECONDS")
    parser.add_argument(
        "--stage-timeout",
        type=float,
        default=3 * 3600.0,
        metavar="SECONDS",
        help="limit for each fast-path stage (default 3 h)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each stored query")
    parser.add_argument(
        "--query-budget",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="stop repeating a stored query once its runs took this long (default 60)",
    )
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="kill a stored query's process after this long (default 300)",
    )
    parser.add_argument("--cold-runs", type=int, default=20, help="runs of each cold CLI query")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a quick end-to-end check: 2,000 triples, short limits, no docs unless --docs",
    )
    parser.add_argument("--docs", type=Path, help="Markdown report (default docs/benchmarks.md)")
    parser.add_argument(
        "--docs-plot", type=Path, help="copy of the plot for the report (default benchmarks/)"
    )
    parser.add_argument(
        "--sample",
        type=float,
        default=0.05,
        metavar="SECONDS",
        help="stack-sampling interval of each build, for the profile table (0: off)",
    )
    parser.add_argument(
        "--profile", type=Path, help="Markdown (from benchmarks.profile) to add to the report"
    )
    parser.add_argument(
        "--from-results",
        type=Path,
        metavar="JSON",
        help="measure nothing: redo targets, plot and report from an earlier results.json",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    args = parser.parse_args(argv)
    installed_bytecode()
    if args.smoke:
        args.naive_timeout = min(args.naive_timeout, 60.0)
        args.repeat = min(args.repeat, 2)
        args.cold_runs = min(args.cold_runs, 3)
    docs = args.docs or (None if args.smoke else REPO / "docs" / "benchmarks.md")
    docs_plot = args.docs_plot or (REPO / "benchmarks" / "growth.png")
    sizes, added = _sizes(args)
    if args.from_results:
        results = json.loads(args.from_results.read_text(encoding="utf-8"))
        args.out.mkdir(parents=True, exist_ok=True)
        return finish(results, args, docs, docs_plot)

    # Each project keeps its cache in its own temporary directory: a shared L2GRAPH_CACHE_DIR
    # would have each build delete the others' (and the user's) cached builds.
    saved = {key: os.environ.pop(key, None) for key in ("L2GRAPH_CACHE_DIR", "L2GRAPH_HOME")}
    try:
        return _run(args, argv, sizes, added, docs, docs_plot)
    finally:
        os.environ.update({key: value for key, value in saved.items() if value is not None})


def _run(
    args: argparse.Namespace,
    argv: list[str] | None,
    sizes: list[int],
    added: list[int],
    docs: Path | None,
    docs_plot: Path,
) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "command": "python -m benchmarks.run "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {
            "sizes": sizes,
            "added_sizes": added,
            "naive_timeout": args.naive_timeout,
            "stage_timeout": args.stage_timeout,
            "repeat": args.repeat,
            "query_budget": args.query_budget,
            "query_timeout": args.query_timeout,
            "cold_runs": args.cold_runs,
            "seed": args.seed,
            "smoke": args.smoke,
            "sample": args.sample,
        },
        "graphs": [],
    }
    results_path = args.out / "results.json"

    def save() -> None:
        results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    workdir = Path(tempfile.mkdtemp(prefix="l2graph-bench-"))
    try:
        # The shipped graph, from a snapshot: others may edit the checkout meanwhile, and the
        # snapshot's cache keeps the checkout's .cache untouched.
        shipped = workdir / "shipped"
        shipped.mkdir()
        for name in ("ontology", "data", "queries"):
            shutil.copytree(REPO / name, shipped / name)
        results["graphs"].append(measure_graph("shipped", shipped, None, args, workdir))
        save()
        if results["graphs"][0]["stages"]["build"].get("seconds") is not None:
            say("cold query: l2graph vs oxigraph")
            results["cold_query"] = cold_query(shipped, args.cold_runs, workdir)
            save()

        for size in sizes:
            home = workdir / f"synthetic-{size}"
            say(f"generating {size:,} triples")
            project = generate(home, size, args.seed)
            graph = measure_graph(f"synthetic {size:,}", home, size, args, workdir)
            graph["generate_seconds"] = project.seconds
            graph["generated"] = {"triples": project.triples, "files": len(project.files)}
            graph["generated"].update(project.counts)
            results["graphs"].append(graph)
            save()
            if not args.keep:
                shutil.rmtree(home, ignore_errors=True)
    finally:
        if args.keep:
            print(f"generated projects kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    results["seconds"] = time.perf_counter() - STARTED
    results["source_digest_at_end"] = source_digest()
    return finish(results, args, docs, docs_plot)


def finish(
    results: dict[str, Any], args: argparse.Namespace, docs: Path | None, docs_plot: Path
) -> int:
    """Targets, plot, ``results.json`` and the report from the measurements."""
    results_path = args.out / "results.json"
    results["targets"] = evaluate_targets(results)
    results["slow_queries"] = slow_query_notes(results)
    if args.profile:
        results["profile"] = args.profile.read_text(encoding="utf-8")
    plot_path = args.out / "growth.png"
    try:
        plot(results, plot_path)
    except ImportError:  # matplotlib is in the 'bench' extra only
        print("benchmarks: matplotlib is not installed; no plot", file=sys.stderr)
        plot_path = None
    results["plot"] = str(plot_path) if plot_path else None
    results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if docs:
        link = None
        if plot_path:
            docs_plot.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(plot_path, docs_plot)
            link = os.path.relpath(docs_plot, docs.parent)
        docs.parent.mkdir(parents=True, exist_ok=True)
        text = render_docs(results, link)
        if docs.is_file():  # keep sections other tools maintain (benchmarks/remote.py)
            text += "".join(f"\n{block}\n" for block in marked_blocks(docs.read_text()))
        docs.write_text(text, encoding="utf-8")
    for target in results["targets"]:
        print(
            f"{target['status']:>12}: {target['target']}: {target['measured']} ({target['ratio']})"
        )
    print(f"results: {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
