"""Checking: the targets the issues set, evaluated against the measurements; and, for the
queries over their limit, why (each query's ``#+ performance:`` header)."""

from __future__ import annotations

from typing import Any

from benchmarks.generate import REPO
from benchmarks.measure import GIB
from benchmarks.report import mib_text, ms_text, seconds_text

# The targets of the issue, checked against the measurements.
COLD_QUERY_MAX_RATIO = 1.5


SHIPPED_MIN_SPEEDUP = 10.0


MID_SIZE, MID_MIN_SPEEDUP = 50_000, 20.0


LARGE_SIZE, LARGE_MAX_SECONDS, LARGE_MAX_RSS_KIB = 1_000_000, 90.0, 4 * GIB


QUERY_MAX_P50 = 0.100


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
                f"{ms_text(cold['l2graph']['median'])} vs {ms_text(cold['oxigraph']['median'])} "
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
            else seconds_text(naive["seconds"])
        )
        bound = "≥ " if up["lower_bound"] else ""
        met = up["ratio"] >= minimum if not up["lower_bound"] or up["ratio"] >= minimum else None
        targets.append(
            _target(
                name,
                f"fast {seconds_text(graph['stages']['build']['seconds'])} vs naive {naive_text} "
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
                f"{seconds_text(build['seconds'])}, {mib_text(build['peak_rss_kib'])}",
                f"{build['seconds'] / LARGE_MAX_SECONDS:.2f}× the time limit, "
                f"{build['peak_rss_kib'] / LARGE_MAX_RSS_KIB:.2f}× the memory limit",
                ok,
                f"{slowest} dominates: {seconds_text(build['steps'][slowest])} of "
                f"{seconds_text(build['seconds'])}",
            )
        )
    elif large:
        build = large["stages"]["build"]
        targets.append(
            _target(name, f"{build.get('error')}, {mib_text(build['peak_rss_kib'])}", "—", False)
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
            worst_text = f"{worst} {seconds_text(slowest['seconds'])}"
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
        why = _performance(name)
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


def _performance(name: str) -> str | None:
    """The query's own ``#+ performance:`` note, if the query still exists."""
    from l2graph.errors import UnknownQueryError
    from l2graph.queries import get_query

    try:
        return get_query(name, REPO).performance or None
    except UnknownQueryError:
        return None
