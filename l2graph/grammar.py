"""The ``query`` and ``sparql`` commands' output options, written once: argparse builds them
from here (:mod:`l2graph.cli`), and the ``l2graph`` program's kept-answer path
(:mod:`l2graph.program`) reads a plain ``query NAME [--format F]`` by the same table without
loading argparse. ``tests/test_kept.py`` holds the two readings to each other.
"""

from __future__ import annotations

from l2graph.answer_cache import OUTPUT_FORMATS

FORMAT_FLAGS = ("--format", "-f")
QUERY_METHODS = ("auto", "get", "form", "direct")
#: Each output option's default: what argparse gives when a command line leaves it out.
OUTPUT_DEFAULTS = {
    "format": "table",
    "endpoint": None,
    "query_method": "auto",
    "graph": None,
    "timeout": 30.0,
}


def plain_query(argv: list[str]) -> tuple[str, str] | None:
    """``(name, format)`` for ``query NAME``, optionally with ``--format F``, ``--format=F``
    or ``-f F`` after the name, and nothing else; ``None`` for every other command line (which
    argparse reads)."""
    if len(argv) < 2 or argv[0] != "query" or argv[1].startswith("-"):
        return None
    name, rest = argv[1], argv[2:]
    if not rest:
        return name, OUTPUT_DEFAULTS["format"]
    long = FORMAT_FLAGS[0] + "="
    if len(rest) == 1 and rest[0].startswith(long):
        rest = [FORMAT_FLAGS[0], rest[0][len(long) :]]
    if len(rest) == 2 and rest[0] in FORMAT_FLAGS and rest[1] in OUTPUT_FORMATS:
        return name, rest[1]
    return None
