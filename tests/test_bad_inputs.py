"""The corpus of hostile and careless inputs (``tests/bad_inputs/cases.toml``), run through the
command line or the Python API on a fresh copy of the project, or sent to the server's
application over HTTP (cases with ``http = "METHOD"``, through Starlette's TestClient).

Every case must give its documented exit code (or exception, or HTTP status) and message, and
never a traceback, an internal file path, a second line of error (validation reports aside), a
leftover temporary file or a connection out (the suite's socket guard fails any).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

import l2graph

CASES = tomllib.loads((Path(__file__).parent / "bad_inputs" / "cases.toml").read_text())["case"]
HTTP_CASES = [case for case in CASES if "http" in case]
CASES = [case for case in CASES if "http" not in case]


def _params(case: dict):
    marks = []
    if "xfail" in case:  # run=False: such a case can hang or exhaust the machine
        marks.append(pytest.mark.xfail(reason=case["xfail"], run=False, strict=True))
    return pytest.param(case, id=case["id"], marks=marks)


def _expand(value: str, target: Path) -> str:
    if value.startswith("@nested:"):
        depth = int(value.split(":")[1])
        return "SELECT * WHERE " + "{" * depth + "}" * depth
    if value.startswith("@nested-after-cr:"):  # the comment ends at \r: the groups are code
        depth = int(value.split(":")[1])
        return "SELECT ?x WHERE { #\r" + "{" * depth + "}" * depth + "\n}"
    if value.startswith("@repeat:"):  # @repeat:N:text, the text N times
        _, times, text = value.split(":", 2)
        return text * int(times)
    return str(target) if value == "@target" else value


# ------------------------------------------------------------------------- set-ups


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _cache_of(home: Path) -> Path:
    from l2graph.project import Project

    project = Project.locate(home)
    return project.cache_dir / l2graph.build(home).fingerprint


def _setup(name: str, home: Path, target: Path, env: dict[str, str]) -> None:
    data = home / "data"
    if name == "break-products-turtle":
        with open(data / "products.ttl", "a", encoding="utf-8") as file:
            file.write("\nid:broken l2:brand .\n")
    elif name == "break-shapes-turtle":
        with open(home / "ontology" / "shapes.ttl", "a", encoding="utf-8") as file:
            file.write("\nthis is not turtle\n")
    elif name == "shapes-closed":
        shapes = home / "ontology" / "shapes.ttl"
        _replace(
            shapes,
            "sh:targetClass l2:Organization ;",
            "sh:targetClass l2:Organization ; sh:closed true ;",
        )
    elif name == "shapes-sparql-target":
        with open(home / "ontology" / "shapes.ttl", "a", encoding="utf-8") as file:
            file.write(
                "\n[] a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; "
                'sh:select "SELECT ?this WHERE { ?this ?p ?o }" ] .\n'
            )
    elif name == "shapes-min-count-abc":
        shapes = home / "ontology" / "shapes.ttl"
        text = shapes.read_text(encoding="utf-8")
        shapes.write_text(text.replace("sh:minCount 1", 'sh:minCount "abc"', 1), encoding="utf-8")
    elif name == "bom-in-data":
        people = data / "people.ttl"
        people.write_bytes(b"\xef\xbb\xbf" + people.read_bytes())
    elif name == "remove-data":
        shutil.rmtree(data)
    elif name == "rename-article-source":
        _replace(data / "articles.ttl", '"2022-05-31-l2-technology-alliance.txt"', '"gone.txt"')
    elif name == "alter-a-quote":
        claims = data / "claims-2022-leica-panasonic-joint-camera.ttl"
        _replace(claims, "which is effectively a Panasonic S1R", "which is exactly a Panasonic S1R")
    elif name == "misspell-rebadge":
        for path in data.glob("*.ttl"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("l2:rebadgeOf", "l2:rebadgedOf"), encoding="utf-8")
    elif name == "add-broken-stored-query":
        (home / "queries" / "099_broken.rq").write_text(
            "#+ summary: broken on its third line\nSELECT ?x WHERE {\n  ?x ?p\n}\n"
        )
    elif name == "add-headerless-stored-query":
        (home / "queries" / "098_no_header.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n")
    elif name == "link-data-to-dev-zero":
        (data / "zero.ttl").symlink_to("/dev/zero")
    elif name == "cache-dir-is-a-file":
        blocker = target.parent / "cache-file"
        blocker.write_text("not a directory")
        env["L2GRAPH_CACHE_DIR"] = str(blocker)
    elif name == "garbage-build-record":
        (_cache_of(home) / "build.record").write_text("garbage")
    elif name == "tamper-nquads":
        with open(_cache_of(home) / "asserted.nq", "a", encoding="utf-8") as file:
            file.write("<urn:TAMPERED> <urn:p> <urn:o> .\n")
    elif name == "delete-nquads":
        (_cache_of(home) / "asserted.nq").unlink()
    elif name == "corrupt-store":
        current = _cache_of(home) / "store" / "CURRENT"
        info = current.stat()  # same size and time: only opening the store can tell
        current.write_bytes(b"X" * info.st_size)
        os.utime(current, ns=(info.st_atime_ns, info.st_mtime_ns))
    elif name == "read-only-cache-after-touch":
        cache = _cache_of(home).parent
        (data / "products.ttl").touch()
        for path in [cache, *cache.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
    elif name == "ansi-label":
        _replace(data / "products.ttl", '"Leica SL2"@en', '"Leica \\u001b[31mSL2"@en')
    elif name == "remote-context":
        (home / "ontology" / "context.jsonld").write_text(
            '{"@context": "http://127.0.0.1:9/context.jsonld"}'
        )
    elif name == "read-only-target":
        target.write_text("keep me")
        target.chmod(0o444)
    elif name == "directory-target":
        target.mkdir()
    elif name == "bad-progress-delay":
        env["L2GRAPH_PROGRESS_DELAY"] = "soon"
    elif name == "bad-auth-scheme":
        env["L2GRAPH_ENDPOINT_USER"], env["L2GRAPH_ENDPOINT_AUTH"] = "alice", "kerberos"
    elif name == "bad-proxy":
        env["L2GRAPH_ENDPOINT_PROXY"] = "socks5://127.0.0.1:1"
    elif name == "long-literal":  # 16 MiB: the smallest literal Oxigraph's parser refuses
        (data / "long-literal.ttl").write_bytes(
            b'# one literal too long\n<urn:a> <urn:b> "' + b"x" * 2**24 + b'" .\n'
        )
    elif name == "cache-dir-in-proc":  # a directory that exists and takes no new folder
        env["L2GRAPH_CACHE_DIR"] = "/proc/self"
    else:
        raise AssertionError(f"unknown set-up {name!r}")


# --------------------------------------------------------------------------- the run


@pytest.mark.parametrize("case", [_params(c) for c in CASES])
def test_bad_input(case: dict, project_copy: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    target = work / "out.ttl"
    env = {**os.environ, "L2GRAPH_HOME": str(project_copy)}
    if "setup" in case:
        _setup(case["setup"], project_copy, target, env)
    try:
        if "argv" in case:
            _run_command(case, env, work, target)
        else:
            _call(case, project_copy)
    finally:  # a read-only cache must not outlive the test
        for path in tmp_path.rglob("*"):
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
    leftovers = [p.name for p in work.iterdir() if p.name.startswith(".")]
    assert not leftovers, f"temporary files left behind: {leftovers}"


def _run_command(case: dict, env: dict[str, str], work: Path, target: Path) -> None:
    argv = [_expand(value, target) for value in case["argv"]]
    stdin = bytes.fromhex(case["stdin_hex"]) if "stdin_hex" in case else b""
    streamed = "stdin_file" in case  # a stream without end (/dev/zero), which no bytes hold
    started = time.monotonic()
    with open(case.get("stdin_file", os.devnull), "rb") as source:
        done = subprocess.run(
            [sys.executable, "-m", "l2graph", *argv],
            input=None if streamed else stdin,
            stdin=source if streamed else None,
            capture_output=True,
            env=env,
            cwd=work,
            timeout=120,
        )
    elapsed = time.monotonic() - started
    err = done.stderr.decode(errors="replace")
    assert "Traceback" not in err, err
    assert done.returncode == case["exit"], (done.returncode, err)
    if "message" in case:
        assert case["message"] in err, err
    if case["exit"] == 2:
        assert len(err.strip().splitlines()) == 1, f"one line of error, not: {err}"
    if "seconds" in case:
        assert elapsed < case["seconds"], f"took {elapsed:.1f} s"
    if "stdout_excludes" in case:
        assert case["stdout_excludes"].encode() not in done.stdout
    if "stderr_excludes" in case:
        assert case["stderr_excludes"] not in err, err
    if "no_file" in case:
        assert not (work / case["no_file"]).exists()
    if case["argv"][0] == "export" and case["exit"] == 0:
        assert done.stdout or target.exists()


def _call(case: dict, home: Path) -> None:
    from l2graph import errors

    kwargs = {k: _expand(v, home) if isinstance(v, str) else v for k, v in case["kwargs"].items()}
    expected = getattr(errors, case["raises"])
    with pytest.raises(expected) as raised:
        if case["call"] == "to_term":
            from l2graph.queries import Parameter, to_term

            to_term(Parameter("p", kwargs["kind"], True, ""), kwargs["value"])
        else:
            getattr(l2graph, case["call"])(**{"home": home, **kwargs})
    assert case["message"] in str(raised.value)


# ------------------------------------------------------------------------ over HTTP


@pytest.fixture(scope="module")
def http_client(sources_dir):
    """The server's application over the checkout's project, as ``l2graph serve`` makes it
    (its default body cap), with a 3 s time limit."""
    from starlette.testclient import TestClient

    from l2graph.web.app import create_app

    with TestClient(create_app(workers=2, timeout=3)) as client:
        yield client


def _http_body(case: dict):
    if "body_size" in case:  # that many bytes: over the cap, or just under it
        body = b"x" * case["body_size"]
    elif "body_hex" in case:
        body = bytes.fromhex(case["body_hex"])
    else:
        body = _expand(case.get("body", ""), Path()).encode()
    if case.get("chunked"):  # no Content-Length: the server sees the size only as it reads
        return (body[start : start + 65536] for start in range(0, len(body), 65536))
    return body


@pytest.mark.parametrize("case", [_params(c) for c in HTTP_CASES])
def test_bad_http_input(case: dict, http_client) -> None:
    """One request (``http``, ``path`` plus ``path_pad`` bytes, ``headers``, ``body`` /
    ``body_hex`` / ``body_size``, ``chunked``) and what must come back: ``status``, a
    ``message`` fragment, ``response_headers`` fragments, an empty body (``empty_body``), a
    different ETag for other headers (``etag_differs_with``), within ``seconds``."""
    from l2graph.project import Project

    path = case["path"] + "x" * case.get("path_pad", 0)
    headers = {k: _expand(v, Path()) for k, v in case.get("headers", {}).items()}
    started = time.monotonic()
    response = http_client.request(
        case["http"], path, headers=headers, content=_http_body(case), follow_redirects=False
    )
    elapsed = time.monotonic() - started
    text = response.content.decode("utf-8", errors="replace")
    assert response.status_code == case["status"], (response.status_code, text[:500])
    if "message" in case:
        assert case["message"] in text, text[:500]
    for name, fragment in case.get("response_headers", {}).items():
        assert fragment in response.headers.get(name, ""), (name, dict(response.headers))
    if case.get("empty_body"):
        assert response.content == b""
    if response.status_code >= 400 and response.headers["content-type"].startswith("text/plain"):
        assert len(text.strip().splitlines()) == 1, f"one line of error, not: {text[:500]}"
        shown = [c for c in text.rstrip("\n") if c < " " or "\x7f" <= c <= "\x9f"]
        assert not shown, f"control characters sent, not shown: {shown}"
    internal = ["Traceback", 'File "', "site-packages", str(Path(l2graph.__file__).parent)]
    internal += [str(Project.locate(None).cache_dir)]
    for leak in internal:
        assert leak not in text, f"{leak!r} in the answer: {text[:500]}"
    if "seconds" in case:
        assert elapsed < case["seconds"], f"took {elapsed:.1f} s"
    if "etag_differs_with" in case:
        again = http_client.request(
            case["http"], path, headers={**headers, **case["etag_differs_with"]}
        )
        assert again.status_code == 200
        assert response.headers["ETag"] and again.headers["ETag"]
        assert response.headers["ETag"] != again.headers["ETag"]
