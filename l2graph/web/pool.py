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


class WorkerCrashed(L2GraphError):
    """The worker running a task died before it answered."""


class TaskFailed(Exception):
    """A task raised an l2graph error in its worker: its class name, message and suggestions
    (exceptions are rebuilt by name, as their constructors differ)."""

    def __init__(self, kind: str, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.suggestions = kind, message, suggestions or []


def _work(channel: socket.socket) -> None:
    """A worker's loop: answer each task (see :func:`l2graph.isolation.answer`) until the
    server closes the pair."""
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

    async def run(self, function: Callable[..., Any], args: tuple, timeout: float) -> Any:
        """``function(*args)`` in a worker: its value, or its l2graph error as
        :class:`TaskFailed`.

        Raises:
            QueryTimeoutError: no answer within ``timeout`` seconds; the worker was killed.
            WorkerCrashed: the worker died while running it; it was replaced.
        """
        worker = await self._idle.get()
        try:
            reader, writer = await worker.open()
            writer.write(frame((function, args)))
            async with asyncio.timeout(timeout):
                header = await reader.readexactly(LENGTH.size)
                reply = pickle.loads(await reader.readexactly(LENGTH.unpack(header)[0]))
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeoutError(f"stopped after {timeout:g} s, the time limit") from None
        except (asyncio.IncompleteReadError, ConnectionError):
            self._replace(worker)
            code = worker.process.exitcode
            raise WorkerCrashed(
                f"the query stopped its worker process (exit code {code}; it was restarted)"
            ) from None
        except BaseException:  # cancelled (the client went away): its answer may still come
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        if reply[0] == "error":
            raise TaskFailed(*reply[1:])
        return reply[1]

    def close(self) -> None:
        """Stop every worker."""
        workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()
