"""Push a synthetic graph to a local Oxigraph server and time the push and each stored query.

``python -m benchmarks.remote --triples 1000000`` generates the graph (or takes ``--home``),
builds it, starts ``oxigraph serve`` on a free 127.0.0.1 port, runs ``l2graph.remote.push``
and every stored query over the SPARQL 1.1 Protocol, stops the server, and writes
``remote.json`` beside the other results and a section into ``docs/benchmarks.md``.
All traffic stays on loopback; the server is stopped whatever happens.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import oxigraph_server, report

REPO = Path(__file__).resolve().parent.parent
START, END = "<!-- remote:start -->", "<!-- remote:end -->"


def _say(message: str) -> None:
    if sys.stderr.isatty():
        print(f"remote: {message}", file=sys.stderr, flush=True)


def measure(home: Path, repeat: int, chunk_size: int) -> dict:
    """Build ``home``, push it to a fresh local Oxigraph server, and time each stored query."""
    import l2graph

    build = l2graph.build(home)
    with (
        tempfile.TemporaryDirectory(prefix="l2graph-remote-") as location,
        oxigraph_server.running(Path(location) / "store") as base,
    ):
        _say(f"pushing {build.asserted + build.inferred} triples to {base}/store")
        started = time.perf_counter()
        sent, held, _url = l2graph.push(
            f"{base}/store", home=home, replace=True, chunk_size=chunk_size, timeout=600.0
        )
        push_seconds = time.perf_counter() - started
        queries = {}
        for query in l2graph.list_queries(home):
            times, rows = [], 0
            for _ in range(repeat):
                started = time.perf_counter()
                result = l2graph.run_query(
                    query.name, endpoint=f"{base}/query", timeout=600.0, **query.example
                )
                rows = len(result)
                times.append(time.perf_counter() - started)
            queries[query.name] = {"p50": statistics.median(times), "max": max(times), "rows": rows}
            _say(f"{query.name}: p50 {queries[query.name]['p50'] * 1000:.0f} ms")
    return {
        "triples": sent,
        "held": held,
        "push_seconds": push_seconds,
        "chunk_size": chunk_size,
        "queries": queries,
    }


def _section(result: dict, command: str) -> str:
    lines = [
        START,
        "## Remote: push to and query a local Oxigraph server",
        "",
        f"`{command}`: the {result['triples']:,}-triple validated graph (asserted and inferred) "
        f"of the synthetic project, pushed with `l2graph push`'s code (Graph Store Protocol, "
        f"{result['chunk_size']:,} triples per request) to `oxigraph serve` on 127.0.0.1, then "
        "each stored query over the SPARQL 1.1 Protocol, results parsed into rdflib terms.",
        "",
        f"Push: **{result['push_seconds']:.1f} s** "
        f"({result['triples'] / result['push_seconds']:,.0f} triples/s); "
        f"the server then held {result['held']:,} triples.",
        "",
        "| Query | p50 | max | rows |",
        "|---|---|---|---|",
    ]
    for name, q in result["queries"].items():
        lines.append(
            f"| {name} | {q['p50'] * 1000:,.0f} ms | {q['max'] * 1000:,.0f} ms | {q['rows']:,} |"
        )
    lines += ["", END]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.remote [--triples N | --home DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--home", type=Path, help="an existing project instead of a synthetic one")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.remote " + " ".join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="l2graph-remote-home-") as scratch:
        home = args.home
        if home is None:
            from benchmarks.generate import generate

            home = generate(Path(scratch) / "synthetic", args.triples).home
        result = measure(home, args.repeat, args.chunk_size)
    result["command"] = command.strip()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "remote.json").write_text(json.dumps(result, indent=2))
    report.write_section(args.docs, _section(result, result["command"]), "remote")
    print(json.dumps({k: v for k, v in result.items() if k != "queries"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
