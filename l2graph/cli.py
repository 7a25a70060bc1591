"""The ``l2graph`` command: argument parsing and printing over the public API.

Exit codes: 0 success; 1 the graph does not conform to its shapes; 2 a usage or input error
(a bad option, an unknown query, a bad parameter, a syntax error, an unreadable file, an
unreachable endpoint). Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from l2graph._version import __version__
from l2graph.errors import InputError, L2GraphError, ValidationFailed

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised instead of printed-and-exited, so main() reports them."""

    def error(self, message: str):
        raise InputError(message)


def _add_query(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("name", help="query name, number or slug (see 'l2graph queries')")
    sub.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind a query parameter (repeatable)",
    )
    _add_output(sub)


def _add_sparql(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "query", metavar="QUERY_OR_FILE", help="query text, a .rq file, or - for stdin"
    )
    _add_output(sub)


def _add_output(sub: argparse.ArgumentParser) -> None:
    from l2graph.results import OUTPUT_FORMATS

    sub.add_argument("--format", "-f", choices=OUTPUT_FORMATS, default="table")
    sub.add_argument("--endpoint", metavar="URL", help="run on this SPARQL 1.1 endpoint instead")
    sub.add_argument(
        "--timeout", type=_positive_float, default=30.0, help="seconds to wait for --endpoint"
    )


def _add_build(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--force", action="store_true", help="rebuild even if the cache is fresh")


def _add_export(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--format", "-f", choices=("turtle", "json-ld", "nt", "xml"), default="turtle")
    sub.add_argument("--output", "-o", metavar="FILE", help="file to write (default: stdout)")
    sub.add_argument("--inferred", action="store_true", help="include the OWL RL entailments")


def _add_push(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--endpoint",
        required=True,
        metavar="URL",
        help="the Graph Store endpoint, e.g. http://127.0.0.1:7878/store",
    )
    sub.add_argument("--graph", metavar="IRI", help="named graph to write (default: default graph)")
    sub.add_argument(
        "--replace", action="store_true", help="replace the graph's content instead of adding"
    )
    which = sub.add_mutually_exclusive_group()
    which.add_argument(
        "--inferred",
        dest="inferred",
        action="store_true",
        default=True,
        help="the asserted and the inferred triples (default)",
    )
    which.add_argument(
        "--asserted", dest="inferred", action="store_false", help="only the asserted triples"
    )
    sub.add_argument(
        "--query-endpoint",
        metavar="URL",
        help="where to count the result (default: derived, e.g. …/store gives …/query)",
    )
    sub.add_argument(
        "--chunk-size", type=_positive_int, default=50_000, metavar="N", help="triples per request"
    )
    sub.add_argument(
        "--timeout", type=_positive_float, default=60.0, metavar="S", help="seconds per request"
    )


# name: (help, description, how to add its arguments)
_COMMANDS = {
    "queries": ("list the stored queries and their parameters", None, None),
    "query": ("run a stored query", None, _add_query),
    "sparql": ("run an ad hoc SPARQL query", None, _add_sparql),
    "validate": ("check the graph against its SHACL shapes", None, None),
    "build": ("parse, validate and reason; refresh the cache", None, _add_build),
    "export": ("write the graph as Turtle, JSON-LD, N-Triples or RDF/XML", None, _add_export),
    "stats": ("count triples, entities and claims", None, None),
    "push": (
        "upload the graph to a triplestore (SPARQL 1.1 Graph Store Protocol)",
        "Upload the validated graph to a SPARQL 1.1 Graph Store endpoint, then count it there. "
        "Credentials: $L2GRAPH_ENDPOINT_USER and $L2GRAPH_ENDPOINT_PASSWORD.",
        _add_push,
    ),
}


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that command's (argparse is slow to build)."""
    parser = _Parser(
        prog="l2graph",
        description="The Leica–Panasonic L² Technology knowledge graph: query, validate, export.",
        epilog="Exit codes: 0 ok, 1 validation failed, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"l2graph {__version__}")
    parser.add_argument(
        "--home", metavar="DIR", help="project directory (default: $L2GRAPH_HOME or this checkout)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for name, (summary, description, add_arguments) in _COMMANDS.items():
        if only in (None, name):
            sub = commands.add_parser(name, help=summary, description=description or summary)
            if add_arguments:
                add_arguments(sub)
    return parser


def _command_word(argv: list[str]) -> str | None:
    """The command named in ``argv``, if it is one we know (skipping ``--home DIR``)."""
    words = iter(argv)
    for word in words:
        if word == "--home":
            next(words, None)
        elif not word.startswith("-"):
            return word if word in _COMMANDS else None
        elif not word.startswith("--home="):
            return None
    return None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        print(f"l2graph: {message}…", file=sys.stderr)


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def _params(pairs: list[str]) -> dict[str, str]:
    from l2graph.errors import ParameterError

    params = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise ParameterError(pair, "give parameters as --param NAME=VALUE")
        params[name.strip()] = value
    return params


def _query_text(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    path = Path(argument)
    if path.suffix in (".rq", ".sparql") or path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}"
            ) from None
    return argument


def _run(text: str, args: argparse.Namespace) -> int:
    from l2graph.results import render

    if args.endpoint:
        from l2graph import remote

        result = remote.query(args.endpoint, text, timeout=args.timeout)
    else:
        from l2graph import engine
        from l2graph.cache import open_store

        result = engine.run(open_store(args.home, _progress), text)
    _write(render(result, args.format))
    return EXIT_OK


def _cmd_queries(args: argparse.Namespace) -> int:
    from l2graph.queries import list_queries

    for query in list_queries(args.home):
        print(f"{query.name}\n    {query.summary}")
        for p in query.parameters:
            need = "required" if p.required else "optional"
            print(f"    --param {p.name}=<{p.kind}>  ({need}) {p.description}")
    return EXIT_OK


def _cmd_query(args: argparse.Namespace) -> int:
    from l2graph.queries import get_query

    return _run(get_query(args.name, args.home).bind(_params(args.param)), args)


def _cmd_sparql(args: argparse.Namespace) -> int:
    return _run(_query_text(args.query), args)


def _cmd_build(args: argparse.Namespace) -> int:
    from l2graph.cache import build

    info = build(args.home, force=args.force, progress=_progress)
    timing = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in info.seconds.items())
    print(f"built: {info.asserted} asserted and {info.inferred} inferred triples ({timing})")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from l2graph.cache import build

    info = build(args.home, progress=_progress)
    print(f"The graph conforms to its shapes ({info.asserted} asserted triples).")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from l2graph.cache import load_validated
    from l2graph.exports import export

    graph = load_validated(args.home, inferred=args.inferred, progress=_progress)
    data = export(graph, args.format, None, args.home)
    if args.output:
        from l2graph.exports import write_atomically

        write_atomically(data, args.output)
    else:
        _write(data)
    return EXIT_OK


def _cmd_stats(args: argparse.Namespace) -> int:
    from l2graph.cache import open_store, statistics

    for label, value in statistics(open_store(args.home, _progress)):
        print(f"{label:<40} {value}")
    return EXIT_OK


def _cmd_push(args: argparse.Namespace) -> int:
    from l2graph import remote
    from l2graph.cache import validated_triples

    triples = validated_triples(args.home, inferred=args.inferred, progress=_progress)

    def progress(sent: int, total: int) -> None:
        _progress(f"sent {sent} of {total} triples")

    held = remote.push(
        args.endpoint,
        triples,
        expected=len(triples),
        graph=args.graph,
        replace=args.replace,
        query_endpoint=args.query_endpoint,
        chunk_size=args.chunk_size,
        timeout=args.timeout,
        progress=progress,
    )
    where = f"graph <{args.graph}>" if args.graph else "default graph"
    print(
        f"pushed {len(triples)} triples to {remote.redact(args.endpoint)} ({where}); "
        f"the endpoint now holds {held}"
    )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 validation failed, 2 error)."""
    try:
        argv = sys.argv[1:] if argv is None else argv
        args = _parser(_command_word(argv)).parse_args(argv)
        handler = globals()[f"_cmd_{args.command}"]
        return handler(args)
    except ValidationFailed as exc:
        print(exc.report.text(), file=sys.stderr)
        print("l2graph: validation failed; the previous build is still in use", file=sys.stderr)
        return EXIT_INVALID
    except L2GraphError as exc:
        print(f"l2graph: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # e.g. a full disk or an unwritable cache directory
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"l2graph: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("l2graph: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
