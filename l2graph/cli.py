"""The ``l2graph`` command: argument parsing and printing over the public API.

Exit codes: 0 success; 1 the graph does not conform to its shapes; 2 a usage or input error
(a bad option, an unknown query, a bad parameter, a syntax error, an unreadable file, an
unreachable endpoint, a refused query or connection); 3 an internal error (a bug: please
report it); 130 interrupted. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import l2graph
from l2graph._version import __version__
from l2graph.errors import (
    MAX_SECONDS,
    InputError,
    L2GraphError,
    ValidationFailed,
)
from l2graph.files import write_atomically
from l2graph.project import PROJECT_GRAPH

EXIT_OK, EXIT_INVALID, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
# What to type, for an error whose ``needs`` says what would put it right: the core's
# messages say what is wrong, and only this face knows its flags.
_TO_TYPE = {
    "home": " (give --home or set L2GRAPH_HOME)",
    "endpoint": " (query a remote store with --endpoint instead)",
    "chunk_size": "; e.g. --chunk-size 100000",
    "queries": " (run 'l2graph queries' to list them)",
    "timeout": " (--timeout gives it more)",
}
TYPE_CHECKING = False  # argparse is imported only when a command line needs parsing
if TYPE_CHECKING:
    import argparse


def _add_query(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("name", help="query name, number or slug (see 'l2graph queries')")
    sub.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],  # read-only: argparse appends to a copy
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
    from l2graph.grammar import FORMAT_FLAGS, OUTPUT_DEFAULTS, OUTPUT_FORMATS, QUERY_METHODS

    sub.add_argument(*FORMAT_FLAGS, choices=OUTPUT_FORMATS, default=OUTPUT_DEFAULTS["format"])
    sub.add_argument("--endpoint", metavar="URL", help="run on this SPARQL 1.1 endpoint instead")
    sub.add_argument(
        "--query-method",
        choices=QUERY_METHODS,
        default=OUTPUT_DEFAULTS["query_method"],
        help="how the query goes to --endpoint: auto (GET while short, else a form POST), get, "
        "form, or direct (POST of application/sparql-query)",
    )
    sub.add_argument(
        "--graph",
        metavar="IRI",
        help="the graph at --endpoint the query reads (default: the project's graph, where push "
        "writes; 'default': whatever the store reads without one)",
    )
    sub.add_argument(
        "--timeout",
        type=_positive_float,
        default=OUTPUT_DEFAULTS["timeout"],
        help="seconds the query may take, here or at --endpoint (default 30)",
    )


def _add_build(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--force", action="store_true", help="rebuild even if the cache is fresh")


def _add_export(sub: argparse.ArgumentParser) -> None:
    from l2graph.exports import FORMATS

    sub.add_argument("--format", "-f", choices=tuple(FORMATS), default="turtle")
    sub.add_argument("--output", "-o", metavar="FILE", help="file to write (default: stdout)")
    sub.add_argument("--inferred", action="store_true", help="include the OWL RL entailments")


def _add_push(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--endpoint",
        required=True,
        metavar="URL",
        help="the Graph Store endpoint, e.g. http://127.0.0.1:7878/store",
    )
    sub.add_argument(
        "--graph",
        metavar="IRI",
        default=PROJECT_GRAPH,
        help=f"the named graph to write (default: {PROJECT_GRAPH}, which remote queries read; "
        "'default': the store's default graph)",
    )
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
        "--asserted",
        dest="inferred",
        action="store_false",
        help="the asserted triples (and the quotes' anchors), not the inferred",
    )
    sub.add_argument(
        "--query-endpoint",
        metavar="URL",
        help="where to count the result (default: derived, e.g. …/store gives …/query)",
    )
    sub.add_argument(
        "--chunk-size",
        type=_positive_int,
        metavar="N",
        help="triples per request, for servers that limit a request's size (default: the whole "
        "graph in one request)",
    )
    sub.add_argument(
        "--timeout",
        type=_positive_float,
        default=300.0,
        metavar="S",
        help="seconds each request may take, its upload included (default 300)",
    )


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that command's (argparse is slow to build)."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        """argparse, with usage errors raised instead of printed-and-exited, for main()."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, formatter_class=_Formatter, **kwargs)

        def error(self, message: str):
            raise InputError(message)

    class _Formatter(argparse.HelpFormatter):
        """argparse's help layout, told the terminal width so that it need not import shutil (a
        few milliseconds of every command's start) to ask."""

        def __init__(self, prog: str) -> None:
            try:
                width = os.get_terminal_size(sys.stderr.fileno()).columns - 2
            except (OSError, ValueError):
                width = 78
            super().__init__(prog, width=width)

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
    for name, (summary, description, add_arguments, _handler) in _COMMANDS.items():
        if only in (None, name):
            sub = commands.add_parser(name, help=summary, description=description or summary)
            if add_arguments:
                add_arguments(sub)
    return parser


def _plain_query(name: str, format: str):
    """The arguments of a plain ``query NAME [--format F]`` (see
    :func:`l2graph.grammar.plain_query`), as argparse would read them, without building it."""
    import types

    from l2graph.grammar import OUTPUT_DEFAULTS

    return types.SimpleNamespace(
        home=None, command="query", name=name, param=[], **{**OUTPUT_DEFAULTS, "format": format}
    )


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


def _positive(convert: type, what: str, most: float = float("inf")):
    """An argparse type: a number above zero, finite and at most ``most``, else an error that
    says ``what``."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = 0
        if not (0 < value < float("inf") and value <= most):  # nan fails every comparison
            import argparse

            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value

    return parse


_positive_float = _positive(
    float, f"a positive number of seconds, at most {MAX_SECONDS} (a day)", MAX_SECONDS
)
_positive_int = _positive(int, "a positive whole number")


#: Seconds long work runs before its progress shows (``L2GRAPH_PROGRESS_DELAY`` sets another).
PROGRESS_DELAY = 2.0


def _progress_delay() -> float:
    """:data:`PROGRESS_DELAY`, or the seconds ``L2GRAPH_PROGRESS_DELAY`` gives."""
    text = os.environ.get("L2GRAPH_PROGRESS_DELAY")
    if not text:
        return PROGRESS_DELAY
    try:
        delay = float(text)
    except ValueError:
        delay = -1.0
    if not 0 <= delay < float("inf"):
        raise InputError(f"L2GRAPH_PROGRESS_DELAY={text!r}: give a number of seconds, 0 or more")
    return delay


class _Progress:
    """Progress of long work on standard error, when it is a terminal: the stage and its
    elapsed time, or a bar of triples sent, drawn by tqdm once the work has taken
    :data:`PROGRESS_DELAY` seconds. Elsewhere (a pipe, a file, CI) it is silent, and it never
    writes to standard output."""

    def __init__(self, unit: str | None = None) -> None:
        self._bar, self._shown = None, False
        self._started, self._delay = time.monotonic(), _progress_delay()  # checked everywhere
        if not sys.stderr.isatty():
            return
        from tqdm import tqdm

        options = {"unit": unit, "unit_scale": True} if unit else {"bar_format": "{desc} {elapsed}"}
        self._bar = tqdm(file=sys.stderr, delay=self._delay, leave=False, desc="l2graph", **options)
        self._ticking = threading.Event()
        threading.Thread(target=self._tick, daemon=True).start()

    def _tick(self) -> None:
        """Redraw twice a second once the delay has passed: a stage that runs long without
        news still shows its clock (tqdm's own delay holds back updates, not redraws)."""
        if self._ticking.wait(self._delay):
            return
        while True:
            self._bar.refresh()
            self._shown = True
            if self._ticking.wait(0.5):
                return

    def stage(self, message: str) -> None:
        """A new stage of the work begins."""
        if self._bar is not None:
            late = time.monotonic() - self._started >= self._delay  # past the delay: show it now
            self._bar.set_description_str(f"l2graph: {message}", refresh=late)
            self._shown = self._shown or late

    def advance(self, done: int, total: int) -> None:
        """``done`` of ``total`` are done."""
        if self._bar is not None:
            self._bar.total = total
            self._bar.update(done - self._bar.n)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._ticking.set()
            if self._shown:  # tqdm clears only what its own updates drew
                self._bar.display(msg="")
            self._bar.close()


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


#: The most bytes of query text read from a file or standard input: a stream without end
#: (``- < /dev/zero``) is cut there and refused, not read until memory runs out.
MAX_QUERY_BYTES = 64 * 1024 * 1024


def _query_text(argument: str) -> str:
    """The query: standard input (``-``), a file, or the text itself. A word that reads as a
    file name (no white space, no braces) but names no file is an error, not a query; so is a
    name that is not a regular file (``/dev/zero`` has no end, a FIFO may have none)."""
    import stat

    if argument == "-":
        return _read_query(sys.stdin.buffer, "standard input")
    try:
        info = os.stat(argument)
    except (OSError, ValueError):  # a long query is not a file name, whatever the system thinks
        info = None
    if info is None:
        looks_like_a_file = not any(c.isspace() or c in "{}" for c in argument)
        if looks_like_a_file and len(argument) < 4096:
            raise InputError(f"{argument}: no such file (give a query's text, a file, or -)")
        return argument
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{argument}: is a directory (give a query's text, a file, or -)")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{argument}: not a regular file (to read a query from a pipe, give - and redirect it)"
        )
    try:
        with open(argument, "rb") as file:
            return _read_query(file, argument)
    except OSError as exc:
        raise InputError(f"{argument}: cannot read: {exc.strerror or exc}") from None


def _read_query(file, where: str) -> str:
    """The text of a query read from ``file`` (named ``where`` in errors): UTF-8, at most
    :data:`MAX_QUERY_BYTES`."""
    data = file.read(MAX_QUERY_BYTES + 1)
    if len(data) > MAX_QUERY_BYTES:
        raise InputError(f"{where}: more than {MAX_QUERY_BYTES >> 20} MiB of query text; refused")
    try:
        return data.decode("utf-8-sig")  # a byte-order mark is not part of the query
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text (byte {exc.start})") from None


def _cmd_queries(args: argparse.Namespace) -> int:
    problems: list[str] = []
    queries = l2graph.list_queries(args.home, problems)
    for problem in problems:
        print(f"l2graph: skipped {problem}", file=sys.stderr)
    for query in queries:
        print(f"{query.name}\n    {query.summary}")
        for p in query.parameters:
            need = "required" if p.required else "optional"
            print(f"    --param {p.name}=<{p.kind}>  ({need}) {p.description}")
        for example in query.examples:
            print(f"    example: l2graph query {query.slug} " + _example_flags(example))
    return EXIT_OK


def _example_flags(example: dict[str, str]) -> str:
    return " ".join(f"-p {name}={value}" for name, value in example.items())


def _answer(result, args: argparse.Namespace) -> int:
    result.write(sys.stdout.buffer, args.format)  # streamed, never held whole
    sys.stdout.flush()
    return EXIT_OK


def _endpoint_graph(args: argparse.Namespace) -> str:
    """The graph a query reads at ``--endpoint``; ``--graph`` without one is a usage error (a
    local query reads the build's graphs together)."""
    if args.graph is not None and args.endpoint is None:
        raise InputError("--graph names the graph to read at --endpoint: give --endpoint too")
    return args.graph or PROJECT_GRAPH


def _local_worker(args: argparse.Namespace) -> None:
    """A local query runs in a worker (:mod:`l2graph.workers`): it boots while this process
    finds the project, its build and the query."""
    if args.endpoint is None:
        from l2graph import workers

        workers.prestart()


def _cmd_query(args: argparse.Namespace) -> int:
    _local_worker(args)
    result = l2graph.run_query(
        args.name,
        _params(args.param),
        home=args.home,
        endpoint=args.endpoint,
        timeout=args.timeout,
        query_method=args.query_method,
        endpoint_graph=_endpoint_graph(args),
    )
    return _answer(result, args)


def _cmd_sparql(args: argparse.Namespace) -> int:
    _local_worker(args)
    result = l2graph.run_sparql(
        _query_text(args.query),
        home=args.home,
        endpoint=args.endpoint,
        timeout=args.timeout,
        query_method=args.query_method,
        endpoint_graph=_endpoint_graph(args),
    )
    return _answer(result, args)


def _cmd_build(args: argparse.Namespace) -> int:
    with _Progress() as progress:
        info = l2graph.build(args.home, force=args.force, progress=progress.stage)
    timing = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in info.seconds.items())
    print(
        f"built: {info.asserted} asserted and {info.inferred} inferred triples ({timing}; "
        "validate and reason run side by side)"
    )
    return EXIT_OK


def _add_validate(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--data", nargs="+", metavar="FILE", help="validate these RDF files, not the project"
    )
    sub.add_argument(
        "--shapes", nargs="+", metavar="FILE", help="with --data: the SHACL shapes to use"
    )
    sub.add_argument(
        "-f",
        "--format",
        choices=("text", "turtle", "json-ld"),
        default="text",
        help="the report as text (default) or as a standard sh:ValidationReport",
    )


def _cmd_validate(args: argparse.Namespace) -> int:
    if (args.data is None) != (args.shapes is None):
        raise InputError("--data and --shapes go together: the graph, and the shapes to use")
    if args.data is None:
        report = l2graph.validate(home=args.home)
    else:
        report = l2graph.validate(data=args.data, shapes=args.shapes)
    if args.format != "text":
        _write(report.rdf(args.format))
    elif args.data is not None:  # a report on the user's files: no build to speak of
        print(report.text())
    elif not report.conforms:
        raise ValidationFailed(report)
    else:
        print(report.text())
    return EXIT_OK if report.conforms else EXIT_INVALID


def _cmd_export(args: argparse.Namespace) -> int:
    destination = None if args.output in (None, "-") else args.output  # -: standard output
    with _Progress() as progress:
        data = l2graph.export(
            format=args.format,
            destination=destination,
            home=args.home,
            inferred=args.inferred,
            progress=progress.stage,
        )
    if data is not None:
        _write(data)
    return EXIT_OK


def _add_describe(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("name", help='an IRI, an id (leica-sl2) or a label ("Leica SL2")')


def _cmd_describe(args: argparse.Namespace) -> int:
    _write(l2graph.describe(args.name, args.home).text().encode())
    return EXIT_OK


def _add_explain(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("subject", help="a prefixed name (id:leica-sl2) or an IRI")
    sub.add_argument("predicate", help="a prefixed name (l2:manufacturer, a) or an IRI")
    sub.add_argument("object", help='a prefixed name, an IRI or a literal ("2022"^^xsd:gYear)')


def _cmd_explain(args: argparse.Namespace) -> int:
    explanation = l2graph.explain(args.subject, args.predicate, args.object, args.home)
    _write(explanation.text().encode())
    return EXIT_OK


def _add_coverage(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--output", "-o", metavar="FILE", help="file to write (default: stdout)")


def _cmd_coverage(args: argparse.Namespace) -> int:
    report = l2graph.coverage(args.home)
    text = report.text().encode()
    if args.output and args.output != "-":
        write_atomically(text, args.output)
    else:
        _write(text)
    for problem in report.problems():
        print(f"l2graph: {problem}", file=sys.stderr)
    return EXIT_OK if report.complete else EXIT_INVALID


def _project_in_use(argv: list[str]) -> str:
    from l2graph.project import Project

    home = next((a.split("=", 1)[1] for a in argv if a.startswith("--home=")), None)
    if home is None and "--home" in argv[:-1]:
        home = argv[argv.index("--home") + 1]
    try:
        return str(Project.locate(home).home)
    except InputError as exc:
        return f"none: {exc}"


def _cmd_stats(args: argparse.Namespace) -> int:
    from l2graph.project import Project

    print(f"{'project':<40} {Project.locate(args.home).home}")
    for label, value in l2graph.statistics(args.home):
        print(f"{label:<40} {value}")
    return EXIT_OK


def _cmd_push(args: argparse.Namespace) -> int:
    with _Progress(unit="triples") as progress:
        progress.stage("pushing")
        sent, held, endpoint = l2graph.push(
            args.endpoint,
            home=args.home,
            graph=args.graph,
            replace=args.replace,
            inferred=args.inferred,
            query_endpoint=args.query_endpoint,
            chunk_size=args.chunk_size,
            timeout=args.timeout,
            progress=progress.advance,
        )
    where = "default graph" if args.graph == "default" else f"graph <{args.graph}>"
    print(f"pushed {sent} triples to {endpoint} ({where}); the endpoint now holds {held}")
    return EXIT_OK


def _add_diagram(sub: argparse.ArgumentParser) -> None:
    which = sub.add_mutually_exclusive_group()
    which.add_argument("--ontology", action="store_true", help="the classes and properties")
    which.add_argument("--entity", metavar="NAME", help="an entity's neighbourhood")
    sub.add_argument("--depth", type=int, default=1, help="steps out from the entity")
    sub.add_argument(
        "--output", "-o", metavar="FILE", required=True, help="FILE.svg or FILE.png (- : stdout)"
    )


def _cmd_diagram(args: argparse.Namespace) -> int:
    format = "png" if str(args.output).lower().endswith(".png") else "svg"
    destination = None if args.output == "-" else args.output
    data = l2graph.diagram(
        args.entity, args.home, depth=args.depth, format=format, destination=destination
    )
    if data is not None:
        _write(data)
    return EXIT_OK


def _add_serve(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    sub.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0: any free)")
    sub.add_argument("--workers", type=int, default=2, help="query worker processes (default 2)")
    sub.add_argument(
        "--timeout",
        type=_positive_float,
        default=10.0,
        help="seconds a query may run (default 10)",
    )
    sub.add_argument(
        "--row-cap", type=int, default=10_000, help="most rows per answer (default 10000)"
    )
    sub.add_argument(
        "--max-body",
        type=int,
        default=None,
        metavar="BYTES",
        help="largest request body read; a larger one gets a 413 (default 5242880, 5 MiB)",
    )
    sub.add_argument(
        "--cors",
        action="store_true",
        help="let web pages from any origin query it (read-only, no credentials; default off)",
    )


def _cmd_serve(args: argparse.Namespace) -> int:
    def ready(url: str) -> None:
        print(
            f"l2graph: serving {url} — SPARQL at {url}sparql, pages at {url}id/leica-sl2 and "
            f"{url}articles/…; Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )

    from l2graph.web import serve

    serve(
        args.home,
        host=args.host,
        port=args.port,
        workers=args.workers,
        timeout=args.timeout,
        row_cap=args.row_cap,
        max_body=args.max_body,
        cors=args.cors,
        ready=ready,
    )
    return EXIT_OK


# name: (help, description, how to add its arguments, handler)
_COMMANDS = {
    "queries": ("list the stored queries and their parameters", None, None, _cmd_queries),
    "query": ("run a stored query", None, _add_query, _cmd_query),
    "sparql": ("run an ad hoc SPARQL query", None, _add_sparql, _cmd_sparql),
    "validate": (
        "check the graph (or any --data) against its SHACL shapes (or any --shapes)",
        None,
        _add_validate,
        _cmd_validate,
    ),
    "build": ("parse, validate and reason; refresh the cache", None, _add_build, _cmd_build),
    "export": (
        "write the graph as Turtle, JSON-LD, N-Triples, N-Quads, TriG or RDF/XML",
        None,
        _add_export,
        _cmd_export,
    ),
    "describe": (
        "what the graph knows about an entity, and the claims behind it",
        None,
        _add_describe,
        _cmd_describe,
    ),
    "explain": (
        "why a fact holds: the OWL 2 RL rules and the asserted facts and claims behind it",
        None,
        _add_explain,
        _cmd_explain,
    ),
    "stats": ("count triples, entities and claims", None, None, _cmd_stats),
    "diagram": (
        "draw the ontology or an entity's neighbourhood (Graphviz), as SVG or PNG",
        None,
        _add_diagram,
        _cmd_diagram,
    ),
    "coverage": (
        "report every sentence of the articles and the claims that cover it",
        "Write the articles sentence by sentence with the claims that cover each (docs/sources.md"
        " is this report); exit 1 when a sentence has neither a claim nor an exclusion.",
        _add_coverage,
        _cmd_coverage,
    ),
    "serve": (
        "serve the graph over HTTP: SPARQL endpoint, stored queries, entity and article pages",
        "Serve a read-only SPARQL 1.1 endpoint (/sparql), the stored queries (/queries), a page "
        "for every entity (/id/…) and article (/articles/…) and a home page with a query form.",
        _add_serve,
        _cmd_serve,
    ),
    "push": (
        "upload the graph to a triplestore (SPARQL 1.1 Graph Store Protocol)",
        "Upload the validated graph to a SPARQL 1.1 Graph Store endpoint, then count it there. "
        "Credentials: $L2GRAPH_ENDPOINT_USER and $L2GRAPH_ENDPOINT_PASSWORD, sent as the "
        "server's challenge asks (Digest or Basic; $L2GRAPH_ENDPOINT_AUTH forces one); a proxy "
        "only if $L2GRAPH_ENDPOINT_PROXY names one.",
        _add_push,
        _cmd_push,
    ),
}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 validation failed, 2 error, 3 internal
    error, 130 interrupted). A command that timed out or was interrupted may leave its work
    running in a thread: :func:`run` (the ``l2graph`` program) then ends the process."""
    from l2graph import guard

    guard.install()  # nothing reaches the network but the endpoint a user names
    try:
        argv = sys.argv[1:] if argv is None else argv
        if "--version" in argv:  # the version, and which project is in use
            print(f"l2graph {__version__} (project: {_project_in_use(argv)})")
            return EXIT_OK
        from l2graph.grammar import plain_query

        plain = plain_query(argv)
        args = _plain_query(*plain) if plain else _parser(_command_word(argv)).parse_args(argv)
        handler = _COMMANDS[args.command][3]
        if args.command in ("query", "sparql"):
            _READ_ONLY.set()
        if args.command == "serve":  # uvicorn handles Ctrl-C itself, in the main thread
            return handler(args)
        return _bounded(handler, args)
    except ValidationFailed as exc:
        print(exc.report.text(), file=sys.stderr)
        print("l2graph: validation failed; the previous build is still in use", file=sys.stderr)
        return EXIT_INVALID
    except L2GraphError as exc:
        print(f"l2graph: error: {exc}{_TO_TYPE.get(exc.needs, '')}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # e.g. a full disk or an unwritable cache directory
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"l2graph: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt as stop:
        terminated = isinstance(stop, _Terminated)
        print(f"l2graph: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        _ABANDONED.set()
        return 143 if terminated else 130
    except Exception as exc:  # a bug: one line and a way to report it, never a traceback
        where = getattr(exc, "l2graph_where", None) or _where(exc)
        print(
            f"l2graph: internal error ({type(exc).__name__}{where}: {exc}); please report it "
            "with the command you ran",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


_ABANDONED = threading.Event()  # set when a command's thread was left running
# set for a command that reads the store and leaves nothing open once it returns (a build it
# needed first, and a kept answer, are written and closed by then): its process may end
# without Python's clean-up (about 5 ms of a query's run)
_READ_ONLY = threading.Event()


def _bounded(handler, args: argparse.Namespace) -> int:
    """Run a command in a thread, so that the main thread stays free to take Ctrl-C at once:
    the engine releases Python's lock while it works, but a signal reaches Python only between
    its own steps. (A query's deadline is the core's, :mod:`l2graph.workers`, as on every
    face.)"""
    outcome: dict = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["code"] = handler(args)
        except BaseException as exc:  # handed to the main thread, without the frames:
            outcome["where"] = _where(exc)  # engine objects in them must die in this thread
            _drop_frames(exc)
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="l2graph-command", daemon=True).start()
    # in short waits: a signal the kernel hands to another thread wakes no one blocked here,
    # and Python runs its handler in this thread only between waits
    while not done.wait(0.1):
        pass
    if "error" in outcome:
        error = outcome["error"]
        error.l2graph_where = outcome["where"]
        raise error
    return outcome["code"]


def _drop_frames(exc: BaseException | None) -> None:
    """Free the frames of an exception and of those it was raised from."""
    import traceback

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if exc.__traceback__ is not None:
            traceback.clear_frames(exc.__traceback__)
            exc.__traceback__ = None
        exc = exc.__cause__ or exc.__context__


def _where(exc: BaseException) -> str:
    """`` at file.py:LINE`` where an exception was raised (for an internal error's line)."""
    if exc.__traceback__ is None:
        return ""
    import traceback

    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return f" at {Path(frame.filename).name}:{frame.lineno}"


class _Terminated(KeyboardInterrupt):
    """SIGTERM, taken like Ctrl-C: the command stops and cleans up."""


def _terminate(_signal: int, _frame) -> None:
    raise _Terminated


def run() -> None:
    """The ``l2graph`` program: :func:`main`, then exit. A command whose work was abandoned
    (it cannot be stopped, only its process can) exits at once, after removing the temporary
    files of writes it left under way; so does a read-only one, which has nothing to close."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    code = main()
    if _ABANDONED.is_set() or _READ_ONLY.is_set():
        import contextlib

        if _ABANDONED.is_set():
            from l2graph.files import remove_pending

            remove_pending()
        with contextlib.suppress(OSError):  # a reader gone: nothing left to tell it
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
