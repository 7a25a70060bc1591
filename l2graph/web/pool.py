"""Worker processes that run the server's query work where it can be stopped.

pyoxigraph cannot cancel a query, so a runaway query is stopped by killing the process that
runs it; a fresh worker takes its place and the other workers go on answering. A worker that
dies by itself (a crash in the engine) is replaced the same way.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable
from typing import Any

from l2graph.errors import L2GraphError, QueryTimeoutError


class WorkerCrashed(L2GraphError):
    """The worker running a task died before it answered."""


class TaskFailed(Exception):
    """A task raised an l2graph error in its worker: its class name, message and suggestions
    (exceptions are rebuilt by name, as their constructors differ)."""

    def __init__(self, kind: str, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.suggestions = kind, message, suggestions or []


def _work(connection, initialiser: Callable[[], Any] | None) -> None:
    """A worker's loop: receive ``(function, args)``, answer ``("ok", value)`` or
    ``("error", class name, message, suggestions)``."""
    if initialiser is not None:
        initialiser()
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            connection.send(("ok", function(*args)))
        except L2GraphError as exc:
            connection.send(
                ("error", type(exc).__name__, str(exc), getattr(exc, "suggestions", None))
            )
        except Exception as exc:  # a bug: reported by name, the worker stays usable
            connection.send(("error", type(exc).__name__, f"internal error: {exc}", None))


class _Worker:
    def __init__(self, context, initialiser: Callable[[], Any] | None) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_work, args=(child, initialiser), daemon=True, name="l2graph-worker"
        )
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


class WorkerPool:
    """``size`` worker processes; :meth:`run` hands a task to an idle one and waits for its
    answer at most ``timeout`` seconds. Blocking: call it from a thread."""

    def __init__(self, size: int, initialiser: Callable[[], Any] | None = None) -> None:
        # spawn, not fork: the server's process has threads and an event loop
        self._context = multiprocessing.get_context("spawn")
        self._initialiser = initialiser
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(size):
            self._start()

    def _start(self) -> None:
        worker = _Worker(self._context, self._initialiser)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        self._start()

    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        with self._lock:
            return sorted(worker.process.pid for worker in self._all)

    def run(self, function: Callable[..., Any], args: tuple, timeout: float) -> Any:
        """``function(*args)`` in a worker: its value, or its l2graph error as
        :class:`TaskFailed`.

        Raises:
            QueryTimeoutError: no answer within ``timeout`` seconds; the worker was killed.
            WorkerCrashed: the worker died while running it; it was replaced.
        """
        worker = self._idle.get()
        try:
            worker.connection.send((function, args))
            if not worker.connection.poll(timeout):
                self._replace(worker)
                worker = None
                raise QueryTimeoutError(f"stopped after {timeout:g} s, the time limit")
            answer = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            if worker is not None:
                self._replace(worker)
                worker = None
            raise WorkerCrashed("the query stopped its worker process (it was restarted)") from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        if answer[0] == "error":
            raise TaskFailed(*answer[1:])
        return answer[1]

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()
