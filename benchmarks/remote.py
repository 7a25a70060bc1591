"""Push a synthetic graph to local triplestores, Oxigraph and Virtuoso, and time the push and
each stored query on each, in the same run.

``python -m benchmarks.remote --triples 1000000`` generates the graph (or takes ``--home``),
builds it, then for each store starts a private server on free 127.0.0.1 ports
(``oxigraph serve``; ``virtuoso-t`` from Debian's ``virtuoso-opensource``), runs
``l2graph.push`` and every stored query over the SPARQL 1.1 Protocol, stops the server, and
writes ``remote.json`` beside the other results and a section into ``docs/benchmarks.md``.
All traffic stays on loopback; each server is stopped whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks import oxigraph_server, report, virtuoso_server

REPO = Path(__file__).resolve().parent.parent
START, END = "<!-- remote:start -->", "<!-- remote:end -->"
STORES = ("oxigraph", "virtuoso")
#: Triples per request for each store: Oxigraph takes the whole graph in one request;
#: Virtuoso 7.2 answers 500 to one of ~700,000 triples and takes 250,000.
CHUNK_SIZES: dict[str, int | None] = {"oxigraph": None, "virtuoso": 200_000}


def _say(message: str) -> None:
    if sys.stderr.isatty():
        print(f"remote: {message}", file=sys.stderr, flush=True)


@contextmanager
def _running(store: str, directory: Path) -> Iterator[tuple[str, str, str]]:
    """A fresh server of kind ``store``: (Graph Store endpoint, query endpoint, version)."""
    if store == "oxigraph":
        with oxigraph_server.running(directory / "store") as base:
            yield f"{base}/store", f"{base}/query", oxigraph_server.version() or "?"
    else:
        with virtuoso_server.running(directory / "db", buffers=170_000) as server:
            yield server.store, server.query, virtuoso_server.version() or "?"


# One HTTP request (PUT or POST) of the same N-Triples file, streamed with its length: the
# wire-speed reference a push is held to.
_REFERENCE_PUT = """
import http.client, os, sys, urllib.parse
method, url, path = sys.argv[1], urllib.parse.urlsplit(sys.argv[2]), sys.argv[3]
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=3600, blocksize=1 << 20)
with open(path, "rb") as body:
    headers = {"Content-Type": "application/n-triples",
               "Content-Length": str(os.fstat(body.fileno()).st_size)}
    connection.request(method, url.path + "?" + url.query, body=body, headers=headers)
    answer = connection.getresponse()
    answer.read()
sys.exit(0 if answer.status < 300 else 1)
"""


#: The pairs timed: a push and the one request it is held to, replacing (PUT) and adding
#: (POST) the project's graph.
PUSH_PAIRS = {"replace": ("PUT", ["--replace"]), "add": ("POST", [])}


def push_pair(home: Path, store: str, runs: int, workdir: Path) -> dict:
    """``l2graph push --replace`` against one PUT of the same triples, and ``l2graph push``
    against one POST: whole processes, alternated, each into a fresh empty server (started
    and stopped untimed), so every run does the same work. Where the store refuses one large
    request (a chunk size in :data:`CHUNK_SIZES`), there is no one-request reference."""
    import urllib.parse

    import pyoxigraph as ox

    from benchmarks.measure import own_peak_kib, run_process, say
    from l2graph.api import _graph_names
    from l2graph.cache import open_store
    from l2graph.project import PROJECT_GRAPH

    chunk_size = CHUNK_SIZES[store]
    triples_file = workdir / "graph.nt"
    with open(triples_file, "wb") as out:
        for name in _graph_names(inferred=True):
            open_store(home).dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=name)
    project_graph = urllib.parse.quote(PROJECT_GRAPH, safe="")
    bin_dir = Path(sys.executable).parent

    def argv(kind: str, graph_store: str) -> list[str]:
        mode, reference = kind.split(":")
        method, flags = PUSH_PAIRS[mode]
        if reference == "one":
            url = f"{graph_store}?graph={project_graph}"
            return [sys.executable, "-c", _REFERENCE_PUT, method, url, str(triples_file)]
        push = [str(bin_dir / "l2graph"), "push", *flags, "--endpoint", graph_store]
        return push + (["--chunk-size", str(chunk_size)] if chunk_size else [])

    kinds = [f"{mode}:{who}" for mode in PUSH_PAIRS for who in ("l2graph", "one")]
    if chunk_size is not None:
        kinds = [kind for kind in kinds if not kind.endswith(":one")]
    env = dict(os.environ, L2GRAPH_HOME=str(home))
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    peak_kib = 0
    for run in range(runs + 1):  # the last run is l2graph's alone, for its peak memory
        for kind in kinds if run < runs else ["replace:l2graph"]:
            say(f"push {store} {kind} {run + 1}/{runs}")
            with (
                tempfile.TemporaryDirectory(prefix="l2graph-push-", dir=workdir) as fresh,
                _running(store, Path(fresh)) as (graph_store, _endpoint, _version),
            ):
                if run == runs:
                    peak_kib = own_peak_kib(argv(kind, graph_store), env, workdir)[0]
                    continue
                done = run_process(argv(kind, graph_store), env=env)
                if done.returncode != 0:
                    raise RuntimeError(f"{kind} push to {store} failed ({done.returncode})")
                seconds[kind].append(done.seconds)
    medians = {kind: statistics.median(times) for kind, times in seconds.items()}
    result: dict = {
        "runs": runs,
        "chunk_size": chunk_size,
        "bytes": triples_file.stat().st_size,
        "peak_rss_kib": peak_kib,
    }
    for mode, (method, _flags) in PUSH_PAIRS.items():
        mine, one = medians[f"{mode}:l2graph"], medians.get(f"{mode}:one")
        result[mode] = {"method": method, "l2graph": mine, "one": one}
        result[mode]["ratio"] = mine / one if one else None
    return result


def measure_store(store: str, home: Path, repeat: int) -> dict:
    """Time pushes to fresh servers of kind ``store`` against one PUT of the same triples,
    then push once more and time each stored query there."""
    import l2graph

    with tempfile.TemporaryDirectory(prefix=f"l2graph-{store}-") as directory:
        push = push_pair(home, store, repeat, Path(directory))
        with _running(store, Path(directory)) as (graph_store, endpoint, version):
            _say(f"{store}: pushing to {graph_store}")
            sent, held, _url = l2graph.push(
                graph_store,
                home=home,
                replace=True,
                chunk_size=CHUNK_SIZES[store],
                timeout=3600.0,
            )
            queries = {}
            for query in l2graph.list_queries(home):
                times, rows = [], 0
                for _ in range(repeat):
                    started = time.perf_counter()
                    result = l2graph.run_query(
                        query.name, endpoint=endpoint, timeout=600.0, **query.example
                    )
                    rows = len(result)
                    times.append(time.perf_counter() - started)
                queries[query.name] = {
                    "p50": statistics.median(times),
                    "max": max(times),
                    "rows": rows,
                }
                _say(f"{store}: {query.name}: p50 {queries[query.name]['p50'] * 1000:.0f} ms")
    return {
        "version": version,
        "triples": sent,
        "held": held,
        "push_seconds": push["replace"]["l2graph"],
        "push": push,
        "queries": queries,
    }


def measure(home: Path, repeat: int, stores: tuple[str, ...] = STORES) -> dict:
    """Build ``home`` once, then push it to and query each store in turn."""
    import l2graph

    l2graph.build(home)  # before any timing
    runs = {store: measure_store(store, home, repeat) for store in stores}
    return {
        "triples": next(iter(runs.values()))["triples"],  # the same graph went to each
        "repeat": repeat,
        "stores": runs,
    }


def _section(result: dict, command: str) -> str:
    stores = result["stores"]
    names = list(stores)
    titles = {"oxigraph": "Oxigraph", "virtuoso": "Virtuoso"}
    lines = [
        START,
        "## Remote: push to and query local triplestores",
        "",
        f"`{command}`: the validated graph (asserted, anchors and inferred) of the project, "
        "pushed by `l2graph push --replace` (Graph Store Protocol, into the project's named "
        "graph; the whole graph in one streamed request where the store takes it) to a private "
        "server on 127.0.0.1, against one HTTP PUT of the same N-Triples file (a Python "
        "`http.client` process streaming it with its length); both whole processes, "
        "alternated, medians of "
        f"{result['repeat']} runs. Then each stored query over the SPARQL 1.1 Protocol "
        "(results parsed into rdflib terms). The stores one after the other in the same run.",
        "",
        "| Store | version | triples | sent as | push | l2graph | one request | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        run = stores[name]
        push = run["push"]
        parts = f"{push['chunk_size']:,} per request" if push["chunk_size"] else "one request"
        for mode, flag in (("replace", "push --replace"), ("add", "push")):
            pair = push[mode]
            reference = f"{pair['one']:.2f} s" if pair["one"] else "— (refused)"
            ratio = f"**{pair['ratio']:.2f}×**" if pair["ratio"] else "—"
            lines.append(
                f"| {titles.get(name, name)} | {run['version']} | {run['triples']:,} | {parts} | "
                f"`{flag}` vs one {pair['method']} | {pair['l2graph']:.2f} s | {reference} | "
                f"{ratio} |"
            )
    peaks = ", ".join(
        f"{titles.get(n, n)} {stores[n]['push']['peak_rss_kib'] / 1024:,.0f} MiB" for n in names
    )
    lines += ["", f"Peak RSS of `l2graph push --replace`: {peaks}."]
    for name in names:
        replace, add = stores[name]["push"]["replace"], stores[name]["push"]["add"]
        if replace["one"] and add["one"]:
            lines.append(
                f"On {titles.get(name, name)} one PUT of the graph takes "
                f"{replace['one'] / add['one']:.1f}× one POST of it into the same empty graph: "
                "the server's own cost of a replace, which `--replace` pays as any client would."
            )
    lines += [
        "",
        "| Query | " + " | ".join(f"{titles.get(n, n)} p50" for n in names) + " | rows |",
        "|---|" + "---|" * len(names) + "---|",
    ]
    for query in stores[names[0]]["queries"]:
        cells = [f"{stores[n]['queries'][query]['p50'] * 1000:,.0f} ms" for n in names]
        rows = stores[names[0]]["queries"][query]["rows"]
        lines.append(f"| {query} | " + " | ".join(cells) + f" | {rows:,} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.remote [--triples N | --home DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--home", type=Path, help="an existing project instead of a synthetic one")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", nargs="+", choices=STORES, default=list(STORES))
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.remote " + " ".join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="l2graph-remote-home-") as scratch:
        home = args.home
        if home is None:
            from benchmarks.generate import generate

            home = generate(Path(scratch) / "synthetic", args.triples).home
        result = measure(home, args.repeat, tuple(args.stores))
    result["command"] = command.strip()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "remote.json").write_text(json.dumps(result, indent=2))
    report.write_section(args.docs, _section(result, result["command"]), "remote")
    pushes = {name: run["push_seconds"] for name, run in result["stores"].items()}
    print(json.dumps({"triples": result["triples"], "push_seconds": pushes}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
