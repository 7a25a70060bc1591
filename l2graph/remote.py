"""Remote triplestores: SPARQL 1.1 Protocol queries and Graph Store Protocol uploads.

Only the standard library speaks HTTP here, and only to the URL the caller gives: redirects
are not followed and proxy settings from the environment are ignored, so a push or a query
never reaches another host. Answers are parsed into pyoxigraph result objects, so remote
results render exactly like local ones (see :mod:`l2graph.results`).

Credentials come from the ``auth`` argument, a ``user:password@`` in the URL, or the
``L2GRAPH_ENDPOINT_USER`` / ``L2GRAPH_ENDPOINT_PASSWORD`` environment variables; they are sent
as HTTP Basic and never appear in messages.
"""

from __future__ import annotations

import base64
import contextlib
import http
import http.client
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from l2graph.errors import EndpointError, InputError

__all__ = ["count_triples", "push", "query", "query_endpoint_for", "redact"]

Auth = tuple[str, str]
Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: SPARQL results in JSON for SELECT/ASK, N-Triples for CONSTRUCT/DESCRIBE; the XML and Turtle
#: fallbacks serve stores that offer neither.
TABLE_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5"
USER_VARIABLE = "L2GRAPH_ENDPOINT_USER"
PASSWORD_VARIABLE = "L2GRAPH_ENDPOINT_PASSWORD"
_BODY_EXCERPT = 200
# Graph Store endpoint path endings and the query endpoint beside them.
_QUERY_PATHS = (
    (re.compile(r"/store/?$"), "/query"),  # Oxigraph server
    (re.compile(r"/data/?$"), "/sparql"),  # Apache Jena Fuseki
    (re.compile(r"/rdf-graphs/service/?$"), ""),  # GraphDB, RDF4J
    (re.compile(r"/sparql-graph-crud(?:-auth)?/?$"), "/sparql"),  # Virtuoso
)


@dataclass(frozen=True)
class _Target:
    """An endpoint URL without credentials, and the credentials to send."""

    url: str  # without credentials: what is opened, and what messages name
    auth: Auth | None

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.auth[1],) if self.auth and self.auth[1] else ()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Turn a 3xx into an error: following it would contact a URL the user did not give."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _Watched:
    """Keeps the connections a request opens, so that its deadline can close them."""

    def __init__(self, base):
        self.base, self.opened = base, []

    def __call__(self, host, **options):
        connection = self.base(host, **options)
        self.opened.append(connection)
        return connection


class _HTTP(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(req.watched(http.client.HTTPConnection), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req):
        watched = req.watched(http.client.HTTPSConnection)
        return self.do_open(watched, req, context=self._context)


class _Request(urllib.request.Request):
    """A request whose connections are kept (see :class:`_Watched`)."""

    def watched(self, base):
        self.connections = _Watched(base)
        return self.connections


# No environment proxies (the request goes to the URL given, nowhere else), no redirects, and
# connections a deadline can reach.
_OPENER = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _NoRedirect(), _HTTP(), _HTTPS()
)


def redact(url: str) -> str:
    """``url`` without any ``user:password@``, fit to print.

    Args:
        url: an endpoint URL, possibly with credentials.

    Returns:
        The same URL with the user information removed.
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # not a URL urllib can read: drop whatever precedes an "@" in it
        return re.sub(r"(//)[^/@]*@", r"\1", url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


def query_endpoint_for(store_endpoint: str) -> str:
    """The SPARQL query endpoint beside a Graph Store Protocol endpoint.

    Oxigraph's ``…/store`` gives ``…/query``, Fuseki's ``…/DATASET/data`` gives
    ``…/DATASET/sparql``, GraphDB's ``…/repositories/REPO/rdf-graphs/service`` gives
    ``…/repositories/REPO`` and Virtuoso's ``…/sparql-graph-crud`` gives ``…/sparql``; any
    other URL is returned as it is (a store that serves both protocols at one URL).

    Args:
        store_endpoint: the Graph Store Protocol endpoint URL.

    Returns:
        The query endpoint URL.
    """
    parts = urllib.parse.urlsplit(store_endpoint)
    for pattern, replacement in _QUERY_PATHS:
        if pattern.search(parts.path):
            path = pattern.sub(replacement, parts.path)
            return urllib.parse.urlunsplit(parts._replace(path=path))
    return store_endpoint


#: How a query travels: ``get`` (``?query=`` in the URL), ``form`` (a form-encoded POST),
#: ``direct`` (a POST of ``application/sparql-query``), or ``auto``: GET while the URL stays
#: under :data:`MAX_GET_URL` characters, else a form — what every server accepts, as
#: SPARQLWrapper and Jena do (Virtuoso, for one, never answers a direct POST).
QUERY_METHODS = ("auto", "get", "form", "direct")
MAX_GET_URL = 2000


def query(
    endpoint: str,
    query: str,
    *,
    timeout: float = 30.0,
    auth: Auth | None = None,
    method: str = "auto",
) -> Result:
    """Run a SPARQL query on a SPARQL 1.1 Protocol endpoint.

    Args:
        endpoint: the query endpoint URL, e.g. ``http://127.0.0.1:7878/query``.
        query: the query text, sent as it is.
        timeout: seconds the whole request may take.
        auth: ``(user, password)`` for HTTP Basic; defaults to the URL's or the environment's.
        method: one of :data:`QUERY_METHODS`.

    Returns:
        A ``pyoxigraph.QuerySolutions``, ``QueryBoolean`` or ``QueryTriples``, as a local
        query gives.

    Raises:
        InputError: an unknown ``method``.
        EndpointError: the endpoint is unreachable, too slow, fails, or answers unreadably.
    """
    from l2graph.engine import query_form

    if method not in QUERY_METHODS:
        raise InputError(f"query method {method!r}: choose from {', '.join(QUERY_METHODS)}")
    target = _target(endpoint, auth)
    graph = query_form(query) in ("CONSTRUCT", "DESCRIBE")
    headers = {"Accept": GRAPH_ACCEPT if graph else TABLE_ACCEPT}
    encoded = urllib.parse.urlencode({"query": query})
    separator = "&" if urllib.parse.urlsplit(target.url).query else "?"
    as_get = f"{target.url}{separator}{encoded}"
    if method == "auto":
        method = "get" if len(as_get) <= MAX_GET_URL else "form"
    if method == "get":
        request = ("GET", as_get, b"")
    elif method == "form":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = ("POST", target.url, encoded.encode("ascii"))
    else:
        headers["Content-Type"] = "application/sparql-query"
        request = ("POST", target.url, query.encode("utf-8"))
    content_type, body = _request(target, *request, headers, timeout)
    return _parse_answer(target, content_type, body, graph=graph)


def count_triples(
    endpoint: str,
    graph: str | None = None,
    *,
    timeout: float = 30.0,
    auth: Auth | None = None,
) -> int:
    """Count the triples of one graph at a query endpoint.

    Args:
        endpoint: the query endpoint URL.
        graph: a named graph IRI; ``None`` counts the default graph.
        timeout: seconds to wait for the endpoint.
        auth: ``(user, password)`` for HTTP Basic; defaults to the URL's or the environment's.

    Returns:
        The number of triples.

    Raises:
        EndpointError: the endpoint fails or its answer is not a count.
    """
    pattern = f"GRAPH {_graph_term(graph)} {{ ?s ?p ?o }}" if graph is not None else "?s ?p ?o"
    result = query(
        endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", timeout=timeout, auth=auth
    )
    try:
        return int(next(iter(result))["n"].value)  # type: ignore[call-overload]
    except (StopIteration, TypeError, ValueError, KeyError, AttributeError):
        raise EndpointError(
            f"{_target(endpoint, auth).url} did not answer a COUNT query with a number"
        ) from None


def push(
    endpoint: str,
    triples: Iterable[ox.Triple],
    *,
    expected: int,
    graph: str | None = None,
    replace: bool = False,
    query_endpoint: str | None = None,
    chunk_size: int = 50_000,
    auth: Auth | None = None,
    timeout: float = 60.0,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Upload triples with the SPARQL 1.1 Graph Store HTTP Protocol, then count them there.

    The triples go as N-Triples in chunks: the first with PUT when ``replace`` (PUT replaces
    the graph), every other with POST (POST adds to it). Triples linked by a blank node are
    kept in one chunk, since each request is a document of its own and would otherwise split
    one blank node into two.

    Args:
        endpoint: the Graph Store endpoint, e.g. ``http://127.0.0.1:7878/store``.
        triples: the triples to send; give each once (the store would merge duplicates).
        expected: how many triples the graph should hold afterwards: exactly that many with
            ``replace``, at least that many without.
        graph: the named graph IRI to write; ``None`` writes the default graph.
        replace: replace the graph's content instead of adding to it.
        query_endpoint: where to count; derived from ``endpoint`` by default
            (see :func:`query_endpoint_for`).
        chunk_size: triples per request.
        auth: ``(user, password)`` for HTTP Basic; defaults to the URL's or the environment's.
        timeout: seconds to wait for each request.
        progress: called with (triples sent, ``expected``) after each request.

    Returns:
        The number of triples the remote graph holds after the push.

    Raises:
        EndpointError: a request failed, or the remote count contradicts ``expected``.
        InputError: ``graph`` is not an IRI or ``chunk_size`` is not positive.
    """
    if chunk_size < 1:
        raise InputError(f"chunk size {chunk_size}: give at least 1 triple per request")
    target = _target(endpoint, auth)
    graph_term = _graph_term(graph) if graph is not None else None
    store_url = _with_graph(target.url, graph)
    headers = {"Content-Type": "application/n-triples"}
    method = "PUT" if replace else "POST"
    sent = 0
    for chunk in _chunks(triples, chunk_size):
        body = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
        try:
            _request(target, method, store_url, body, headers, timeout)
        except EndpointError as exc:
            if sent:  # the graph now holds part of the data: say so
                message = f"{exc} (after {sent} of {expected} triples were stored)"
                raise EndpointError(message) from None
            raise
        method = "POST"
        sent += len(chunk)
        if progress:
            progress(sent, expected)
    if replace and not sent:  # nothing to send still empties the graph
        _request(target, "PUT", store_url, b"", headers, timeout)

    counted_at = query_endpoint or query_endpoint_for(endpoint)
    remote = count_triples(counted_at, graph, timeout=timeout, auth=auth)
    where = f"graph {graph_term}" if graph_term else "the default graph"
    if replace and remote != expected:
        raise EndpointError(
            f"{_target(counted_at, auth).url} counts {remote} triples in {where} after "
            f"replacing it with {expected}"
        )
    if not replace and remote < expected:
        raise EndpointError(
            f"{_target(counted_at, auth).url} counts {remote} triples in {where} after "
            f"adding {expected}; expected at least {expected}"
        )
    return remote


def _target(url: str, auth: Auth | None) -> _Target:
    """Split credentials off ``url`` and pick the ones to use; refuse non-HTTP URLs."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise InputError(f"{redact(url)}: not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(f"{redact(url)}: give an http:// or https:// endpoint URL")
    if auth is None and parts.username is not None:
        auth = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    if auth is None and os.environ.get(USER_VARIABLE):
        auth = (os.environ[USER_VARIABLE], os.environ.get(PASSWORD_VARIABLE, ""))
    clean = redact(urllib.parse.urlunsplit(parts))
    from l2graph import guard

    guard.allow(clean)  # the one host this command may reach
    return _Target(url=clean, auth=auth)


def _graph_term(graph: str) -> str:
    """``<graph>``, checked to be an absolute IRI."""
    try:
        return str(ox.NamedNode(graph))
    except ValueError:
        raise InputError(f"graph {graph!r}: not an absolute IRI") from None


def _with_graph(url: str, graph: str | None) -> str:
    """The Graph Store URL addressing one graph: ``?graph=<IRI>`` or ``?default``."""
    parts = urllib.parse.urlsplit(url)
    selector = "graph=" + urllib.parse.quote(graph, safe="") if graph is not None else "default"
    joined = f"{parts.query}&{selector}" if parts.query else selector
    return urllib.parse.urlunsplit(parts._replace(query=joined))


def _chunks(triples: Iterable[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Lists of about ``size`` triples; triples sharing blank nodes are never split up.

    Triples without blank nodes stream through; those with blank nodes are held back and
    grouped by the blank nodes that connect them, so a group (such as an RDF list) may make
    its chunk larger than ``size``.
    """
    chunk: list[ox.Triple] = []
    linked: list[tuple[ox.Triple, list[str]]] = []
    for triple in triples:
        nodes = _blank_nodes(triple)
        if nodes:
            linked.append((triple, nodes))
            continue
        chunk.append(triple)
        if len(chunk) >= size:
            yield chunk
            chunk = []

    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for _triple, nodes in linked:
        for node in nodes:
            parent.setdefault(node, node)
        for node in nodes[1:]:
            parent[root(node)] = root(nodes[0])
    groups: dict[str, list[ox.Triple]] = {}
    for triple, nodes in linked:
        groups.setdefault(root(nodes[0]), []).append(triple)
    for group in groups.values():
        chunk.extend(group)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _blank_nodes(triple: ox.Triple) -> list[str]:
    """The blank node ids in a triple, including inside quoted triples."""
    nodes = []
    for term in (triple.subject, triple.object):
        if isinstance(term, ox.BlankNode):
            nodes.append(term.value)
        elif isinstance(term, ox.Triple):
            nodes.extend(_blank_nodes(term))
    return nodes


def _request(
    target: _Target,
    method: str,
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
) -> tuple[str, bytes]:
    """Send one request; returns (Content-Type, body) or raises a one-line EndpointError.

    ``timeout`` bounds the whole request, not each read: at the deadline its connection is
    shut, so a server that drips its answer a byte at a time cannot hold a command."""
    import threading

    request = _Request(url, data=body or None, method=method, headers=headers)
    if target.auth:
        token = base64.b64encode(":".join(target.auth).encode("utf-8")).decode("ascii")
        request.add_unredirected_header("Authorization", f"Basic {token}")
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        for connection in getattr(request, "connections", _Watched(None)).opened:
            if connection.sock is not None:
                with contextlib.suppress(OSError):
                    connection.sock.shutdown(socket.SHUT_RDWR)

    deadline = threading.Timer(timeout, expire)
    deadline.daemon = True
    deadline.start()
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            answer = response.headers.get("Content-Type", ""), response.read()
        if expired.is_set():
            raise TimeoutError
        return answer
    except Exception as exc:
        if expired.is_set():
            raise EndpointError(_describe_failure(target, TimeoutError(), timeout)) from None
        failure = _failure(target, exc, timeout)
        if failure is None:
            raise
        raise failure from None
    finally:
        deadline.cancel()


def _failure(target: _Target, exc: Exception, timeout: float) -> EndpointError | None:
    """The one-line EndpointError for a failed request; ``None`` for other errors."""
    if isinstance(exc, urllib.error.HTTPError):
        return EndpointError(_describe_status(target, exc))
    if isinstance(exc, urllib.error.URLError):
        return EndpointError(_describe_failure(target, exc.reason, timeout))
    if isinstance(exc, OSError | http.client.HTTPException):  # timeouts, resets while reading
        return EndpointError(_describe_failure(target, exc, timeout))
    return None


def _describe_failure(target: _Target, reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"{target.url} did not answer within {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return f"cannot reach {target.url}: connection refused"
    if isinstance(reason, socket.gaierror):
        return f"cannot reach {target.url}: unknown host ({reason.strerror or reason})"
    if isinstance(reason, http.client.RemoteDisconnected | ConnectionResetError):
        return f"{target.url} closed the connection without answering"
    detail = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return _scrub(f"cannot reach {target.url}: {detail}", target)


def _describe_status(target: _Target, exc: urllib.error.HTTPError) -> str:
    """``URL answered 500 Internal Server Error: <first line of the body>``."""
    try:
        phrase = http.HTTPStatus(exc.code).phrase
    except ValueError:
        phrase = exc.reason or ""
    try:
        body = exc.read()
    except (OSError, http.client.HTTPException):
        body = b""
    message = f"{target.url} answered {exc.code} {phrase}".rstrip()
    excerpt = _first_line(body, exc.headers.get("Content-Type", "") if exc.headers else "")
    if excerpt:
        message += f": {excerpt}"
    if 300 <= exc.code < 400:
        message += " (l2graph does not follow redirects: give the final URL)"
    elif exc.code in (401, 403) and target.auth:
        message += " (check the user name and password)"
    elif exc.code in (401, 403):
        message += f" (set {USER_VARIABLE} and {PASSWORD_VARIABLE} if it needs a login)"
    return _scrub(message, target)


def _first_line(body: bytes, content_type: str) -> str:
    """The first non-blank line of an error body, without HTML tags, cut to a short length."""
    text = body.decode("utf-8", errors="replace")
    if "html" in content_type.lower():
        text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]*>", "\n", text)
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = re.sub(r"\s+", " ", line)
    return line if len(line) <= _BODY_EXCERPT else line[: _BODY_EXCERPT - 1] + "…"


def _scrub(message: str, target: _Target) -> str:
    """Remove the password from a message, in case a server echoed it back."""
    for secret in target.secrets:
        message = message.replace(secret, "***")
    return message


def _parse_answer(
    target: _Target, content_type: str, body: bytes, *, graph: bool | None = None
) -> Result:
    """Parse an answer by its Content-Type into the result object a local query gives; with
    ``graph`` told (a CONSTRUCT or DESCRIBE, or not), an answer of the other kind is refused:
    a table is not a graph, and a graph is not a table."""
    media = content_type.split(";", 1)[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
    rdf_format = ox.RdfFormat.from_media_type(media) if media else None
    expected = {True: "RDF (a graph)", False: "SPARQL results (a table)"}.get(graph)
    if (graph is True and results_format is not None) or (graph is False and rdf_format):
        raise EndpointError(f"{target.url} answered {media}, where {expected} was asked for")
    if results_format is not None:
        if results_format == ox.QueryResultsFormat.CSV:  # CSV loses term types
            raise EndpointError(f"{target.url} answered CSV, which cannot be read back")
        try:
            result = ox.parse_query_results(body, format=results_format)
            if isinstance(result, ox.QueryBoolean):
                return result
            # Solutions are parsed lazily: read them all once so a bad answer fails here,
            # as an EndpointError, rather than halfway through printing.
            for _ in result:
                pass
            return ox.parse_query_results(body, format=results_format)
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"{target.url} answered unreadable {media}: {exc}") from None
    if rdf_format is not None:
        return _as_query_triples(target, body, rdf_format)
    raise EndpointError(
        f"{target.url} answered {media or 'without a Content-Type'}, "
        "which is neither SPARQL results nor RDF"
    )


def _as_query_triples(target: _Target, body: bytes, rdf_format: ox.RdfFormat) -> ox.QueryTriples:
    """A graph answer as a real ``QueryTriples`` (it has no constructor): load it into an
    in-memory store and CONSTRUCT it back out."""
    store = ox.Store()
    try:
        store.load(body, format=rdf_format)
    except (SyntaxError, ValueError) as exc:
        media = rdf_format.media_type
        raise EndpointError(f"{target.url} answered unreadable {media}: {exc}") from None
    return store.query(  # type: ignore[return-value]
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True
    )
