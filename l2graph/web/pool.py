"""Worker processes that run the server's query work where it can be stopped.

pyoxigraph cannot cancel a query, so a runaway query is stopped by killing the process that
runs it; a fresh worker takes its place and the other workers go on answering. A worker that
dies by itself (a crash in the engine) is replaced the same way.

Each worker talks over a socket pair: a task or an answer is one frame, its length (8 bytes)
then its pickle. The server reads answers with asyncio streams, so a large answer never blocks
the event loop and no thread is needed per request.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import socket
from collections.abc import Callable
from typing import Any

from l2graph.errors import L2GraphError, QueryTimeoutError
from l2graph.isolation import LENGTH, answer, frame, read_frame
from l2graph.sandbox import deny_network


class WorkerCrashed(L2GraphError):
    """The worker running a task died before it answered."""


class PoolBusy(L2GraphError):
    """No worker became free before the task's deadline; nothing ran."""


class TaskFailed(Exception):
    """A task raised an l2graph error in its worker: its class name, message and details
    (see :func:`l2graph.isolation.answer`: a syntax error's line and column, suggestions)."""

    def __init__(self, kind: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.details = kind, message, details or {}
        self.suggestions = self.details.get("suggestions") or []


def _work(channel: socket.socket) -> None:
    """A worker's loop: answer each task (see :func:`l2graph.isolation.answer`) until the
    server closes the pair."""
    deny_network()  # before any task: no query may reach the network
    incoming = channel.makefile("rb")
    while True:
        try:
            function, args = read_frame(incoming)
        except EOFError:
            return
        channel.sendall(frame(answer(function, args)))


class _Worker:
    def __init__(self, context) -> None:
        self.channel, child = socket.socketpair()
        self.process = context.Process(target=_work, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The worker's socket as asyncio streams (opened in the running loop, on first use)."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(sock=self.channel)
        return self.streams

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        if self.streams is not None:
            self.streams[1].close()
        else:
            self.channel.close()


class WorkerPool:
    """``size`` worker processes; :meth:`run` hands a task to an idle one and awaits its
    answer at most ``timeout`` seconds."""

    def __init__(self, size: int) -> None:
        # spawn, not fork: the server's process has threads and an event loop
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        for _ in range(size):
            self._start()

    def _start(self) -> None:
        worker = _Worker(self._context)
        self._all.add(worker)
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop()
        self._start()

    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        return sorted(worker.process.pid for worker in self._all)

    async def run(
        self,
        function: Callable[..., Any],
        args: tuple,
        timeout: float,
        *,
        started: float | None = None,
    ) -> Any:
        """``function(*args)`` in a worker: its value, or its l2graph error as
        :class:`TaskFailed`.

        The deadline is ``timeout`` seconds after ``started`` (the request's arrival, on the
        event loop's clock; now when not given): the wait for an idle worker counts against it,
        and the task runs only for the time left, so a request queued behind runaway queries
        is answered or refused by its own deadline, not by theirs.

        Raises:
            PoolBusy: no worker was free before the deadline; nothing ran.
            QueryTimeoutError: no answer by the deadline; the worker was killed.
            WorkerCrashed: the worker died while running it; it was replaced.
        """
        loop = asyncio.get_running_loop()
        begun = loop.time() if started is None else started
        worker: _Worker | None = None
        sent = False
        try:
            async with asyncio.timeout_at(begun + timeout):
                worker = await self._idle.get()
                reader, writer = await worker.open()
                waited = loop.time() - begun
                writer.write(frame((function, args)))
                sent = True
                header = await reader.readexactly(LENGTH.size)
                reply = pickle.loads(await reader.readexactly(LENGTH.unpack(header)[0]))
        except TimeoutError:
            if not sent:
                self._give_back(worker)
                raise PoolBusy(f"no worker was free within {timeout:g} s") from None
            self._replace(worker)
            queued = f" ({waited:.1f} s of it waiting for a free worker)" if waited >= 0.1 else ""
            raise QueryTimeoutError(
                f"stopped after {timeout:g} s, the time limit{queued}"
            ) from None
        except (asyncio.IncompleteReadError, ConnectionError):
            self._replace(worker)
            code = worker.process.exitcode
            raise WorkerCrashed(
                f"the query stopped its worker process (exit code {code}; it was restarted)"
            ) from None
        except BaseException:  # cancelled (the client went away): its answer may still come
            if sent:
                self._replace(worker)
            else:
                self._give_back(worker)
            raise
        self._idle.put_nowait(worker)
        if reply[0] == "error":
            raise TaskFailed(*reply[1:])
        return reply[1]

    def _give_back(self, worker: _Worker | None) -> None:
        """Return a worker that was given no task; one whose socket was being opened when the
        wait ended may be half set up, and is replaced instead."""
        if worker is None:
            return
        if worker.streams is None:
            self._replace(worker)
        else:
            self._idle.put_nowait(worker)

    def close(self) -> None:
        """Stop every worker."""
        workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()
