"""The one deadline mechanism: work with a time limit runs in a worker process, which is killed
when the deadline passes (pyoxigraph cannot cancel a query, but its process can be stopped).

Every face uses it: the server keeps a pool of workers in its event loop
(:class:`WorkerPool`), and the API (so the command line too) hands its queries to a pool of
one, run in a thread of its own (:func:`run`). A worker is ``python -m l2graph.workers`` (never
``multiprocessing``'s spawn, which would re-run a user's script that has no ``__main__``
guard); it takes the network away from itself before its first task
(:func:`l2graph.sandbox.deny_network`). A task and its answer cross a socket pair as frames: a
length (8 bytes), then a pickle. An error raised in the worker comes back whole: its class,
message and attributes (:func:`outcome`, :func:`rebuilt`). A killed or crashed worker is
replaced; the others go on answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from l2graph import errors

LENGTH = struct.Struct("!Q")


class WorkerCrashed(errors.L2GraphError):
    """The worker running a task died before it answered."""


class PoolBusy(errors.L2GraphError):
    """No worker became free before the task's deadline; nothing ran."""


def frame(value: Any) -> bytes:
    """``value`` as one frame: its pickle's length (8 bytes), then the pickle."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


def outcome(function: Callable[..., Any], args: tuple) -> tuple:
    """A worker's answer to a task: ``("ok", value)``, or ``("error", class, message,
    details)`` for an l2graph error (and for a bug, as an internal error); ``details`` are the
    error's attributes that cross a process boundary (a syntax error's line and column, an
    unknown name's suggestions, a failed validation's report), so that it is rebuilt whole
    on the other side (:func:`rebuilt`)."""
    try:
        return ("ok", function(*args))
    except errors.L2GraphError as exc:
        details = {}
        for name, value in vars(exc).items():
            try:
                pickle.dumps(value)
            except Exception:  # an engine object: it stays behind
                continue
            details[name] = value
        return ("error", type(exc), str(exc), details)
    except Exception as exc:  # a bug: reported, and the worker stays usable
        return ("error", errors.InternalError, f"internal error: {exc!r}", {})


def _reply(function: Callable[..., Any], args: tuple) -> bytes:
    """:func:`outcome` as a frame; one that cannot cross is an internal error."""
    told = outcome(function, args)
    try:
        return frame(told)
    except Exception as exc:
        return frame(("error", errors.InternalError, f"internal error: {exc!r}", {}))


def rebuilt(cls: type, message: str, details: dict) -> errors.L2GraphError:
    """The l2graph error a worker answered with: its class, message and attributes
    (constructors differ in their parts, so none is called)."""
    if not (isinstance(cls, type) and issubclass(cls, errors.L2GraphError)):
        cls = errors.InternalError
    failure = cls.__new__(cls)
    Exception.__init__(failure, message)
    failure.__dict__.update(details)
    return failure


class _Worker:
    """One worker process and its end of the socket pair."""

    def __init__(self) -> None:
        self.channel, child = socket.socketpair()
        path = os.pathsep.join(p for p in sys.path if p)  # the same l2graph, wherever it is
        self.process = subprocess.Popen(
            [sys.executable, "-m", "l2graph.workers", str(child.fileno()), str(os.getpid())],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
        child.close()
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The worker's socket as asyncio streams (opened in the running loop, on first use)."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(sock=self.channel)
        return self.streams

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        if self.streams is not None:
            self.streams[1].close()
        else:
            self.channel.close()


class WorkerPool:
    """``size`` worker processes, started at once; :meth:`run` hands a task to an idle one and
    awaits its answer until the deadline."""

    def __init__(self, size: int) -> None:
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        for _ in range(size):
            self._start()

    def _start(self) -> None:
        worker = _Worker()
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
        """``function(*args)`` in a worker: its value, or the l2graph error it raised.

        The deadline is ``timeout`` seconds after ``started`` (a request's arrival, on the
        event loop's clock; now when not given): the wait for an idle worker counts against it,
        and the task runs only for the time left, so a request queued behind runaway queries
        is answered or refused by its own deadline, not by theirs.

        Raises:
            PoolBusy: no worker was free before the deadline; nothing ran.
            QueryTimeoutError: no answer by the deadline; the worker was killed.
            WorkerCrashed: the worker died while running it; it was replaced.
            L2GraphError: what the task raised (its class, message and attributes).
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
            raise errors.QueryTimeoutError(
                f"stopped after {timeout:g} s, the time limit{queued}"
            ) from None
        except (asyncio.IncompleteReadError, ConnectionError):
            self._replace(worker)
            code = worker.process.returncode
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
            raise rebuilt(*reply[1:])
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


_shared: dict[str, Any] = {}
_shared_lock = threading.Lock()


def _shared_pool() -> tuple[asyncio.AbstractEventLoop, WorkerPool]:
    """The process's pool of one worker for callers outside an event loop, and the loop (in a
    daemon thread) it runs in; started on first use and kept for the next task."""
    with _shared_lock:
        if "pool" not in _shared:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="l2graph-workers", daemon=True).start()

            async def make() -> WorkerPool:
                return WorkerPool(1)

            _shared["pool"] = asyncio.run_coroutine_threadsafe(make(), loop).result()
            _shared["loop"] = loop
        return _shared["loop"], _shared["pool"]


def prestart() -> None:
    """Start this process's worker now, so that it boots while the caller does its own part
    (the command line calls it first thing before a local query)."""
    _shared_pool()


def run(function: Callable[..., Any], args: tuple, timeout: float) -> Any:
    """``function(*args)`` in a worker, its value back within ``timeout`` seconds: the API's
    and the command line's way in, through the same :meth:`WorkerPool.run` as the server's.

    Raises:
        QueryTimeoutError: the deadline passed; the worker was killed.
        WorkerCrashed: the worker died while running it; it was replaced.
        L2GraphError: what the function raised (its class, message and attributes).
    """
    loop, pool = _shared_pool()
    pending = asyncio.run_coroutine_threadsafe(pool.run(function, args, timeout), loop)
    try:
        return pending.result()
    except PoolBusy:  # another thread's task held the worker until the deadline
        raise errors.QueryTimeoutError(
            f"stopped after {timeout:g} s, the time limit (waiting for the worker)"
        ) from None


def worker_pids() -> list[int]:
    """The process ids of this process's shared worker (none before its first task)."""
    pool = _shared.get("pool")
    return pool.pids() if pool is not None else []


def _die_with_parent(parent: int) -> None:
    """End this worker when the process that started it ends, even mid-query (Linux's
    ``PR_SET_PDEATHSIG``): a command stopped by a signal leaves no query running. Elsewhere
    the worker ends at its next task, when it finds the socket closed."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it ended before the request took hold
        os._exit(0)


def _serve(descriptor: int, parent: int) -> None:
    """The worker: answer tasks from the socket until the other side closes it."""
    from l2graph.sandbox import deny_network

    _die_with_parent(parent)
    deny_network()  # before any task: no query may reach the network
    import l2graph.api
    import l2graph.cache  # noqa: F401

    channel = socket.socket(fileno=descriptor)
    os.dup2(2, 1)  # whatever a task prints goes to stderr
    incoming = channel.makefile("rb")
    while True:
        header = incoming.read(LENGTH.size)
        if len(header) < LENGTH.size:
            return
        function, args = pickle.loads(incoming.read(LENGTH.unpack(header)[0]))
        try:
            channel.sendall(_reply(function, args))
        except OSError:  # the other side is gone
            return


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches the whole process group
        _serve(int(sys.argv[1]), int(sys.argv[2]))
