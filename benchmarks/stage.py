"""One benchmark stage in a fresh interpreter, so stages never share caches or memory.

:mod:`benchmarks.run` starts ``python -m benchmarks.stage STAGE HOME …`` and reads its stdout:
one JSON object per line, printed as each step finishes (so a stage killed at its time limit
still reports the steps it finished), the last one with ``"done": true``. Every object carries
``rss_kib``, this process's peak resident set so far.

Stages::

    build HOME [--sample SECONDS]       l2graph.cache.build(HOME, force=True), optionally with
                                        a stack sampler (see StackSampler)
    query HOME NAME [--repeat K] [--budget SECONDS] [--param NAME=VALUE]
                                        a stored query K times on the open cache store
    export HOME OUTPUT                  l2graph.export(format="nt", inferred=True) to OUTPUT
    naive HOME                          rdflib parse, pyshacl validate, owlrl closure
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path


def peak_rss_kib(pid: int | str = "self") -> int:
    """A process's own peak resident set size in KiB: ``VmHWM`` from ``/proc``.

    Not ``ru_maxrss``: Linux carries the pre-``exec`` memory of the process that spawned us
    into it, so a child of a large parent would report at least the parent's size.
    ``ru_maxrss`` is the fallback where ``/proc`` is missing.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if pid == "self" else 0


def emit(**fields: object) -> None:
    """Print one result line (with the peak RSS so far) and flush it at once."""
    fields["rss_kib"] = peak_rss_kib()
    print(json.dumps(fields), flush=True)


def progress(message: str) -> None:
    """Progress for a person watching: only when stderr is a terminal."""
    if sys.stderr.isatty():
        print(f"    … {message}", file=sys.stderr, flush=True)


class StackSampler(threading.Thread):
    """Samples the main thread's Python stack every ``interval`` seconds.

    A sample costs tens of microseconds, so at 50 ms the build slows by well under 1 % (cProfile
    slows rdflib and pyshacl 2–3×). Counts are inclusive seconds: each sample adds the time since
    the previous one to every function on the stack, so a function's count over ``seconds`` is
    its share of the wall time.
    """

    def __init__(self, interval: float) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.counts: Counter[str] = Counter()
        self.samples = 0
        self.total = 0.0
        self.stopping = threading.Event()
        self.target = threading.main_thread().ident

    def run(self) -> None:
        last = time.perf_counter()
        while not self.stopping.wait(self.interval):
            # Weighted by the time since the last sample: while native code holds the GIL
            # (a bulk load, a dump) no sample can be taken, and the first one after it lands
            # in the function that made the call.
            now = time.perf_counter()
            weight, last = now - last, now
            frame = sys._current_frames().get(self.target)
            seen = set()
            while frame is not None:
                code = frame.f_code
                seen.add(f"{_short(code.co_filename)}:{code.co_name}")
                frame = frame.f_back
            for key in seen:
                self.counts[key] += weight
            self.samples += 1
            self.total += weight

    def stop(self) -> dict[str, object]:
        """Stop sampling; the most frequent functions (at most 80) and the sample count."""
        self.stopping.set()
        self.join()
        return {
            "interval": self.interval,
            "samples": self.samples,
            "seconds": self.total,
            "inclusive": {k: round(v, 4) for k, v in self.counts.most_common(80)},
        }


def _short(filename: str) -> str:
    """``…/site-packages/rdflib/graph.py`` → ``rdflib/graph.py``; l2graph's own files likewise."""
    for marker in ("site-packages/", "/l2graph/", "/benchmarks/"):
        if marker in filename:
            tail = filename.rpartition(marker)[2]
            return tail if marker == "site-packages/" else marker.strip("/") + "/" + tail
    return filename


def stage_build(home: str, sample: float = 0.0) -> None:
    """The fast path's build; the peak RSS is sampled as each of its steps starts."""
    from l2graph.cache import build

    marks: list[tuple[str, int]] = []

    def step(message: str) -> None:
        marks.append((message, peak_rss_kib()))
        progress(message)

    sampler = StackSampler(sample) if sample > 0 else None
    if sampler:
        sampler.start()
    started = time.perf_counter()
    info = build(home, force=True, progress=step)
    total = time.perf_counter() - started
    profile = sampler.stop() if sampler else None
    # The peak at the start of step k+1 is the peak up to the end of step k.
    names = list(info.seconds)
    ends = [rss for _, rss in marks[1:]] + [peak_rss_kib()]
    emit(
        step="build",
        seconds=total,
        steps=info.seconds,
        rss_after_kib=dict(zip(names, ends, strict=False)),
        asserted=info.asserted,
        inferred=info.inferred,
        profile=profile,
        done=True,
    )


def stage_query(
    home: str, name: str, repeat: int, params: dict[str, str], budget: float = 60.0
) -> None:
    """One stored query ``repeat`` times on an already open store, consuming every row.

    Runs stop early once they have taken ``budget`` seconds in all (at least one run is
    made): a query that takes minutes is measured, not repeated for an hour.
    """
    import pyoxigraph as ox

    from l2graph import engine
    from l2graph.cache import open_store
    from l2graph.queries import get_query

    started = time.perf_counter()
    store = open_store(home)
    text = get_query(name, home).bind(params)
    opened = time.perf_counter() - started
    times, rows = [], 0
    for _ in range(repeat):
        if sum(times) >= budget:
            break
        started = time.perf_counter()
        result = engine.run(store, text)
        rows = 0
        if isinstance(result, ox.QuerySolutions):  # read every value of every row
            for solution in result:
                for _value in solution:
                    pass
                rows += 1
        elif isinstance(result, ox.QueryTriples):
            rows = sum(1 for _ in result)
        else:  # a boolean
            rows = 1
        times.append(time.perf_counter() - started)
        emit(step="run", seconds=times[-1], rows=rows)  # kept if a later run is killed
    emit(
        step="query",
        query=name,
        seconds=statistics.median(times),
        p50=statistics.median(times),
        max=max(times),
        times=times,
        rows=rows,
        open_seconds=opened,
        done=True,
    )


def stage_export(home: str, output: str) -> None:
    """``l2graph export --format nt --inferred`` through the API: straight from the store."""
    import l2graph

    started = time.perf_counter()
    l2graph.export(format="nt", destination=output, home=home, inferred=True)
    seconds = time.perf_counter() - started
    emit(
        step="export",
        seconds=seconds,
        steps={"serialize": seconds},
        bytes=Path(output).stat().st_size,
        done=True,
    )


def stage_naive(home: str) -> None:
    """The reference without l2graph's fast path: rdflib, pyshacl and owlrl on one graph.

    The asserted graph is validated before the closure is computed, as l2graph does: the shapes
    are for asserted triples (entailments carry no claims), so validating the closure would
    report violations and time a different job. Each library is imported inside its step, as
    the fast path imports rdflib and pyshacl inside its validation step.
    """
    from l2graph.project import Project

    project = Project.locate(home)
    total = 0.0

    progress("naive: parsing with rdflib")
    started = time.perf_counter()
    import rdflib

    graph = rdflib.Graph()
    for path in project.data_files():
        graph.parse(str(path), format="turtle")
    seconds = time.perf_counter() - started
    total += seconds
    emit(step="parse", seconds=seconds, triples=len(graph))

    progress("naive: validating with pyshacl")
    started = time.perf_counter()
    from l2graph import reference  # pyshacl, as l2graph's reference engine runs it

    conforms = reference.validate(graph, project).conforms
    seconds = time.perf_counter() - started
    total += seconds
    emit(step="validate", seconds=seconds, conforms=conforms)

    progress("naive: OWL 2 RL closure with owlrl")
    started = time.perf_counter()
    import owlrl

    before = len(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    seconds = time.perf_counter() - started
    total += seconds
    emit(step="reason", seconds=seconds, inferred=len(graph) - before)
    emit(step="naive", seconds=total, done=True)


def main(argv: list[str] | None = None) -> int:
    """Run one stage; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stage")
    sub = parser.add_subparsers(dest="stage", required=True)
    build = sub.add_parser("build")
    build.add_argument("home")
    build.add_argument("--sample", type=float, default=0.0, metavar="SECONDS")
    query = sub.add_parser("query")
    query.add_argument("home")
    query.add_argument("name")
    query.add_argument("--repeat", type=int, default=5)
    query.add_argument("--budget", type=float, default=60.0, metavar="SECONDS")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    export = sub.add_parser("export")
    export.add_argument("home")
    export.add_argument("output")
    sub.add_parser("naive").add_argument("home")
    args = parser.parse_args(argv)

    if args.stage == "build":
        stage_build(args.home, args.sample)
    elif args.stage == "query":
        params = dict(pair.split("=", 1) for pair in args.param)
        stage_query(args.home, args.name, args.repeat, params, args.budget)
    elif args.stage == "export":
        stage_export(args.home, args.output)
    else:
        stage_naive(args.home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
