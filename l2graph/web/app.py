"""``l2graph serve``: the graph over HTTP, a third face of the core.

- ``/sparql``: the SPARQL 1.1 Protocol (GET, form POST, ``application/sparql-query``), read-only;
- ``/queries`` and ``/queries/{name}``: the stored queries as named endpoints;
- ``/id/{slug}``: Linked Data, by the 303 convention: the IRI names the thing, and a request
  for it is sent on (``303 See Other``) to a document about it, ``/id/{slug}.html``, ``.ttl``,
  ``.jsonld`` or ``.nt``, chosen by ``Accept``; ``/ontology/{Term}`` likewise for the terms;
- ``/articles/{slug}``: an article's text with every quoted span linked to its claims;
- ``/``: what the graph is, its classes, its queries and a query form.

This module does HTTP only: content negotiation, caching and errors. Every answer is computed
in a worker process (:mod:`l2graph.web.pool`) by :mod:`l2graph.web.answers`, so a runaway
query is stopped by killing its worker while the others go on answering.

Answers never change between builds, so each is kept in memory, keyed by the build's
fingerprint, the request and the media type, and sent with an ``ETag`` (``If-None-Match``
gets a 304). A new build (made by ``l2graph build``, any other command, or this server when it
sees an input change) empties the cache: nothing is served from an old graph.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from l2graph import kept
from l2graph.cache import live_build, verified
from l2graph.engine import query_form
from l2graph.errors import L2GraphError, QueryTimeoutError
from l2graph.project import ID, L2, Project
from l2graph.web import answers
from l2graph.web.pool import TaskFailed, WorkerCrashed, WorkerPool

#: Media types offered for each kind of answer, in order of preference (the first is the
#: default when ``Accept`` is absent or ``*/*``), with the result format that writes them.
TABLE_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "text/html": "html",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "text/html": "html",
}
# ``format=`` (as Virtuoso and Fuseki accept) and the document extensions of /id/
FORMAT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "html": "html"}
GRAPH_NAMES = {"turtle": "turtle", "ttl": "turtle", "jsonld": "json-ld", "json-ld": "json-ld"}
GRAPH_NAMES |= {"nt": "nt", "rdf": "xml", "xml": "xml", "html": "html"}
EXTENSIONS = {"html": "html", "turtle": "ttl", "json-ld": "jsonld", "nt": "nt", "xml": "rdf"}
_STATUS = {
    "QuerySyntaxError": 400,
    "ParameterError": 400,
    "InputError": 400,
    "TurtleSyntaxError": 400,
    "RefusedQueryError": 403,
    "UnknownQueryError": 404,
    "UnknownEntityError": 404,
    "ValidationFailed": 503,
}


class HttpError(Exception):
    """An answer that is an error: status, one-line message, suggested links."""

    def __init__(self, status: int, message: str, suggestions: list | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.suggestions = status, message, suggestions or []


class _Answers:
    """Answers kept in memory for the live build, least recently used dropped past a size."""

    def __init__(self, budget: int) -> None:
        self.budget, self.size = budget, 0
        self.items: OrderedDict[tuple, tuple] = OrderedDict()

    def get(self, key: tuple) -> tuple | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple, value: tuple) -> None:
        cost = _cost(key, value)
        if cost > self.budget // 8 or key in self.items:
            return  # a huge answer would push out many small ones
        self.items[key] = value
        self.size += cost
        while self.size > self.budget:
            self.size -= _cost(*self.items.popitem(last=False))

    def clear(self) -> None:
        self.items.clear()
        self.size = 0


def _cost(key: tuple, value: tuple) -> int:
    """What a kept answer holds: its body and the request text that keys it, with about 200
    bytes of Python objects around them."""
    return len(value[0]) + sum(len(part) for part in key if isinstance(part, str)) + 200


class Served:
    """The server's view of the project: the live build, the kept answers, the workers."""

    def __init__(
        self,
        project: Project,
        *,
        workers: int,
        timeout: float,
        row_cap: int,
        cache_bytes: int = 64 * 1024 * 1024,
        watch_seconds: float = 0.5,
    ) -> None:
        self.project, self.timeout, self.row_cap = project, timeout, row_cap
        self.watch_seconds = watch_seconds
        self.answers = _Answers(cache_bytes)
        #: (query, Accept, format=) → (media type, format): what negotiation chose before
        self.negotiated: dict[tuple, tuple[str, str]] = {}
        self.build = live_build(project)
        self._current = project.cache_dir / kept.CURRENT_RECORD
        self._seen = self._stamp()
        self.pool = WorkerPool(workers)
        self.problem: str | None = None

    def _stamp(self) -> tuple:
        try:
            info = os.stat(self._current)
        except OSError:
            return ()
        return info.st_mtime_ns, info.st_ino, info.st_size

    def live(self) -> Path:
        """The live build; when another process published a new one, switch to it and drop
        every kept answer (one ``stat`` per request)."""
        stamp = self._stamp()
        if stamp != self._seen:
            self._seen = stamp
            current = kept.read_record(str(self._current))
            if not isinstance(current, dict) or not isinstance(current.get("fingerprint"), str):
                return self.build
            directory = self.project.cache_dir / current["fingerprint"]
            if directory != self.build and verified(directory) is not None:
                self.build = directory
                self.answers.clear()
        return self.build

    async def watch(self) -> None:
        """Rebuild when an input changes, so edits are served without a restart; a build that
        fails is reported once and the last good build stays live. Looking costs a ``stat``
        per input file; only a rebuild leaves the event loop."""
        state = None
        while True:
            await asyncio.sleep(self.watch_seconds)
            try:
                now = self.project.input_state()
                if now != state:
                    state = now  # a failing build is not retried until the inputs change
                    await anyio.to_thread.run_sync(live_build, self.project)
                    self.problem = None
            except L2GraphError as exc:
                if str(exc) != self.problem:
                    self.problem = str(exc)
                    print(
                        f"l2graph serve: still serving the last good build: {exc}", file=sys.stderr
                    )

    async def answer(self, key: tuple, function, *args) -> tuple:
        """``(body, truncated, location, etag)`` for ``key``: kept, else computed by a worker
        (``function(build, *args)``) and kept."""
        build = self.live()
        kept = self.answers.get(key)
        if kept is not None:
            return kept
        try:
            body, truncated, location = await self.pool.run(
                function, (str(build), *args), self.timeout
            )
        except TaskFailed as failure:
            suggestions = [
                {"text": s, "href": "/id/" + quote(s, safe="")} for s in failure.suggestions
            ]
            raise HttpError(_STATUS.get(failure.kind, 500), failure.message, suggestions) from None
        except QueryTimeoutError as exc:
            raise HttpError(503, f"the query was {exc} (l2graph serve --timeout)") from None
        except WorkerCrashed as exc:
            raise HttpError(500, str(exc)) from None
        tag = hashlib.blake2b(repr((build.name, key)).encode(), digest_size=12).hexdigest()
        value = (body, truncated, location, f'"{tag}"')
        if self.live() == build:  # not kept if a new build went live meanwhile
            self.answers.put(key, value)
        return value


# ------------------------------------------------------------------------ negotiation


def negotiate(accept: str | None, offers: dict[str, str]) -> tuple[str, str]:
    """The offered ``(media type, format)`` that ``Accept`` rates highest (quality, then
    specificity, then the order of ``offers``), by Werkzeug's RFC 9110 negotiation; the first
    offer when there is no ``Accept``.

    Raises:
        HttpError: 406, when nothing offered is acceptable.
    """
    if not accept:
        media = next(iter(offers))
        return media, offers[media]
    from werkzeug.datastructures import MIMEAccept
    from werkzeug.http import parse_accept_header

    best = parse_accept_header(accept, MIMEAccept).best_match(list(offers))
    if best is None:
        raise HttpError(406, "none of the accepted media types is offered: " + ", ".join(offers))
    return best, offers[best]


def _chosen(request: Request, offers: dict[str, str], names: dict[str, str]) -> tuple[str, str]:
    wanted = request.query_params.get("format")
    if wanted is None:
        return negotiate(request.headers.get("accept"), offers)
    if wanted in names and names[wanted] in offers.values():
        media = next(m for m, f in offers.items() if f == names[wanted])
        return media, names[wanted]
    shown = ", ".join(n for n in names if names[n] in offers.values())
    raise HttpError(400, f"format {wanted!r} is not offered here: choose from {shown}")


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept


# --------------------------------------------------------------------------- responses


def _send(request: Request, graph: Served, media: str, answer: tuple) -> Response:
    body, truncated, _, etag = answer
    headers = {"ETag": etag, "Cache-Control": "public, no-cache", "Vary": "Accept"}
    headers["L2graph-Row-Cap"] = str(graph.row_cap)
    if truncated:
        headers["L2graph-Truncated"] = "true"
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    text = media.startswith("text/") or media.endswith(("json", "+xml", "n-triples"))
    media_type = f"{media}; charset=utf-8" if text else media
    return Response(body, media_type=media_type, headers=headers)


def _matches(condition: str | None, etag: str) -> bool:
    if not condition:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in condition.split(",")]
    return "*" in tags or etag in tags


def _error(request: Request, error: HttpError) -> Response:
    if _wants_html(request):
        body = answers._render(
            "error.html",
            status=error.status,
            reason=_REASONS.get(error.status, ""),
            message=error.message,
            suggestions=error.suggestions,
        )
        return Response(body, status_code=error.status, media_type="text/html; charset=utf-8")
    hint = ""
    if error.suggestions:
        hint = "; did you mean " + ", ".join(s["href"] for s in error.suggestions) + "?"
    return PlainTextResponse(error.message + hint + "\n", status_code=error.status)


_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _handled(endpoint):
    async def handle(request: Request) -> Response:
        try:
            return await endpoint(request, request.app.state.graph)
        except HttpError as error:
            return _error(request, error)

    return handle


# ----------------------------------------------------------------------------- routes


async def _sparql_text(request: Request) -> str | None:
    """The query of a SPARQL 1.1 Protocol request (``None``: no query, show the form)."""
    params = request.query_params
    if "update" in params or "using-graph-uri" in params:
        raise HttpError(403, "updates are not allowed: this endpoint is read-only")
    if "default-graph-uri" in params or "named-graph-uri" in params:
        raise HttpError(
            403,
            "default-graph-uri and named-graph-uri are not allowed: the default graph is the "
            "union of the build's graphs (use GRAPH <…> { … } to pick one)",
        )
    if request.method == "GET":
        return params.get("query")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/sparql-update":
        raise HttpError(403, "updates are not allowed: this endpoint is read-only")
    if media == "application/sparql-query":
        body = await request.body()
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, "the query is not valid UTF-8") from None
    if media == "application/x-www-form-urlencoded":
        from urllib.parse import parse_qsl

        try:
            form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise HttpError(400, "the form is not valid UTF-8") from None
        if "update" in form:
            raise HttpError(403, "updates are not allowed: this endpoint is read-only")
        if "default-graph-uri" in form or "named-graph-uri" in form:
            raise HttpError(403, "default-graph-uri and named-graph-uri are not allowed")
        return form.get("query")
    raise HttpError(
        415,
        "send the query as application/sparql-query or application/x-www-form-urlencoded",
    )


async def sparql(request: Request, graph: Served) -> Response:
    query = await _sparql_text(request)
    if query is None:
        if _wants_html(request):
            body = answers._render(
                "results.html", query="SELECT * WHERE { ?s ?p ?o } LIMIT 10", error=""
            )
            return Response(body, media_type="text/html; charset=utf-8")
        raise HttpError(400, "no query: send ?query=… (SPARQL 1.1 Protocol)")
    # a repeated request is answered before its query is even looked at
    accept, wanted = request.headers.get("accept"), request.query_params.get("format")
    seen = graph.negotiated.get((query, accept, wanted))
    if seen is None:
        offers = GRAPH_TYPES if query_form(query) in ("CONSTRUCT", "DESCRIBE") else TABLE_TYPES
        seen = _chosen(request, offers, GRAPH_NAMES if offers is GRAPH_TYPES else FORMAT_NAMES)
        if len(graph.negotiated) > 10_000:
            graph.negotiated.clear()
        graph.negotiated[query, accept, wanted] = seen
    media, format = seen
    try:
        answer = await graph.answer(
            ("sparql", query, format), answers.sparql, query, format, graph.row_cap
        )
    except HttpError as error:
        if format != "html":
            raise
        body = answers._render("results.html", query=query, error=error.message)
        return Response(body, status_code=error.status, media_type="text/html; charset=utf-8")
    return _send(request, graph, media, answer)


async def query_list(request: Request, graph: Served) -> Response:
    from l2graph.queries import list_queries

    offers = {"application/json": "json", "text/csv": "csv", "text/html": "html"}
    media, format = _chosen(request, offers, {"json": "json", "csv": "csv", "html": "html"})
    if format == "html":
        answer = await graph.answer(("queries",), answers.queries_page, str(graph.project.home))
        return _send(request, graph, media, answer)
    queries = await anyio.to_thread.run_sync(list_queries, graph.project.home)
    rows = [
        {
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "url": f"/queries/{q.name}",
            "parameters": [p._asdict() for p in q.parameters],
            "example": q.example,
        }
        for q in queries
    ]
    if format == "json":
        return Response(json.dumps(rows, indent=1).encode(), media_type="application/json")
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "summary", "url", "parameters"])
    for row in rows:
        names = " ".join(p["name"] for p in row["parameters"])
        writer.writerow([row["name"], row["summary"], row["url"], names])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


async def stored(request: Request, graph: Served) -> Response:
    name = request.path_params["name"]
    params = {k: v for k, v in request.query_params.items() if k != "format"}
    offers = {"application/sparql-results+json": "json", "application/json": "json"}
    offers |= {"text/csv": "csv", "text/tab-separated-values": "tsv", "text/html": "html"}
    offers |= {"application/sparql-results+xml": "xml"}
    media, format = _chosen(request, offers, FORMAT_NAMES)
    key = ("stored", name, tuple(sorted(params.items())), format)
    answer = await graph.answer(
        key, answers.stored_query, str(graph.project.home), name, params, format, graph.row_cap
    )
    return _send(request, graph, media, answer)


async def entity(request: Request, graph: Served) -> Response:
    return await _entity(request, graph, "/id/", ID, request.path_params["slug"])


async def term(request: Request, graph: Served) -> Response:
    return await _entity(request, graph, "/ontology/", L2, request.path_params["name"])


async def _entity(request: Request, graph: Served, base: str, namespace: str, slug: str):
    """An entity's document (``slug.ext``), or a redirect to it: ``303 See Other`` from the
    entity's IRI to the document ``Accept`` asks for, ``301`` from another spelling (a label)
    to the canonical one."""
    name, dot, extension = slug.rpartition(".")
    if dot and extension in EXTENSIONS.values():
        format = next(f for f, e in EXTENSIONS.items() if e == extension)
        media = next(m for m, f in GRAPH_TYPES.items() if f == format)
    else:
        name, extension = slug, None
        media, format = _chosen(request, GRAPH_TYPES, GRAPH_NAMES)
    key = ("entity", namespace, name, format)
    answer = await graph.answer(key, answers.entity, namespace, name, format)
    canonical = answer[2]
    if extension is None or canonical != name:
        target = f"{base}{quote(canonical)}.{EXTENSIONS[format]}"
        status = 303 if extension is None else 301
        return RedirectResponse(target, status_code=status, headers={"Vary": "Accept"})
    return _send(request, graph, media, answer)


async def article(request: Request, graph: Served) -> Response:
    slug = request.path_params["slug"]
    answer = await graph.answer(
        ("article", slug), answers.article_page, str(graph.project.home), slug
    )
    return _send(request, graph, "text/html", answer)


async def index(request: Request, graph: Served) -> Response:
    answer = await graph.answer(("home",), answers.home_page, str(graph.project.home))
    return _send(request, graph, "text/html", answer)


async def not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    message = "no such page" if status == 404 else str(getattr(exc, "detail", exc))
    return _error(request, HttpError(status, message))


def create_app(
    home: Path | str | None = None,
    *,
    workers: int = 2,
    timeout: float = 10.0,
    row_cap: int = 10_000,
    watch_seconds: float = 0.5,
) -> Starlette:
    """The ASGI application over the project at ``home`` (building it first if needed).

    Args:
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        workers: worker processes running queries and rendering pages.
        timeout: seconds a query may run before its worker is stopped.
        row_cap: the most rows (or triples) an answer carries; ``L2graph-Truncated: true``
            says when there were more.
        watch_seconds: how often to look for edited inputs (and rebuild).

    Raises:
        ValidationFailed: the sources do not conform.
    """
    import contextlib

    graph = Served(
        Project.locate(home),
        workers=workers,
        timeout=timeout,
        row_cap=row_cap,
        watch_seconds=watch_seconds,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        watcher = asyncio.create_task(graph.watch())
        try:
            yield
        finally:
            watcher.cancel()
            graph.pool.close()

    routes = [
        Route("/", _handled(index)),
        Route("/queries", _handled(query_list)),
        Route("/queries/{name}", _handled(stored)),
        Route("/id/{slug:path}", _handled(entity)),
        Route("/ontology/{name}", _handled(term)),
        Route("/articles/{slug}", _handled(article)),
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found}
    )
    app.state.graph = graph
    return _Endpoint(app, graph)


class _Endpoint:
    """The application: ``/sparql``, the hot path, is answered directly; every other path
    goes through Starlette's routing and middleware (about half a cached answer's cost)."""

    def __init__(self, app: Starlette, graph: Served) -> None:
        self.app, self.graph, self.state = app, graph, app.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql":
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        try:
            if request.method not in ("GET", "POST"):
                raise HttpError(405, "the SPARQL endpoint takes GET and POST")
            response = await sparql(request, self.graph)
        except HttpError as error:
            response = _error(request, error)
        except Exception:  # a bug: logged with its traceback, one line to the client
            import traceback

            traceback.print_exc()
            response = PlainTextResponse("internal error\n", status_code=500)
        await response(scope, receive, send)
