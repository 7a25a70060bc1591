"""Measuring: each stage of l2graph in a fresh subprocess (:mod:`benchmarks.stage`), with
wall time and peak RSS, and the cold command line against Oxigraph's own."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.generate import REPO
from benchmarks.stage import peak_rss_kib

COLD_QUERY = "001_leica_bodies_that_are_panasonic_bodies"


GIB = 1024 * 1024  # in KiB, the unit of ru_maxrss


STARTED = time.perf_counter()


def say(message: str) -> None:
    """Progress on stderr, only for a person watching a terminal."""
    if sys.stderr.isatty():
        elapsed = time.perf_counter() - STARTED
        print(f"[bench {elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


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


def installed_bytecode() -> None:
    """Compile l2graph's bytecode, as installing it does: a cold command line measured with
    stale bytecode (``PYTHONDONTWRITEBYTECODE``, files edited since) compiles its modules
    anew on every run."""
    import compileall

    import l2graph

    compileall.compile_dir(Path(l2graph.__file__).parent, quiet=1)


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


def alternate(
    commands: dict[str, list[str]],
    runs: int,
    env: dict[str, str],
    label: str,
    before: dict[str, Callable[[], None]] | None = None,
) -> dict[str, list[Finished]]:
    """Run each command ``runs`` times, in turn (A B A B …), so drift hits both alike;
    ``before[key]``, where given, is called ahead of each run of that command, untimed."""
    finished: dict[str, list[Finished]] = {key: [] for key in commands}
    for run in range(runs):
        say(f"{label} {run + 1}/{runs}")
        for key, argv in commands.items():
            if before and key in before:
                before[key]()
            done = run_process(argv, env=env)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(argv)} failed with exit code {done.returncode}")
            finished[key].append(done)
    return finished


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
    from l2graph.cache import live_build

    answers = live_build(project) / "answers"
    ours = [l2graph_cli, "query", COLD_QUERY, "--format", "csv"]
    commands = {
        # answers are kept per build: after the first run a query reads its answer
        "l2graph": ours,
        # the first run on a build: the kept answers are removed before each run (untimed)
        "l2graph_first": ours,
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
    forget = {"l2graph_first": lambda: shutil.rmtree(answers, ignore_errors=True)}
    runs_of = alternate(commands, runs, env, "cold query", before=forget)
    times = {key: [f.seconds for f in finished] for key, finished in runs_of.items()}
    rows = {
        key: len(finished[-1].stdout.decode("utf-8").strip().splitlines()) - 1
        for key, finished in runs_of.items()
    }
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
    result["ratio_first"] = result["l2graph_first"]["median"] / result["oxigraph"]["median"]
    return result


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
