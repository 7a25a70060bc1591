"""Remote triplestores: SPARQL 1.1 Protocol queries and Graph Store Protocol uploads.

HTTP goes through httpx, to the URL the caller gives and nowhere else: redirects are not
followed, proxy and ``.netrc`` settings from the environment are ignored (a proxy is used only
when ``L2GRAPH_ENDPOINT_PROXY`` names one), and every request has one deadline for the whole
exchange, so a server that drips its answer cannot hold a command. Answers are parsed into
pyoxigraph result objects, so remote results render exactly like local ones (see
:mod:`l2graph.results`).

Credentials come from the ``auth`` argument, a ``user:password@`` in the URL, or the
``L2GRAPH_ENDPOINT_USER`` / ``L2GRAPH_ENDPOINT_PASSWORD`` environment variables. They are sent
the way the server asks (``L2GRAPH_ENDPOINT_AUTH=auto``, the default): HTTP Digest or Basic,
whichever its ``401`` challenge names, Digest first; ``basic`` or ``digest`` forces one. They
never appear in messages.

Where the data goes: a push writes the project's named graph (:data:`PROJECT_GRAPH`) unless
told otherwise, and a query reads that graph as its default graph (the protocol's
``default-graph-uri``), so stores that answer a query over all their graphs (Virtuoso,
GraphDB) and stores that keep the default graph apart (Oxigraph, Fuseki) give one answer.
:data:`STORE_DEFAULT` names the store's own default graph instead.
"""

from __future__ import annotations

import contextlib
import http
import os
import re
import socket
import threading
import urllib.parse
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import httpx
import pyoxigraph as ox

from l2graph.errors import EndpointError, InputError, needing
from l2graph.project import PROJECT_GRAPH

__all__ = [
    "PROJECT_GRAPH",
    "STORE_DEFAULT",
    "count_triples",
    "push",
    "query",
    "query_endpoint_for",
    "redact",
]

Auth = tuple[str, str]
Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: Says "the store's own default graph" where a graph IRI is asked for: a push writes
#: ``?default``, a query sends no ``default-graph-uri`` (the store decides what it reads).
STORE_DEFAULT = "default"
#: SPARQL results in JSON for SELECT/ASK, N-Triples for CONSTRUCT/DESCRIBE; the XML and Turtle
#: fallbacks serve stores that offer neither.
TABLE_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5"
USER_VARIABLE = "L2GRAPH_ENDPOINT_USER"
PASSWORD_VARIABLE = "L2GRAPH_ENDPOINT_PASSWORD"
AUTH_VARIABLE = "L2GRAPH_ENDPOINT_AUTH"
PROXY_VARIABLE = "L2GRAPH_ENDPOINT_PROXY"
#: How credentials go: as the server's challenge asks (Digest before Basic), or forced.
AUTH_SCHEMES = ("auto", "basic", "digest")
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
    """An endpoint URL without credentials, the credentials, and how to send them."""

    url: str  # without credentials: what is opened, and what messages name
    auth: Auth | None
    scheme: str = "auto"
    proxy: str | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.auth[1],) if self.auth and self.auth[1] else ()


class _Challenged(httpx.Auth):
    """Credentials sent as the server asks. With ``auto``, the first request goes without
    them and a ``401`` challenge picks Digest (preferred) or Basic; the client then sends that
    scheme at once on every later request. Basic is never offered to a server that did not ask
    for it, and a password never travels in the clear to a Digest server."""

    def __init__(self, user: str, password: str, scheme: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._chosen = None if scheme == "auto" else scheme

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        if self._chosen is not None:
            yield from self._scheme(self._chosen).auth_flow(request)
            return
        response = yield request
        offered = {
            challenge.split(None, 1)[0].lower()
            for challenge in response.headers.get_list("www-authenticate")
            if challenge.strip()
        }
        if response.status_code != 401 or not offered & {"digest", "basic"}:
            return
        self._chosen = "digest" if "digest" in offered else "basic"
        flow = self._scheme(self._chosen).auth_flow(request)
        retry = next(flow)
        if self._chosen == "digest":  # its first step is the request just answered: answer it
            retry = flow.send(response)
        response = yield retry
        with contextlib.suppress(StopIteration):
            flow.send(response)

    def _scheme(self, name: str) -> httpx.Auth:
        return self._digest if name == "digest" else self._basic


class _Client:
    """The HTTP client for one call's requests (a push's chunks share it, and its choice of
    authentication scheme): no redirects, nothing from the environment, and a deadline for
    each whole request that shuts its connections when it passes."""

    def __init__(self, target: _Target, timeout: float) -> None:
        self.target = target
        self._streams: list = []  # every connection this client opened, for the deadline
        auth = _Challenged(*target.auth, target.scheme) if target.auth else None
        self._http = httpx.Client(
            auth=auth,
            trust_env=False,
            follow_redirects=False,
            proxy=target.proxy,
            timeout=timeout,
        )

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def _trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self._streams.append(info["return_value"])

    def request(
        self,
        method: str,
        url: str,
        body: bytes | _FileBody,
        headers: dict[str, str],
        timeout: float,
    ) -> tuple[str, bytes]:
        """Send one request; returns (Content-Type, body) or raises a one-line
        EndpointError. ``timeout`` bounds the whole request, authentication round trips
        included, not each read."""
        target = self.target
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            for stream in list(self._streams):
                with contextlib.suppress(OSError, AttributeError):
                    stream.get_extra_info("socket").shutdown(socket.SHUT_RDWR)

        if isinstance(body, _FileBody):  # a length, never chunked: Virtuoso stores nothing
            headers = {**headers, "Content-Length": str(body.size)}  # of a chunked upload
        deadline = threading.Timer(timeout, expire)
        deadline.daemon = True
        deadline.start()
        try:
            response = self._http.request(
                method,
                url,
                content=body if method != "GET" else None,
                headers=headers,
                extensions={"trace": self._trace},
            )
            if expired.is_set():
                raise httpx.TimeoutException("deadline")
        except httpx.HTTPError as exc:
            reason: BaseException = TimeoutError() if expired.is_set() else exc
            raise EndpointError(_describe_failure(target, reason, timeout)) from None
        except httpx.InvalidURL as exc:  # stricter than urllib's reading, which let it pass
            raise InputError(f"{redact(url)}: not a valid URL ({exc})") from None
        finally:
            deadline.cancel()
        content_type = response.headers.get("content-type", "")
        if response.status_code >= 300:
            message = _describe_status(
                target,
                response.status_code,
                response.reason_phrase,
                response.content,
                content_type,
            )
            raise EndpointError(message, response.status_code)
        return content_type, response.content


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
    graph: str | None = PROJECT_GRAPH,
    timeout: float = 30.0,
    auth: Auth | None = None,
    method: str = "auto",
) -> Result:
    """Run a SPARQL query on a SPARQL 1.1 Protocol endpoint.

    Args:
        endpoint: the query endpoint URL, e.g. ``http://127.0.0.1:7878/query``.
        query: the query text, sent as it is.
        graph: the graph the query reads as its default graph (``default-graph-uri``): the
            project's graph, where a push writes, unless told; :data:`STORE_DEFAULT` or
            ``None`` sends none, and the store decides (Virtuoso and GraphDB read all their
            graphs, Oxigraph and Fuseki their default graph).
        timeout: seconds the whole request may take.
        auth: ``(user, password)``; defaults to the URL's or the environment's.
        method: one of :data:`QUERY_METHODS`.

    Returns:
        A ``pyoxigraph.QuerySolutions``, ``QueryBoolean`` or ``QueryTriples``, as a local
        query gives.

    Raises:
        InputError: an unknown ``method`` or a ``graph`` that is not an IRI.
        EndpointError: the endpoint is unreachable, too slow, fails, or answers unreadably.
    """
    from l2graph.engine import query_form

    if method not in QUERY_METHODS:
        raise InputError(f"query method {method!r}: choose from {', '.join(QUERY_METHODS)}")
    target = _target(endpoint, auth)
    form = query_form(query)
    construct = form in ("CONSTRUCT", "DESCRIBE")
    headers = {"Accept": GRAPH_ACCEPT if construct else TABLE_ACCEPT}
    fields = {"query": query}
    dataset = _named(graph)
    if dataset is not None:
        fields["default-graph-uri"] = dataset
    encoded = urllib.parse.urlencode(fields)
    separator = "&" if urllib.parse.urlsplit(target.url).query else "?"
    as_get = f"{target.url}{separator}{encoded}"
    if method == "auto":
        method = "get" if len(as_get) <= MAX_GET_URL else "form"
    if method == "get":
        request = ("GET", as_get, b"")
    elif method == "form":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = ("POST", target.url, encoded.encode("ascii"))
    else:  # the dataset travels in the URL, the query as the body
        headers["Content-Type"] = "application/sparql-query"
        url = target.url
        if dataset is not None:
            url += separator + urllib.parse.urlencode({"default-graph-uri": dataset})
        request = ("POST", url, query.encode("utf-8"))
    with _Client(target, timeout) as client:
        content_type, body = client.request(*request, headers, timeout)
    answer = _parse_answer(target, content_type, body, graph=construct)
    if form == "ASK" and isinstance(answer, ox.QuerySolutions):
        return _virtuoso_boolean(target, answer)
    return answer


def count_triples(
    endpoint: str,
    graph: str | None = PROJECT_GRAPH,
    *,
    timeout: float = 30.0,
    auth: Auth | None = None,
) -> int:
    """Count the triples of one graph at a query endpoint.

    Args:
        endpoint: the query endpoint URL.
        graph: a named graph IRI (the project's graph by default); :data:`STORE_DEFAULT` or
            ``None`` counts what the store reads without a dataset (on Virtuoso and GraphDB,
            every graph it holds).
        timeout: seconds to wait for the endpoint.
        auth: ``(user, password)``; defaults to the URL's or the environment's.

    Returns:
        The number of triples.

    Raises:
        EndpointError: the endpoint fails or its answer is not a count.
    """
    named = _named(graph)
    pattern = f"GRAPH {_graph_term(named)} {{ ?s ?p ?o }}" if named else "?s ?p ?o"
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
    # no dataset in the request: one would hide the named graph from GRAPH
    result = query(endpoint, text, graph=STORE_DEFAULT, timeout=timeout, auth=auth)
    try:
        return int(next(iter(result))["n"].value)  # type: ignore[call-overload]
    except (StopIteration, TypeError, ValueError, KeyError, AttributeError):
        raise EndpointError(
            f"{_target(endpoint, auth).url} did not answer a COUNT query with a number"
        ) from None


def push(
    endpoint: str,
    triples: Iterable[ox.Triple] | BinaryIO,
    *,
    expected: int,
    graph: str | None = PROJECT_GRAPH,
    replace: bool = False,
    query_endpoint: str | None = None,
    chunk_size: int | None = None,
    auth: Auth | None = None,
    timeout: float = 300.0,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Upload triples with the SPARQL 1.1 Graph Store HTTP Protocol, then count them there.

    By default the triples go in one N-Triples request, PUT when ``replace`` (PUT replaces the
    graph), else POST (POST adds to it): the fewest requests, at the speed of the wire. An
    N-Triples file is streamed from disk as it is. With ``chunk_size``, they go in requests of
    about that many triples, the first PUT when ``replace`` and every other POST; triples
    linked by a blank node stay in one request, since each request is a document of its own
    and would otherwise split one blank node into two.

    Args:
        endpoint: the Graph Store endpoint, e.g. ``http://127.0.0.1:7878/store``.
        triples: the triples to send, each once (the store would merge duplicates), or an
            open binary file of N-Triples (sent from its start, with its length).
        expected: how many triples the graph should hold afterwards: exactly that many with
            ``replace``, at least that many without.
        graph: the named graph IRI to write, the project's graph by default;
            :data:`STORE_DEFAULT` or ``None`` writes the store's default graph.
        replace: replace the graph's content instead of adding to it.
        query_endpoint: where to count; derived from ``endpoint`` by default
            (see :func:`query_endpoint_for`).
        chunk_size: triples per request, for servers that limit a request's size; ``None``:
            one request.
        auth: ``(user, password)``; defaults to the URL's or the environment's.
        timeout: seconds each request may take, its upload included.
        progress: called with (triples sent, ``expected``) as the upload goes (estimated
            from the bytes sent within a request).

    Returns:
        The number of triples the remote graph holds after the push.

    Raises:
        EndpointError: a request failed, or the remote count contradicts ``expected``.
        InputError: ``graph`` is not an IRI, or ``chunk_size`` is not positive or was given
            with a file.
    """
    if chunk_size is not None and chunk_size < 1:
        raise InputError(f"chunk size {chunk_size}: give at least 1 triple per request")
    if chunk_size is not None and hasattr(triples, "read"):
        raise InputError("a chunk size splits triples, not an N-Triples file: give triples")
    target = _target(endpoint, auth)
    named = _named(graph)
    graph_term = _graph_term(named) if named is not None else None
    store_url = _with_graph(target.url, named)
    method = "PUT" if replace else "POST"
    sent = 0

    def report(done: int) -> None:
        if progress:
            progress(done, expected)

    with _Client(target, timeout) as client:
        for body, count in _documents(triples, chunk_size, expected, report):
            try:
                client.request(method, store_url, body, _NTRIPLES, timeout)
            except EndpointError as exc:
                if sent:  # the graph now holds part of the data: say so
                    message = f"{exc} (after {sent} of {expected} triples were stored)"
                    raise EndpointError(message, exc.status) from None
                if chunk_size is None and _too_large(exc.status, count):
                    message = f"{exc} (a server may refuse one large request: send it in parts)"
                    raise needing(EndpointError(message, exc.status), "chunk_size") from None
                raise
            method = "POST"
            sent += count
            report(sent)
        if replace and method == "PUT":  # nothing was sent: the graph is emptied all the same
            client.request("PUT", store_url, b"", _NTRIPLES, timeout)

    counted_at = query_endpoint or query_endpoint_for(endpoint)
    remote = count_triples(counted_at, named or STORE_DEFAULT, timeout=timeout, auth=auth)
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


_NTRIPLES = {"Content-Type": "application/n-triples"}


def _too_large(status: int | None, triples: int) -> bool:
    """Whether a failed request may have been refused for its size: a 413, or a failure of
    the server's own on a large one (Virtuoso 7.2 answers 500 to a PUT of some 700,000
    triples, and takes them in requests of 250,000)."""
    return status == 413 or (status in (500, 502, 503, 507) and triples > 100_000)


class _FileBody:
    """An N-Triples file as a request body: read from its start each time it is sent (an
    authentication retry sends it again), in blocks, reporting how far it got."""

    BLOCK = 1 << 20

    def __init__(self, file: BinaryIO, on_block: Callable[[int, int], None]) -> None:
        self.file, self.on_block = file, on_block
        self.size = os.fstat(file.fileno()).st_size

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(0)
        done = 0
        while block := self.file.read(self.BLOCK):
            done += len(block)
            self.on_block(done, self.size)
            yield block


def _documents(
    triples: Iterable[ox.Triple] | BinaryIO,
    chunk_size: int | None,
    expected: int,
    report: Callable[[int], None],
) -> Iterator[tuple[bytes | _FileBody, int]]:
    """The request bodies of a push, each with how many triples it carries."""
    if hasattr(triples, "read"):
        file: BinaryIO = triples  # type: ignore[assignment]
        yield _FileBody(file, lambda done, size: report(expected * done // max(size, 1))), expected
        return
    if chunk_size is None:
        everything = list(triples)  # type: ignore[arg-type]
        if everything:
            yield ox.serialize(everything, format=ox.RdfFormat.N_TRIPLES), len(everything)
        return
    for chunk in _chunks(triples, chunk_size):  # type: ignore[arg-type]
        yield ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES), len(chunk)


def _named(graph: str | None) -> str | None:
    """The named graph IRI meant, checked; ``None`` for the store's default graph."""
    if graph is None or graph == STORE_DEFAULT:
        return None
    _graph_term(graph)
    return graph


def _target(url: str, auth: Auth | None) -> _Target:
    """Split credentials off ``url``, pick the ones to use and how to send them (with the
    proxy, if one is named); refuse non-HTTP URLs."""
    parts = _http_url(url, "endpoint URL")
    if auth is None and parts.username is not None:
        auth = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    if auth is None and os.environ.get(USER_VARIABLE):
        auth = (os.environ[USER_VARIABLE], os.environ.get(PASSWORD_VARIABLE, ""))
    scheme = os.environ.get(AUTH_VARIABLE) or "auto"
    if scheme not in AUTH_SCHEMES:
        raise InputError(f"{AUTH_VARIABLE}={scheme!r}: choose from {', '.join(AUTH_SCHEMES)}")
    proxy = os.environ.get(PROXY_VARIABLE) or None
    from l2graph import guard

    if proxy is not None:
        _http_url(proxy, f"proxy URL ({PROXY_VARIABLE})")
        guard.allow(proxy)  # the proxy the user named is the host this command reaches
    clean = redact(urllib.parse.urlunsplit(parts))
    guard.allow(clean)  # the one host this command may reach
    return _Target(url=clean, auth=auth, scheme=scheme, proxy=proxy)


def _http_url(url: str, what: str) -> urllib.parse.SplitResult:
    """``url``'s parts, refused unless it is an http(s) URL with a host."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise InputError(f"{redact(url)}: not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(f"{redact(url)}: give an http:// or https:// {what}")
    return parts


def _graph_term(graph: str) -> str:
    """``<graph>``, checked to be an absolute IRI."""
    try:
        return str(ox.NamedNode(graph))
    except ValueError:
        raise InputError(
            f"graph {graph!r}: not an absolute IRI (or {STORE_DEFAULT!r}, the store's default)"
        ) from None


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


def _describe_failure(target: _Target, reason: BaseException, timeout: float) -> str:
    """One line for a request that got no answer, from the error and the errors it chains."""
    causes = []
    while reason is not None and reason not in causes:
        causes.append(reason)
        reason = reason.__cause__ or reason.__context__
    kinds = tuple(type(cause) for cause in causes)

    def found(*types: type) -> bool:
        return any(issubclass(kind, types) for kind in kinds)

    if found(TimeoutError, httpx.TimeoutException):
        return f"{target.url} did not answer within {timeout:g} s"
    if found(ConnectionRefusedError):
        where = f"the proxy {redact(target.proxy)}" if target.proxy else target.url
        return f"cannot reach {where}: connection refused"
    if found(socket.gaierror):
        lookup = next(cause for cause in causes if isinstance(cause, socket.gaierror))
        return f"cannot reach {target.url}: unknown host ({lookup.strerror or lookup})"
    if found(httpx.RemoteProtocolError, ConnectionResetError, httpx.ReadError):
        return f"{target.url} closed the connection without answering"
    first = causes[0]
    detail = getattr(first, "strerror", None) or str(first) or type(first).__name__
    return _scrub(f"cannot reach {target.url}: {detail}", target)


def _describe_status(
    target: _Target, status: int, phrase: str, body: bytes, content_type: str
) -> str:
    """``URL answered 500 Internal Server Error: <first line of the body>``."""
    with contextlib.suppress(ValueError):
        phrase = http.HTTPStatus(status).phrase
    message = f"{target.url} answered {status} {phrase}".rstrip()
    excerpt = _first_line(body, content_type)
    if excerpt:
        message += f": {excerpt}"
    if 300 <= status < 400:
        message += " (l2graph does not follow redirects: give the final URL)"
    elif status in (401, 403) and target.auth:
        message += " (check the user name and password)"
    elif status in (401, 403):
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
            columns = [variable.value for variable in result.variables]
            rows = list(result)
            if any(_uncanonical(row[name]) for row in rows for name in columns):
                return _canonical_solutions(columns, rows)
            return ox.parse_query_results(body, format=results_format)
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"{target.url} answered unreadable {media}: {exc}") from None
    if rdf_format is not None:
        return _as_query_triples(target, body, rdf_format)
    raise EndpointError(
        f"{target.url} answered {media or 'without a Content-Type'}, "
        "which is neither SPARQL results nor RDF"
    )


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
#: xsd:boolean's other lexical forms and their canonical ones (XML Schema 1.1 Part 2, 3.3.2).
_CANONICAL_BOOLEAN = {"1": "true", "0": "false"}


def _uncanonical(term: ox.Term | None) -> bool:
    """Whether ``term`` is, or quotes, an xsd:boolean written ``1`` or ``0``."""
    if isinstance(term, ox.Triple):
        return any(_uncanonical(part) for part in term)
    return (
        isinstance(term, ox.Literal)
        and term.datatype.value == _XSD_BOOLEAN
        and term.value in _CANONICAL_BOOLEAN
    )


def _canonical(term: ox.Term | None) -> ox.Term | None:
    if isinstance(term, ox.Triple):
        return ox.Triple(*(_canonical(part) for part in term))
    if _uncanonical(term):
        return ox.Literal(_CANONICAL_BOOLEAN[term.value], datatype=term.datatype)
    return term


def _canonical_solutions(columns: list[str], rows: list[ox.QuerySolution]) -> ox.QuerySolutions:
    """The rows with every xsd:boolean in its canonical form, ``true`` or ``false``.

    Virtuoso 7 writes an xsd:boolean as ``1`` or ``0`` in SPARQL JSON results (as ``true`` or
    ``false`` in XML), whatever the data said: it keeps values, not lexical forms. Both are
    the same value, but a result format writes the lexical form, so ``query 002 --format csv``
    printed ``1`` where the embedded store prints ``true``. Oxigraph, embedded or served,
    stores an xsd:boolean as its value and gives it back canonical, so reading remote
    answers canonical here gives one text for one value from every store. (Virtuoso answers a
    boolean *expression*, ``EXISTS {…}`` or ``?a < ?b``, with an xsd:integer: a different
    term, which no reader can tell from a number; a query casts it, ``xsd:boolean(…)``.)
    """
    from l2graph.results import results_json

    fixed = [{name: _canonical(row[name]) for name in columns} for row in rows]
    document = results_json(columns, fixed)
    return ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)


#: The one column Virtuoso 7 answers an ASK with, a table of one row holding 1 or 0, in
#: place of a boolean (openlink/virtuoso-opensource#464); only that exact shape is read.
_VIRTUOSO_ASK_COLUMN = "__ASK_RETVAL"


def _virtuoso_boolean(target: _Target, table: ox.QuerySolutions) -> ox.QueryBoolean:
    """The boolean a table answering an ASK stands for, or an EndpointError for any table
    but Virtuoso's known one."""
    rows = list(table)
    columns = [variable.value for variable in table.variables]
    values = [row[0] for row in rows]
    readable = columns == [_VIRTUOSO_ASK_COLUMN] and len(rows) <= 1
    if readable and all(isinstance(v, ox.Literal) and v.value in ("0", "1") for v in values):
        truth = bool(values) and values[0].value == "1"
        document = b'{"head": {}, "boolean": %s}' % (b"true" if truth else b"false")
        return ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    raise EndpointError(f"{target.url} answered an ASK with a table, where a boolean was asked for")


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
