"""The ``l2graph`` program.

A plain ``l2graph query NAME [--format F]`` that ran on the live build before is answered from
its kept answer (:func:`l2graph.kept.answer`) before the command line, the engine or anything
that imports ``re`` is loaded; every other command, and every miss, goes to :mod:`l2graph.cli`.
"""

import sys


def run() -> None:
    """Answer from the kept answer, else run :func:`l2graph.cli.run`."""
    try:
        from l2graph.kept import answer

        try:
            found = answer(sys.argv[1:])
        except Exception:  # a look-up that fails for any reason is a miss: the full path
            found = None  # checks the same files again and reports what is wrong
        if found is not None:
            _print(found)
            sys.exit(0)
    except KeyboardInterrupt:
        print("l2graph: interrupted", file=sys.stderr)
        sys.exit(130)
    from l2graph.cli import run as full

    full()


def _print(data: bytes) -> None:
    """Write ``data`` to stdout: a reader that stops early (``| head``) is no error."""
    import os

    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # stdout is gone: point it at nothing, so that the flush at exit cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:  # a full disk under a redirect: as the command line says it
        print(f"l2graph: error: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    run()
