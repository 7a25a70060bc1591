"""``l2graph serve``: the graph over HTTP, a third face of the core.

- ``/sparql``: the SPARQL 1.1 Protocol (GET, form POST, ``application/sparql-query``), read-only;
- ``/queries`` and ``/queries/{name}``: the stored queries as named endpoints;
- ``/id/{slug}``: Linked Data, by the 303 convention: the IRI names the thing, and a request
  for it is sent on (``303 See Other``) to a document about it, ``/id/{slug}.html``, ``.ttl``,
  ``.jsonld`` or ``.nt``, chosen by ``Accept``; ``/ontology/{Term}`` likewise for the terms;
- ``/articles/{slug}``: an article's text with every quoted span linked to its claims;
- ``/``: what the graph is, its classes, its queries and a query form.

This module does HTTP only: content negotiation, caching and errors. Every answer is computed
in a worker process (:mod:`l2graph.workers`) by :mod:`l2graph.web.answers`, so a runaway
query is stopped by killing its worker while the others go on answering.

Answers never change between builds, so each is kept in memory, keyed by the build's
fingerprint, the request and the media type, and sent with an ``ETag`` (``If-None-Match``
gets a 304). A new build (made by ``l2graph build``, any other command, or this server when it
sees an input change) empties the cache: nothing is served from an old graph.

Limits that hold against an abusive client: a request body is read up to ``max_body`` bytes
and no further (413); what is kept per request is keyed by a digest, never by the query text,
and bounded in bytes; a request's deadline runs from its arrival, so the wait for a worker
counts, and a request that gets none in time is told the server is busy (503, ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import math
import os
import re
import sys
from pathlib import Path
from urllib.parse import quote

import anyio
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from l2graph import records
from l2graph.answer_cache import AnswerCache
from l2graph.cache import live_build, verified
from l2graph.engine import query_form
from l2graph.errors import L2GraphError, QueryTimeoutError
from l2graph.project import ID, L2, Project
from l2graph.web import answers
from l2graph.workers import PoolBusy, WorkerCrashed, WorkerPool

#: The largest request body read, in bytes (``l2graph serve --max-body``): a 4 MiB query text
#: fits as ``application/sparql-query``, and in a form while its escapes add under 1 MiB.
MAX_BODY = 5 * 1024 * 1024
#: The largest request head (request line and headers) read, in bytes: a long GET query fits.
MAX_HEAD = 256 * 1024
#: What the answers kept in memory may hold, in bytes (bodies, and about 300 bytes each).
CACHE_BYTES = 32 * 1024 * 1024
#: What the kept choices of content negotiation may hold, in bytes (about 200 each).
NEGOTIATED_BYTES = 2 * 1024 * 1024

#: Media types offered for each kind of answer, in order of preference (the first is the
#: default when ``Accept`` is absent or ``*/*``), with the result format that writes them.
TABLE_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/html": "html",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "text/html": "html",
}
#: A SPARQL query's graph answers: the documents' types, and the triples as a dataset's
#: default graph (N-Quads, TriG).
SPARQL_GRAPH_TYPES = dict(GRAPH_TYPES)
SPARQL_GRAPH_TYPES |= {"application/n-quads": "nq", "application/trig": "trig"}
SPARQL_GRAPH_TYPES |= {"application/xml": "xml", "text/html": SPARQL_GRAPH_TYPES.pop("text/html")}
# ``format=`` (as Virtuoso and Fuseki accept) and the document extensions of /id/
FORMAT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "html": "html"}
GRAPH_NAMES = {"turtle": "turtle", "ttl": "turtle", "jsonld": "json-ld", "json-ld": "json-ld"}
GRAPH_NAMES |= {"nt": "nt", "rdf": "xml", "xml": "xml", "html": "html"}
#: What else SPARQL clients send as ``format=``, ``output=`` or ``results=``: SPARQLWrapper
#: sends its return format's name (``n3``, ``rdf+xml``, ``json`` for a CONSTRUCT …), then
#: for some its media types as a comma list.
SPARQL_GRAPH_NAMES = GRAPH_NAMES | {"n3": "turtle", "rdf+xml": "xml", "json": "json-ld"}
SPARQL_GRAPH_NAMES |= {"ntriples": "nt", "n-triples": "nt", "nq": "nq", "nquads": "nq"}
SPARQL_GRAPH_NAMES |= {"n-quads": "nq", "trig": "trig", "text/n3": "turtle"}
SPARQL_GRAPH_NAMES |= {"text/rdf+n3": "turtle", "application/turtle": "turtle"}
SPARQL_GRAPH_NAMES |= {"application/x-turtle": "turtle", "application/n3": "turtle"}
#: The parameters that name a format, after the servers that read them (Virtuoso, Fuseki,
#: Joseki): SPARQLWrapper sends all three, some twice. They are hints: a value understood for
#: the answer at hand wins over ``Accept``, any other is ignored.
FORMAT_HINTS = ("format", "output", "results")
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


# What to ask this server, for an error whose ``needs`` says what would put it right: the
# core's messages say what is wrong (a worker's error keeps its class name and attributes)
_TO_ASK = {"queries": " (/queries lists them)"}


class HttpError(Exception):
    """An answer that is an error: status, one-line message, suggested links, headers."""

    def __init__(
        self,
        status: int,
        message: str,
        suggestions: list | None = None,
        headers: dict[str, str] | None = None,
        excerpt: tuple[str, int] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.suggestions = status, message, suggestions or []
        self.headers = headers or {}
        self.excerpt = excerpt  # a syntax error's line of the query, and its column


def _digest(*parts: object) -> bytes:
    """A 16-byte stand-in for a request's key: a 4 MB query text is hashed, not kept (a
    digest per kept item; 128 bits make a collision beyond a client's reach)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = (part if isinstance(part, str) else repr(part)).encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


class Served:
    """The server's view of the project: the live build, the kept answers, the workers."""

    def __init__(
        self,
        project: Project,
        *,
        workers: int,
        timeout: float,
        row_cap: int,
        max_body: int = MAX_BODY,
        cache_bytes: int = CACHE_BYTES,
        watch_seconds: float = 0.5,
    ) -> None:
        self.project, self.timeout, self.row_cap = project, timeout, row_cap
        self.max_body, self.watch_seconds = max_body, watch_seconds
        self.answers = AnswerCache(memory_bytes=cache_bytes)
        #: digest of (query, Accept, format=) → (media type, format): what negotiation chose
        self.negotiated = AnswerCache(memory_bytes=NEGOTIATED_BYTES)
        self.build = live_build(project)
        self._current = project.cache_dir / records.CURRENT_RECORD
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
            current = records.read_record(str(self._current))
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

    async def answer(self, key: tuple, function, *args, arrived: float | None = None) -> tuple:
        """``(body, truncated, location, tag)`` for ``key``: kept, else computed by a worker
        (``function(project, build, *args)``) and kept; ``tag`` is the answer's part of its ETags.
        The time limit runs from ``arrived`` (the request's arrival, on the event loop's
        clock), so the wait for a free worker counts.
        """
        build = self.live()
        asked = repr(key)  # a query's text is in it as its digest
        kept = self.answers.get(str(build), asked, "http")
        if kept is not None:
            return kept
        try:
            body, truncated, location = await self.pool.run(
                function, (self.project, str(build), *args), self.timeout, started=arrived
            )
        except PoolBusy:
            raise HttpError(
                503,
                f"the server is busy: no worker was free within the {self.timeout:g} s time "
                "limit; try again later",
                headers={"Retry-After": str(math.ceil(self.timeout))},
            ) from None
        except QueryTimeoutError as exc:
            raise HttpError(503, f"the query was {exc} (l2graph serve --timeout)") from None
        except WorkerCrashed as exc:
            raise HttpError(500, str(exc)) from None
        except L2GraphError as failure:
            suggestions = [
                {"text": s, "href": "/id/" + quote(s, safe="")}
                for s in getattr(failure, "suggestions", None) or []
            ]
            line = getattr(failure, "source_line", None)
            excerpt = (line, failure.column) if line else None
            status = _STATUS.get(type(failure).__name__, 500)
            message = str(failure) + _TO_ASK.get(getattr(failure, "needs", None), "")
            raise HttpError(status, message, suggestions, excerpt=excerpt) from None
        tag = hashlib.blake2b(f"{build.name}\0{asked}".encode(), digest_size=12).hexdigest()
        value = (body, truncated, location, tag)
        if self.live() == build:  # not kept if a new build went live meanwhile
            self.answers.put(str(build), asked, "http", value, len(body) + 300)
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


def _chosen(
    request: Request,
    offers: dict[str, str],
    names: dict[str, str],
    pairs: list[tuple[str, str]] | None = None,
) -> tuple[str, str]:
    """The offered ``(media type, format)`` that ``format=``, ``output=`` or ``results=``
    names (:func:`_hinted`, in ``pairs``: the URL's parameters by default), else the one
    ``Accept`` rates highest."""
    format = _hinted(_url_pairs(request) if pairs is None else pairs, offers, names)
    if format is None:
        return negotiate(request.headers.get("accept"), offers)
    return next(m for m, f in offers.items() if f == format), format


def _hinted(pairs: list[tuple[str, str]], offers: dict[str, str], names: dict[str, str]):
    """The format that :data:`FORMAT_HINTS` name among ``pairs``, if one is understood for
    ``offers``: each value is a short name (``names``) or an offered media type, or a comma
    list of them, where the first understood counts; values understood for no offer are
    ignored, so ``Accept`` decides (a client that sends ``format=json`` for a graph, or
    ``format=`` for every server it meets, still gets an answer).

    Raises:
        HttpError: 400, when two of the values understood name different formats.
    """
    found = []
    for name, value in pairs:
        if name not in FORMAT_HINTS:
            continue
        for part in value.split(","):
            key = part.split(";")[0].strip().lower()
            format = names.get(key) or offers.get(key)
            if format is not None and format in offers.values():
                found.append((name, format))
                break
    formats = list(dict.fromkeys(format for _, format in found))
    if len(formats) < 2:
        return formats[0] if formats else None
    shown = ", ".join(formats)
    parameters = list(dict.fromkeys(name for name, _ in found))
    if len(parameters) == 1:
        times = sum(1 for name, _ in pairs if name == parameters[0])
        raise HttpError(
            400,
            f"the parameter {parameters[0]}= is given {times} times, for different formats "
            f"({shown}): give one",
        )
    asked = " and ".join(f"{name}=" for name in parameters)
    raise HttpError(400, f"{asked} ask for different formats ({shown}): ask for one")


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept


# --------------------------------------------------------------- parameters and bodies


def _pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    """The ``name=value`` pairs of a query string or a form body, decoded as UTF-8 strictly:
    a ``%FF`` is refused as such, not turned into U+FFFD and reported as a syntax error.

    Raises:
        HttpError: 400, naming ``where``, for bytes that are not UTF-8.
    """
    from urllib.parse import unquote_to_bytes

    pairs = []
    for field in raw.split(b"&"):
        if not field:
            continue
        name, _, value = field.replace(b"+", b" ").partition(b"=")
        try:
            pairs.append(
                (unquote_to_bytes(name).decode("utf-8"), unquote_to_bytes(value).decode("utf-8"))
            )
        except UnicodeDecodeError:
            raise HttpError(400, f"{where} is not valid UTF-8") from None
    return pairs


def _url_params(request: Request) -> dict[str, str]:
    """The URL's parameters, parsed once per request; a parameter given twice is refused
    rather than one of its values silently chosen.

    Raises:
        HttpError: 400, for bytes that are not UTF-8 or a repeated parameter.
    """
    params = request.scope.get("l2graph.params")
    if params is None:
        pairs = _url_pairs(request)
        params = dict(pairs)
        if len(params) < len(pairs):
            _repeated(pairs)
        request.scope["l2graph.params"] = params
    return params


def _url_pairs(request: Request) -> list[tuple[str, str]]:
    """The URL's parameters as given, repeats included (parsed once per request)."""
    pairs = request.scope.get("l2graph.pairs")
    if pairs is None:
        pairs = request.scope["l2graph.pairs"] = _pairs(
            request.scope["query_string"], "the URL's query string"
        )
    return pairs


#: Parameters that may be given more than once: the protocol's dataset, whose graphs are
#: merged, and the format hints, which SPARQLWrapper repeats (see :func:`_hinted`).
_REPEATABLE = frozenset(("default-graph-uri", "named-graph-uri", *FORMAT_HINTS))


def _repeated(pairs: list[tuple[str, str]]) -> None:
    """Refuse the first parameter given more than once (but for :data:`_REPEATABLE`)."""
    seen = set()
    for name, _ in pairs:
        if name in seen and name not in _REPEATABLE:
            times = sum(1 for n, _ in pairs if n == name)
            raise HttpError(400, f"the parameter {name}= is given {times} times: give it once")
        seen.add(name)


async def _body(request: Request, limit: int, timeout: float) -> bytes:
    """The request's body, read no further than ``limit`` bytes: refused at once from a
    ``Content-Length`` over it, and while a chunked body streams in, before it is held whole.
    The body must arrive within the request's time limit (a client dripping it gets 408).

    Raises:
        HttpError: 413 past ``limit``; 400 for a ``Content-Length`` that is not a number of
            bytes or that the body overruns; 408 when the body does not arrive in time.
    """
    too_big = HttpError(
        413,
        f"the request body is larger than this server's limit of {limit:,} bytes "
        "(l2graph serve --max-body)",
    )
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise HttpError(400, f"Content-Length must be a number of bytes, not {declared[:40]!r}")
        if len(declared) > 18 or int(declared) > limit:  # int() refuses 4,300 digits and more
            raise too_big
    chunks, size = [], 0
    deadline = _arrival(request) + timeout
    try:
        async with asyncio.timeout_at(deadline):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_big
                if declared is not None and size > int(declared):
                    raise HttpError(400, "the request body is longer than its Content-Length")
                chunks.append(chunk)
    except TimeoutError:
        raise HttpError(
            408, f"the request body did not arrive within the {timeout:g} s time limit"
        ) from None
    except ClientDisconnect:
        raise HttpError(400, "the client closed the connection before its body was sent") from None
    request.scope["l2graph.body_read"] = True
    return b"".join(chunks)


def _arrival(request: Request) -> float:
    """When the request arrived, on the event loop's clock (set by :class:`_Endpoint`)."""
    arrived = request.scope.get("l2graph.arrived")
    return asyncio.get_running_loop().time() if arrived is None else arrived


# --------------------------------------------------------------------------- responses


def _send(request: Request, graph: Served, media: str, answer: tuple) -> Response:
    body, truncated, _, tag = answer
    # a strong ETag names one representation: JSON and SPARQL JSON share a body, not a tag
    etag = f'"{tag}-{_media_tag(media)}"'
    headers = {"ETag": etag, "Cache-Control": "public, no-cache", "Vary": "Accept"}
    headers["L2graph-Row-Cap"] = str(graph.row_cap)
    if truncated:
        headers["L2graph-Truncated"] = "true"
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    text = media.startswith("text/") or media.endswith(_TEXT_ENDINGS)
    media_type = f"{media}; charset=utf-8" if text else media
    return Response(body, media_type=media_type, headers=headers)


#: Media types, beside ``text/…``, whose answers are text, sent with ``charset=utf-8``.
_TEXT_ENDINGS = ("json", "/xml", "+xml", "n-triples", "n-quads", "trig")
_MEDIA_TAGS: dict[str, str] = {}


def _media_tag(media: str) -> str:
    """A short, stable tag for a media type (the offered types only, so the dict stays small)."""
    tag = _MEDIA_TAGS.get(media)
    if tag is None:
        tag = _MEDIA_TAGS[media] = hashlib.blake2b(media.encode(), digest_size=4).hexdigest()
    return tag


def _matches(condition: str | None, etag: str) -> bool:
    if not condition:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in condition.split(",")]
    return "*" in tags or etag in tags


def _underlined(line: str, column: int) -> str:
    """A query's line with a caret under ``column`` (tabs kept, so the caret lines up)."""
    under = "".join("\t" if c == "\t" else " " for c in line[: max(column - 1, 0)])
    return f"{line}\n{under}^"


def _error(request: Request, error: HttpError) -> Response:
    if _wants_html(request):
        body = answers._render(
            "error.html",
            status=error.status,
            reason=_REASONS.get(error.status, ""),
            message=error.message,
            suggestions=error.suggestions,
            excerpt=_underlined(*error.excerpt) if error.excerpt else None,
        )
        return Response(
            body,
            status_code=error.status,
            media_type="text/html; charset=utf-8",
            headers=error.headers,
        )
    hint = ""
    if error.suggestions:
        hint = "; did you mean " + ", ".join(s["href"] for s in error.suggestions) + "?"
    return PlainTextResponse(
        _visible(error.message + hint) + "\n", status_code=error.status, headers=error.headers
    )


def _visible(message: str) -> str:
    """``message`` with its control characters written as escapes: a name from the URL
    (``/id/%1B[2J``) is echoed in a message that may be read on a terminal, and stays one line."""
    return "".join(f"\\x{ord(c):02x}" if c < " " or "\x7f" <= c <= "\x9f" else c for c in message)


_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    413: "Content Too Large",
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


_UPDATES = ("update", "using-graph-uri", "using-named-graph-uri")


def _refuse_updates(names) -> None:
    if any(name in names for name in _UPDATES):
        raise HttpError(403, "updates are not allowed: this endpoint is read-only")


async def _sparql_request(request: Request, graph: Served) -> tuple[str | None, list]:
    """The query of a SPARQL 1.1 Protocol request (``None``: there is none) and the request's
    parameters: the URL's, and a form's. Updates are refused first (403 however they are
    spelt), then a repeated parameter (400): a query is never chosen among several."""
    pairs = _url_pairs(request)
    _refuse_updates({name for name, _ in pairs})
    params = _url_params(request)
    if request.method in ("GET", "HEAD"):
        return params.get("query"), pairs
    media, _, rest = request.headers.get("content-type", "").partition(";")
    media = media.strip().lower()
    if media == "application/sparql-update":
        raise HttpError(403, "updates are not allowed: this endpoint is read-only")
    if media == "application/sparql-query":
        if "query" in params:
            raise HttpError(400, "the query is given twice: in the body and as query= in the URL")
        charset = _charset(rest)
        if charset not in (None, "utf-8", "utf8"):
            raise HttpError(400, f"the query must be sent as UTF-8, not as charset={charset}")
        body = await _body(request, graph.max_body, graph.timeout)
        try:
            return body.decode("utf-8"), pairs
        except UnicodeDecodeError:
            raise HttpError(400, "the query is not valid UTF-8") from None
    if media == "application/x-www-form-urlencoded":
        form = _pairs(await _body(request, graph.max_body, graph.timeout), "the form")
        _refuse_updates({name for name, _ in form})
        if "query" in params and any(name == "query" for name, _ in form):
            raise HttpError(
                400, "the parameter query= is given twice: in the URL and in the form; give it once"
            )
        _repeated(form)
        return dict(form).get("query", params.get("query")), pairs + form
    raise HttpError(
        415,
        "send the query as application/sparql-query or application/x-www-form-urlencoded",
    )


def _charset(parameters: str) -> str | None:
    """The ``charset`` among a ``Content-Type``'s parameters (after the ``;``), in lower case."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


#: A ``Host`` that can stand in an IRI: a name or an IPv4 address, or an IPv6 one in
#: brackets, and a port.
_HOST = re.compile(r"(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?\Z")


def _endpoint(request: Request) -> str:
    """The endpoint's URL, as the client named the server (``Host``), else the address it
    listens on: the base IRI of its queries (so ``<s>`` in a query is ``<…/s>``, as at
    Oxigraph's endpoint) and the ``sd:endpoint`` of its service description. ``/sparql/``
    is the same endpoint."""
    scheme = "https" if request.scope.get("scheme") == "https" else "http"
    host = request.headers.get("host", "")
    if not _HOST.match(host):
        name, port = request.scope.get("server") or ("localhost", None)
        host = (f"[{name}]" if ":" in name else name) + (f":{port}" if port else "")
        host = host if _HOST.match(host) else "localhost"
    return f"{scheme}://{host}/sparql"


def _query_form_page(query: str = "SELECT * WHERE { ?s ?p ?o } LIMIT 10") -> Response:
    body = answers._render("results.html", query=query, error="", excerpt=None)
    return Response(body, media_type="text/html; charset=utf-8")


async def sparql(request: Request, graph: Served) -> Response:
    query, pairs = await _sparql_request(request, graph)
    if query is None:
        return await _without_query(request, graph, pairs)
    # a repeated request is answered before its query is even parsed
    hints = tuple(pair for pair in pairs if pair[0] in FORMAT_HINTS)
    text = _digest(query)  # kept in place of the text, which may be megabytes
    choice = _digest(text, request.headers.get("accept"), hints)
    seen = graph.negotiated.get("", repr(choice), "negotiated")
    if seen is None:
        if query_form(query) in ("CONSTRUCT", "DESCRIBE"):
            seen = _chosen(request, SPARQL_GRAPH_TYPES, SPARQL_GRAPH_NAMES, pairs)
        else:
            seen = _chosen(request, TABLE_TYPES, FORMAT_NAMES, pairs)
        graph.negotiated.put("", repr(choice), "negotiated", seen, 200)
    media, format = seen
    base = _endpoint(request)
    default = tuple(value for name, value in pairs if name == "default-graph-uri")
    named = tuple(value for name, value in pairs if name == "named-graph-uri")
    try:
        answer = await graph.answer(
            ("sparql", text, format, base, default, named),
            answers.sparql,
            query,
            format,
            graph.row_cap,
            base,
            default,
            named,
            arrived=_arrival(request),
        )
    except HttpError as error:
        if format != "html":
            raise
        excerpt = _underlined(*error.excerpt) if error.excerpt else None
        body = answers._render("results.html", query=query, error=error.message, excerpt=excerpt)
        return Response(
            body,
            status_code=error.status,
            media_type="text/html; charset=utf-8",
            headers=error.headers,  # a busy server's Retry-After
        )
    return _send(request, graph, media, answer)


async def _without_query(request: Request, graph: Served, pairs: list) -> Response:
    """A request with no query: ``GET`` is answered with the endpoint's service description
    (SPARQL 1.1 Service Description, in the RDF format negotiated), or the query form for a
    browser; a ``POST`` without a query is a 400 (the form again for a browser)."""
    if request.method == "POST":
        if _wants_html(request):
            return _query_form_page()
        raise HttpError(400, "no query: send query=… (SPARQL 1.1 Protocol)")
    media, format = _chosen(request, SPARQL_GRAPH_TYPES, SPARQL_GRAPH_NAMES, pairs)
    if format == "html":
        return _query_form_page()
    endpoint = _endpoint(request)
    answer = await graph.answer(
        ("service", endpoint, format),
        answers.service_description,
        endpoint,
        format,
        arrived=_arrival(request),
    )
    return _send(request, graph, media, answer)


async def query_list(request: Request, graph: Served) -> Response:
    from l2graph.queries import list_queries

    offers = {"application/json": "json", "text/csv": "csv", "text/html": "html"}
    media, format = _chosen(request, offers, {"json": "json", "csv": "csv", "html": "html"})
    if format == "html":
        answer = await graph.answer(("queries",), answers.queries_page, arrived=_arrival(request))
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
    params = {k: v for k, v in _url_params(request).items() if k not in FORMAT_HINTS}
    offers = {"application/sparql-results+json": "json", "application/json": "json"}
    offers |= {"text/csv": "csv", "text/tab-separated-values": "tsv", "text/html": "html"}
    offers |= {"application/sparql-results+xml": "xml"}
    media, format = _chosen(request, offers, FORMAT_NAMES)
    key = ("stored", name, tuple(sorted(params.items())), format)
    answer = await graph.answer(
        key,
        answers.stored_query,
        name,
        params,
        format,
        graph.row_cap,
        arrived=_arrival(request),
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
    answer = await graph.answer(
        key, answers.entity, namespace, name, format, arrived=_arrival(request)
    )
    canonical = answer[2]
    if extension is None or canonical != name:
        target = f"{base}{quote(canonical)}.{EXTENSIONS[format]}"
        status = 303 if extension is None else 301
        return RedirectResponse(target, status_code=status, headers={"Vary": "Accept"})
    return _send(request, graph, media, answer)


async def article(request: Request, graph: Served) -> Response:
    slug = request.path_params["slug"]
    answer = await graph.answer(
        ("article", slug),
        answers.article_page,
        slug,
        arrived=_arrival(request),
    )
    return _send(request, graph, "text/html", answer)


async def index(request: Request, graph: Served) -> Response:
    answer = await graph.answer(("home",), answers.home_page, arrived=_arrival(request))
    return _send(request, graph, "text/html", answer)


async def not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    message = "no such page" if status == 404 else str(getattr(exc, "detail", exc))
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 405:  # every page but /sparql is read by GET (RFC 9110: a 405 says Allow)
        allowed = {method.strip() for method in headers.get("Allow", "GET, HEAD").split(",")}
        headers["Allow"] = ", ".join(m for m in ("GET", "HEAD", "POST") if m in allowed)
    return _error(request, HttpError(status, message, headers=headers))


def create_app(
    home: Path | str | None = None,
    *,
    workers: int = 2,
    timeout: float = 10.0,
    row_cap: int = 10_000,
    max_body: int = MAX_BODY,
    watch_seconds: float = 0.5,
    cors: bool = False,
) -> _Endpoint:
    """The ASGI application over the project at ``home`` (building it first if needed):
    ``/sparql`` answered directly, every other path by a Starlette application behind it.

    Args:
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        workers: worker processes running queries and rendering pages.
        timeout: seconds a query may run before its worker is stopped.
        row_cap: the most rows (or triples) an answer carries; ``L2graph-Truncated: true``
            says when there were more.
        max_body: the largest request body read, in bytes (a larger one gets a 413).
        watch_seconds: how often to look for edited inputs (and rebuild).
        cors: let pages from any origin read the answers (``Access-Control-Allow-Origin: *``,
            no credentials) and answer their preflight ``OPTIONS``; off by default.

    Raises:
        ValidationFailed: the sources do not conform.
    """
    import contextlib

    graph = Served(
        Project.locate(home),
        workers=workers,
        timeout=timeout,
        row_cap=row_cap,
        max_body=max_body,
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
    return _Endpoint(app, graph, cors=cors)


class _Endpoint:
    """The application: ``/sparql`` (and ``/sparql/``), the hot path, is answered directly;
    every other path goes through Starlette's routing and middleware (about half a cached
    answer's cost). With ``cors``, every answer may be read by a page from any origin, and a
    preflight ``OPTIONS`` is answered for reading (GET, HEAD, POST)."""

    def __init__(self, app: Starlette, graph: Served, *, cors: bool = False) -> None:
        self.app, self.graph, self.state, self.cors = app, graph, app.state, cors

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        # the deadline runs from here: waiting for a worker counts
        scope["l2graph.arrived"] = asyncio.get_running_loop().time()
        if self.cors:
            if scope["method"] == "OPTIONS":
                return await _PREFLIGHT(scope, receive, send)
            send = _readable_elsewhere(send)
        if scope["path"] not in ("/sparql", "/sparql/"):
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        try:
            if request.method not in ("GET", "HEAD", "POST"):
                raise HttpError(
                    405, "the SPARQL endpoint takes GET, HEAD and POST", headers={"Allow": _ALLOW}
                )
            response = await sparql(request, self.graph)
        except HttpError as error:
            response = _error(request, error)
        except Exception:  # a bug: logged with its traceback, one line to the client
            import traceback

            traceback.print_exc()
            response = PlainTextResponse("internal error\n", status_code=500)
        if request.method == "POST" and not scope.get("l2graph.body_read"):
            # refused before its body was read: the rest is never read, so the connection ends
            response.headers["Connection"] = "close"
        await response(scope, receive, send)


_ALLOW = "GET, HEAD, POST"
#: What ``--cors`` adds to every answer: any origin may read it, without credentials (no
#: ``Access-Control-Allow-Credentials``, so a browser sends no cookies and reads nothing
#: an anonymous client could not), and the headers that say about a cut or a busy server.
_CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, Retry-After, L2graph-Row-Cap, L2graph-Truncated"),
]
#: The answer to a preflight ``OPTIONS`` under ``--cors``: reading only, with the request
#: headers a SPARQL client sets (a direct POST's ``Content-Type``, ``Accept``, a revalidation).
_PREFLIGHT = Response(
    status_code=204,
    headers={
        "Allow": _ALLOW,
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": _ALLOW,
        "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match",
        "Access-Control-Max-Age": "86400",
    },
)


def _readable_elsewhere(send):
    """``send``, adding :data:`_CORS` to the answer's headers."""

    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *_CORS]}
        await send(message)

    return sending


def http_options() -> dict:
    """uvicorn's HTTP options, with the request head bounded by :data:`MAX_HEAD` (a larger one
    gets a 431 and the connection is closed). uvicorn's httptools protocol buffers a URL or a
    header of any size, by repeated concatenation (a 200 MB header took the server to 456 MB
    and a minute of CPU), so its bytes are counted as they arrive; without httptools, h11
    has the bound built in."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return {"http": "h11", "h11_max_incomplete_event_size": MAX_HEAD}
    return {"http": _bounded_head(HttpToolsProtocol)}


@functools.cache
def _bounded_head(base: type) -> type:
    class BoundedHead(base):
        """uvicorn's httptools protocol, refusing a request head of more than MAX_HEAD bytes."""

        _in_head, _head_bytes = False, 0

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head, self._head_bytes = True, 0

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if not self._in_head or self.transport.is_closing():
                return
            self._head_bytes += len(data)  # what the parser holds of a head not yet complete
            if self._head_bytes > MAX_HEAD:
                message = (
                    "the request line and headers are larger than this server's limit of "
                    f"{MAX_HEAD:,} bytes\n"
                ).encode()
                self.transport.write(
                    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                    b"content-type: text/plain; charset=utf-8\r\n"
                    b"content-length: %d\r\nconnection: close\r\n\r\n" % len(message) + message
                )
                self.transport.close()

    return BoundedHead
