"""A private Virtuoso (Debian's ``virtuoso-opensource``) on free loopback ports, for the tests
and the benchmarks.

The one place that finds ``virtuoso-t`` and ``isql-vt``, writes an ini for a database in a
directory of its own, starts the server, grants SPARQL updates, waits until it answers and
stops it, whatever happens in between. Both its ports (SQL and HTTP) listen on 127.0.0.1 only.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.oxigraph_server import ServerError, free_port, stop, wait_until_answering

MISSING = (
    "Virtuoso is not installed (Debian: apt-get install virtuoso-opensource, which gives "
    "virtuoso-t and isql-vt)"
)
# The database's own administrator, as every new Virtuoso database has it; reachable only
# from this machine, and gone with the directory.
_DBA = ("dba", "dba")

_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort          = 127.0.0.1:{sql_port}
DisableUnixSocket   = 1
DirsAllowed         = .
NumberOfBuffers     = {buffers}
MaxDirtyBuffers     = {dirty_buffers}
CheckpointInterval  = 60
ThreadsPerQuery     = 2

[HTTPServer]
ServerPort          = 127.0.0.1:{http_port}
ServerRoot          = {dir}
ServerThreads       = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows           = 10000000
MaxQueryExecutionTime      = 600
MaxQueryCostEstimationTime = 0
"""
# MaxQueryCostEstimationTime = 0: no query is refused on Virtuoso's estimate of its cost alone
# (it estimated 2,535 s for stored query 016, which runs in milliseconds, once the suite's
# other tests had loaded their graphs); MaxQueryExecutionTime still bounds the real time.


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its base URL and a user allowed SPARQL updates."""

    base: str
    user: str
    password: str

    @property
    def query(self) -> str:
        """The SPARQL 1.1 Protocol endpoint."""
        return f"{self.base}/sparql"

    @property
    def store(self) -> str:
        """The Graph Store endpoint without authentication (granted to user SPARQL)."""
        return f"{self.base}/sparql-graph-crud"

    @property
    def store_with_digest(self) -> str:
        """The Graph Store endpoint that asks for HTTP Digest authentication."""
        return f"{self.base}/sparql-graph-crud-auth"


def binaries() -> tuple[str, str] | None:
    """``virtuoso-t`` and ``isql-vt`` from PATH, or ``None`` when either is missing."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


def version() -> str | None:
    """Virtuoso's version as the server prints it (e.g. ``07.20.3229``), if installed."""
    found = binaries()
    if found is None:
        return None
    printed = subprocess.run([found[0], "-?"], capture_output=True, text=True, timeout=30)
    match = re.search(r"Version\s+(\S+)", printed.stdout + printed.stderr)
    return match.group(1) if match else None


@contextmanager
def running(
    directory: Path, *, startup_seconds: float = 60.0, buffers: int = 20_000
) -> Iterator[Virtuoso]:
    """Run ``virtuoso-t`` on a new database in ``directory``; yields it once it answers.

    ``GRANT SPARQL_UPDATE`` goes to the anonymous SPARQL user (``/sparql-graph-crud``) and
    to a user made for this run (Digest, ``/sparql-graph-crud-auth``).

    Args:
        directory: an empty directory for the database, its ini and its log.
        startup_seconds: how long to wait for it to answer.
        buffers: 8 KiB pages it caches (``NumberOfBuffers``).

    Raises:
        ServerError: no binaries, or the server exited or stayed silent at startup (its log's
            last lines are in the message).
    """
    found = binaries()
    if found is None:
        raise ServerError(MISSING)
    program, isql = found
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(
        _INI.format(
            dir=directory,
            sql_port=sql_port,
            http_port=http_port,
            buffers=buffers,
            dirty_buffers=buffers * 3 // 4,
        )
    )
    log_path = directory / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [program, "+foreground", "+configfile", str(ini)],
            cwd=directory,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        query = f"{base}/sparql?query=ASK%7B%7D"
        wait_until_answering(query, process, log_path, startup_seconds, "virtuoso-t")
        user, password = "l2graph", secrets.token_urlsafe(12)
        _sql(
            isql,
            sql_port,
            'GRANT SPARQL_UPDATE TO "SPARQL";'
            f"DB.DBA.USER_CREATE('{user}', '{password}');"
            f'GRANT SPARQL_UPDATE TO "{user}";',
        )
        yield Virtuoso(base=base, user=user, password=password)
    finally:
        stop(process)


def _sql(isql: str, port: int, statements: str) -> None:
    """Run SQL statements as the database administrator; fail loudly on an error."""
    done = subprocess.run(
        [isql, f"127.0.0.1:{port}", *_DBA, f"exec={statements}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise ServerError(f"isql-vt failed: {(done.stdout + done.stderr)[-800:]}")
