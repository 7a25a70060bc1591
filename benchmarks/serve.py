"""Load on ``l2graph serve`` against ``oxigraph serve-read-only`` on the same quads.

``python -m benchmarks.serve [--home DIR | --triples N]`` builds the project, starts
``l2graph serve`` (its own command) and ``oxigraph serve-read-only --union-default-graph`` on
a copy of the build's store, both on free 127.0.0.1 ports, checks that both give the same
answer, then runs wrk (2 threads, 16 connections, 10 s by default) against each, in the same
run:

- **repeated**: the headline stored query, the same request every time;
- **distinct**: the same query made distinct per request by a numbered comment, so that no
  answer can be reused (a wrk Lua script).

Peak RSS is each server's ``VmHWM`` (for l2graph, the server and its workers summed). Results go
to ``benchmarks/results/serve.json`` and a section of ``docs/benchmarks.md``. Traffic stays on
loopback; both servers are stopped whatever happens, and wrk stops after its duration.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from benchmarks import oxigraph_server, report
from benchmarks.generate import REPO

HEADLINE = "001_leica_bodies_that_are_panasonic_bodies"
MISSING_WRK = "wrk is not installed (apt-get install wrk)"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
_LUA = """
-- every request a query text never sent before: this run's token, the thread, a counter
local query = "%s"
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local counter = 0
request = function()
  counter = counter + 1
  local distinct = query .. "%%0A%%23%%20%s-" .. id .. "-" .. counter
  return wrk.format("GET", "%s?query=" .. distinct,
                    {["Accept"] = "application/sparql-results+json"})
end
"""


def _say(message: str) -> None:
    if sys.stderr.isatty():
        print(f"serve: {message}", file=sys.stderr, flush=True)


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    """Throughput, latency percentiles and errors from ``wrk --latency``'s report."""
    percentile = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)$", output, re.M))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": _milliseconds(percentile["50"]),
        "p99_ms": _milliseconds(percentile["99"]),
        "errors": (sum(int(n) for n in errors.groups()) if errors else 0)
        + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def run_wrk(url: str, *, duration: float, threads: int, connections: int, script=None) -> dict:
    """One wrk run against a loopback URL, bounded by its duration (and a hard time limit)."""
    assert url.startswith("http://127.0.0.1:"), "load goes to loopback only"
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--latency",
        "-H",
        "Accept: application/sparql-results+json",
    ]
    if script is not None:
        command += ["-s", str(script)]
    finished = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=duration + 30, check=True
    )
    return parse_wrk(finished.stdout)


def _load(url: str, kind: str, encoded: str, scratch: Path, **options) -> dict:
    """One wrk run: the same request every time (``repeated``), or a script whose queries
    were never sent before (``distinct``: a fresh token in every script)."""
    if kind == "repeated":
        return run_wrk(f"{url}?query={encoded}", **options)
    script = scratch / f"distinct-{time.time_ns()}.lua"
    script.write_text(_LUA % (encoded, script.stem, "/" + url.split("/", 3)[3]))
    return run_wrk(url, script=script, **options)


def _peak_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        total += int(found.group(1)) if found else 0
    return total


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def _start_l2graph(home: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = oxigraph_server.free_port()
    environment = {**os.environ, "L2GRAPH_HOME": str(home)}
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "l2graph", "serve", "--port", str(port)],
            stderr=stderr,
            env=environment,
        )
    deadline = time.monotonic() + 120
    while "serving http://" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            oxigraph_server.stop(process)
            raise oxigraph_server.ServerError(f"l2graph serve did not start: {log.read_text()}")
        time.sleep(0.05)
    return process, f"http://127.0.0.1:{port}"


def _rows(url: str) -> list:
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with opener.open(request, timeout=60) as response:
        bindings = json.loads(response.read())["results"]["bindings"]
    return sorted(json.dumps(row, sort_keys=True) for row in bindings)


def measure(
    home: Path, *, duration: float, threads: int, connections: int, rounds: int = 3
) -> dict:
    """Build ``home``, serve it both ways and load each server in turn."""
    import l2graph
    from l2graph.project import Project

    if shutil.which("wrk") is None:
        raise oxigraph_server.ServerError(MISSING_WRK)
    info = l2graph.build(home)
    store = Project.locate(home).cache_dir / info.fingerprint / "store"
    text = l2graph.get_query(HEADLINE, home).text
    encoded = quote(text, safe="")
    clients = {"threads": threads, "connections": connections}
    results: dict = {
        "triples": info.asserted + info.inferred,
        "query": HEADLINE,
        "duration": duration,
        **clients,
    }
    with tempfile.TemporaryDirectory(prefix="l2graph-serve-bench-") as scratch:
        scratch = Path(scratch)
        shutil.copytree(store, scratch / "store")
        served, base = _start_l2graph(home, scratch / "l2graph.log")
        try:
            with oxigraph_server.running(scratch / "store", read_only=True) as oxigraph:
                paths = {"l2graph": f"{base}/sparql", "oxigraph": f"{oxigraph}/query"}
                answers = {name: _rows(f"{url}?query={encoded}") for name, url in paths.items()}
                if answers["l2graph"] != answers["oxigraph"]:
                    raise oxigraph_server.ServerError("the two servers answer differently")
                results["rows"] = len(answers["l2graph"])
                oxigraph_pid = _server_pid(oxigraph)
                workers = _children(served.pid)
                processes = {
                    "l2graph": {"server": [served.pid], "workers": workers},
                    "oxigraph": {"server": [oxigraph_pid] if oxigraph_pid else []},
                }
                runs: dict = {}
                for round_ in range(rounds):  # alternated, so drift hits both servers alike
                    for kind in ("repeated", "distinct"):
                        for name, url in paths.items():
                            if round_ == 0:  # warm-up
                                _load(url, kind, encoded, scratch, duration=2, **clients)
                            _say(f"{kind} {name} …")
                            before = {part: _cpu_seconds(p) for part, p in processes[name].items()}
                            run = _load(url, kind, encoded, scratch, duration=duration, **clients)
                            run["cpu_us_per_request"] = {  # where each request's CPU went
                                part: round(
                                    (_cpu_seconds(p) - before[part]) / run["requests"] * 1e6
                                )
                                for part, p in processes[name].items()
                            }
                            runs.setdefault(kind, {}).setdefault(name, []).append(run)
                for kind, by_name in runs.items():  # the median run by throughput
                    results[kind] = {
                        name: sorted(found, key=lambda r: r["requests_per_second"])[len(found) // 2]
                        for name, found in by_name.items()
                    }
                    results[kind]["rounds"] = rounds
                results["peak_rss_kib"] = {
                    "l2graph": _peak_kib([served.pid, *_children(served.pid)]),
                    "oxigraph": _peak_kib([oxigraph_pid]) if oxigraph_pid else 0,
                }
        finally:
            oxigraph_server.stop(served)
    for kind in ("repeated", "distinct"):
        pair = results[kind]
        pair["throughput_ratio"] = (
            pair["l2graph"]["requests_per_second"] / pair["oxigraph"]["requests_per_second"]
        )
        pair["p99_ratio"] = pair["l2graph"]["p99_ms"] / pair["oxigraph"]["p99_ms"]
    return results


def _server_pid(base: str) -> int | None:
    """The pid of the process listening on ``base``'s port (from /proc, for its peak RSS)."""
    port = int(base.rsplit(":", 1)[1])
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":  # listening
            inodes.add(fields[9])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            links = [os.readlink(fd) for fd in (entry / "fd").iterdir()]
        except OSError:
            continue
        if any(link in {f"socket:[{inode}]" for inode in inodes} for link in links):
            return int(entry.name)
    return None


TARGETS = {"repeated": (1.0, 2.0), "distinct": (0.5, None)}


def section(result: dict, command: str) -> str:
    """The ``serve`` section of ``docs/benchmarks.md``."""
    lines = [
        "<!-- serve:start -->",
        "## Serving: `l2graph serve` against `oxigraph serve-read-only`",
        "",
        f"`{command}`: the headline stored query ({result['query']}, {result['rows']} rows) over "
        f"the {result['triples']:,}-triple build, sent by wrk with {result['threads']} threads "
        f"and {result['connections']} connections for {result['duration']:g} s to each server "
        f"in turn (after a 2 s warm-up each), {result['repeated']['rounds']} rounds alternated, "
        "the median round shown, both on 127.0.0.1, same quads, same query, same "
        "client. *Repeated* sends the same request every time; *distinct* makes every request "
        "a new query text with a numbered comment, so no answer can be reused. Peak RSS is the "
        "servers' `VmHWM` (l2graph: the server and its worker processes).",
        "",
        "| Load | Server | req/s | p50 | p99 | errors | throughput ratio | p99 ratio | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in ("repeated", "distinct"):
        pair = result[kind]
        least, most = TARGETS[kind]
        met = pair["throughput_ratio"] >= least and (most is None or pair["p99_ratio"] <= most)
        met = met and pair["l2graph"]["errors"] == 0
        target = f"≥ {least:g}× req/s" + (f", p99 ≤ {most:g}×" if most else "") + ", 0 errors"
        for name in ("oxigraph", "l2graph"):
            run = pair[name]
            ratios = ["", "", ""]
            if name == "l2graph":
                ratios = [
                    f"**{pair['throughput_ratio']:.2f}×**",
                    f"{pair['p99_ratio']:.2f}×",
                    f"{target}: {'met' if met else '**not met**'}",
                ]
            lines.append(
                f"| {kind} | {name} | {run['requests_per_second']:,.0f} | {run['p50_ms']:.2f} ms "
                f"| {run['p99_ms']:.2f} ms | {run['errors']} | " + " | ".join(ratios) + " |"
            )
    lines += [
        "",
        "CPU per request (user + system, from `/proc`; the rest of the 2 cores is wrk's):",
        "",
        "| Load | Oxigraph | l2graph server (HTTP, cache) | l2graph workers (query) |",
        "|---|---|---|---|",
    ]
    for kind in ("repeated", "distinct"):
        ours, theirs = result[kind]["l2graph"], result[kind]["oxigraph"]
        lines.append(
            f"| {kind} | {theirs['cpu_us_per_request']['server']} µs "
            f"| {ours['cpu_us_per_request']['server']} µs "
            f"| {ours['cpu_us_per_request']['workers']} µs |"
        )
    rss = result["peak_rss_kib"]
    lines += [
        "",
        f"Peak RSS: l2graph {rss['l2graph'] / 1024:,.0f} MiB (server and workers), "
        f"Oxigraph {rss['oxigraph'] / 1024:,.0f} MiB.",
        "",
        "<!-- serve:end -->",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.serve [--home DIR | --triples N] [--duration S]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=None, help="project (default: this one)")
    parser.add_argument("--triples", type=int, help="a synthetic project of about N triples")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="runs per pair; the median counts")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.serve " + " ".join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="l2graph-serve-home-") as scratch:
        home = args.home or REPO
        if args.triples:
            from benchmarks.generate import generate

            home = generate(Path(scratch) / "synthetic", args.triples).home
        result = measure(
            home,
            duration=args.duration,
            threads=args.threads,
            connections=args.connections,
            rounds=args.rounds,
        )
    result["command"] = command.strip()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "serve.json").write_text(json.dumps(result, indent=2))
    report.write_section(args.docs, section(result, result["command"]), "serve")
    print(json.dumps({kind: result[kind] for kind in ("repeated", "distinct")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
