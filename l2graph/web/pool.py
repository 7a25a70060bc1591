"""Worker processes that run the server's query work where it can be stopped.

pyoxigraph cannot cancel a query, so a runaway query is stopped by killing the process that
runs it; a fresh worker takes its place and the other workers go on answering. A worker that
dies by itself (a crash in the engine) is replaced the same way.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
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
    """``size`` worker processes; :meth:`run` hands a task to an idle one and awaits its
    answer at most ``timeout`` seconds, without a thread: the event loop watches the pipe."""

    def __init__(self, size: int, initialiser: Callable[[], Any] | None = None) -> None:
        # spawn, not fork: the server's process has threads and an event loop
        self._context = multiprocessing.get_context("spawn")
        self._initialiser = initialiser
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        for _ in range(size):
            self._start()

    def _start(self) -> None:
        worker = _Worker(self._context, self._initialiser)
        self._all.add(worker)
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop()
        self._start()

    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        return sorted(worker.process.pid for worker in self._all)

    async def run(self, function: Callable[..., Any], args: tuple, timeout: float) -> Any:
        """``function(*args)`` in a worker: its value, or its l2graph error as
        :class:`TaskFailed`.

        Raises:
            QueryTimeoutError: no answer within ``timeout`` seconds; the worker was killed.
            WorkerCrashed: the worker died while running it; it was replaced.
        """
        worker = await self._idle.get()
        loop = asyncio.get_running_loop()
        connection = worker.connection
        readable = loop.create_future()
        try:
            connection.send((function, args))
            loop.add_reader(connection.fileno(), _settle, readable)
            try:
                await asyncio.wait_for(readable, timeout)
            finally:
                loop.remove_reader(connection.fileno())
            # uvloop leaves a watched descriptor non-blocking; the answer's first bytes are
            # here, and the rest follows at once, so wait for them
            os.set_blocking(connection.fileno(), True)
            answer = connection.recv()
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeoutError(f"stopped after {timeout:g} s, the time limit") from None
        except (EOFError, OSError):
            worker.process.join(1)
            code = worker.process.exitcode
            self._replace(worker)
            raise WorkerCrashed(
                f"the query stopped its worker process (exit code {code}; it was restarted)"
            ) from None
        except BaseException:  # cancelled (the client went away): the answer may still come
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        if answer[0] == "error":
            raise TaskFailed(*answer[1:])
        return answer[1]

    def close(self) -> None:
        """Stop every worker."""
        workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()


def _settle(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)
