"""Reporting: ``docs/benchmarks.md`` and the growth plot, from the results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.generate import REPO
from benchmarks.measure import COLD_QUERY, GIB


def write_section(docs: Path, text: str, name: str) -> None:
    """Put ``text`` into ``docs`` between the ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``
    markers (appending it the first time); the rest of the page is kept."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    current = docs.read_text(encoding="utf-8") if docs.is_file() else "# Benchmarks\n"
    if start in current and end in current:
        before, after = current[: current.index(start)], current[current.index(end) + len(end) :]
        current = before + text + after.lstrip("\n")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    docs.write_text(current, encoding="utf-8")


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


def seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return ms_text(seconds)
    return f"{seconds:,.1f} s" if seconds < 100 else f"{seconds:,.0f} s"


def ms_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:,.0f} ms"


def mib_text(kib: int | None) -> str:
    if not kib:
        return "—"
    return f"{kib / 1024:,.0f} MiB" if kib < GIB else f"{kib / GIB:.2f} GiB"


def _stage_rows(graph: dict[str, Any], results_repeat: int | None = None) -> list[str]:
    stages = graph["stages"]
    rows = []
    build = stages["build"]
    if build.get("seconds") is None:
        rows.append(f"| fast: build | {build.get('error')} | {mib_text(build['peak_rss_kib'])} |")
    else:
        rows.append(f"| **fast: build (total)** | **{seconds_text(build['seconds'])}** | "
                    f"**{mib_text(build['peak_rss_kib'])}** |")  # fmt: skip
        for step, seconds in build["steps"].items():
            rss = build.get("rss_after_kib", {}).get(step)
            rows.append(
                f"| &nbsp;&nbsp;{step} | {seconds_text(seconds)} | {mib_text(rss)} (peak so far) |"
            )
    for key, stage in stages.items():
        if key.startswith("query:"):
            if stage.get("seconds") is None:
                timing = stage.get("error", "—")
            else:
                runs = stage.get("runs")
                timing = (
                    f"p50 {seconds_text(stage['p50'])}, max {seconds_text(stage['max'])}"
                    + (f" ({runs} runs)" if runs and runs != results_repeat else "")
                    + (f", {stage['rows']:,} rows" if stage.get("rows") is not None else "")
                    + (f"; then {stage['error']}" if stage.get("error") else "")
                )
            rows.append(f"| fast: query {key[6:]} | {timing} | {mib_text(stage['peak_rss_kib'])} |")
    export = stages.get("export")
    if export:
        if export.get("seconds") is None:
            rows.append(f"| fast: export nt | {export.get('error')} | — |")
        else:
            detail = ", ".join(f"{k} {seconds_text(v)}" for k, v in export["steps"].items())
            rows.append(f"| fast: export nt | {seconds_text(export['seconds'])} ({detail}) | "
                        f"{mib_text(export['peak_rss_kib'])} |")  # fmt: skip
    naive = stages["naive"]
    for step, seconds in naive["steps"].items():
        rows.append(f"| naive: {step} | {seconds_text(seconds)} | |")
    for step in ("parse", "validate", "reason"):
        if step not in naive["steps"]:
            rows.append(f"| naive: {step} | not reached | |")
    total = (
        f"timed out after {naive['timeout']:g} s"
        if naive.get("timed_out")
        else (
            seconds_text(naive["seconds"])
            if naive.get("seconds") is not None
            else naive.get("error")
        )
    )
    rows.append(f"| **naive (total)** | **{total}** | **{mib_text(naive['peak_rss_kib'])}** |")
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
        f"the whole run took {seconds_text(results['seconds'])}."
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
                else f"p50 {seconds_text(note['p50'])}"
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
                f"{ms_text(c['median'])} | {ms_text(c['min'])} | {ms_text(c['max'])} | "
                f"{mib_text(c['peak_rss_kib'])} |"
            )
        lines.append(f"\nBoth print {cold['rows']['l2graph']} rows; ratio {cold['ratio']:.2f}×.")

    lines += ["", "## Results per graph", ""]
    for graph in results["graphs"]:
        triples = f"{graph['triples']:,}" if graph.get("triples") else "?"
        title = "Shipped graph" if graph["name"] == "shipped" else f"{graph['name']}"
        extra = ""
        if graph.get("generate_seconds") is not None:
            extra = f", generated in {seconds_text(graph['generate_seconds'])}"
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


def marked_blocks(text: str) -> list[str]:
    """``<!-- NAME:start -->`` … ``<!-- NAME:end -->`` sections of a report, in order."""
    import re

    return [
        match.group(0)
        for match in re.finditer(r"(?s)<!-- ([\w-]+):start -->.*?<!-- \1:end -->", text)
    ]
