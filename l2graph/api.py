"""The public operations, each one path through the core: the store built from the sources,
the shapes compiled to SPARQL and the OWL 2 RL rules as SPARQL, all run by Oxigraph.

rdflib is what Python users hold: graphs come back as ``rdflib.Graph`` and query rows as rdflib
terms. The reference engines (owlrl, pyshacl, rdflib's SPARQL) answer only when asked for by
``engine=``; the tests hold the core to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from l2graph.errors import InputError, ValidationFailed, checked_seconds
from l2graph.errors import contract as _contract
from l2graph.project import (
    ANCHORS_GRAPH,
    ASSERTED_GRAPH,
    INFERRED_GRAPH,
    PROJECT_GRAPH,
    Project,
)
from l2graph.report import ValidationReport
from l2graph.results import QueryResult

TYPE_CHECKING = False  # typing is not imported at run time: a faster start
if TYPE_CHECKING:
    from typing import IO, Any

CORE = "oxigraph"


def _engine(engine: str, *references: str) -> str:
    if engine not in (CORE, *references):
        choices = ", ".join(repr(name) for name in (CORE, *references))
        raise InputError(f"engine {engine!r} is not one of {choices}")
    return engine


def _graph_names(inferred: bool) -> list:
    import pyoxigraph as ox

    return [ox.NamedNode(name) for name in _graphs(inferred)]


def _graphs(inferred: bool) -> list[str]:
    """The build's named graphs a user gets: the asserted triples with the quotes' anchors,
    and the entailments when asked for."""
    return [ASSERTED_GRAPH, ANCHORS_GRAPH] + ([INFERRED_GRAPH] if inferred else [])


@_contract
def validate(
    graph: Any = None,
    home: Path | str | None = None,
    *,
    engine: str = CORE,
    data: Iterable[Path | str] | None = None,
    shapes: Iterable[Path | str] | None = None,
) -> ValidationReport:
    """Validate the asserted graph against the project's SHACL shapes and, where the article
    texts are at hand, check every claim's quote against its article; or, given ``data`` and
    ``shapes``, any graph against any shapes, as ``pyshacl -s SHAPES DATA`` does.

    Args:
        graph: an rdflib graph (ontology and data) to check instead of the project's sources.
            Validate asserted triples, not a closure: entailments carry no claims.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        engine: ``"oxigraph"`` (the core) or ``"pyshacl"`` (the reference: the shapes only).
        data: RDF files (Turtle, N-Triples …, by extension) whose union is the data graph.
        shapes: RDF files whose union is the shapes graph; nothing they import is fetched.

    Returns:
        A :class:`ValidationReport`; ``conforms`` is false when any result was found;
        :meth:`ValidationReport.rdf` writes it as a standard ``sh:ValidationReport``.
    """
    if data is not None or shapes is not None:
        if graph is not None or _engine(engine, "pyshacl") != CORE:
            raise InputError("data= and shapes= are validated by the core engine, on no graph=")
        from l2graph.shacl import validate_files

        return validate_files(data or [], shapes or [])
    project = Project.locate(home)
    if _engine(engine, "pyshacl") == "pyshacl":
        from l2graph import reference

        if graph is None:
            graph = reference.load_asserted(project)
        return reference.validate(graph, project)
    if graph is None:
        from l2graph.cache import build

        try:
            build(project.home)
        except ValidationFailed as failure:
            return failure.report
        return ValidationReport(conforms=True)
    from l2graph import reasoning
    from l2graph.bridge import store_from_graph
    from l2graph.cache import validate_store

    # as a build validates: the shapes, the quotes, and the OWL 2 RL inconsistencies
    store = store_from_graph(graph, ASSERTED_GRAPH)
    report = validate_store(store, project, ASSERTED_GRAPH)[0]
    reasoning.materialise(store, INFERRED_GRAPH, source=ASSERTED_GRAPH, check=False)
    found = reasoning.inconsistencies(store, INFERRED_GRAPH, source=ASSERTED_GRAPH)
    return reasoning.with_inconsistencies(report, found)


@_contract
def load_graph(reason: bool = False, home: Path | str | None = None, *, engine: str = CORE):
    """The knowledge graph as an rdflib graph: the asserted triples and the quotes' anchors
    in their articles (the same as ``export``), with the entailments if asked.

    Args:
        reason: add the OWL 2 RL entailments to the asserted triples (:func:`infer` gives the
            entailments alone).
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        engine: ``"oxigraph"`` (the core: the validated build) or ``"owlrl"`` (the reference:
            rdflib parses the sources, unvalidated, and owlrl reasons).

    Raises:
        ValidationFailed: (core) the sources do not conform to the shapes.
    """
    if _engine(engine, "owlrl") == "owlrl":
        from l2graph import reference

        graph = reference.load_asserted(Project.locate(home))
        if reason:
            graph += reference.infer(graph)
        return graph
    import pyoxigraph as ox

    from l2graph.bridge import graph_from_ntriples
    from l2graph.cache import open_store

    store = open_store(home)
    return graph_from_ntriples(
        b"".join(
            store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
            for name in _graph_names(reason)
        )
    )


@_contract
def infer(graph: Any, *, engine: str = CORE):
    """The OWL 2 RL entailments of an rdflib graph, without the graph itself.

    Every rule of the profile (W3C OWL 2 Profiles, section 4.3) applies;
    :mod:`l2graph.reasoning` says how each is read. Entailments with no content (``x
    owl:sameAs x``, typing as owl:Thing, facts about the OWL vocabulary itself:
    ``l2graph.reference.is_noise``) are left out, on both engines.

    Args:
        graph: the asserted triples (ontology and data).
        engine: ``"oxigraph"`` (the core's rules) or ``"owlrl"`` (the reference).

    Raises:
        InconsistentOntologyError: the graph is inconsistent under OWL 2 RL; its
            ``inconsistencies`` list each as (rule, resources), e.g. ``("cax-dw", ("id:x",
            "l2:A", "l2:B"))``. The owlrl engine raises it from owlrl's error messages.
        UnsupportedAxiomError: (core) an axiom the rules cannot apply as written, named.
    """
    if _engine(engine, "owlrl") == "owlrl":
        from l2graph import reference

        return reference.infer(graph)
    import pyoxigraph as ox

    from l2graph import reasoning
    from l2graph.bridge import graph_from_ntriples, store_from_graph

    store = store_from_graph(graph, ASSERTED_GRAPH)
    reasoning.materialise(store, INFERRED_GRAPH, source=ASSERTED_GRAPH)
    return graph_from_ntriples(
        store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(INFERRED_GRAPH))
    )


@_contract
def run_sparql(
    query: str,
    *,
    graph: Any = None,
    endpoint: str | None = None,
    home: Path | str | None = None,
    timeout: float | None = 30.0,
    engine: str = CORE,
    query_method: str = "auto",
    endpoint_graph: str | None = PROJECT_GRAPH,
) -> QueryResult:
    """Run a read-only SPARQL query; ``SERVICE`` is refused on local engines.

    The project's prefixes (``l2:``, ``id:``, ``rdf:``, ``rdfs:``, ``owl:``, ``xsd:``,
    ``skos:``, ``dcterms:``, ``schema:``, ``org:``, ``prov:``, ``oa:``) are predeclared on every
    path; the query's own ``PREFIX`` lines take precedence. On the project's build, the answer
    is kept: the same query in the same format reads it next time without starting the engine.

    Args:
        query: the query text.
        graph: an rdflib graph to query instead of the project's build.
        endpoint: a SPARQL 1.1 endpoint URL to query instead.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        timeout: seconds the query may take: at an endpoint, or on the project's build (it
            then runs in a worker process, stopped at the deadline); ``None``: no limit here.
        engine: ``"oxigraph"`` (the core) or ``"rdflib"`` (the reference, on ``graph``).
        query_method: how a query goes to ``endpoint``: ``"auto"`` (GET while the URL is
            short, else a form-encoded POST: what every server accepts), ``"get"``, ``"form"``
            or ``"direct"`` (a POST of ``application/sparql-query``).
        endpoint_graph: the graph at ``endpoint`` the query reads as its default graph (sent
            as ``default-graph-uri``): the project's graph, where :func:`push` writes, by
            default; ``"default"`` leaves the choice to the store.

    Returns:
        A :class:`QueryResult`.

    Raises:
        QueryTimeoutError: the query ran past ``timeout``.
    """
    timeout = checked_seconds(timeout)
    return _sparql(
        query,
        "sparql",
        graph=graph,
        endpoint=endpoint,
        home=home,
        timeout=timeout,
        engine=engine,
        query_method=query_method,
        endpoint_graph=endpoint_graph,
    )


def _sparql(
    query: str,
    kind: str,
    *,
    graph: Any,
    endpoint: str | None,
    home: Path | str | None,
    timeout: float | None,
    engine: str,
    query_method: str,
    endpoint_graph: str | None,
) -> QueryResult:
    """:func:`run_sparql`, its answer kept under ``kind`` (``"sparql"``, or ``"query"`` for a
    stored query, which :func:`l2graph.program.answer` serves): an ad hoc text never answers a
    stored query, whose file may still fail the checks a stored query must pass."""
    if endpoint is not None:
        from l2graph import remote
        from l2graph.engine import with_prefixes

        wait = 30.0 if timeout is None else timeout
        answer = remote.query(
            endpoint, with_prefixes(query), graph=endpoint_graph, timeout=wait, method=query_method
        )
        return QueryResult(answer)
    if _engine(engine, "rdflib") == "rdflib":
        return _on_rdflib(graph, query, None, home, timeout)
    if graph is not None:
        if timeout is None:
            from l2graph import engine as core
            from l2graph.bridge import store_from_graph

            return QueryResult(core.run(store_from_graph(graph), query))
        triples = graph.serialize(format="nt", encoding="utf-8")
        return QueryResult(_isolated(_graph_query_in_worker, (triples, query), timeout))
    from l2graph.answer_cache import AnswerCache, identity
    from l2graph.cache import live_build

    project = Project.locate(home)
    build = live_build(project)
    asked = identity(kind, query)
    cache = AnswerCache()

    def run():
        if timeout is None:
            from l2graph import engine as core
            from l2graph.cache import store_of

            return core.run(store_of(project, build), query)
        return _isolated(_query_in_worker, (project, build, query), timeout)

    kept = dict(cache=cache, build=str(build), asked=asked)
    if cache.has_any(str(build), asked):  # it ran on this build before: run it only if asked
        return QueryResult(run=run, **kept)
    return QueryResult(run(), **kept)


def _isolated(function: Callable, args: tuple, timeout: float):
    """``function(*args)`` in a worker (:func:`l2graph.workers.run`), stopped at ``timeout``;
    its answer (see :func:`_packed`) as the engine's result types."""
    import pyoxigraph as ox

    from l2graph import workers

    kind, payload = workers.run(function, args, timeout)
    if kind == "graph":
        return [quad.triple for quad in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)]
    return ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)


def _packed(result) -> tuple[str, bytes]:
    """A result as it crosses from the worker: SPARQL JSON results, or N-Triples."""
    import pyoxigraph as ox

    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        return "results", result.serialize(format=ox.QueryResultsFormat.JSON)
    return "graph", ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)


def _query_in_worker(project: Project, build: Path, query: str) -> tuple[str, bytes]:
    """A query on a build, in the worker."""
    from l2graph import engine as core
    from l2graph.cache import store_of

    return _packed(core.run(store_of(project, build), query))


def _graph_query_in_worker(triples: bytes, query: str) -> tuple[str, bytes]:
    """A query on a caller's graph (as N-Triples), in the worker."""
    import pyoxigraph as ox

    from l2graph import engine as core

    store = ox.Store()
    store.bulk_load(triples, format=ox.RdfFormat.N_TRIPLES)
    return _packed(core.run(store, query))


def _rdflib_query_in_worker(triples: bytes, query: str, bindings: dict | None) -> tuple:
    """A query on rdflib, the reference engine, in the worker."""
    from l2graph import reference
    from l2graph.bridge import new_graph

    graph = new_graph()
    graph.parse(data=triples, format="nt")
    return _packed(reference.query(graph, query, bindings))


def _on_rdflib(graph: Any, query: str, bindings: dict | None, home, timeout: float | None):
    """A query on rdflib (the project's sources, owlrl-closed, unless ``graph`` is given),
    stopped at ``timeout`` like any other."""
    from l2graph import reference

    if graph is None:
        graph = load_graph(True, home, engine="owlrl")
    if timeout is None:
        return QueryResult(reference.query(graph, query, bindings))
    triples = graph.serialize(format="nt", encoding="utf-8")
    return QueryResult(_isolated(_rdflib_query_in_worker, (triples, query, bindings), timeout))


@_contract
def run_query(
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    graph: Any = None,
    endpoint: str | None = None,
    home: Path | str | None = None,
    timeout: float | None = 30.0,
    engine: str = CORE,
    query_method: str = "auto",
    endpoint_graph: str | None = PROJECT_GRAPH,
    **more_params: Any,
) -> QueryResult:
    """Run a stored query by name with its parameters bound.

    Parameters are checked against their declared kinds and bound as RDF terms, never pasted
    into query text: by a ``VALUES`` block written by the engine's term writer on Oxigraph and
    at an endpoint, as ``initBindings`` on rdflib (which would decode ``\\u`` escapes in text).

    Args:
        name: a stored query's name, number or slug (see :func:`list_queries`).
        params: the query's parameters, e.g. ``{"entity": "id:leica-sl2"}``; the way to pass a
            parameter whose name is one of this function's own (``graph``, ``home`` …).
        graph: an rdflib graph to run it on instead of the project's build.
        endpoint: a SPARQL 1.1 endpoint URL to run it on instead.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        timeout: seconds the query may take (see :func:`run_sparql`).
        engine: ``"oxigraph"`` (the core) or ``"rdflib"`` (the reference).
        query_method: how the query goes to ``endpoint`` (see :func:`run_sparql`).
        endpoint_graph: the graph it reads at ``endpoint`` (see :func:`run_sparql`).
        **more_params: parameters as keywords, e.g. ``entity="id:leica-sl2"``.

    Raises:
        UnknownQueryError: no stored query has that name.
        ParameterError: a parameter is missing, unknown, given twice or ill-typed.
    """
    from l2graph.errors import ParameterError, QuerySyntaxError
    from l2graph.queries import get_query

    timeout = checked_seconds(timeout)

    twice = set(params or {}) & set(more_params)
    if twice:
        raise ParameterError(sorted(twice)[0], "given both in params and as a keyword")
    values = {**(params or {}), **more_params}
    project = Project.locate(home) if graph is None and endpoint is None else home
    stored = get_query(name, project)
    try:
        if _engine(engine, "rdflib") == "rdflib" and endpoint is None:
            from l2graph.bridge import to_rdflib

            bindings = {var: to_rdflib(term) for var, term in stored.terms(values).items()}
            return _on_rdflib(graph, stored.text, bindings, project, timeout)
        return _sparql(
            stored.bind(values),
            "query",
            graph=graph,
            endpoint=endpoint,
            home=project,
            timeout=timeout,
            engine=engine,
            query_method=query_method,
            endpoint_graph=endpoint_graph,
        )
    except QuerySyntaxError as error:  # named by the file, at the file's own line
        raise stored.syntax_error(error) from None


@_contract
def export(
    graph: Any = None,
    format: str = "turtle",
    destination: Path | str | IO[bytes] | None = None,
    home: Path | str | None = None,
    *,
    inferred: bool = False,
    progress: Callable[[str], None] | None = None,
) -> bytes | None:
    """Export the graph, byte-for-byte reproducible.

    Args:
        graph: an rdflib graph to export; by default the project's validated build.
        format: ``turtle``, ``nt``, ``nq``, ``trig``, ``xml`` (RDF/XML) or ``json-ld``
            (compacted with ``ontology/context.jsonld``, embedded).
        destination: a path (written atomically), a binary file object, or ``None``.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        inferred: with the project's build, include the entailments (N-Quads and TriG keep
            them in their own named graph).
        progress: called with a short message as each stage starts (a build first, if the
            sources changed).

    Returns:
        The serialised bytes when ``destination`` is ``None``, else ``None``.
    """
    import pyoxigraph as ox

    from l2graph import exports

    say = progress or (lambda _message: None)
    project = Project.locate(home)
    exports.check_format(format)
    quads = exports.FORMATS[format]
    if graph is None:
        from l2graph.cache import live_build

        build = live_build(project, say)
        say("reading the build")
        text = exports.build_text(build, _graphs(inferred), quads=quads)
    else:
        from l2graph.bridge import store_from_graph

        say("ordering the graph")
        text = exports.canonical_text(store_from_graph(graph), [ox.DefaultGraph()], quads=quads)
    context = exports.load_context(project) if format == "json-ld" else None
    say(f"writing {format}")
    data = exports.serialize(text, format, context)
    if destination is None:
        return data
    if hasattr(destination, "write"):
        destination.write(data)
    else:
        from l2graph.files import write_atomically

        write_atomically(data, destination)
    return None


@_contract
def coverage(home: Path | str | None = None):
    """The articles sentence by sentence: which claims cover each sentence, which sentences are
    excluded and why, and which are neither (see :mod:`l2graph.sources`).

    Args:
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout. The
            article texts are read from ``$L2GRAPH_SOURCES`` or ``../shared/sources``.

    Returns:
        A ``CoverageReport``: ``complete``, ``problems()`` and ``text()`` (Markdown).
    """
    from l2graph import sources
    from l2graph.cache import open_store

    project = Project.locate(home)
    return sources.coverage(open_store(project.home), project, project.sources_dir)


@_contract
def describe(name: str, home: Path | str | None = None):
    """What the graph knows about one entity: its facts (inferred ones marked) and the claims
    behind them, with status, quote and article.

    Args:
        name: an IRI (``id:leica-sl2`` or in full), an id (``leica-sl2``) or a label
            (``"Leica SL2"``), matched case-insensitively.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.

    Returns:
        A ``Description``; ``text()`` renders it.

    Raises:
        UnknownEntityError: nothing has that name; the nearest names are suggested.
    """
    from l2graph import entities
    from l2graph.cache import open_store

    return entities.describe(open_store(home), name)


@_contract
def explain(subject: str, predicate: str, object: str, home: Path | str | None = None):
    """Why a fact holds: for an inferred one, the OWL 2 RL rule that draws it and the facts
    it reads, each explained in turn down to asserted facts and their claims (status, quote,
    article); for an asserted one, its claims.

    Args:
        subject: a prefixed name (``id:leica-sl2``) or an IRI.
        predicate: a prefixed name (``l2:manufacturer``; ``a`` for rdf:type) or an IRI.
        object: a prefixed name, an IRI or a literal (``"2022"^^xsd:gYear``).
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.

    Returns:
        An ``l2graph.Explanation`` tree; ``text()`` renders it.

    Raises:
        UnknownFactError: the triple is neither asserted nor inferred.
        InputError: a term is no prefixed name, IRI or literal.
    """
    from l2graph.cache import open_store
    from l2graph.explanations import explain_in

    return explain_in(open_store(home), subject, predicate, object)


@_contract
def diagram(
    name: str | None = None,
    home: Path | str | None = None,
    *,
    depth: int = 1,
    format: str = "svg",
    destination: Path | str | None = None,
) -> bytes | None:
    """A picture drawn by Graphviz: the ontology's classes and properties, or, given
    ``name``, that entity's neighbourhood (asserted edges solid, inferred dotted, claims not
    asserted dashed with their status). Labels, not IRIs.

    Args:
        name: an entity's IRI, id or label; ``None`` draws the ontology.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        depth: how many steps out from the entity to draw.
        format: ``svg`` or ``png``.
        destination: a file to write (atomically), or ``None`` for the bytes.

    Raises:
        UnknownEntityError: nothing has that name.
        InputError: Graphviz's ``dot`` is not installed, or a bad format or depth.
    """
    from l2graph import diagrams
    from l2graph.cache import open_store

    if format not in ("svg", "png"):
        raise InputError(f"format {format!r}: choose svg or png")
    store = open_store(home)
    drawing = (
        diagrams.ontology(store) if name is None else diagrams.entity(store, name, depth=depth)
    )
    data = drawing.render(format)
    if destination is None:
        return data
    from l2graph.files import write_atomically

    write_atomically(data, destination)
    return None


@_contract
def statistics(home: Path | str | None = None) -> list[tuple[str, int]]:
    """Triple counts per graph, instances per ontology class and claims per status."""
    from l2graph.cache import open_store, statistics

    return statistics(open_store(home))


@_contract
def push(
    endpoint: str,
    *,
    home: Path | str | None = None,
    graph: str | None = PROJECT_GRAPH,
    replace: bool = False,
    inferred: bool = True,
    query_endpoint: str | None = None,
    chunk_size: int | None = None,
    timeout: float = 300.0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int, str]:
    """Upload the validated graph to a SPARQL 1.1 Graph Store endpoint and count it there.

    The graph goes as the store's own N-Triples serialisation, written to a temporary file
    and streamed in one request (PUT with ``replace``, else POST); ``chunk_size`` splits it
    into requests of that many triples instead, for servers that limit a request's size.

    Args:
        endpoint: the Graph Store endpoint, e.g. ``http://127.0.0.1:7878/store``.
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        graph: the named graph to write: the project's graph (``PROJECT_GRAPH``) by default,
            where remote queries read; ``"default"`` writes the store's default graph.
        replace: replace the graph's content instead of adding to it.
        inferred: include the entailments (default) or only the asserted triples.
        query_endpoint: where to count the result (default: derived from ``endpoint``).
        chunk_size: triples per request; ``None`` (default): one request.
        timeout: seconds each request may take, its upload included.
        progress: called with (triples sent, total) as the upload goes.

    Returns:
        (triples sent, triples the endpoint now holds, the endpoint URL without credentials).

    Raises:
        EndpointError: the endpoint refused, failed or holds a different count.
    """
    import tempfile

    import pyoxigraph as ox

    from l2graph import remote
    from l2graph.cache import open_store

    timeout = checked_seconds(timeout)

    store = open_store(home)
    names = _graph_names(inferred)
    settings = {
        "graph": graph,
        "replace": replace,
        "query_endpoint": query_endpoint,
        "timeout": timeout,
        "progress": progress,
    }
    if chunk_size is not None:
        triples = {
            quad.triple
            for name in names
            for quad in store.quads_for_pattern(None, None, None, name)
        }
        held = remote.push(
            endpoint, triples, expected=len(triples), chunk_size=chunk_size, **settings
        )
        return len(triples), held, remote.redact(endpoint)
    with tempfile.TemporaryFile(prefix="l2graph-push-") as body:
        for name in names:  # one document: a blank node shared by two graphs stays one
            store.dump(body, format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        # One triple a line, and no triple in two of a build's graphs (see
        # exports.build_text, which relies on it too): the lines are the count.
        body.seek(0)
        expected = sum(block.count(b"\n") for block in iter(lambda: body.read(1 << 20), b""))
        held = remote.push(endpoint, body, expected=expected, **settings)
    return expected, held, remote.redact(endpoint)
