"""The HTTP face: ``l2graph serve`` (:mod:`l2graph.web.app`), its worker processes and pages.

From Python, ``from l2graph.web import serve; serve(port=8000)`` serves the graph (blocking);
:func:`l2graph.web.app.create_app` gives the ASGI application to run under another server.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: a faster start
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def serve(
    home: Path | str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    timeout: float = 10.0,
    row_cap: int = 10_000,
    max_body: int | None = None,
    cors: bool = False,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the graph over HTTP until interrupted: a read-only SPARQL 1.1 endpoint, the
    stored queries, Linked Data pages for every entity and every article (see
    :mod:`l2graph.web.app`).

    Args:
        home: the project directory; defaults to ``$L2GRAPH_HOME`` or this checkout.
        host: the address to listen on; loopback unless you mean to expose the graph.
        port: the TCP port (0: any free port).
        workers: worker processes that run queries; a query past ``timeout`` is stopped by
            replacing its worker.
        timeout: seconds a query may run.
        row_cap: the most rows an answer carries (the ``L2graph-Truncated`` header says when
            it bit).
        max_body: the largest request body read, in bytes (a larger one gets a 413); by
            default :data:`l2graph.web.app.MAX_BODY`, 5 MiB.
        cors: let web pages from any origin read the answers (``Access-Control-Allow-Origin:
            *``, without credentials) and answer their preflight ``OPTIONS``; off by default,
            since a page on any site the user visits could then read the graph.
        ready: called with the server's base URL once it listens.

    Raises:
        InputError: the address cannot be listened on.
        ValidationFailed: the sources do not conform.
    """
    from l2graph.errors import contract

    return contract(_serve)(
        home,
        host=host,
        port=port,
        workers=workers,
        timeout=timeout,
        row_cap=row_cap,
        max_body=max_body,
        cors=cors,
        ready=ready,
    )


def _serve(home, *, host, port, workers, timeout, row_cap, max_body, cors, ready) -> None:
    import socket

    import uvicorn

    from l2graph.errors import InputError, checked_seconds
    from l2graph.web.app import MAX_BODY, create_app, http_options

    max_body = MAX_BODY if max_body is None else max_body
    checked = (("workers", workers, 1), ("row_cap", row_cap, 1), ("max_body", max_body, 1))
    for name, value, least in checked:
        if value < least:
            raise InputError(f"{name} must be at least {least}, not {value}")
    timeout = checked_seconds(timeout)
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)  # from here a connection waits for the server; none is refused
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        app = create_app(
            home, workers=workers, timeout=timeout, row_cap=row_cap, max_body=max_body, cors=cors
        )
        bound = listener.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            **http_options(),  # a request head of any size is refused past a bound
        )
        if ready is not None:
            ready(f"http://{shown}:{bound}/")
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        listener.close()
