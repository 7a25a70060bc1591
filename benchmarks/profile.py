"""Where a build spends its time: cProfile of ``l2graph.cache.build`` on a synthetic graph.

``python -m benchmarks.profile --triples 100000 --out profile.md`` writes a Markdown summary
(embed it in the report with ``python -m benchmarks.run --profile profile.md``): the build's
step times under the profiler, the cumulative time of the functions that matter, and the top
of the profile. cProfile slows pure-Python code (rdflib, pyshacl) by about 2–3×, so read the
shares, not the absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import DEFAULT_SEED, generate

# (label, file suffix, function name): the places a build's time can go.
WATCHED = (
    ("Oxigraph: parse the Turtle files", "l2graph/engine.py", "parse_files"),
    ("validate step (all of it)", "l2graph/cache.py", "validate_store"),
    ("  shapes compiled to SPARQL, run by Oxigraph", "l2graph/shacl.py", "validate_store"),
    ("  rdflib: parse the N-Triples dump", "rdflib/graph.py", "parse"),
    ("  pyshacl: validate", "pyshacl/entrypoints.py", "validate"),
    (
        "    SPARQL-based constraints (sh:sparql)",
        "pyshacl/constraints/sparql/sparql_based_constraints.py",
        "evaluate",
    ),
    (
        "      rdflib: parse SPARQL text (pyparsing)",
        "rdflib/plugins/sparql/parser.py",
        "parseQuery",
    ),
    (
        "      rdflib: translate the parsed query",
        "rdflib/plugins/sparql/algebra.py",
        "translateQuery",
    ),
    ("      rdflib: evaluate the query (as its rows are read)", "rdflib/query.py", "bindings"),
    (
        "    property and node shapes (sh:class, sh:minCount…)",
        "pyshacl/constraints/core/shape_based_constraints.py",
        "evaluate",
    ),
    ("reason step: SPARQL rules in Oxigraph", "l2graph/reasoning.py", "materialise"),
    ("write step: count the asserted triples", "l2graph/cache.py", "_count"),
    ("write step: N-Quads dump and on-disk store", "l2graph/cache.py", "_publish"),
)


def _find(stats: pstats.Stats, suffix: str, name: str) -> tuple[int, float] | None:
    """(calls, cumulative seconds) of a function, the largest if several match."""
    best = None
    for (filename, _line, function), (_cc, calls, _tt, cumulative, _) in stats.stats.items():
        matches = function == name and filename.endswith(suffix)
        if matches and (best is None or cumulative > best[1]):
            best = (calls, cumulative)
    return best


def profile_build(home: Path) -> tuple[dict[str, float], float, pstats.Stats]:
    """Build ``home`` under cProfile; returns the step times, the total and the stats."""
    from l2graph.cache import build

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    info = build(home, force=True)
    profiler.disable()
    total = time.perf_counter() - started
    return dict(info.seconds), total, pstats.Stats(profiler)


def summarise(
    requested: int, triples: int, steps: dict[str, float], total: float, stats: pstats.Stats
) -> str:
    """The profile as Markdown."""
    lines = [
        f"cProfile of `l2graph.cache.build(force=True)` on the {triples:,}-triple synthetic "
        f"graph (`python -m benchmarks.profile --triples {requested}`): {total:,.1f} s under the "
        "profiler; " + ", ".join(f"{k} {v:,.1f} s" for k, v in steps.items()) + ".",
        "",
        "| Where | Calls | Cumulative | Share |",
        "|---|---|---|---|",
    ]
    for label, suffix, name in WATCHED:
        found = _find(stats, suffix, name)
        if found is None:
            continue
        calls, cumulative = found
        where = label.strip()
        indent = "&nbsp;" * (len(label) - len(label.lstrip()))
        lines.append(
            f"| {indent}{where} (`{name}`) | {calls:,} | {cumulative:,.1f} s | "
            f"{cumulative / total:.0%} |"
        )
    buffer = io.StringIO()
    stats.stream = buffer
    stats.sort_stats("cumulative").print_stats(25)
    top = [line for line in buffer.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(top) if "ncalls" in line), 0)
    lines += ["", "Top of the profile by cumulative time:", "", "```text"]
    lines += [line.replace(sys.prefix, "$VENV") for line in top[start:]]
    lines += ["```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.profile --triples N [--out FILE]``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="Markdown file (default: stdout)")
    parser.add_argument("--stats", type=Path, help="also save the raw pstats file here")
    args = parser.parse_args(argv)
    # Keep the build's cache inside the temporary project (a shared one would be pruned).
    os.environ.pop("L2GRAPH_CACHE_DIR", None)
    workdir = Path(tempfile.mkdtemp(prefix="l2graph-profile-"))
    try:
        project = generate(workdir / "project", args.triples, args.seed)
        steps, total, stats = profile_build(project.home)
        if args.stats:
            stats.dump_stats(str(args.stats))
        text = summarise(args.triples, project.triples, steps, total, stats)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
