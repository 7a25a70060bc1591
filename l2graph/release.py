"""Release files, byte for byte reproducible: ``python -m l2graph.release DIR`` (``make
release``) writes the graph in Turtle, JSON-LD and N-Triples (asserted, and with its
entailments), the JSON-LD context, the wheel and the sdist, and ``SHA256SUMS``.

Nothing in them depends on when or where they were made: the exports are canonical (sorted,
RDFC-1.0 blank nodes), the wheel is built with ``SOURCE_DATE_EPOCH`` (the last commit's time),
and the sdist, which setuptools stamps with the files' times, is repacked with that time,
sorted entries and no owner names.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from l2graph._version import __version__
from l2graph.errors import InputError

EXPORTS = (("turtle", "ttl"), ("json-ld", "jsonld"), ("nt", "nt"))


def release(directory: Path | str, home: Path | str | None = None) -> list[Path]:
    """Write the release files into ``directory`` (made empty first) and return them.

    Raises:
        InputError: the wheel or the sdist could not be built.
    """
    import l2graph
    from l2graph.project import Project

    project = Project.locate(home)
    target = Path(directory)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    name = f"l2graph-{__version__}"
    for inferred, variant in ((False, ""), (True, "-inferred")):
        for format, extension in EXPORTS:
            destination = target / f"{name}{variant}.{extension}"
            l2graph.export(
                format=format, destination=destination, home=project.home, inferred=inferred
            )
    shutil.copyfile(project.context_file, target / f"{name}-context.jsonld")
    epoch = _epoch(project.home)
    _build(project.home, target, epoch)
    for sdist in target.glob("*.tar.gz"):
        _repack(sdist, epoch)
    files = sorted(path for path in target.iterdir() if path.name != "SHA256SUMS")
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files)
    (target / "SHA256SUMS").write_text(sums)
    return [*files, target / "SHA256SUMS"]


def _epoch(home: Path) -> int:
    """``$SOURCE_DATE_EPOCH``, else the last commit's time, else 1980-01-01 (zip's first)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        found = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=home, capture_output=True, text=True
        )
        return int(found.stdout.strip())
    except (OSError, ValueError):
        return 315532800


def _build(home: Path, target: Path, epoch: int) -> None:
    environment = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(target), str(home)],
        capture_output=True,
        text=True,
        env=environment,
    )
    shutil.rmtree(home / "build", ignore_errors=True)
    if built.returncode != 0:
        tail = (built.stderr or built.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise InputError(f"could not build the wheel and sdist: {tail[0]}")


def _repack(sdist: Path, epoch: int) -> None:
    """The sdist again with every entry's time set to ``epoch``, entries sorted, owners
    blank, and the gzip header's time set too."""
    with tarfile.open(sdist, "r:gz") as source:
        members = sorted(source.getmembers(), key=lambda member: member.name)
        contents = {m.name: source.extractfile(m).read() for m in members if m.isfile()}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as out:
        for member in members:
            member.mtime, member.uid, member.gid, member.uname, member.gname = epoch, 0, 0, "", ""
            member.pax_headers = {}
            data = contents.get(member.name)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
    with (
        open(sdist, "wb") as file,
        gzip.GzipFile(filename="", mode="wb", fileobj=file, mtime=epoch) as zipped,
    ):
        zipped.write(raw.getvalue())


def main(argv: list[str] | None = None) -> int:
    """``python -m l2graph.release DIR``: write the release files into DIR."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m l2graph.release DIR", file=sys.stderr)
        return 2
    try:
        for path in release(argv[0]):
            print(path)
    except InputError as exc:
        print(f"l2graph.release: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
