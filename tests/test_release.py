"""``make release``: every file it writes, twice, byte for byte the same, with its checksum."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from l2graph._version import __version__
from l2graph.release import release


# builds from the checkout (its build/ directory), as test_wheel does: one xdist worker runs both
@pytest.mark.xdist_group("builds-from-the-checkout")
@pytest.mark.slow
def test_two_releases_are_identical_and_complete(tmp_path: Path, sources_dir):
    first, second = release(tmp_path / "one"), release(tmp_path / "two")
    names = [path.name for path in first]
    assert names == [path.name for path in second]
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), f"{one.name} differs between two releases"
    stem = f"l2graph-{__version__}"
    expected = {f"{stem}{v}.{e}" for v in ("", "-inferred") for e in ("ttl", "jsonld", "nt")}
    expected |= {f"{stem}-context.jsonld", f"{stem}.tar.gz", f"{stem}-py3-none-any.whl"}
    assert expected | {"SHA256SUMS"} == set(names)
    sums = dict(
        reversed(line.split("  "))
        for line in (tmp_path / "one" / "SHA256SUMS").read_text().splitlines()
    )
    assert set(sums) == expected
    for name, digest in sums.items():
        assert hashlib.sha256((tmp_path / "one" / name).read_bytes()).hexdigest() == digest
    with zipfile.ZipFile(tmp_path / "one" / f"{stem}-py3-none-any.whl") as wheel:
        assert "l2graph/graph/ontology/l2graph.ttl" in wheel.namelist()
