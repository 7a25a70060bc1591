"""The OWL 2 RL reasoner against owlrl, on the same triples, and on a large owl:sameAs clique.

``python -m benchmarks.reasoner --home . --triples 100000 --runs 3`` takes the shipped graph
(``--home``) and each synthetic size, reads its asserted triples with rdflib (as
``l2graph.infer`` is given them), and then, alternating, times:

* **l2graph**: :func:`l2graph.reasoning.materialise` on an in-memory Oxigraph store holding
  those triples, inconsistency checks included (the build's reason step);
* **owlrl**: ``owlrl.DeductiveClosure(OWLRL_Semantics).expand`` on an rdflib copy (as
  ``l2graph.reference.infer`` runs it), its own checks included.

Each figure is the median of ``--runs`` runs in this process (imports and loading excluded);
the ratio is owlrl's median over l2graph's. Both closures are compared after
``l2graph.reference.is_noise``: the table says whether they are the same. Then a chain of
``--clique`` individuals joined by owl:sameAs (each with three facts of its own) is reasoned
on: ``materialise`` and the whole ``l2graph.infer`` (rdflib in and out), and owlrl on a clique
of ``--owlrl-clique`` (owlrl's time grows too fast to wait for the large one). Results go to
``reasoner.json`` in ``--out`` and, between markers, into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.generate import REPO, generate
from benchmarks.measure import installed_bytecode, say

START, END = "<!-- reasoner:start -->", "<!-- reasoner:end -->"
MIN_RATIO = 20.0  # the floor: l2graph's reasoning at least 20x owlrl's speed


def _core(graph: Any) -> tuple[float, set]:
    """l2graph's materialisation of ``graph``: seconds, and the entailments (as rdflib)."""
    import pyoxigraph as ox

    from l2graph import reasoning
    from l2graph.bridge import graph_from_ntriples, store_from_graph
    from l2graph.project import ASSERTED_GRAPH, INFERRED_GRAPH

    store = store_from_graph(graph, ASSERTED_GRAPH)
    started = time.perf_counter()
    reasoning.materialise(store, INFERRED_GRAPH, source=ASSERTED_GRAPH)
    seconds = time.perf_counter() - started
    dump = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(INFERRED_GRAPH))
    return seconds, set(graph_from_ntriples(dump))


def _owlrl(graph: Any) -> tuple[float, set]:
    """owlrl's closure of ``graph`` as l2graph.reference runs it: seconds, and what it adds
    without noise."""
    import owlrl
    from rdflib import Graph

    from l2graph.reference import is_noise

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    started = time.perf_counter()
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    seconds = time.perf_counter() - started
    return seconds, {t for t in closure if t not in graph and not is_noise(t)}


def measure(name: str, graph: Any, runs: int) -> dict[str, Any]:
    """Both reasoners on ``graph``, alternated, ``runs`` times each."""
    core, reference, same = [], [], True
    for run in range(runs):
        say(f"{name}: run {run + 1} of {runs}")
        seconds, fast = _core(graph)
        core.append(seconds)
        seconds, slow = _owlrl(graph)
        reference.append(seconds)
        same = same and fast == slow
        inferred = len(fast)
    return {
        "graph": name,
        "asserted": len(graph),
        "inferred": inferred,
        "l2graph": core,
        "owlrl": reference,
        "ratio": statistics.median(reference) / statistics.median(core),
        "same": same,
    }


def clique_graph(size: int) -> Any:
    """A chain of ``size`` individuals joined by owl:sameAs, each with three facts."""
    from rdflib import OWL, RDF, Graph, Namespace

    ex = Namespace("urn:example:")
    graph = Graph()
    for i in range(size):
        if i + 1 < size:
            graph.add((ex[f"m{i}"], OWL.sameAs, ex[f"m{i + 1}"]))
        graph.add((ex[f"m{i}"], ex.p, ex[f"o{i}"]))
        graph.add((ex[f"s{i}"], ex.q, ex[f"m{i}"]))
        graph.add((ex[f"m{i}"], RDF.type, ex.C))
    return graph


def clique(size: int, owlrl_size: int) -> dict[str, Any]:
    """The large clique through materialise and through l2graph.infer; owlrl on a smaller one."""
    import l2graph

    graph = clique_graph(size)
    say(f"clique of {size}")
    seconds, inferred = _core(graph)
    started = time.perf_counter()
    l2graph.infer(graph)
    whole = time.perf_counter() - started
    small = clique_graph(owlrl_size)
    say(f"clique of {owlrl_size}: owlrl")
    core_small, fast = _core(small)
    owlrl_small, slow = _owlrl(small)
    return {
        "size": size,
        "asserted": len(graph),
        "inferred": len(inferred),
        "materialise": seconds,
        "infer": whole,
        "owlrl_size": owlrl_size,
        "owlrl_small": owlrl_small,
        "l2graph_small": core_small,
        "same_small": fast == slow,
    }


def _seconds(value: float) -> str:
    return f"{value * 1000:,.0f} ms" if value < 2 else f"{value:,.1f} s"


def section(results: list[dict[str, Any]], cliqued: dict[str, Any], command: str) -> str:
    """The Markdown between the markers."""
    lines = [
        START,
        "## Reasoning: l2graph's OWL 2 RL rules against owlrl",
        "",
        f"`{command}`; each figure is the median of the runs, the two reasoners alternated in "
        "one process, on the same asserted triples (read by rdflib, as `l2graph.infer` is "
        "given them). **l2graph** is `l2graph.reasoning.materialise` on an in-memory Oxigraph "
        "store, inconsistency checks included (the build's reason step); **owlrl** is "
        "`owlrl.DeductiveClosure(OWLRL_Semantics).expand`, as `l2graph.reference.infer` runs "
        "it. *Same* compares the two closures after `l2graph.reference.is_noise`.",
        "",
        "| Graph | Asserted | Inferred | l2graph | owlrl | ratio | same | floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        ok = result["ratio"] >= MIN_RATIO
        lines.append(
            f"| {result['graph']} | {result['asserted']:,} | {result['inferred']:,} "
            f"| {_seconds(statistics.median(result['l2graph']))} "
            f"| {_seconds(statistics.median(result['owlrl']))} "
            f"| **{result['ratio']:.0f}×** | {'yes' if result['same'] else '**no**'} "
            f"| ≥ {MIN_RATIO:.0f}×: {'met' if ok else '**not met**'} |"
        )
    c = cliqued
    lines += [
        "",
        f"**A clique of {c['size']} individuals** (a chain of owl:sameAs, each with three facts "
        f"of its own: {c['asserted']:,} asserted triples, {c['inferred']:,} inferred, every "
        f"pair of the clique and every fact restated about each member): `materialise` "
        f"{_seconds(c['materialise'])}, the whole `l2graph.infer` (rdflib in and out) "
        f"{_seconds(c['infer'])}. A clique of {c['owlrl_size']}: owlrl "
        f"{_seconds(c['owlrl_small'])}, l2graph {_seconds(c['l2graph_small'])}, same closure: "
        f"{'yes' if c['same_small'] else '**no**'}.",
        "",
        END,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.reasoner [--home DIR] [--triples N …] [--runs K]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="an existing project, measured first")
    parser.add_argument("--triples", type=int, nargs="*", default=[100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clique", type=int, default=200)
    parser.add_argument("--owlrl-clique", type=int, default=50)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    words = argv if argv is not None else sys.argv[1:]
    command = ("python -m benchmarks.reasoner " + " ".join(words)).strip()
    installed_bytecode()
    from l2graph import reference
    from l2graph.project import Project

    results = []
    with tempfile.TemporaryDirectory(prefix="l2graph-reasoner-") as scratch:
        homes = [("shipped graph", args.home)] if args.home else []
        for size in args.triples:
            say(f"generating {size:,} triples")
            homes.append((f"synthetic {size:,}", generate(Path(scratch) / f"s{size}", size).home))
        for name, home in homes:
            graph = reference.load_asserted(Project.locate(home))
            results.append(measure(name, graph, args.runs))
    cliqued = clique(args.clique, args.owlrl_clique)
    args.out.mkdir(parents=True, exist_ok=True)
    data = {"command": command, "results": results, "clique": cliqued}
    (args.out / "reasoner.json").write_text(json.dumps(data))
    text = section(results, cliqued, command)
    report.write_section(args.docs, text, "reasoner")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
