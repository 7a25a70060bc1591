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
import contextlib
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.generate import DEFAULT_SEED, REPO, generate
from benchmarks.stage import peak_rss_kib

DEFAULT_SIZES = (10_000, 50_000, 100_000, 1_000_000)
SMOKE_SIZES = (2_000,)
COLD_QUERY = "001_leica_bodies_that_are_panasonic_bodies"
GIB = 1024 * 1024  # in KiB, the unit of ru_maxrss

# The targets of the issue, checked against the measurements.
COLD_QUERY_MAX_RATIO = 1.5
SHIPPED_MIN_SPEEDUP = 10.0
MID_SIZE, MID_MIN_SPEEDUP = 50_000, 20.0
LARGE_SIZE, LARGE_MAX_SECONDS, LARGE_MAX_RSS_KIB = 1_000_000, 90.0, 4 * GIB
QUERY_MAX_P50 = 0.100

_STARTED = time.perf_counter()


def say(message: str) -> None:
    """Progress on stderr, only for a person watching a terminal."""
    if sys.stderr.isatty():
        elapsed = time.perf_counter() - _STARTED
        print(f"[bench {elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- subprocesses


@dataclass
class Finished:
    """A finished (or killed) child process: wall time, peak RSS, and what it printed.

    ``rusage_kib`` is ``ru_maxrss`` from ``wait4``, which Linux floors at the spawning process's
    size (see :func:`benchmarks.stage.peak_rss_kib`); ``killed_kib`` is the child's own
    ``VmHWM``, read just before a time limit kills it.
    """

    returncode: int
    seconds: float
    rusage_kib: int
    stdout: bytes
    timed_out: bool = False
    killed_kib: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def peak_rss_kib(self) -> int:
        """The child's own peak: what it reported (stages report ``VmHWM``), else rusage."""
        reported = [r["rss_kib"] for r in self.records if r.get("rss_kib")]
        if reported or self.killed_kib:
            return max([*reported, self.killed_kib])
        return self.rusage_kib


def run_process(
    argv: list[str],
    *,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Finished:
    """Run ``argv``; kill its process group after ``timeout`` seconds.

    ``os.wait4`` reaps the child and gives its own rusage, so the peak RSS is this child's
    alone (``RUSAGE_CHILDREN`` would be the maximum over every child so far).
    """
    chunks: list[bytes] = []
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, env=env, cwd=cwd, start_new_session=timeout is not None
    )
    reader = threading.Thread(target=lambda: chunks.extend(iter(process.stdout.readline, b"")))
    reader.start()
    killed = threading.Event()
    killed_kib = 0

    def kill() -> None:
        nonlocal killed_kib
        killed.set()
        killed_kib = peak_rss_kib(process.pid)  # its peak so far, before it is gone
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started

    timer = threading.Timer(timeout, kill) if timeout is not None else None
    if timer:
        timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:  # e.g. Ctrl-C: do not leave the child running
        kill()
        raise
    seconds = time.perf_counter() - started
    if timer:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    reader.join()
    process.stdout.close()
    return Finished(
        returncode=process.returncode,
        seconds=seconds,
        rusage_kib=usage.ru_maxrss,
        stdout=b"".join(chunks),
        timed_out=killed.is_set(),
        killed_kib=killed_kib,
    )


def run_stage(args: list[str], timeout: float | None) -> Finished:
    """``python -m benchmarks.stage ARGS``; its JSON lines end up in ``records``."""
    finished = run_process(
        [sys.executable, "-m", "benchmarks.stage", *args], timeout=timeout, cwd=REPO
    )
    for line in finished.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("{"):
            finished.records.append(json.loads(line))
    return finished


def _final(finished: Finished) -> dict[str, Any] | None:
    done = [r for r in finished.records if r.get("done")]
    return done[-1] if done and finished.returncode == 0 else None


def _failure(finished: Finished, timeout: float | None) -> dict[str, Any]:
    if finished.timed_out:
        return {"error": f"timed out after {timeout:g} s", "timed_out": True}
    return {"error": f"exit code {finished.returncode}", "timed_out": False}


# ---------------------------------------------------------------------- one graph


def measure_build(home: Path, timeout: float | None, sample: float = 0.0) -> dict[str, Any]:
    """``l2graph.cache.build(home, force=True)`` in a fresh interpreter, optionally sampled."""
    finished = run_stage(["build", str(home), "--sample", str(sample)], timeout)
    record = _final(finished)
    if record is None:
        return {"seconds": None, "peak_rss_kib": finished.peak_rss_kib} | _failure(
            finished, timeout
        )
    return {
        "seconds": record["seconds"],
        "wall_seconds": finished.seconds,
        "peak_rss_kib": finished.peak_rss_kib,
        "steps": record["steps"],
        "rss_after_kib": record["rss_after_kib"],
        "asserted": record["asserted"],
        "inferred": record["inferred"],
        "profile": record.get("profile"),
    }


def measure_query(
    home: Path, name: str, params: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    """One stored query, up to ``--repeat`` times in one process on an open store.

    The process is killed after ``--query-timeout`` seconds: the runs it finished are kept,
    and a query with none is reported as taking longer than the limit.
    """
    argv = ["query", str(home), name, "--repeat", str(args.repeat)]
    argv += ["--budget", str(args.query_budget)]
    for key, value in params.items():
        argv += ["--param", f"{key}={value}"]
    finished = run_stage(argv, args.query_timeout)
    record = _final(finished)
    if record is None:
        runs = [r["seconds"] for r in finished.records if r.get("step") == "run"]
        result = {
            "seconds": statistics.median(runs) if runs else None,
            "p50": statistics.median(runs) if runs else None,
            "max": max(runs) if runs else None,
            "runs": len(runs),
            "params": params,
            "peak_rss_kib": finished.peak_rss_kib,
        }
        return result | _failure(finished, args.query_timeout)
    return {
        "seconds": record["p50"],
        "p50": record["p50"],
        "max": record["max"],
        "runs": len(record["times"]),
        "rows": record["rows"],
        "params": params,
        "open_seconds": record["open_seconds"],
        "wall_seconds": finished.seconds,
        "peak_rss_kib": finished.peak_rss_kib,
    }


def measure_export(home: Path, workdir: Path, timeout: float | None) -> dict[str, Any]:
    """``l2graph export --format nt`` through the API, into a scratch file."""
    output = workdir / f"export-{home.name}.nt"
    finished = run_stage(["export", str(home), str(output)], timeout)
    record = _final(finished)
    output.unlink(missing_ok=True)
    if record is None:
        return {"seconds": None, "peak_rss_kib": finished.peak_rss_kib} | _failure(
            finished, timeout
        )
    return {
        "seconds": record["seconds"],
        "steps": record["steps"],
        "bytes": record["bytes"],
        "wall_seconds": finished.seconds,
        "peak_rss_kib": finished.peak_rss_kib,
    }


def measure_naive(home: Path, timeout: float) -> dict[str, Any]:
    """rdflib + pyshacl + owlrl, killed after ``timeout``; finished steps are kept."""
    finished = run_stage(["naive", str(home)], timeout)
    steps = {r["step"]: r["seconds"] for r in finished.records if r["step"] != "naive"}
    record = _final(finished)
    result: dict[str, Any] = {
        "seconds": record["seconds"] if record else None,
        "steps": steps,
        "wall_seconds": finished.seconds,
        "peak_rss_kib": finished.peak_rss_kib,
        "timeout": timeout,
        "timed_out": finished.timed_out,
    }
    if record is None:
        result |= _failure(finished, timeout)
    return result


def stored_queries(home: Path) -> list[tuple[str, dict[str, str]]]:
    """Every stored query with values for its required parameters."""
    from l2graph.queries import list_queries

    queries = []
    for query in list_queries(home):
        # a required parameter takes the query's example (the generator keeps those at every size)
        required = {p.name for p in query.parameters if p.required}
        params = {name: value for name, value in query.example.items() if name in required}
        queries.append((query.name, params))
    return queries


def measure_graph(
    name: str, home: Path, nominal: int | None, args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    """Every stage on one project directory."""
    graph: dict[str, Any] = {"name": name, "nominal_triples": nominal, "stages": {}}
    stages = graph["stages"]
    say(f"{name}: build")
    stages["build"] = measure_build(home, args.stage_timeout, args.sample)
    graph["triples"] = stages["build"].get("asserted")
    if stages["build"]["seconds"] is not None:
        from l2graph.queries import get_query

        graph["query_texts"] = {}
        for query, params in stored_queries(home):
            graph["query_texts"][query] = get_query(query, home).bind(params)
            say(f"{name}: query {query}")
            stages[f"query:{query}"] = measure_query(home, query, params, args)
        say(f"{name}: export")
        stages["export"] = measure_export(home, workdir, args.stage_timeout)
    say(f"{name}: naive reference (limit {args.naive_timeout:g} s)")
    stages["naive"] = measure_naive(home, args.naive_timeout)
    graph["speedup"] = speedup(stages["build"], stages["naive"])
    return graph


def speedup(build: dict[str, Any], naive: dict[str, Any]) -> dict[str, Any] | None:
    """naive / fast build time; a lower bound when the naive run hit its time limit."""
    fast = build.get("seconds")
    if not fast:
        return None
    if naive.get("seconds") is not None:
        return {"ratio": naive["seconds"] / fast, "lower_bound": False}
    if naive.get("timed_out"):
        return {"ratio": naive["timeout"] / fast, "lower_bound": True}
    return None


# ---------------------------------------------------------------------- cold CLI query


def own_peak_kib(argv: list[str], env: dict[str, str], workdir: Path) -> tuple[int, str]:
    """A short command's own peak RSS (KiB) and how it was measured.

    Through GNU ``time``: the command is then forked from time's small process, not from this
    large one, whose size Linux would otherwise carry into the command's ``ru_maxrss``.
    """
    gnu_time = shutil.which("time")
    if gnu_time:
        output = workdir / "time.txt"
        finished = run_process([gnu_time, "-f", "%M", "-o", str(output), *argv], env=env)
        with contextlib.suppress(OSError, ValueError, IndexError):
            if finished.returncode == 0:
                return int(output.read_text().split()[-1]), "GNU time"
    return run_process(argv, env=env).rusage_kib, "wait4 (at least this benchmark's own size)"


def cold_query(home: Path, runs: int, workdir: Path) -> dict[str, Any]:
    """Alternate ``l2graph query`` and ``oxigraph query`` on the same data, ``runs`` times each.

    The cache holds the asserted and inferred named graphs; ``oxigraph query`` reads a
    separate on-disk store loaded with the same quads (the CLI opens stores read-write, so it
    never touches the cache) with ``--union-default-graph``, which is how l2graph queries it.
    """
    import pyoxigraph as ox

    from l2graph.cache import open_store
    from l2graph.project import Project

    project = Project.locate(home)
    copy = workdir / "oxigraph-store"
    shutil.rmtree(copy, ignore_errors=True)
    target = ox.Store(str(copy))
    target.bulk_extend(open_store(home).quads_for_pattern(None, None, None, None))
    target.flush()
    quads = len(target)
    del target  # release the store's lock before the CLI opens it
    query_file = project.queries_dir / f"{COLD_QUERY}.rq"
    bin_dir = Path(sys.executable).parent
    l2graph_cli = str(bin_dir / "l2graph")
    oxigraph_cli = str(bin_dir / "oxigraph") if (bin_dir / "oxigraph").exists() else None
    oxigraph_cli = oxigraph_cli or shutil.which("oxigraph")
    if oxigraph_cli is None:
        return {"skipped": "the oxigraph CLI is not installed (pip install oxigraph)"}
    commands = {
        "l2graph": [l2graph_cli, "query", COLD_QUERY, "--format", "csv"],
        "oxigraph": [
            oxigraph_cli,
            "query",
            "--location",
            str(copy),
            "--query-file",
            str(query_file),
            "--results-format",
            "csv",
            "--union-default-graph",
        ],
    }
    env = dict(os.environ, L2GRAPH_HOME=str(home))
    times: dict[str, list[float]] = {key: [] for key in commands}
    rows: dict[str, int] = {}
    for run in range(runs):
        say(f"cold query {run + 1}/{runs}")
        for key, argv in commands.items():
            finished = run_process(argv, env=env)
            if finished.returncode != 0:
                raise RuntimeError(f"{' '.join(argv)} failed with exit code {finished.returncode}")
            times[key].append(finished.seconds)
            rows[key] = len(finished.stdout.decode("utf-8").strip().splitlines()) - 1
    # Memory in separate runs, so the timed runs carry no wrapper.
    rss = {
        key: [own_peak_kib(argv, env, workdir) for _ in range(3)] for key, argv in commands.items()
    }
    shutil.rmtree(copy, ignore_errors=True)
    shown = {key: " ".join(argv).replace(str(workdir), "$TMP") for key, argv in commands.items()}
    result: dict[str, Any] = {
        "query": COLD_QUERY,
        "runs": runs,
        "commands": shown,
        "rows": rows,
        "quads": quads,
    }
    for key in commands:
        result[key] = {
            "median": statistics.median(times[key]),
            "min": min(times[key]),
            "max": max(times[key]),
            "times": times[key],
            "peak_rss_kib": max(kib for kib, _ in rss[key]),
            "rss_method": rss[key][0][1],
        }
    result["ratio"] = result["l2graph"]["median"] / result["oxigraph"]["median"]
    return result


# ---------------------------------------------------------------------- machine and targets


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    memory_kib = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    except OSError:
        pass
    versions = {}
    for package in ("l2graph", "pyoxigraph", "oxigraph", "rdflib", "owlrl", "pyshacl"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / GIB, 1) if memory_kib else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "source_digest": source_digest(),
    }


def source_digest() -> str:
    """A hash of l2graph's code and the shapes and ontology: did they change during the run?"""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted([*REPO.glob("l2graph/*.py"), *REPO.glob("ontology/*.ttl")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _graph(results: dict[str, Any], nominal: int, tolerance: float = 0.0) -> dict | None:
    for graph in results["graphs"]:
        size = graph.get("nominal_triples")
        if size and abs(size - nominal) <= tolerance * nominal:
            return graph
    return None


def _target(
    name: str, measured: str, ratio: str, met: bool | None, note: str = "", unknown: str = ""
) -> dict[str, Any]:
    status = (unknown or "not measured") if met is None else ("met" if met else "not met")
    return {"target": name, "measured": measured, "ratio": ratio, "status": status, "note": note}


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue with its measured value, ratio and met / not met."""
    targets = []

    cold = results.get("cold_query")
    if cold and "ratio" in cold:
        ratio = cold["ratio"]
        targets.append(
            _target(
                f"cold `l2graph query` ≤ {COLD_QUERY_MAX_RATIO}× `oxigraph query`",
                f"{_ms(cold['l2graph']['median'])} vs {_ms(cold['oxigraph']['median'])} "
                f"(medians of {cold['runs']})",
                f"{ratio:.2f}×",
                ratio <= COLD_QUERY_MAX_RATIO,
            )
        )
    else:
        targets.append(_target("cold query ≤ 1.5× oxigraph query", "—", "—", None))

    for label, graph, minimum in (
        ("shipped-graph build", _graph_named(results, "shipped"), SHIPPED_MIN_SPEEDUP),
        (f"~{MID_SIZE:,} build", _graph(results, MID_SIZE, 0.2), MID_MIN_SPEEDUP),
    ):
        name = f"{label} ≥ {minimum:g}× faster than naive"
        if not graph or not graph.get("speedup"):
            targets.append(_target(name, "—", "—", None))
            continue
        up = graph["speedup"]
        naive = graph["stages"]["naive"]
        naive_text = (
            f"timed out after {naive['timeout']:g} s"
            if naive.get("timed_out")
            else _s(naive["seconds"])
        )
        bound = "≥ " if up["lower_bound"] else ""
        met = up["ratio"] >= minimum if not up["lower_bound"] or up["ratio"] >= minimum else None
        targets.append(
            _target(
                name,
                f"fast {_s(graph['stages']['build']['seconds'])} vs naive {naive_text} "
                f"({graph['triples']:,} triples)",
                f"{bound}{up['ratio']:.1f}×",
                met,
                unknown="undecided (naive timed out below the ratio)",
            )
        )

    large = _graph(results, LARGE_SIZE, 0.2)
    name = f"{LARGE_SIZE:,}-triple build ≤ {LARGE_MAX_SECONDS:g} s and ≤ 4 GiB peak RSS"
    if large and large["stages"]["build"].get("seconds") is not None:
        build = large["stages"]["build"]
        ok = build["seconds"] <= LARGE_MAX_SECONDS and build["peak_rss_kib"] <= LARGE_MAX_RSS_KIB
        slowest = max(build["steps"], key=build["steps"].get)
        targets.append(
            _target(
                name,
                f"{_s(build['seconds'])}, {_mib(build['peak_rss_kib'])}",
                f"{build['seconds'] / LARGE_MAX_SECONDS:.2f}× the time limit, "
                f"{build['peak_rss_kib'] / LARGE_MAX_RSS_KIB:.2f}× the memory limit",
                ok,
                f"{slowest} dominates: {_s(build['steps'][slowest])} of {_s(build['seconds'])}",
            )
        )
    elif large:
        build = large["stages"]["build"]
        targets.append(
            _target(name, f"{build.get('error')}, {_mib(build['peak_rss_kib'])}", "—", False)
        )
    else:
        targets.append(_target(name, "—", "—", None))

    name = f"each stored query on the {LARGE_SIZE:,}-triple graph p50 ≤ {QUERY_MAX_P50 * 1000:g} ms"
    if large and any(key.startswith("query:") for key in large["stages"]):
        queries = {k[6:]: v for k, v in large["stages"].items() if k.startswith("query:")}
        slow = {q: v for q, v in queries.items() if v["seconds"] is None or v["seconds"] > 0.1}
        worst = max(queries, key=lambda q: queries[q]["seconds"] or float("inf"))
        slowest = queries[worst]
        if slowest["seconds"] is None:
            worst_text = f"{worst} {slowest.get('error', 'failed')}"
            worst_ratio = f"> {results['config']['query_timeout'] / QUERY_MAX_P50:,.0f}× the limit"
        else:
            worst_text = f"{worst} {_s(slowest['seconds'])}"
            worst_ratio = f"{slowest['seconds'] / QUERY_MAX_P50:,.1f}× the limit"
        targets.append(
            _target(
                name,
                f"{len(queries) - len(slow)} of {len(queries)} within; slowest {worst_text}",
                worst_ratio,
                not slow,
                "see 'Queries over the limit'" if slow else "",
            )
        )
    else:
        targets.append(_target(name, "—", "—", None))
    return targets


def _graph_named(results: dict[str, Any], name: str) -> dict | None:
    return next((g for g in results["graphs"] if g["name"] == name), None)


# Why a stored query is slow on a large graph, read off Oxigraph's plans
# (``oxigraph query --explain --stats`` on the 1M-triple store). Each applies only while its
# marker is in the measured query's text, so an edited query falls back to its measured growth.
_DIAGNOSES = (
    (
        "l2:brand/l2:brandOwner id:leica-camera-ag",
        "index-driven plan (Leica's brands → their bodies → rebadges → claims); its answer, "
        "every Leica rebadge of a Panasonic body, grows with the graph, at about ten index "
        "lookups per row",
    ),
    (
        "?property rdfs:domain l2:Person",
        "a listing of every person's every role: the answer grows with the graph by design; "
        "the plan is index-driven",
    ),
    (
        'BIND ("article published" AS ?event)',
        "a listing of every dated entity, sorted; the plan also starts from every "
        "`rdfs:label` in the graph and evaluates the UNION once per label, because the label "
        "pattern sits outside the UNION (moving it into each branch avoids that)",
    ),
    (
        "FILTER (!BOUND(?isFact))",
        "a listing of every body's and product line's mount: the answer grows with the "
        "graph by design; the plan is linear (a hash join on ?mount)",
    ),
    (
        "FILTER NOT EXISTS { ?product l2:mount ?mount }",
        "quadratic: the plan starts from every labelled entity and evaluates the UNION per "
        "label, and FILTER NOT EXISTS probes before `rdf:object ?mount` binds",
    ),
    (
        "FILTER (?subject = ?entity || ?object = ?entity)",
        "a scan of every claim: `?entity` is used only in a FILTER, so all claims are joined "
        "with their seven triples before the filter keeps a few",
    ),
    (
        "FILTER (?status NOT IN (l2:confirmed, l2:reported))",
        "a scan of every claim: it starts from `?claim a l2:Claim ; l2:status ?status` and drops "
        "confirmed and reported claims afterwards (95% of them); `VALUES ?status "
        "{ l2:speculative l2:opinion l2:question }` first would read only unasserted claims",
    ),
    (
        "VALUES ?status { l2:speculative l2:opinion l2:question }",
        "a listing of every unasserted claim: index-driven (it reads only the speculative, "
        "opinion and question claims), about eight lookups per row; grows with the graph by "
        "design",
    ),
    (
        "?brand a l2:Brand ; rdfs:label ?brandName",
        "a listing of every brand with its owner and sources: index-driven; grows with the "
        "graph by design",
    ),
    (
        "(COUNT(?claim) AS ?claims)",
        "a listing of every article with a count of its claims: it reads every claim, so it "
        "grows with the graph by design",
    ),
)


def _growth(results: dict[str, Any], key: str, field: str) -> float | None:
    """The log-log slope of a stage's ``field`` between the two largest measured graphs."""
    import math

    points = [
        (g["triples"], g["stages"][key][field])
        for g in results["graphs"]
        if g.get("nominal_triples") and (g["stages"].get(key) or {}).get(field)
    ]
    points.sort()
    if len(points) < 2:
        return None
    (x0, y0), (x1, y1) = points[-2], points[-1]
    return math.log(y1 / y0) / math.log(x1 / x0) if x1 != x0 else None


def slow_query_notes(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored queries over the p50 limit on the largest graph, and why."""
    graphs = [g for g in results["graphs"] if g.get("nominal_triples")]
    if not graphs:
        return []
    largest = max(graphs, key=lambda g: g["nominal_triples"])
    notes = []
    for key, stage in largest["stages"].items():
        timed_out = stage.get("timed_out", False)
        if not key.startswith("query:") or (
            not timed_out and (stage["seconds"] or 0) <= QUERY_MAX_P50
        ):
            continue
        name = key[6:]
        query = (largest.get("query_texts") or {}).get(name, "")
        why = next((text for marker, text in _DIAGNOSES if marker in query), None)
        if stage.get("rows") is not None:
            why = f"{stage['rows']:,} rows; " + (why or "")
        growth = _growth(results, key, "seconds")
        rows_growth = _growth(results, key, "rows")
        measured = []
        if growth is not None:
            measured.append(f"time ∝ triples^{growth:.1f}")
        if rows_growth is not None:
            measured.append(f"rows ∝ triples^{rows_growth:.1f}")
        if not why or why.endswith("; "):
            why = (why or "") + "no diagnosis recorded; see `oxigraph query --explain --stats`"
        if measured:
            why += " (measured between the two largest graphs: " + ", ".join(measured) + ")"
        notes.append(
            {
                "query": name,
                "p50": stage["seconds"],
                "timed_out": timed_out,
                "limit": results["config"].get("query_timeout"),
                "rows": stage.get("rows"),
                "why": why,
            }
        )
    return notes


# ---------------------------------------------------------------------- plot


def plot(results: dict[str, Any], path: Path) -> None:
    """Log-log growth: time and peak RSS against triples, fast path against naive."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    graphs = sorted((g for g in results["graphs"] if g.get("triples")), key=lambda g: g["triples"])
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 6.5))
    for axis in (left, right):  # enough distinct colours for every series
        axis.set_prop_cycle(color=[plt.get_cmap("tab20")(i) for i in range(0, 20, 2)]
                            + [plt.get_cmap("tab20")(i) for i in range(1, 20, 2)])  # fmt: skip

    def series(axis, label, ys, style, timed_out=()):
        points = [(x, y) for x, y in zip(x, ys, strict=True) if y]
        if points:
            axis.plot(*zip(*points, strict=True), style, label=label, markersize=5)
        if timed_out:
            xs, ys = zip(*timed_out, strict=True)
            axis.plot(xs, ys, "^", color="tab:red", markersize=9, markerfacecolor="none",
                      label=f"{label}: timed out (lower bound)")  # fmt: skip

    def stage(g, name, key="seconds"):
        return g["stages"].get(name, {}).get(key)

    def step(g, name, sub):
        return (g["stages"].get(name, {}).get("steps") or {}).get(sub)

    x = [g["triples"] for g in graphs]
    series(left, "fast build (total)", [stage(g, "build") for g in graphs], "o-")
    for sub in ("parse", "validate", "reason", "write"):
        series(left, f"fast {sub}", [step(g, "build", sub) for g in graphs], ".:")
    series(left, "export nt", [stage(g, "export") for g in graphs], "s-")
    slowest = [
        max(
            (v["seconds"] or 0 for k, v in g["stages"].items() if k.startswith("query:")), default=0
        )
        for g in graphs
    ]
    series(left, "slowest stored query p50", slowest, "d-")
    timed_out = [
        (g["triples"], g["stages"]["naive"]["timeout"])
        for g in graphs
        if g["stages"].get("naive", {}).get("timed_out")
    ]
    series(left, "naive (total)", [stage(g, "naive") for g in graphs], "o--", timed_out)
    for sub in ("parse", "validate", "reason"):
        series(left, f"naive {sub}", [step(g, "naive", sub) for g in graphs], "x--")
    left.set(xscale="log", yscale="log", xlabel="asserted triples", ylabel="seconds")
    left.set_title("Wall time per stage")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3)

    for name, label, style in (
        ("build", "fast build", "o-"),
        ("export", "export nt", "s-"),
        ("naive", "naive", "o--"),
    ):
        values = [(stage(g, name, "peak_rss_kib") or 0) / 1024 for g in graphs]
        series(right, label, values, style)
    right.axhline(4096, color="grey", linestyle=":", label="4 GiB")
    right.set(xscale="log", yscale="log", xlabel="asserted triples", ylabel="peak RSS (MiB)")
    right.set_title("Peak memory per stage")
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# ---------------------------------------------------------------------- report


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return _ms(seconds)
    return f"{seconds:,.1f} s" if seconds < 100 else f"{seconds:,.0f} s"


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:,.0f} ms"


def _mib(kib: int | None) -> str:
    if not kib:
        return "—"
    return f"{kib / 1024:,.0f} MiB" if kib < GIB else f"{kib / GIB:.2f} GiB"


def _stage_rows(graph: dict[str, Any], results_repeat: int | None = None) -> list[str]:
    stages = graph["stages"]
    rows = []
    build = stages["build"]
    if build.get("seconds") is None:
        rows.append(f"| fast: build | {build.get('error')} | {_mib(build['peak_rss_kib'])} |")
    else:
        rows.append(f"| **fast: build (total)** | **{_s(build['seconds'])}** | "
                    f"**{_mib(build['peak_rss_kib'])}** |")  # fmt: skip
        for step, seconds in build["steps"].items():
            rss = build.get("rss_after_kib", {}).get(step)
            rows.append(f"| &nbsp;&nbsp;{step} | {_s(seconds)} | {_mib(rss)} (peak so far) |")
    for key, stage in stages.items():
        if key.startswith("query:"):
            if stage.get("seconds") is None:
                timing = stage.get("error", "—")
            else:
                runs = stage.get("runs")
                timing = (
                    f"p50 {_s(stage['p50'])}, max {_s(stage['max'])}"
                    + (f" ({runs} runs)" if runs and runs != results_repeat else "")
                    + (f", {stage['rows']:,} rows" if stage.get("rows") is not None else "")
                    + (f"; then {stage['error']}" if stage.get("error") else "")
                )
            rows.append(f"| fast: query {key[6:]} | {timing} | {_mib(stage['peak_rss_kib'])} |")
    export = stages.get("export")
    if export:
        if export.get("seconds") is None:
            rows.append(f"| fast: export nt | {export.get('error')} | — |")
        else:
            detail = ", ".join(f"{k} {_s(v)}" for k, v in export["steps"].items())
            rows.append(f"| fast: export nt | {_s(export['seconds'])} ({detail}) | "
                        f"{_mib(export['peak_rss_kib'])} |")  # fmt: skip
    naive = stages["naive"]
    for step, seconds in naive["steps"].items():
        rows.append(f"| naive: {step} | {_s(seconds)} | |")
    for step in ("parse", "validate", "reason"):
        if step not in naive["steps"]:
            rows.append(f"| naive: {step} | not reached | |")
    total = (
        f"timed out after {naive['timeout']:g} s"
        if naive.get("timed_out")
        else (_s(naive["seconds"]) if naive.get("seconds") is not None else naive.get("error"))
    )
    rows.append(f"| **naive (total)** | **{total}** | **{_mib(naive['peak_rss_kib'])}** |")
    up = graph.get("speedup")
    if up:
        bound = "≥ " if up["lower_bound"] else ""
        rows.append(f"| **naive / fast build** | **{bound}{up['ratio']:.1f}×** | |")
    return rows


def sampled_profile(results: dict[str, Any]) -> list[str]:
    """Where each build's wall time went, from its stack samples (share of samples)."""
    from benchmarks.profile import WATCHED

    graphs = [
        g
        for g in results["graphs"]
        if (g["stages"]["build"].get("profile") or {}).get("samples") and g["name"] != "shipped"
    ]
    if not graphs:
        return []
    interval = graphs[0]["stages"]["build"]["profile"]["interval"]
    header = " | ".join(f"{g['triples']:,}" for g in graphs)
    lines = [
        "## Where the build's time goes",
        "",
        "Share of the build's wall time with each function on the main thread's stack "
        f"(a stack sample every {interval * 1000:g} ms during `build`, weighted by the time "
        "since the previous one; cumulative, so nested rows are parts of the row above).",
        "",
        f"| Where (function) | {header} |",
        "|---|" + "---|" * len(graphs),
    ]
    for label, suffix, name in WATCHED:
        shares = []
        for graph in graphs:
            profile = graph["stages"]["build"]["profile"]
            total = profile.get("seconds") or profile["samples"]  # older results: counts
            shares.append(profile["inclusive"].get(f"{suffix}:{name}", 0) / total)
        if not any(shares):  # e.g. pyshacl's rows once builds no longer use it
            continue
        cells = [f"{share:.0%}" for share in shares]
        indent = "&nbsp;" * (len(label) - len(label.lstrip()))
        lines.append(f"| {indent}{label.strip()} (`{name}`) | " + " | ".join(cells) + " |")
    return [*lines, ""]


def render_docs(results: dict[str, Any], plot_link: str | None) -> str:
    """``docs/benchmarks.md``: the machine, the command, the tables, the plot, the targets."""
    m = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    took = (
        f"the whole run took {_s(results['seconds'])}."
        if results.get("seconds")
        else "**the run did not finish; these are the graphs it completed.**"
    )
    lines = [
        "# Benchmarks",
        "",
        "<!-- Written by benchmarks/run.py; re-run `make bench` to refresh. -->",
        "",
        f"Measured on {results.get('finished', results['started'])[:10]} by "
        f"`{results['command']}` "
        f"(commit {m.get('commit') or '?'}{', with local changes' if m.get('dirty') else ''}); "
        + took,
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; {m['memory_gib']} GiB RAM",
        f"- {m['os']}; Python {m['python']}",
        f"- {versions}",
        "",
        "## Method",
        "",
        "- Synthetic graphs come from `benchmarks/generate.py` (seed "
        f"{results['config']['seed']}): companies, brands, bodies and rebadges, mounts, product "
        "lines, alliances, people and articles, every asserted `l2:` fact backed by a claim "
        "with its article and quote, plus speculative and opinion claims; they conform to "
        "the shapes. *Triples* below are asserted triples, ontology included.",
        "- Each stage runs in a fresh `python -m benchmarks.stage` process. Time is wall "
        "time; peak RSS is that process's own high-water mark (`VmHWM`, interpreter "
        "included), read in the process, or just before a time limit kills it. Not "
        "`ru_maxrss`: Linux floors a child's at the size of the process that spawned it. "
        "The cold CLI commands' peak RSS comes from GNU `time` in three extra runs each.",
        "- **fast: build** is `l2graph.cache.build(home, force=True)`, with the step times of "
        "its `BuildInfo`; **fast: query** runs each stored query "
        f"{results['config']['repeat']} times on an open `l2graph.cache.open_store()` "
        "(p50 and max), reading every row; a query with parameters gets "
        "the first `#+ example:` values; **fast: export nt** is "
        '`l2graph.export(format="nt", destination=path, inferred=True)`, straight from the store.',
        "- **naive** parses with rdflib, validates the asserted graph with pyshacl (same "
        "options as l2graph) and computes `owlrl.DeductiveClosure(OWLRL_Semantics)`, each "
        "import inside its step, killed after "
        f"{results['config']['naive_timeout']:g} s. The ratio is naive total / fast build "
        "(a lower bound when naive timed out).",
        "- **cold query**: a fresh `l2graph query "
        f"{COLD_QUERY} --format csv` against `oxigraph query --union-default-graph` on a "
        "copy of the same cache store, alternated, "
        f"{results['config']['cold_runs']} runs each, on the shipped graph.",
    ]
    if results["config"].get("added_sizes"):
        added = ", ".join(f"{n:,}" for n in results["config"]["added_sizes"])
        lines.append(
            f"- The {added}-triple size was added to the sizes asked for, for the ~50k target."
        )

    if results.get("source_digest_at_end", m.get("source_digest")) != m.get("source_digest"):
        lines.append(
            "- **Warning:** l2graph's code, ontology or shapes changed while this run was going; "
            "later graphs may have been measured on newer code."
        )

    lines += [
        "",
        "To reproduce: `make bench` (or the command above); `python -m benchmarks.run --smoke` "
        "is a one-minute end-to-end check; `python -m benchmarks.profile --triples N` profiles "
        "one build with cProfile; `--from-results FILE` redoes this report from a results.json.",
    ]
    lines += ["", "## Targets", "", "| Target | Measured | Ratio | Status |", "|---|---|---|---|"]
    for target in results["targets"]:
        note = f" ({target['note']})" if target["note"] else ""
        lines.append(
            f"| {target['target']} | {target['measured']}{note} | {target['ratio']} | "
            f"**{target['status']}** |"
        )
    notes = results.get("slow_queries") or []
    if notes:
        lines += [
            "",
            "### Queries over the limit",
            "",
            "Times include reading every row into Python. The cache is an on-disk Oxigraph "
            "(RocksDB) store opened read-only by each process.",
            "",
        ]
        for note in notes:
            took = (
                f"timed out after {note['limit']:g} s"
                if note.get("timed_out") and note.get("p50") is None
                else f"p50 {_s(note['p50'])}"
            )
            lines.append(f"- `{note['query']}` ({took}): {note['why']}.")

    cold = results.get("cold_query")
    if cold and "ratio" in cold:
        lines += [
            "",
            "## Cold query on the shipped graph",
            "",
            "| Command | Median | Min | Max | Peak RSS |",
            "|---|---|---|---|---|",
        ]
        for key in ("l2graph", "oxigraph"):
            c = cold[key]
            lines.append(
                f"| `{cold['commands'][key].replace(str(REPO) + '/', '')}` | "
                f"{_ms(c['median'])} | {_ms(c['min'])} | {_ms(c['max'])} | "
                f"{_mib(c['peak_rss_kib'])} |"
            )
        lines.append(f"\nBoth print {cold['rows']['l2graph']} rows; ratio {cold['ratio']:.2f}×.")

    lines += ["", "## Results per graph", ""]
    for graph in results["graphs"]:
        triples = f"{graph['triples']:,}" if graph.get("triples") else "?"
        title = "Shipped graph" if graph["name"] == "shipped" else f"{graph['name']}"
        extra = ""
        if graph.get("generate_seconds") is not None:
            extra = f", generated in {_s(graph['generate_seconds'])}"
        inferred = graph["stages"]["build"].get("inferred")
        inferred_text = f", {inferred:,} inferred" if inferred is not None else ""
        lines += [
            f"### {title} ({triples} asserted triples{inferred_text}{extra})",
            "",
            "| Stage | Time | Peak RSS |",
            "|---|---|---|",
            *_stage_rows(graph, results["config"].get("repeat")),
            "",
        ]
        steps = graph["stages"]["build"].get("steps")
        if steps and graph["stages"]["build"].get("seconds"):
            top = max(steps, key=steps.get)
            share = steps[top] / graph["stages"]["build"]["seconds"]
            lines += [f"The build's largest step is **{top}** ({share:.0%} of it).", ""]

    if plot_link:
        lines += ["## Growth", "", f"![Time and peak memory against triples]({plot_link})", ""]
    lines += sampled_profile(results)
    profile = results.get("profile")
    if profile:
        lines += ["## Profile (cProfile)", "", profile.strip(), ""]
    return "\n".join(lines) + "\n"


def _marked_blocks(text: str) -> list[str]:
    """``<!-- NAME:start -->`` … ``<!-- NAME:end -->`` sections of a report, in order."""
    import re

    return [
        match.group(0)
        for match in re.finditer(r"(?s)<!-- ([\w-]+):start -->.*?<!-- \1:end -->", text)
    ]


# ---------------------------------------------------------------------- main


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
    results["seconds"] = time.perf_counter() - _STARTED
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
            text += "".join(f"\n{block}\n" for block in _marked_blocks(docs.read_text()))
        docs.write_text(text, encoding="utf-8")
    for target in results["targets"]:
        print(
            f"{target['status']:>12}: {target['target']}: {target['measured']} ({target['ratio']})"
        )
    print(f"results: {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
