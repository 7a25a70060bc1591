"""Syntax errors point at the mistake: the line and column of the first token that cannot be
accepted, in the text the user wrote, said the same way on every face and engine.

The corpus puts one mistake at a time into every stored query (a misspelt keyword, a stray
')', an invalid character in a variable's name, an unterminated string, a missing '.'
between triples) and checks where the error says it is; hypothesis does the same over queries
it builds.
"""

from __future__ import annotations

import itertools
import random
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import l2graph
from l2graph import engine
from l2graph.errors import QuerySyntaxError
from l2graph.sparql_lexer import Token, Unreadable, line_and_column, tokens

QUERIES = sorted((Path(__file__).resolve().parent.parent / "queries").glob("*.rq"))


def _code(text: str) -> list[Token]:
    return [
        t
        for t in tokens(text)
        if not isinstance(t, Unreadable) and t.kind not in ("space", "comment")
    ]


def _mistakes(text: str, rng: random.Random) -> list[tuple[str, str, int, int]]:
    """(kind, text with the mistake, offset of the bad token, its length)."""
    code = _code(text)
    out = []
    for token in rng.sample([t for t in code if t.kind == "word" and len(t.text) > 2], 3):
        cut = rng.randrange(1, len(token.text))
        bad = token.text[:cut] + token.text[cut + 1 :]
        end = token.start + len(token.text)
        out.append(
            ("misspelt keyword", text[: token.start] + bad + text[end:], token.start, len(bad))
        )
    for token in rng.sample(code, 3):
        end = token.start + len(token.text)
        out.append(("stray ')'", text[:end] + " )" + text[end:], end + 1, 1))
    for token in rng.sample([t for t in code if t.kind == "var" and len(t.text) > 3], 2):
        at = token.start + rng.randrange(2, len(token.text))
        out.append(
            ("character in a name", text[:at] + "!" + text[at:], token.start, len(token.text) + 1)
        )
    for token in [t for t in code if t.kind == "string" and t.text[:3] not in ('"""', "'''")][:2]:
        end = token.start + len(token.text)
        out.append(
            ("unterminated string", text[: end - 1] + text[end:], token.start, len(token.text) - 1)
        )
    for dot, after in itertools.pairwise(code):
        if dot.text == "." and after.kind in ("var", "pname", "iri"):
            missing = text[: dot.start] + " " + text[dot.start + 1 :]
            out.append(("missing '.'", missing, after.start, len(after.text)))
            break
    return out


def _where(text: str) -> QuerySyntaxError | None:
    try:
        engine.run(ox.Store(), text)
    except QuerySyntaxError as error:
        return error
    return None


def _on_the_token(text: str, start: int, length: int, error: QuerySyntaxError) -> bool:
    """On the mistake's line, with the column inside the bad token or at most two past it."""
    line, column = line_and_column(text, start)
    return error.line == line and column <= error.column <= column + length - 1 + 2


def test_single_token_mistakes_in_every_stored_query_are_reported_at_the_token():
    rng = random.Random(20)  # the corpus is the same on every run
    results = []
    for path in QUERIES:
        for kind, text, start, length in _mistakes(path.read_text(encoding="utf-8"), rng):
            error = _where(text)
            if error is None:
                continue  # the change left a valid query (a stray ')' can close a group)
            assert error.line <= text.rstrip().count("\n") + 1, (path.name, kind, str(error))
            results.append((_on_the_token(text, start, length, error), path.name, kind, str(error)))
    missed = [r[1:] for r in results if not r[0]]
    assert len(results) > 80
    assert len(missed) <= 0.05 * len(results), missed


# ------------------------------------------------------------------- queries hypothesis builds

PREDICATES = st.sampled_from(["?p", "rdfs:label", "l2:brand", "<urn:x:p>"])
OBJECTS = st.sampled_from(["?o", "?label", "id:leica-sl2", '"a string"', "42", "<urn:x:o>"])
PATTERNS = st.lists(st.tuples(PREDICATES, OBJECTS), min_size=1, max_size=4)


@st.composite
def broken_queries(draw) -> tuple[str, int, int]:
    """A query of triples on several lines with one mistake, and where the mistake is."""
    triples = [f"  ?s {p} {o} ." for p, o in draw(PATTERNS)]
    text = "SELECT ?s\nWHERE {\n" + "\n".join(triples) + "\n}\n"
    code = _code(text)
    kind = draw(st.sampled_from(["stray", "keyword", "unterminated", "name"]))
    if kind == "keyword":
        token = next(t for t in code if t.text == "WHERE")
        return text[: token.start] + "WHER" + text[token.start + 5 :], token.start, 4
    if kind == "name":
        token = draw(st.sampled_from([t for t in code if t.kind == "var"]))
        at = token.start + 2
        return text[:at] + "!" + text[at:], token.start, len(token.text) + 1
    if kind == "unterminated" and any(t.kind == "string" for t in code):
        token = next(t for t in code if t.kind == "string")
        end = token.start + len(token.text)
        return text[: end - 1] + text[end:], token.start, len(token.text) - 1
    token = draw(st.sampled_from(code[:-1]))
    end = token.start + len(token.text)
    return text[:end] + " )" + text[end:], end + 1, 1


@settings(max_examples=150, deadline=None)
@given(case=broken_queries())
def test_mistakes_in_built_queries_are_reported_at_the_token(case):
    text, start, length = case
    error = _where(text)
    if error is not None:
        assert error.line <= text.rstrip().count("\n") + 1
        assert _on_the_token(text, start, length, error), (text, str(error))


# ------------------------------------------------------------------- the examples, every face


@pytest.mark.parametrize(
    ("query", "line", "column", "says"),
    [
        ("SELECT ?s WHERE {\n  ?s ?p ?o ) .\n  ?a ?b ?c .\n}", 2, 12, "')' cannot stand here"),
        ("SELECT ?s WHERE {\n  ?s ?p ) .\n}", 2, 9, "near ')'"),
        ("SELEC ?s WHERE { ?s ?p ?o }", 1, 1, "did you mean SELECT?"),
        ('SELECT ?s WHERE {\n  ?s ?p "open .\n}', 2, 9, "not closed on its line"),
        ("SELECT ?s WHERE {\n  ?s ?p ?o\n  ?a ?b ?c .\n}", 3, 3, "a '.' is missing"),
        ("SELECT ?s WHERE {\n  ?s ?p ?o .\n", 1, 17, "'{' is never closed"),
        ("SELECT ?s WHERE {\n  ?s foo:bar ?o .\n}", 2, 6, "undeclared prefix 'foo:'"),
    ],
)
def test_the_same_position_on_the_api_with_both_engines_and_over_http(query, line, column, says):
    import rdflib
    from starlette.testclient import TestClient

    from l2graph.web.app import create_app

    for engine_name in ("oxigraph", "rdflib"):
        with pytest.raises(QuerySyntaxError) as raised:
            l2graph.run_sparql(query, graph=rdflib.Graph(), engine=engine_name)
        error = raised.value
        assert (error.line, error.column) == (line, column), (engine_name, str(error))
        assert f"line {line}, column {column}" in str(error) and says in str(error)
    with TestClient(create_app(workers=1, timeout=5)) as client:
        answer = client.get("/sparql", params={"query": query})
        assert answer.status_code == 400 and answer.text.strip() == str(error)
        page = client.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
        caret = " " * (column - 1) + "^"
        assert '<pre class="excerpt">' in page.text and caret + "</pre>" in page.text


def test_a_stored_query_s_error_is_at_the_file_s_own_line(project_copy: Path):
    source = project_copy / "queries" / "001_leica_bodies_that_are_panasonic_bodies.rq"
    lines = source.read_text(encoding="utf-8").split("\n")
    number = next(i for i, text in enumerate(lines, 1) if text.strip().startswith("?leicaBody"))
    lines[number - 1] = lines[number - 1].replace("?leicaBody", "?leicaBody )", 1)
    broken = project_copy / "queries" / "099_broken.rq"
    broken.write_text("\n".join(lines), encoding="utf-8")
    shutil.copy(source, project_copy / "queries" / "098_fine.rq")
    with pytest.raises(QuerySyntaxError) as raised:
        l2graph.run_query("099", home=project_copy)
    assert raised.value.line == number, str(raised.value)
    assert "099_broken.rq" in str(raised.value) and "')' cannot stand here" in str(raised.value)
