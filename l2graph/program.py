"""The ``l2graph`` program.

A plain ``l2graph query NAME [--format F]`` that ran on the live build before is answered from
its kept answer (:func:`answer`) before the command line, the engine or anything that imports
``re`` is loaded; every other command, and every miss, goes to :mod:`l2graph.cli`.
"""

import os
import sys


def answer(argv: list[str]) -> bytes | None:
    """The kept answer to the command line ``argv`` (without the program name), if it is a
    plain ``query NAME`` (:func:`l2graph.grammar.plain_query`) that ran on the live build
    before and that build is still current; ``None`` otherwise, for the full path to take
    (which resolves the same project, build and answer through :class:`l2graph.project.Project`
    and :class:`l2graph.answer_cache.AnswerCache`)."""
    from l2graph import layout
    from l2graph.answer_cache import answers_of, identity, read_kept
    from l2graph.grammar import plain_query
    from l2graph.records import current_build, input_state

    plain = plain_query(argv)
    if plain is None:
        return None
    name, format = plain
    home = layout.locate_home(os.environ.get("L2GRAPH_HOME"))
    cache_dir = home and layout.own_cache_dir(home)
    if cache_dir is None:
        return None
    try:
        inputs = layout.input_files(home, layout.sources_dir(home))
        build = current_build(cache_dir, input_state(inputs))
        path = layout.query_file(layout.queries_dir(home), name)
        if build is None or path is None:
            return None
        text = layout.read_query(path)
    except (OSError, UnicodeDecodeError):
        return None
    stored = identity("query", text)
    return read_kept(answers_of(build, stored), format, stored.encode())


def run() -> None:
    """Answer from the kept answer, else run :func:`l2graph.cli.run`."""
    try:
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
